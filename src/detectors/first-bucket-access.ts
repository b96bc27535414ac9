import { historyDays } from '../core/baseline.js';
import type { FindingDraft, Severity } from '../core/finding.js';
import { formatBytes } from '../core/format-bytes.js';
import { OTHER, totalOps, type Rollup } from '../core/rollup.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { hourNorm } from '../detection/norm.js';
import { severityOf } from '../detection/severity.js';

const LEVELS: Severity[] = ['low', 'medium', 'high', 'critical'];
const HOUR = 3_600_000;
/** Reads and lists in a never-touched bucket below this are a glance (low), whatever the identity's habits. */
const READ_FLOOR = 15;

/** A bucket name with its numbers blurred: `logs-2026-12` has the shape of a known `logs-2026-11`. */
function shapeOf(bucket: string): string {
  return bucket.replace(/\d+/g, '#');
}

/** Parts of the identity's own name (`xena.quist@corp.example` gives xena and quist; the IAM user `dquist` gives dquist). */
function nameParts(name: string): string[] {
  const n = name.toLowerCase();
  const local = n.includes('@') ? n.slice(0, n.indexOf('@')) : n.slice(n.lastIndexOf('/') + 1);
  return local.split(/[^a-z0-9]+/).filter((p) => p.length >= 2);
}

/** A bucket named after the identity itself (`sandbox-xena-quist`, `dquist-scratch`): its own space, not someone else's data. */
function namedAfter(bucket: string, parts: readonly string[]): boolean {
  if (parts.join('').length < 4) return false;
  const words = new Set(bucket.toLowerCase().split(/[^a-z0-9]+/));
  return parts.every((p) => words.has(p)) || words.has(parts.join(''));
}

/** Reads and lists in a bucket at least: the rollup does not split classes by bucket, so the hour's writes and deletes may all have been there. */
function readsIn(r: Rollup, ops: number): number {
  const nonRead = totalOps(r) - (r.ops.read ?? 0) - (r.ops.list ?? 0);
  return Math.max(0, ops - nonRead);
}

/**
 * An identity with an established history touches a bucket it never touched. A glance or a few
 * writes are low; reading about as much there as in a normal busy hour (or more) is medium and
 * rises with the volume; a new dated sibling of a known bucket (`logs-2026-12`) is one step lower.
 */
