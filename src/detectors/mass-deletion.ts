import { historyDays } from '../core/baseline.js';
import { SEVERITIES, type FindingDraft, type Severity } from '../core/finding.js';
import { totalOps } from '../core/rollup.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { hourNorm } from '../detection/norm.js';
import { severityOf } from '../detection/severity.js';
import { hourContext, topKeys } from '../detection/top-keys.js';
import { basisText, comparable, learningFloor } from './learning-floor.js';

/** Deletes in an hour below which mass-deletion never fires: tidying a folder of a hundred files is ordinary life. */
export const MASS_DELETION_FLOOR = 200;
/** Floor of the norm: 200 deletes are only abnormal for an identity whose busiest hour deletes at most about this many. */
const NORM_FLOOR = 60;
/** Counts at which the sheer number of deletes raises severity. */
const HIGH_COUNT = 500;
const CRITICAL_COUNT = 2000;

const n = (v: number): string => Math.round(v).toLocaleString('en-US');

/** Severity from the ratio, raised to high for hundreds of deletes and critical for thousands. */
function byCount(severity: Severity, deletes: number): { severity: Severity; raised?: string } {
  const floor: Severity | undefined = deletes >= CRITICAL_COUNT ? 'critical' : deletes >= HIGH_COUNT ? 'high' : undefined;
  if (!floor || SEVERITIES.indexOf(floor) <= SEVERITIES.indexOf(severity)) return { severity };
  return { severity: floor, raised: `${n(deletes)} deletes in one hour` };
}

/**
 * Deletes in one hour far above the identity's norm for that hour of the week and its busiest
 * hours (ransomware, sabotage, covering tracks); hundreds make it high, thousands critical.
 */
export const massDeletion: Detector = {
  id: 'mass-deletion',
  description: 'An identity deletes far more objects in an hour than it ever normally does.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    const deletes = r.ops.delete ?? 0;
    if (deletes < MASS_DELETION_FLOOR) return [];
    if (!comparable(ctx)) return [];
    const days = historyDays(b);
    const norm = hourNorm(ctx, 'delete', learningFloor(ctx, NORM_FLOOR));
    const ratio = deletes / norm.high;
    const sev = severityOf(ratio, 0, settings.thresholds);
    if (!sev) return [];
    const { severity, raised } = byCount(sev.severity, deletes);

    const who = identity.principal.name;
    // Five-minute slots busy with at least a quarter of the peak: how long the burst lasted, ignoring routine calls around it.
    const peak = Math.max(...r.slots);
    const minutes = 5 * r.slots.filter((s) => s >= peak / 4).length;
    const buckets = topKeys(r.buckets, 5);
    return [{
      detector: 'mass-deletion',
      severity,
      scope: '',
      start: r.first,
      end: r.last,
      title: `Mass deletion by ${who}: ${n(deletes)} deletes within about ${minutes} min at ${ctx.local.label}`,
      summary:
        `${who} deleted ${n(deletes)} objects, most within about ${minutes} minutes` +
        (buckets.length ? ` in ${buckets.slice(0, 3).join(', ')}` : '') +
        `. Normal for it is up to ${n(norm.high)} deletes in an hour (typical active hour: ${n(norm.typical)}; ` +
        `norm from ${basisText(norm)}, ${days} day${days === 1 ? '' : 's'} of history).`,
      evidence: {
        observed: { deletes, requests: totalOps(r), minutes, ratio: Number(ratio.toFixed(2)) },
        expected: { deletes: norm.high, typicalDeletes: norm.typical },
        baseline: { days, learning: norm.learning, since: b.firstSeen ? new Date(b.firstSeen).toISOString() : undefined },
        firstSeen: {},
        ...hourContext(r),
        buckets,
        severityReason: `${sev.reason} (norm from ${basisText(norm)})${raised ? `; raised to ${severity}: ${raised}` : ''}`,
      },
    }];
  },
};
