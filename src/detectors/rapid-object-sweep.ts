import { historyDays } from '../core/baseline.js';
import type { FindingDraft } from '../core/finding.js';
import { formatBytes } from '../core/format-bytes.js';
import { distinctObjects } from '../core/rollup.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { hourNorm } from '../detection/norm.js';
import { severityOf } from '../detection/severity.js';
import { hourContext, topKeys } from '../detection/top-keys.js';
import { basisText, comparable, learningFloor } from './learning-floor.js';

/** Floors of normal: distinct objects read in an hour, and requests in the busiest five minutes. */
const OBJECTS_FLOOR = 200;
const PEAK_FLOOR = 50;

const n = (v: number): string => Math.round(v).toLocaleString('en-US');

/**
 * Many distinct objects read within minutes: both the hour's distinct objects read and its busiest
 * five-minute slot far above the identity's norm (a nightly batch that always sweeps is normal for it).
 */
export const rapidObjectSweep: Detector = {
  id: 'rapid-object-sweep',
  description: 'An identity reads far more distinct objects than usual, packed into a few minutes.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    const medium = settings.thresholds.ratio.medium;
    const peak = Math.max(...r.slots);
    if (peak < PEAK_FLOOR * medium || (r.ops.read ?? 0) < OBJECTS_FLOOR * medium) return [];
    const { readObjects } = distinctObjects(r);
    if (readObjects < OBJECTS_FLOOR * medium || !comparable(ctx)) return [];
    const days = historyDays(b);
    const objectsNorm = hourNorm(ctx, 'readObjects', learningFloor(ctx, OBJECTS_FLOOR));
    const peakNorm = hourNorm(ctx, 'peak5m', learningFloor(ctx, PEAK_FLOOR));
    const objectsRatio = readObjects / objectsNorm.high;
    const peakRatio = peak / peakNorm.high;
    // Both must be abnormal: many objects, and packed into minutes; the weaker one sets the level.
    const ratio = Math.min(objectsRatio, peakRatio);
    const sev = severityOf(ratio, r.bytesOut, settings.thresholds);
    if (!sev) return [];

    const who = identity.principal.name;
    // Five-minute slots busy with at least a quarter of the peak: how long the sweep lasted.
    const minutes = 5 * r.slots.filter((s) => s >= peak / 4).length;
    const buckets = topKeys(r.buckets, 5);
    return [{
      detector: 'rapid-object-sweep',
      severity: sev.severity,
      scope: '',
      start: r.first,
      end: r.last,
      title: `Rapid object sweep by ${who}: ${n(readObjects)} distinct objects read in about ${minutes} min at ${ctx.local.label}`,
      summary:
        `${who} read ${n(readObjects)} distinct objects (${formatBytes(r.bytesOut)})` +
        (buckets.length ? ` from ${buckets.slice(0, 3).join(', ')}` : '') +
        `, with ${n(peak)} requests in the busiest five minutes. Normal is up to ${n(objectsNorm.high)} distinct objects in an hour ` +
        `(typical: ${n(objectsNorm.typical)}) and ${n(peakNorm.high)} requests in five minutes ` +
        `(norm from ${basisText(objectsNorm)}, ${days} day${days === 1 ? '' : 's'} of history).`,
      evidence: {
        observed: { readObjects, peak5m: peak, bytesOut: r.bytesOut, reads: r.ops.read ?? 0, busyMinutes: minutes },
        expected: { readObjects: objectsNorm.high, peak5m: peakNorm.high, typicalReadObjects: objectsNorm.typical, typicalPeak5m: peakNorm.typical },
        baseline: { days, learning: objectsNorm.learning, since: b.firstSeen ? new Date(b.firstSeen).toISOString() : undefined },
        firstSeen: {},
        ...hourContext(r),
        buckets,
        severityReason:
          `${sev.reason}: the lower of distinct objects (${objectsRatio.toFixed(1)}x) and busiest five minutes (${peakRatio.toFixed(1)}x); ` +
          `norms from ${basisText(objectsNorm)}`,
      },
    }];
  },
};
