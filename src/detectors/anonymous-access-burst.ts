import { historyDays } from '../core/baseline.js';
import type { FindingDraft, Severity } from '../core/finding.js';
import { formatBytes } from '../core/format-bytes.js';
import { OTHER, distinctObjects, totalOps, type Rollup } from '../core/rollup.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { hourNorm } from '../detection/norm.js';
import { severityOf } from '../detection/severity.js';
import { topKeys } from '../detection/top-keys.js';
import { accountWatchedSince } from './learning-floor.js';

const DAY = 86_400_000;
/** Fewer anonymous requests than this in an hour is never a burst, however quiet the public side usually is. */
const OPS_FLOOR = 100;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Buckets the public reached successfully this hour that it never reached before. */
function newPublicBuckets(r: Rollup, known: Record<string, unknown>): string[] {
  return Object.keys(r.buckets).filter((k) => k !== OTHER && !known[k] && (r.buckets[k] ?? 0) > (r.deniedBuckets[k] ?? 0));
}

/**
 * Unauthenticated (public) access far above the public's own hourly norm for the account, or the
 * first successful anonymous access to a bucket that never served the public before (a bucket
 * that has just become public). A public website with steady traffic stays quiet.
 */
export const anonymousAccessBurst: Detector = {
  id: 'anonymous-access-burst',
  description: 'Anonymous (public) requests far above their usual rate, or anonymous access to a bucket that never had any.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    if (identity.principal.type !== 'anonymous') return [];
    const days = historyDays(b);
    // The public is new wherever it first appears; what it is new against is the account, watched since its first identity.
    const watchedSince = accountWatchedSince(ctx);
    const watchedDays = watchedSince === undefined ? days : Math.max(days, Math.floor((r.hour - watchedSince) / DAY));
    const learning = watchedDays < settings.learningDays;
    const ops = totalOps(r);
    const { readObjects } = distinctObjects(r);
    const since = new Date(b.firstSeen || r.first).toISOString();
    const common = { buckets: topKeys(r.buckets, 5), sampleKeys: r.sampleKeys.slice(0, 5), ips: topKeys(r.ips, 8), clients: topKeys(r.clients, 5) };
    const out: FindingDraft[] = [];

    if (ops >= OPS_FLOOR * settings.thresholds.ratio.medium) {
      const norm = hourNorm(ctx, 'ops', OPS_FLOOR);
      const found = severityOf(ops / norm.high, r.bytesOut, settings.thresholds);
      if (found) {
        const addresses = Object.keys(r.ips).filter((k) => k !== OTHER).length;
        out.push({
          detector: 'anonymous-access-burst',
          severity: found.severity,
          scope: '',
          start: r.first,
          end: r.last,
          title: `Anonymous access burst in ${identity.account}: ${ops} public requests, ${formatBytes(r.bytesOut)} at ${ctx.local.label}`,
          summary:
            `Unauthenticated callers made ${ops} requests in one hour (${r.denied} refused) from ${plural(addresses, 'address')}, reading ${readObjects} distinct objects ` +
            `and ${formatBytes(r.bytesOut)}. The public's busiest normal hour is about ${Math.round(norm.high)} requests (typically ${Math.round(norm.typical)}), ` +
            `from ${plural(days, 'day')} of history.`,
          evidence: {
            observed: { requests: ops, bytesOut: r.bytesOut, readObjects, denied: r.denied, addresses },
            expected: { requests: Math.round(norm.high), typicalRequests: Math.round(norm.typical) },
            baseline: { days, learning, since },
            firstSeen: {},
            ...common,
            severityReason: `${found.reason} (basis: ${norm.basis}${norm.basis === 'floor' ? `, at least ${OPS_FLOOR} requests an hour` : ''})`,
          },
        });
      }
    }

    // In the very first hour there is nothing to be new against.
    for (const bucket of watchedDays === 0 ? [] : newPublicBuckets(r, b.buckets)) {
      const hits = (r.buckets[bucket] ?? 0) - (r.deniedBuckets[bucket] ?? 0);
      // Right after monitoring starts every public bucket is "new": only an established history makes one stand out.
      let severity: Severity = learning ? 'low' : 'medium';
      const reasons = [learning ? `baseline still learning (${watchedDays} of ${settings.learningDays} days): every public bucket is still new` : `no anonymous access to ${bucket} in ${plural(watchedDays, 'day')} of watching ${identity.account}`];
      const volume = learning ? undefined : severityOf(ops / hourNorm(ctx, 'ops', OPS_FLOOR).high, r.bytesOut, settings.thresholds);
      if (volume && volume.severity !== 'medium') {
        severity = volume.severity;
        reasons.push(`public volume ${volume.reason}`);
      }
      const keys = r.sampleKeys.filter((k) => k.startsWith(`${bucket}/`));
      out.push({
        detector: 'anonymous-access-burst',
        severity,
        scope: `bucket:${bucket}`,
        start: r.first,
        end: r.last,
        title: `First anonymous access to bucket ${bucket}: ${plural(hits, 'successful request')} at ${ctx.local.label}`,
        summary:
          `Unauthenticated callers reached ${bucket} successfully ${hits} time${hits === 1 ? '' : 's'} in one hour. ` +
          `In ${plural(days, 'day')} of history the public only reached ${Object.keys(b.buckets).length ? Object.keys(b.buckets).slice(0, 5).join(', ') : 'no bucket'}: ` +
          'check whether this bucket was made public on purpose.',
        evidence: {
          observed: { requests: hits, bytesOut: r.bytesOut, newBuckets: 1 },
          expected: { requests: 0, bytesOut: 0, newBuckets: 0 },
          baseline: { days, learning, since },
          firstSeen: { buckets: [bucket] },
          ...common,
          sampleKeys: keys.length ? keys.slice(0, 5) : common.sampleKeys,
          severityReason: reasons.join('; '),
        },
      });
    }
    return out;
  },
};
