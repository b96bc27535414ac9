import { formatBytes } from '../core/format-bytes.js';
import type { BaselineReport, KnownValue } from '../lookup/baseline-report.js';

const n = (v: number): string => Math.round(v).toLocaleString('en-US');
const day = (t: number): string => new Date(t).toISOString().slice(0, 10);

function known(title: string, list: readonly KnownValue[]): string[] {
  return list.length ? [`  ${title}:`, ...list.map((v) => `    ${v.value}  (${n(v.count)}, ${day(v.first)} to ${day(v.last)})`)] : [];
}

/** A `baseline` report as terminal text. */
export function baselineText(r: BaselineReport): string {
  const p = r.identity.principal;
  const bh = r.businessHours;
  const d = r.day;
  const ratio = d.ops.median ? ` (${(r.last24h.ops / d.ops.median).toFixed(1)}x a typical day)` : '';
  return [
    `${p.name} (${p.type}, ${r.identity.cloud} ${r.identity.account})  id: ${p.id}`,
    `  history: ${r.days} active day(s)${r.learning ? ', still learning: detectors compare it with its peers' : ''}` +
      (r.firstSeen ? `, ${day(r.firstSeen)} to ${day(r.lastSeen ?? r.firstSeen)}` : ''),
    `  usual hours (UTC): ${r.usualHoursUtc.length ? r.usualHoursUtc.map((h) => String(h).padStart(2, '0')).join(' ') : 'none yet'}; ` +
      `business hours ${bh.start}:00-${bh.end}:00 ${bh.timeZone}`,
    `  typical active day: ${n(d.ops.median)} requests (busiest ${n(d.ops.max)}), ${formatBytes(d.bytesOut.median)} out (busiest ${formatBytes(d.bytesOut.max)}), ` +
      `${n(d.readObjects.median)} objects read`,
    `  typical active hour: ${n(r.hour.ops.median)} requests (99th percentile ${n(r.hour.ops.p99)}), ${formatBytes(r.hour.bytesOut.median)} out`,
    `  last 24 h: ${n(r.last24h.ops)} requests${ratio}, ${formatBytes(r.last24h.bytesOut)} out, ${n(r.last24h.readObjects)} objects read`,
    ...(r.last24h.newIps.length ? [`    new IPs: ${r.last24h.newIps.join(', ')}`] : []),
    ...(r.last24h.newClients.length ? [`    new clients: ${r.last24h.newClients.join(', ')}`] : []),
    ...(r.last24h.newBuckets.length ? [`    new buckets: ${r.last24h.newBuckets.join(', ')}`] : []),
    `  ${r.networks} known network(s)`,
    ...known('known IPs (most recent)', r.ips),
    ...known('clients', r.clients),
    ...known('buckets', r.buckets),
  ].join('\n');
}
