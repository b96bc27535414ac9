import { historyDays } from '../core/baseline.js';
import type { FindingDraft, Severity } from '../core/finding.js';
import { OTHER, distinctObjects, totalOps } from '../core/rollup.js';
import { hourOfDayShare } from '../detection/baseline-stats.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { inNetworks, networkOf, wideNetworkOf } from '../detection/network.js';
import { hourNorm } from '../detection/norm.js';
import { hourContext } from '../detection/top-keys.js';

const LEVELS: Severity[] = ['low', 'medium', 'high', 'critical'];
/** Below this share of active days, an hour of the day is not one the identity usually works in. */
const UNUSUAL_HOUR_SHARE = 0.1;

/** How far the hour's volume is above normal: the largest ratio over requests, bytes and objects read. */
function volumeRatio(ctx: DetectionContext): number {
  const r = ctx.rollup;
  const ratios = [
    totalOps(r) / hourNorm(ctx, 'ops', 50).high,
    r.bytesOut / hourNorm(ctx, 'bytesOut', 100 * 1024 ** 2).high,
    distinctObjects(r).readObjects / hourNorm(ctx, 'readObjects', 50).high,
  ];
  return Math.max(...ratios);
}

/**
 * A source address the identity never used, outside the known networks. A new address alone is
 * low (people travel, VPNs rotate); simultaneous use from its usual address, a new client,
 * abnormal volume or unusual hours raise it, a never-seen /16 raises it further, and so does data moved.
 */
export const newSourceIp: Detector = {
  id: 'new-source-ip',
  description: 'An identity acts from a source IP address it has never used, outside the known corporate networks.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    const days = historyDays(b);
    if (identity.principal.type === 'anonymous' || days === 0) return [];
    const fresh = Object.keys(r.ips).filter((ip) => ip !== OTHER && !b.ips[ip] && !inNetworks(ip, settings.knownNetworks));
    if (!fresh.length) return [];
    const learning = days < settings.learningDays;
    const knownWide = new Set(Object.keys(b.ips).map(wideNetworkOf));
    const newClients = Object.keys(r.clients).filter((c) => c !== OTHER && !b.clients[c]);
    const ratio = volumeRatio(ctx);
    // Known addresses used in this hour or the one before: the identity is in its usual place too.
    const lastHour = ctx.recent.filter((x) => x.hour >= r.hour - 3_600_000);
    const knownNow = [r, ...lastHour].flatMap((x) => Object.keys(x.ips)).filter((ip) => b.ips[ip]);
    const unusualHour = !ctx.local.inBusinessHours && hourOfDayShare(b)[new Date(r.first).getUTCHours()]! < UNUSUAL_HOUR_SHARE;
    const byNetwork = new Map<string, string[]>();
    for (const ip of fresh) byNetwork.set(networkOf(ip), [...(byNetwork.get(networkOf(ip)) ?? []), ip]);

    return [...byNetwork.entries()].map(([network, ips]): FindingDraft => {
      const ops = ips.reduce((n, ip) => n + (r.ips[ip] ?? 0), 0);
      const share = ops / Math.max(1, totalOps(r));
      const newNetwork = !b.networks[network];
      const newWide = newNetwork && !knownWide.has(wideNetworkOf(ips[0]!));
      const reasons: string[] = [newNetwork ? `network ${network} never seen` : `inside known network ${network}`];
      let level = 0;
      if (ratio >= settings.thresholds.ratio.medium && share >= 0.5) {
        level += ratio >= settings.thresholds.ratio.high ? 2 : 1;
        reasons.push(`volume ${ratio.toFixed(1)}x the upper bound of normal`);
      }
      // Two places at once: a stolen key or session, not a trip (travellers leave the office behind).
      const concurrent = newNetwork && knownNow.some((ip) => networkOf(ip) !== network);
      if (!learning) {
        if (concurrent) { level++; reasons.push(`used at the same time from its usual address ${knownNow[0]}`); }
        if (newClients.length) { level++; reasons.push(`new client ${newClients[0]}`); }
        if (unusualHour) { level++; reasons.push(`at ${ctx.local.label}, outside its usual hours`); }
        if (level > 0 && newWide) { level++; reasons.push('no address of this identity ever came from the surrounding /16'); }
      } else reasons.push(`baseline still learning (${days} of ${settings.learningDays} days): only volume against peers counts`);
      if (level > 0 && share >= 0.5 && r.bytesOut >= settings.thresholds.bytes.critical) level = 3;
      else if (level > 0 && share >= 0.5 && r.bytesOut >= settings.thresholds.bytes.high) level = Math.max(level, 2);
      const who = identity.principal.name;
      const where = ips.length === 1 ? ips[0]! : `${ips.length} new addresses in ${network}`;
      return {
        detector: 'new-source-ip',
        severity: LEVELS[Math.min(level, 3)]!,
        scope: ips.length === 1 ? `ip:${ips[0]}` : `net:${network}`,
        start: r.first,
        end: r.last,
        title: `New source IP ${where} for ${who}`,
        summary:
          `${who} made ${ops} request${ops === 1 ? '' : 's'} from ${where}, never seen in ${days} day${days === 1 ? '' : 's'} of history ` +
          `(${Object.keys(b.ips).length} known addresses in ${Object.keys(b.networks).length} networks). ` +
          (newNetwork ? `The network ${network} is new too.` : `The network ${network} is already known.`) +
          (newClients.length ? ` A client never seen before was used: ${newClients.slice(0, 2).join(', ')}.` : ''),
        evidence: {
          observed: { requestsFromNewIps: ops, newIps: ips.length, requestsInHour: totalOps(r), bytesOutInHour: r.bytesOut, volumeRatio: Number(ratio.toFixed(2)) },
          expected: { knownIps: Object.keys(b.ips).length, knownNetworks: Object.keys(b.networks).length },
          baseline: { days, learning, since: new Date(b.firstSeen).toISOString() },
          firstSeen: { ips, networks: newNetwork ? [network] : [], clients: newClients },
          ...hourContext(r),
          ips,
          severityReason: reasons.join('; '),
        },
      };
    });
  },
};
