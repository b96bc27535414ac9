import type { IdentityRecord } from '../store/identities.js';
import type { SeenInWindow, WhoReport } from '../lookup/who-report.js';
import { badge, bold, code, count, italic, listLines, utcTime, type Card, type CardBlock, type Line } from '../core/card.js';
import { formatBytes } from '../core/format-bytes.js';
import { sparkline } from '../core/sparkline.js';

function values(title: string, list: readonly SeenInWindow[], max: number): Line[] {
  if (!list.length) return [];
  return [[bold(title)], ...listLines(list, max, (v) => [...(v.isNew ? [badge('NEW'), ' '] : []), code(v.value), ` (${count(v.count)})`])];
}

/** The blocks describing one identity (name, type, cloud, account, id). */
export function identityLines(i: Pick<IdentityRecord, 'cloud' | 'account' | 'principal'>): Line[] {
  return [[bold(i.principal.name), ` (${i.principal.type}, ${i.cloud.toUpperCase()} ${i.account})`], ['id: ', code(i.principal.id)]];
}

function reportBlocks(r: WhoReport): CardBlock[] {
  const classes = Object.entries(r.byClass).map(([c, v]) => {
    const e = r.expectedByClass[c as keyof typeof r.expectedByClass];
    return `${c} ${count(v)}${e !== undefined ? ` (usually ~${count(e)})` : ''}`;
  });
  const b = r.baseline;
  const blocks: CardBlock[] = [
    { kind: 'text', lines: identityLines(r.identity) },
    {
      kind: 'text', lines: [
        [`${utcTime(r.from)} to ${utcTime(r.to)}: `, bold(`${count(r.ops)} requests`), `, ${formatBytes(r.bytesOut)} out, ${formatBytes(r.bytesIn)} in, ${count(r.objects)} distinct objects, ${count(r.denied)} denied`],
        ['By class: ', classes.join(', ') || 'no activity'],
        ['Per hour: ', code(sparkline(r.hourly)), r.hourly.length ? ` (peak ${count(Math.max(...r.hourly))})` : ''],
        ['Baseline: ', b.learning ? `still learning (${b.days} day(s) of history)` : `${b.days} day(s) of history`, b.firstSeen ? `, since ${utcTime(b.firstSeen).slice(0, 10)}` : ''],
      ],
    },
  ];
  const lists = [...values('Actions', r.actions, 8), ...values('Buckets', r.buckets, 8)];
  if (lists.length) blocks.push({ kind: 'text', lines: lists });
  const where = [...values('Source IPs', r.ips, 8), ...values('Clients', r.clients, 5)];
  if (where.length) blocks.push({ kind: 'text', lines: where });
  if (r.sampleKeys.length) blocks.push({ kind: 'text', title: 'Sample objects', lines: listLines(r.sampleKeys, 5, (k) => [code(k)]) });
  if (r.openFindings.length) {
    blocks.push({ kind: 'text', title: 'Open findings', lines: listLines(r.openFindings, 10, (f) => [bold(`[${f.severity}]`), ' ', f.title, ' ', code(f.id)]) });
  }
  return blocks;
}

/** What the principal matched when it was not exactly one identity set. */
export function candidatesBlocks(query: string, candidates: readonly IdentityRecord[]): CardBlock[] {
  if (!candidates.length) return [{ kind: 'text', lines: [['No identity matches ', code(query), '. Try an email, ARN, user name or UPN.']] }];
  return [{ kind: 'text', title: 'Several identities match; which one did you mean?', lines: listLines(candidates, 15, (c) => [code(c.principal.id), ` (${c.principal.name}, ${c.cloud} ${c.account})`]) }];
}

/** The answer to `/storage-who`: activity of each matching identity in the window, next to its normal. */
export function whoCard(query: string, reports: readonly WhoReport[], candidates: readonly IdentityRecord[]): Card {
  const blocks: CardBlock[] = reports.length ? reports.flatMap((r, i) => [...(i ? [{ kind: 'divider' } as const] : []), ...reportBlocks(r)]) : candidatesBlocks(query, candidates);
  const flagged = reports.some((r) => r.openFindings.length);
  return {
    title: `Activity of ${query}`,
    tone: flagged ? 'medium' : 'info',
    blocks: reports.length ? blocks : [...blocks, { kind: 'context', lines: [[italic('Usage: /storage-who <principal> [last <N>m|h|d]')]] }],
    summary: reports.length ? `${query}: ${count(reports.reduce((n, r) => n + r.ops, 0))} requests` : `No single identity matches ${query}`,
  };
}
