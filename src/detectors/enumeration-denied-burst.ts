import { historyDays } from '../core/baseline.js';
import type { FindingDraft } from '../core/finding.js';
import { OTHER, totalOps } from '../core/rollup.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { hourNorm } from '../detection/norm.js';
import { raise, severityOf } from '../detection/severity.js';
import { hourContext, topKeys } from '../detection/top-keys.js';

/** Fewer denials than this in an hour is never a burst, whatever the history. */
const DENIED_FLOOR = 20;
/** Fewer distinct denied buckets than this in an hour is never a sweep. */
const BUCKETS_FLOOR = 5;
/** Never-seen denied buckets that make a burst look like someone mapping the account. */
const NEW_BUCKETS_RAISE = 5;

/**
 * Many requests refused for lack of permission, or refusals across many distinct buckets, in one
 * hour, far above the identity's own denial norm: someone probing what a stolen key can reach.
 * A job that is always refused a few times an hour has that in its norm and stays quiet.
 */
export const enumerationDeniedBurst: Detector = {
  id: 'enumeration-denied-burst',
  description: 'Bursts of AccessDenied, or denials across many buckets, far above what the identity normally gets.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    const least = settings.thresholds.ratio.medium;
    if (r.denied < DENIED_FLOOR * least && Object.keys(r.deniedBuckets).length < BUCKETS_FLOOR * least) return [];
    // Account-level calls (ListBuckets) are denied with no bucket: they count as denials, not as a bucket.
    const buckets = Object.keys(r.deniedBuckets).filter((k) => k !== OTHER && k !== '');
    const distinct = buckets.length + (r.deniedBuckets[OTHER] ? 1 : 0);
    const deniedNorm = hourNorm(ctx, 'denied', DENIED_FLOOR);
    const bucketNorm = hourNorm(ctx, 'deniedBuckets', BUCKETS_FLOOR);
    // The public hammers public buckets with guesses all day; for anonymous callers only the spread over buckets says enumeration.
    const anonymous = identity.principal.type === 'anonymous';
    const countRatio = anonymous ? 0 : r.denied / deniedNorm.high;
    const spreadRatio = distinct / bucketNorm.high;
    const ratio = Math.max(countRatio, spreadRatio);
    const found = severityOf(ratio, 0, settings.thresholds);
    if (!found) return [];
    const days = historyDays(b);
    const fresh = buckets.filter((k) => !b.buckets[k]);
    let severity = found.severity;
    const reasons = [
      countRatio >= spreadRatio
        ? `${r.denied} denials, ${found.reason} (${deniedNorm.high.toFixed(0)} a busy hour, basis: ${deniedNorm.basis})`
        : `denials across ${distinct} buckets, ${found.reason} (${bucketNorm.high.toFixed(0)} a busy hour, basis: ${bucketNorm.basis})`,
    ];
    // Refusals move no data: mapping unknown buckets makes it high, never critical on its own.
    if (fresh.length >= NEW_BUCKETS_RAISE && days > 0 && severity === 'medium') {
      severity = raise(severity);
      reasons.push(`${fresh.length} of the refused buckets were never touched by this identity`);
    }
    if (deniedNorm.learning) reasons.push(`baseline still learning (${days} of ${settings.learningDays} days): compared with ${deniedNorm.basis}`);
    const who = identity.principal.name;
    const share = Math.round((100 * r.denied) / Math.max(1, totalOps(r)));
    return [
      {
        detector: 'enumeration-denied-burst',
        severity,
        scope: '',
        start: r.first,
        end: r.last,
        title: `Denied-request burst by ${who}: ${r.denied} AccessDenied across ${distinct} bucket${distinct === 1 ? '' : 's'} at ${ctx.local.label}`,
        summary:
          `${who} was refused ${r.denied} times in one hour (${share}% of its ${totalOps(r)} requests), across ${distinct} bucket${distinct === 1 ? '' : 's'}. ` +
          `Its busiest normal hour has about ${deniedNorm.high.toFixed(0)} denials (typically ${deniedNorm.typical.toFixed(0)}) over ${bucketNorm.high.toFixed(0)} buckets, ` +
          `from ${days} day${days === 1 ? '' : 's'} of history. ` +
          (fresh.length ? `${fresh.length} of the refused buckets were never touched by it before: ${fresh.slice(0, 5).join(', ')}.` : 'All refused buckets are ones it used before.'),
        evidence: {
          observed: { denied: r.denied, deniedBuckets: distinct, requests: totalOps(r), newDeniedBuckets: fresh.length },
          expected: {
            denied: Math.round(deniedNorm.high), deniedBuckets: Math.round(bucketNorm.high),
            typicalDenied: Math.round(deniedNorm.typical), typicalDeniedBuckets: Math.round(bucketNorm.typical),
          },
          baseline: { days, learning: deniedNorm.learning, since: new Date(b.firstSeen || r.first).toISOString() },
          // Withheld from learning: a later successful access to one of these buckets is still a first access.
          firstSeen: { buckets: fresh },
          ...hourContext(r),
          buckets: topKeys(r.deniedBuckets, 8),
          severityReason: reasons.join('; '),
        },
      },
    ];
  },
};
