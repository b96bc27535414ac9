import { historyDays } from '../core/baseline.js';
import { formatBytes } from '../core/format-bytes.js';
import type { FindingDraft, Severity } from '../core/finding.js';
import { OTHER, totalOps } from '../core/rollup.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { inNetworks, networkOf, wideNetworkOf } from '../detection/network.js';

const GB = 1024 ** 3;
const LEVELS: Severity[] = ['low', 'medium', 'high', 'critical'];

function top(map: Record<string, number>, n: number): string[] {
  return Object.entries(map).filter(([k]) => k !== OTHER).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);
}

/** Activity from a source address this identity has never used, outside the known corporate networks. */
export const newSourceIp: Detector = {
  id: 'new-source-ip',
  description: 'An identity acts from a source IP address it has never used, outside the known corporate networks.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    if (identity.principal.type === 'anonymous') return [];
    const fresh = Object.keys(r.ips).filter((ip) => ip !== OTHER && !b.ips[ip] && !inNetworks(ip, settings.knownNetworks));
    if (!fresh.length) return [];
    const knownWide = new Set(Object.keys(b.ips).map(wideNetworkOf));
    const newClients = Object.keys(r.clients).filter((c) => c !== OTHER && !b.clients[c]);
    const days = historyDays(b);
    const learning = days < settings.learningDays;
    const byNetwork = new Map<string, string[]>();
    for (const ip of fresh) byNetwork.set(networkOf(ip), [...(byNetwork.get(networkOf(ip)) ?? []), ip]);

    return [...byNetwork.entries()].map(([network, ips]): FindingDraft => {
      const ops = ips.reduce((n, ip) => n + (r.ips[ip] ?? 0), 0);
      const newNetwork = !b.networks[network];
      const newWide = !knownWide.has(wideNetworkOf(ips[0]!));
      const reasons: string[] = [];
      let level = 0;
      if (newNetwork) { level++; reasons.push(`network ${network} never seen`); } else reasons.push(`inside known network ${network}`);
      if (newNetwork && newWide) { level++; reasons.push('no address of this identity ever came from the surrounding /16'); }
      if (newClients.length) { level++; reasons.push(`new client ${newClients[0]}`); }
      if (r.bytesOut >= GB) { level++; reasons.push(`${formatBytes(r.bytesOut)} downloaded in the hour`); }
      if (learning) { level = 0; reasons.push(`baseline still learning (${days} of ${settings.learningDays} days)`); }
      const severity = LEVELS[Math.min(level, 3)]!;
      const who = identity.principal.name;
      const where = ips.length === 1 ? ips[0]! : `${ips.length} new addresses in ${network}`;
      return {
        detector: 'new-source-ip',
        severity,
        scope: ips.length === 1 ? `ip:${ips[0]}` : `net:${network}`,
        start: r.first,
        end: r.last,
        title: `New source IP ${where} for ${who}`,
        summary:
          `${who} made ${ops} request${ops === 1 ? '' : 's'} from ${where}, never seen in ${days} day${days === 1 ? '' : 's'} of history ` +
          `(${Object.keys(b.ips).length} known addresses in ${Object.keys(b.networks).length} networks). ` +
          `${newNetwork ? `The network ${network} is new too.` : `The network ${network} is already known.`}` +
          (newClients.length ? ` It used a client never seen before: ${newClients.slice(0, 2).join(', ')}.` : ''),
        evidence: {
          observed: { requestsFromNewIps: ops, newIps: ips.length, requestsInHour: totalOps(r), bytesOutInHour: r.bytesOut },
          expected: { knownIps: Object.keys(b.ips).length, knownNetworks: Object.keys(b.networks).length },
          baseline: { days, learning, since: b.firstSeen ? new Date(b.firstSeen).toISOString() : undefined },
          firstSeen: { ips, networks: newNetwork ? [network] : [], clients: newClients },
          buckets: top(r.buckets, 5),
          sampleKeys: r.sampleKeys.slice(0, 5),
          ips,
          clients: top(r.clients, 5),
          severityReason: reasons.join('; '),
        },
      };
    });
  },
};
