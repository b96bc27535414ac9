import type { IdentityRecord } from '../store/identities.js';
import type { BaselineReport, KnownValue } from '../lookup/baseline-report.js';
import { badge, bold, code, count, listLines, utcTime, type Card, type CardBlock, type Line } from '../core/card.js';
import { formatBytes } from '../core/format-bytes.js';
import { candidatesBlocks, identityLines } from './who-card.js';

const day = (t: number): string => utcTime(t).slice(0, 10);

function known(title: string, list: readonly KnownValue[], fresh: readonly string[]): Line[] {
  if (!list.length && !fresh.length) return [];
  const lines: Line[] = [[bold(title)], ...fresh.slice(0, 8).map((v): Line => [badge('NEW'), ' ', code(v), ' (last 24 h)'])];
  return [...lines, ...listLines(list, 8, (v) => [code(v.value), ` (${count(v.count)}, ${day(v.first)} to ${day(v.last)})`])];
}

function reportBlocks(r: BaselineReport): CardBlock[] {
  const d = r.day;
  const bh = r.businessHours;
  const ratio = d.ops.median ? ` (${(r.last24h.ops / d.ops.median).toFixed(1)}× a typical day)` : '';
  const blocks: CardBlock[] = [
    { kind: 'text', lines: identityLines(r.identity) },
    {
      kind: 'text', lines: [
        ['History: ', `${r.days} active day(s)`, r.learning ? ', still learning: detectors compare it with its peers' : '', r.firstSeen ? `, ${day(r.firstSeen)} to ${day(r.lastSeen ?? r.firstSeen)}` : ''],
        ['Usual hours (UTC): ', r.usualHoursUtc.length ? r.usualHoursUtc.map((h) => String(h).padStart(2, '0')).join(' ') : 'none yet', `; business hours ${bh.start}:00-${bh.end}:00 ${bh.timeZone}`],
        ['Typical active day: ', `${count(d.ops.median)} requests (busiest ${count(d.ops.max)}), ${formatBytes(d.bytesOut.median)} out (busiest ${formatBytes(d.bytesOut.max)}), ${count(d.readObjects.median)} objects read`],
        ['Typical active hour: ', `${count(r.hour.ops.median)} requests (99th percentile ${count(r.hour.ops.p99)}), ${formatBytes(r.hour.bytesOut.median)} out`],
        ['Last 24 h: ', bold(`${count(r.last24h.ops)} requests`), `${ratio}, ${formatBytes(r.last24h.bytesOut)} out, ${count(r.last24h.readObjects)} objects read`],
        [`${count(r.networks)} known network(s)`],
      ],
    },
  ];
  const lists = [...known('Source IPs', r.ips, r.last24h.newIps), ...known('Clients', r.clients, r.last24h.newClients)];
  if (lists.length) blocks.push({ kind: 'text', lines: lists });
  const buckets = known('Buckets', r.buckets, r.last24h.newBuckets);
  if (buckets.length) blocks.push({ kind: 'text', lines: buckets });
  return blocks;
}

/** The answer to `/storage-baseline`: what normal looks like for each matching identity, and how the last day compares. */
export function baselineCard(query: string, reports: readonly BaselineReport[], candidates: readonly IdentityRecord[]): Card {
  return {
    title: `Baseline of ${query}`,
    tone: 'info',
    blocks: reports.length ? reports.flatMap((r, i) => [...(i ? [{ kind: 'divider' } as const] : []), ...reportBlocks(r)]) : candidatesBlocks(query, candidates),
    summary: reports.length ? `Baseline of ${query}` : `No single identity matches ${query}`,
  };
}
