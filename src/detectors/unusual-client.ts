import { historyDays } from '../core/baseline.js';
import type { FindingDraft, Severity } from '../core/finding.js';
import { formatBytes } from '../core/format-bytes.js';
import { OTHER, distinctObjects, totalOps } from '../core/rollup.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { inNetworks, networkOf } from '../detection/network.js';
import { hourNorm, type Norm } from '../detection/norm.js';
import { severityOf } from '../detection/severity.js';
import { hourContext } from '../detection/top-keys.js';
import { clientFamily, newClientFamilies } from '../detection/client-family.js';

const LEVELS: Severity[] = ['low', 'medium', 'high', 'critical'];
const MB = 1024 ** 2;

/** The hour's volume against the identity's norms: requests, bytes out and objects read. */
function hourNorms(ctx: DetectionContext): { ops: Norm; bytesOut: Norm; readObjects: Norm } {
  return { ops: hourNorm(ctx, 'ops', 50), bytesOut: hourNorm(ctx, 'bytesOut', 100 * MB), readObjects: hourNorm(ctx, 'readObjects', 50) };
}

/**
 * A bulk-transfer, scripting or attack tool (rclone, curl, python-requests, S3 Browser, an aws-cli
 * on Kali, ...) that the identity never used, compared by client family so that version upgrades
 * are not new. Medium on its own; raised by the volume moved with it and by a never-seen network.
 */
export const unusualClient: Detector = {
  id: 'unusual-client',
  description: 'An identity uses a bulk-transfer, scripting or attack tool it has never used before.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    const days = historyDays(b);
    if (identity.principal.type === 'anonymous' || days === 0) return [];
    const tools = [...newClientFamilies(r.clients, b.clients).entries()].filter(([, f]) => f.kind === 'tool');
    if (!tools.length) return [];
    const learning = days < settings.learningDays;
    const norms = hourNorms(ctx);
    const { readObjects } = distinctObjects(r);
    const total = Math.max(1, totalOps(r));
    const newIps = Object.keys(r.ips).filter((ip) => ip !== OTHER && !b.ips[ip] && !b.networks[networkOf(ip)] && !inNetworks(ip, settings.knownNetworks));
    const knownFamilies = [...new Set(Object.keys(b.clients).map((c) => clientFamily(c).family))].slice(0, 5);
    const who = identity.principal.name;

    return tools.map(([family, tool]): FindingDraft => {
      const share = Math.min(1, tool.ops / total);
      const observed = { ops: Math.round(totalOps(r) * share), bytesOut: Math.round(r.bytesOut * share), readObjects: Math.round(readObjects * share) };
      const ratio = Math.max(observed.ops / norms.ops.high, observed.bytesOut / norms.bytesOut.high, observed.readObjects / norms.readObjects.high);
      const volume = severityOf(ratio, observed.bytesOut, settings.thresholds);
      let level = Math.max(1, volume ? LEVELS.indexOf(volume.severity) : 0);
      const reasons = [`${family} never used in ${days} day${days === 1 ? '' : 's'} of history`];
      if (volume) reasons.push(`volume with it ${volume.reason} (basis: ${norms.ops.basis})`);
      const withNewIp = newIps.length > 0 && share >= 0.5;
      if (withNewIp) {
        level++;
        reasons.push(`from ${newIps.length === 1 ? 'an address' : `${newIps.length} addresses`} in never-seen networks at the same time`);
      }
      if (learning) {
        level = 0;
        reasons.push(`baseline still learning (${days} of ${settings.learningDays} days): low at most`);
      }
      const agent = tool.agents[0] ?? family;
      return {
        detector: 'unusual-client',
        severity: LEVELS[Math.min(level, 3)]!,
        scope: `client:${family}`,
        start: r.first,
        end: r.last,
        title: `Unusual client ${family} used by ${who}: ${observed.ops} request${observed.ops === 1 ? '' : 's'}, ${formatBytes(observed.bytesOut)} at ${ctx.local.label}`,
        summary:
          `${who} made ${tool.ops} request${tool.ops === 1 ? '' : 's'} with "${agent}", a ${family} client never seen for this identity ` +
          `in ${days} day${days === 1 ? '' : 's'} of history (known client families: ${knownFamilies.join(', ') || 'none'}). ` +
          `With it: ${observed.readObjects} objects read and ${formatBytes(observed.bytesOut)} downloaded, against a usual busiest hour of ` +
          `${Math.round(norms.ops.high)} requests and ${formatBytes(norms.bytesOut.high)}.` +
          (newIps.length ? ` New source address${newIps.length === 1 ? '' : 'es'} in the same hour: ${newIps.slice(0, 3).join(', ')}.` : ''),
        evidence: {
          observed: { requests: observed.ops, bytesOut: observed.bytesOut, readObjects: observed.readObjects, shareOfHour: Number(share.toFixed(2)), volumeRatio: Number(ratio.toFixed(2)) },
          expected: {
            requests: Math.round(norms.ops.high), bytesOut: Math.round(norms.bytesOut.high), readObjects: Math.round(norms.readObjects.high),
            typicalRequests: Math.round(norms.ops.typical), typicalBytesOut: Math.round(norms.bytesOut.typical), knownClients: Object.keys(b.clients).length,
          },
          baseline: { days, learning, since: new Date(b.firstSeen).toISOString() },
          firstSeen: { clients: tool.agents, ips: withNewIp ? newIps : [] },
          ...hourContext(r),
          severityReason: reasons.join('; '),
        },
      };
    });
  },
};
