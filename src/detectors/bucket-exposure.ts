import { historyDays } from '../core/baseline.js';
import type { BucketChange } from '../core/event.js';
import type { FindingDraft, Severity } from '../core/finding.js';
import type { Rollup } from '../core/rollup.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { inNetworks } from '../detection/network.js';
import { topKeys } from '../detection/top-keys.js';

type Change = Rollup['changes'][number];
type ExposureKind = Extract<BucketChange['kind'], 'made-public' | 'public-access-block-removed' | 'logging-disabled'>;

/** Changes that open a bucket to the world or blind its auditing, most serious first; policy and ACL edits that stay private are routine. */
const EXPOSURE: readonly ExposureKind[] = ['made-public', 'public-access-block-removed', 'logging-disabled'];
const WHAT: Record<ExposureKind, string> = {
  'made-public': 'made public',
  'public-access-block-removed': 'public access block removed',
  'logging-disabled': 'access logging turned off',
};
const OBSERVED_KEY: Record<ExposureKind, string> = {
  'made-public': 'madePublic',
  'public-access-block-removed': 'publicAccessBlockRemoved',
  'logging-disabled': 'loggingDisabled',
};

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const isExposure = (c: Change): c is Change & { kind: ExposureKind } => (EXPOSURE as readonly string[]).includes(c.kind);

/**
 * A successful change that exposes a bucket (a policy granting `Principal "*"` without a restricting
 * condition, an ACL grant to AllUsers/AuthenticatedUsers), removes its public access block, or turns
 * its access logging off. Always high: one such change is an incident whatever the volume. Critical
 * when the bucket is made public and, in the same hour, its public access block also goes, or the
 * change comes from an address this identity never used, or from an identity that never touched the bucket.
 */
export const bucketExposure: Detector = {
  id: 'bucket-exposure',
  description: 'A bucket is made public, loses its public access block, or has its access logging turned off.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    const exposures = r.changes.filter(isExposure);
    if (!exposures.length) return [];
    const days = historyDays(b);
    const byBucket = new Map<string, (Change & { kind: ExposureKind })[]>();
    for (const c of exposures) {
      const list = byBucket.get(c.bucket) ?? [];
      // The same event read by two sources (trail and LookupEvents) must not count twice.
      if (!list.some((x) => x.kind === c.kind && x.time === c.time && x.action === c.action)) list.push(c);
      byBucket.set(c.bucket, list);
    }
    const who = identity.principal.name;

    return [...byBucket.entries()].map(([bucket, changes]): FindingDraft => {
      const kinds = EXPOSURE.filter((k) => changes.some((c) => c.kind === k));
      const ips = [...new Set(changes.flatMap((c) => (c.ip ? [c.ip] : [])))];
      const newIps = days ? ips.filter((ip) => !b.ips[ip] && !inNetworks(ip, settings.knownNetworks)) : [];
      const reasons = [`${kinds.map((k) => WHAT[k]).join(' and ')}: a change that exposes data or hides access whatever the volume`];
      let severity: Severity = 'high';
      if (kinds.includes('made-public')) {
        if (kinds.includes('public-access-block-removed')) reasons.push('the public access block was removed in the same hour: the whole chain to public access');
        if (newIps.length) reasons.push(`made from ${newIps.join(', ')}, never used by this identity in ${days} days`);
        if (days === 0) reasons.push('by an identity with no history at all');
        else if (bucket && !b.buckets[bucket]) reasons.push(`by an identity that never used ${bucket} before`);
        if (reasons.length > 1) severity = 'critical';
      } else if (newIps.length) reasons.push(`from ${newIps.join(', ')}, never used by this identity (not enough alone for critical)`);
      const target = bucket ? `bucket ${bucket}` : 'the account';
      const details = changes.map((c) => `${new Date(c.time).toISOString().slice(11, 19)} ${c.action}: ${c.detail}`);
      const observed: Record<string, number> = { changes: changes.length, changesFromNewIps: changes.filter((c) => c.ip && newIps.includes(c.ip)).length };
      for (const k of EXPOSURE) observed[OBSERVED_KEY[k]] = changes.filter((c) => c.kind === k).length;
      return {
        detector: 'bucket-exposure',
        severity,
        scope: bucket ? `bucket:${bucket}` : '',
        start: Math.min(...changes.map((c) => c.time)),
        end: Math.max(...changes.map((c) => c.time)),
        title: `${target[0]!.toUpperCase()}${target.slice(1)}: ${kinds.map((k) => WHAT[k]).join(', ')} by ${who}`,
        summary:
          `${who} changed ${target} ${changes.length === 1 ? 'once' : `${changes.length} times`} in this hour (${details.join('; ')}). ` +
          `Normal is no such change; ${days ? `in ${plural(days, 'day')} of history this identity used ${plural(Object.keys(b.buckets).length, 'bucket')} from ` +
            `${plural(Object.keys(b.ips).length, 'address', 'addresses')}${bucket ? `, ${b.buckets[bucket] ? 'this one included' : 'never this one'}` : ''}.` : 'this identity has no history yet.'}`,
        evidence: {
          observed,
          expected: Object.fromEntries(Object.keys(observed).map((k) => [k, 0])),
          baseline: { days, learning: days < settings.learningDays, ...(b.firstSeen ? { since: new Date(b.firstSeen).toISOString() } : {}) },
          firstSeen: { ips: newIps, ...(bucket && days && !b.buckets[bucket] ? { buckets: [bucket] } : {}) },
          buckets: bucket ? [bucket] : topKeys(r.buckets, 5),
          sampleKeys: r.sampleKeys.filter((k) => !bucket || k.startsWith(`${bucket}/`)).slice(0, 5),
          ips: ips.length ? ips : topKeys(r.ips, 5),
          clients: topKeys(r.clients, 5),
          severityReason: reasons.join('; '),
        },
      };
    });
  },
};
