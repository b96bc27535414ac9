import { historyDays } from '../core/baseline.js';
import type { FindingDraft } from '../core/finding.js';
import { formatBytes } from '../core/format-bytes.js';
import { totalOps, type Rollup } from '../core/rollup.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { hourNorm } from '../detection/norm.js';
import { severityOf } from '../detection/severity.js';
import { hourContext } from '../detection/top-keys.js';
import { basisText, comparable, learningFloor, learningSeverity } from './learning-floor.js';

type SpikeClass = 'read' | 'list' | 'write' | 'delete';

/** Floor of normal calls of one class in an hour: an identity is never alerted on for fewer than three times this. */
const FLOOR = 20;
/** The classes judged, and how a responder reads them. */
const CLASSES: Record<SpikeClass, string> = { read: 'read (get)', list: 'list', write: 'write (put)', delete: 'delete' };

const n = (v: number): string => Math.round(v).toLocaleString('en-US');

function bytesOf(cls: SpikeClass, r: Rollup): number {
  return cls === 'read' ? r.bytesOut : cls === 'write' ? r.bytesIn : 0;
}

/**
 * Calls of one action class (read, list, write, delete) in an hour far above what is normal for
 * that hour of the week and for the identity's busiest hours; one finding per class that spikes.
 * Reads in working hours need ten times the norm (or a gigabyte moved) for medium.
 */
export const apiCallSpike: Detector = {
  id: 'api-call-spike',
  description: 'An identity makes far more read, list, write or delete calls in an hour than usual for that hour of the week.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    if (!comparable(ctx)) return [];
    const days = historyDays(b);
    const who = identity.principal.name;
    const out: FindingDraft[] = [];
    for (const cls of Object.keys(CLASSES) as SpikeClass[]) {
      const calls = r.ops[cls] ?? 0;
      const verb = CLASSES[cls];
      // The norm is never below the floor, so fewer calls than this cannot reach medium.
      if (calls < FLOOR * settings.thresholds.ratio.medium) continue;
      // Deletes are mass-deletion's to judge: one alert, not two, and its floors keep folder tidying quiet.
      if (cls === 'delete') continue;
      const norm = hourNorm(ctx, cls, learningFloor(ctx, FLOOR));
      const ratio = calls / norm.high;
      const bytes = bytesOf(cls, r);
      let sev = learningSeverity(severityOf(ratio, bytes, settings.thresholds), norm, ratio, settings.thresholds);
      if (!sev) continue;
      // Reading a few times more than usual in an hour of the working day is a busy hour (a month end, an export):
      // data carried out shows in the day's volume, a sweep or the hour of day, which their detectors judge.
      if (cls === 'read' && sev.severity === 'medium' && ctx.local.inBusinessHours) {
        sev = { severity: 'low', reason: `${sev.reason}; a busy hour of reading in working hours, low below ${settings.thresholds.ratio.high}x` };
      }
      const usual = norm.typical > 0 ? `, ${Math.round(calls / norm.typical)}x a typical active hour (${n(norm.typical)})` : '';
      out.push({
        detector: 'api-call-spike',
        severity: sev.severity,
        scope: `class:${cls}`,
        start: r.first,
        end: r.last,
        title: `API call spike by ${who}: ${n(calls)} ${verb} calls in the hour from ${ctx.local.label} (normal up to ${n(norm.high)})`,
        summary:
          `${who} made ${n(calls)} ${verb} calls in one hour (${n(totalOps(r))} calls in all${bytes ? `, ${formatBytes(bytes)} moved` : ''}). ` +
          `For this hour of the week and its busiest hours, up to ${n(norm.high)} is normal${usual} ` +
          `(norm from ${basisText(norm)}, ${days} day${days === 1 ? '' : 's'} of history).`,
        evidence: {
          observed: { calls, totalCalls: totalOps(r), bytes, peak5m: Math.max(...r.slots), ratio: Number(ratio.toFixed(2)) },
          expected: { calls: norm.high, typicalCalls: norm.typical },
          baseline: { days, learning: norm.learning, since: b.firstSeen ? new Date(b.firstSeen).toISOString() : undefined },
          firstSeen: {},
          ...hourContext(r),
          severityReason: `${cls} calls ${sev.reason} (norm from ${basisText(norm)})`,
        },
      });
    }
    return out;
  },
};