export const firstBucketAccess: Detector = {
  id: 'first-bucket-access',
  description: 'An identity with history reads from or writes to a bucket it has never touched.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    const days = historyDays(b);
    // Anonymous first access is anonymous-access-burst's; a learning identity has everything still to discover.
    if (identity.principal.type === 'anonymous' || days < settings.learningDays) return [];
    // Requests that were all refused are not access (enumeration-denied-burst looks at those).
    const succeeded = (x: Rollup, k: string): number => Math.max(0, (x.buckets[k] ?? 0) - (x.deniedBuckets[k] ?? 0));
    const prev = ctx.recent.at(-1)?.hour === r.hour - HOUR ? ctx.recent.at(-1) : undefined;
    // A first access that straddles the hour boundary: the previous hour already reported it (and learnt it if it was only low).
    const continued = (k: string): boolean => !!prev && (b.buckets[k]?.first ?? 0) >= prev.hour && succeeded(prev, k) > 0;
    const fresh = Object.keys(r.buckets).filter((k) => k !== OTHER && succeeded(r, k) > 0 && (!b.buckets[k] || continued(k)));
    if (!fresh.length) return [];
    const opsNorm = hourNorm(ctx, 'ops', READ_FLOOR);
    const bytesNorm = hourNorm(ctx, 'bytesOut', 100 * 1024 ** 2);
    const knownShapes = new Set(Object.keys(b.buckets).filter((k) => !fresh.includes(k)).map(shapeOf));
    const who = identity.principal.name;

    const findings = fresh.map((bucket): FindingDraft | undefined => {
      const hours = prev && succeeded(prev, bucket) > 0 ? [prev, r] : [r];
      const ops = hours.reduce((n, x) => n + succeeded(x, bucket), 0);
      const reads = hours.reduce((n, x) => n + readsIn(x, succeeded(x, bucket)), 0);
      const bytes = Math.round(hours.reduce((n, x) => n + (x.bytesOut * succeeded(x, bucket)) / Math.max(1, totalOps(x)), 0));
      const threshold = Math.max(READ_FLOOR, opsNorm.typical);
      const ratio = Math.max(reads / opsNorm.high, bytes / bytesNorm.high);
      const reasons: string[] = [];
      let level = 0;
      if (reads >= threshold) {
        level = 1;
        reasons.push(`${reads} reads and lists there, at least a normal hour's ${Math.round(opsNorm.typical)} requests (floor ${READ_FLOOR})`);
      } else reasons.push(`${ops} request${ops === 1 ? '' : 's'} there (${reads} reads or lists), below ${Math.round(threshold)}: a light first touch`);
      const volume = severityOf(ratio, bytes, settings.thresholds);
      if (volume && (level > 0 || bytes >= settings.thresholds.bytes.high)) {
        level = Math.max(level, LEVELS.indexOf(volume.severity));
        reasons.push(`${volume.reason} (basis: ${opsNorm.basis})`);
      }
      const sibling = knownShapes.has(shapeOf(bucket));
      if (sibling && level > 0) {
        level--;
        reasons.push('a dated sibling of a bucket it already uses: one step lower');
      }
      if (level > 0 && namedAfter(bucket, nameParts(identity.principal.name))) {
        level = 0;
        reasons.push('a bucket named after the identity itself (its own sandbox or scratch space): low');
      }
      const teammates = ctx.peerUse?.bucketUsers(bucket, identity.key) ?? 0;
      if (!sibling && teammates > 0 && level > 0 && level < 3) {
        level--;
        reasons.push(`a bucket ${teammates} of its peers already use (a teammate's bucket): one step lower`);
      }
      if (hours.length > 1 && level === 0) return undefined;
      if (hours.length > 1) reasons.push('counted with the previous hour, when the first access began');
      const keys = r.sampleKeys.filter((k) => k.startsWith(`${bucket}/`));
      const knownList = Object.keys(b.buckets).slice(0, 5).join(', ');
      return {
        detector: 'first-bucket-access',
        severity: LEVELS[Math.min(level, 3)]!,
        scope: `bucket:${bucket}`,
        start: hours[0]!.first,
        end: r.last,
        title: `First access to bucket ${bucket} by ${who}: ${ops} request${ops === 1 ? '' : 's'}, ~${formatBytes(bytes)} at ${ctx.local.label}`,
        summary:
          `${who} made ${ops} successful request${ops === 1 ? '' : 's'} to ${bucket} (about ${reads} reads or lists, ~${formatBytes(bytes)} downloaded), a bucket it never touched ` +
          `in ${days} days of history; it usually works in ${Object.keys(b.buckets).length} bucket${Object.keys(b.buckets).length === 1 ? '' : 's'} (${knownList || 'none'}). ` +
          `A normal hour for it is about ${Math.round(opsNorm.typical)} requests, ${Math.round(opsNorm.high)} at the busiest.` +
          (sibling ? ' Its name follows the pattern of a bucket it already uses.' : ''),
        evidence: {
          observed: { requests: ops, reads, bytesOut: bytes, volumeRatio: Number(ratio.toFixed(2)) },
          expected: { requests: Math.round(opsNorm.high), reads: Math.round(threshold), bytesOut: Math.round(bytesNorm.high), typicalRequests: Math.round(opsNorm.typical) },
          baseline: { days, learning: false, since: new Date(b.firstSeen).toISOString() },
          firstSeen: { buckets: [bucket] },
          buckets: [bucket, ...Object.keys(r.buckets).filter((k) => k !== bucket && k !== OTHER).slice(0, 4)],
          sampleKeys: keys.length ? keys.slice(0, 5) : r.sampleKeys.slice(0, 5),
          ips: Object.keys(r.ips).filter((k) => k !== OTHER).slice(0, 5),
          clients: Object.keys(r.clients).filter((k) => k !== OTHER).slice(0, 5),
          severityReason: reasons.join('; '),
        },
      };
    });
    return findings.filter((f): f is FindingDraft => f !== undefined);
  },
};
