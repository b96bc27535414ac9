import { historyDays } from '../core/baseline.js';
import type { FindingDraft, Severity } from '../core/finding.js';
import { formatBytes } from '../core/format-bytes.js';
import { OTHER, distinctObjects, objectBucket, totalOps } from '../core/rollup.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { isKnownAddress } from '../detection/known-values.js';
import { objectShape } from '../detection/peer-index.js';
import { inNetworks } from '../detection/network.js';
import { hourNorm } from '../detection/norm.js';
import { severityOf } from '../detection/severity.js';
import { topKeys } from '../detection/top-keys.js';
import { newClientFamilies } from '../detection/client-family.js';
import { accountWatchedSince, learningSeverity } from './learning-floor.js';

const LEVELS: Severity[] = ['low', 'medium', 'high', 'critical'];
/** Distinct never-read secrets in one hour that look like harvesting rather than one job's config. */
const SEVERAL = 3;
/** Peers that must read a secret's shape before it counts as the team's routine. */
const ROUTINE_READERS = 2;
const HOUR = 3_600_000;

/**
 * Successful reads of secret-looking objects (.env, id_rsa, *.pem, credentials.json, terraform
 * state, ...) that this identity never read before. A team's routine stays low: objects of a shape
 * its peers read, in a bucket it already works in (dated state backups, a deploy bucket's
 * certificates). Medium when nobody of its kind reads them; high with several such secrets at once
 * or with a new network or client; critical with a bulk download. A learning identity is a step lower.
 */
export const secretObjectRead: Detector = {
  id: 'secret-object-read',
  description: 'An identity reads secret-looking objects (keys, .env, credentials, Terraform state) it has never read before.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    if (!r.secretReads.length) return [];
    const days = historyDays(b);
    if (days === 0) return [];
    const knownShapes = new Set(Object.keys(b.secretReads).map(objectShape));
    const fresh = r.secretReads.filter((o) => !b.secretReads[o] && !knownShapes.has(objectShape(o)));
    if (!fresh.length) return [];
    const bucketOf = (o: string): string => objectBucket(o, identity.cloud);
    // Routine for its team: peers read the same shape, and this identity already works in that bucket.
    const routine = (o: string): boolean => !!b.buckets[bucketOf(o)] && (ctx.peerUse?.secretReaders(o, identity.key) ?? 0) >= ROUTINE_READERS;
    const byBucket = new Map<string, string[]>();
    for (const o of fresh) byBucket.set(bucketOf(o), [...(byBucket.get(bucketOf(o)) ?? []), o]);
    // Secrets first read in the previous hour belong to the same harvest when it straddles the hour boundary.
    const justBefore = Object.entries(b.secretReads).filter(([o, v]) => v.first >= r.hour - HOUR && !routine(o)).length;
    const unusual = new Set(fresh.filter((o) => !routine(o)).map(objectShape));
    const distinct = unusual.size + justBefore;
    const learning = days < settings.learningDays;
    const newIps = Object.keys(r.ips).filter((ip) => ip !== OTHER && !isKnownAddress(b, ip) && !inNetworks(ip, settings.knownNetworks));
    const newClients = [...newClientFamilies(r.clients, b.clients).entries()];
    const { readObjects } = distinctObjects(r);
    const opsNorm = hourNorm(ctx, 'ops', 50);
    const bytesNorm = hourNorm(ctx, 'bytesOut', 100 * 1024 ** 2);
    const readNorm = hourNorm(ctx, 'readObjects', 50);
    const bulkRatio = Math.max(totalOps(r) / opsNorm.high, r.bytesOut / bytesNorm.high, readObjects / readNorm.high);
    const bulkSeverity = learningSeverity(severityOf(bulkRatio, r.bytesOut, settings.thresholds), bytesNorm, bulkRatio, settings.thresholds);
    const bulk = bulkSeverity?.severity === 'low' ? undefined : bulkSeverity;
    const who = identity.principal.name;
    // What the team reads routinely is only known once the account has been watched a while.
    const watchedSince = accountWatchedSince(ctx);
    const routineUnknown = watchedSince === undefined || r.hour - watchedSince < settings.learningDays * 86_400_000;

    return [...byBucket.entries()].map(([bucket, objects]): FindingDraft => {
      const odd = objects.filter((o) => !routine(o));
      let level = odd.length ? 1 : 0;
      const reasons = [
        odd.length
          ? `${odd.length} secret-looking object${odd.length === 1 ? '' : 's'} that neither this identity nor its peers read`
          : `${objects.length} secret-looking object${objects.length === 1 ? '' : 's'} new to this identity but read routinely by its peers in a bucket it works in`,
      ];
      if (odd.length && distinct >= SEVERAL) {
        level = 2;
        reasons.push(`${distinct} distinct unusual secrets ${justBefore ? 'since the previous hour' : 'in one hour'}`);
      }
      // While learning every address and client is new: they corroborate nothing yet.
      if (!learning && (newIps.length || newClients.length)) {
        level = odd.length ? Math.max(level, 2) : level + (newIps.length && newClients.length ? 1 : 0);
        reasons.push(`at the same time as ${[newIps.length ? `new address ${newIps[0]}` : '', newClients.length ? `new client ${newClients[0]![0]}` : ''].filter(Boolean).join(' and ')}`);
      }
      if (bulk) {
        level = odd.length ? 3 : Math.max(level + 1, 1);
        reasons.push(`with a bulk download: ${bulk.reason} (basis: ${bytesNorm.basis})`);
      }
      if (routineUnknown && level > 0) {
        level = 0;
        reasons.push(`the account has been watched for less than ${settings.learningDays} days: its team's routine is not known yet, so low`);
      } else if (learning && level > 0) {
        level--;
        reasons.push(`baseline still learning (${days} of ${settings.learningDays} days): one step lower`);
      }
      const keys = objects.map((o) => o.slice(bucket.length + 1));
      return {
        detector: 'secret-object-read',
        severity: LEVELS[level]!,
        scope: `bucket:${bucket}`,
        start: r.first,
        end: r.last,
        title: `Secret-looking objects read by ${who} in ${bucket}: ${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ` (+${keys.length - 3})` : ''}`,
        summary:
          `${who} read ${objects.length} object${objects.length === 1 ? '' : 's'} in ${bucket} whose names suggest keys or credentials, none read by it ` +
          `in ${days} day${days === 1 ? '' : 's'} of history (it has read ${Object.keys(b.secretReads).length} such objects before). ` +
          `The hour moved ${formatBytes(r.bytesOut)} in ${totalOps(r)} requests (busiest normal hour about ${formatBytes(bytesNorm.high)}, ${Math.round(opsNorm.high)} requests).`,
        evidence: {
          observed: { secretObjects: objects.length, newSecretsNearby: distinct, requests: totalOps(r), bytesOut: r.bytesOut, readObjects },
          expected: {
            secretObjects: 0, newSecretsNearby: 0, requests: Math.round(opsNorm.high), bytesOut: Math.round(bytesNorm.high),
            readObjects: Math.round(readNorm.high), typicalBytesOut: Math.round(bytesNorm.typical),
          },
          baseline: { days, learning, since: new Date(b.firstSeen).toISOString() },
          firstSeen: { ips: newIps, clients: newClients.flatMap(([, f]) => f.agents) },
          buckets: topKeys(r.buckets, 5),
          sampleKeys: objects.slice(0, 10),
          ips: topKeys(r.ips, 5),
          clients: topKeys(r.clients, 5),
          severityReason: reasons.join('; '),
        },
      };
    });
  },
};
