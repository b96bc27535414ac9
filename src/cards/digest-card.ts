import { bold, code, count, italic, link, listLines, utcTime, visibleText, type Card, type CardBlock, type Line } from '../core/card.js';
import { SEVERITIES, type FindingStatus, type Severity } from '../core/finding.js';
import { sparkline } from '../core/sparkline.js';

/** The daily summary for managers. */
export interface Digest {
  from: number;
  to: number;
  /** Findings created in the window, per severity and current status. */
  counts: Record<Severity, Record<FindingStatus, number>>;
  /** Findings decided in the window, and the median time from creation to decision (ms). */
  decided: number;
  medianTriageMs?: number;
  /** Identities with the most findings in the window. */
  topIdentities: { name: string; cloud: string; findings: number }[];
  /** Findings per day for the last days, oldest first. */
  trend: number[];
  /** Findings still open (any age), most recent first, with a link to their card when known. */
  open: { id: string; severity: Severity; title: string; principal: string; createdAt: number; url?: string }[];
  openTotal: number;
  /** What the scans of the window could not read: records rejected, files in no known format, and the first few places. */
  unread?: {
    rejected: number;
    unknownFiles: number;
    rejections: { file: string; line?: number; index: number; reason: string }[];
    unknownPaths: string[];
  };
}

/** `3 records rejected, 1 file of unknown format in the last 24 h`. */
export function unreadSummary(u: NonNullable<Digest['unread']>): string {
  const plural = (n: number, one: string, many: string): string => `${count(n)} ${n === 1 ? one : many}`;
  return `${plural(u.rejected, 'record', 'records')} rejected, ${plural(u.unknownFiles, 'file', 'files')} of unknown format in the last 24 h`;
}

/** `3 h 20 min`, `2 d 4 h`, `12 min`. */
export function humanDuration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/** The digest as a card. */
export function digestCard(d: Digest): Card {
  const total = (s: Severity): number => Object.values(d.counts[s]).reduce((a, b) => a + b, 0);
  const all = SEVERITIES.reduce((n, s) => n + total(s), 0);
  const rows: Line[] = [...SEVERITIES].reverse().filter((s) => total(s) > 0).map((s) => {
    const c = d.counts[s];
    return [bold(`${s}: ${count(total(s))}`), ` (open ${c.open}, benign ${c.benign}, escalated ${c.escalated}, suppressed ${c.suppressed})`];
  });
  const blocks: CardBlock[] = [
    { kind: 'text', title: 'Findings in the last day', lines: rows.length ? rows : [[italic('No findings.')]] },
    {
      kind: 'fields', fields: [
        { label: 'New findings', value: [count(all)] },
        { label: 'Decided', value: [count(d.decided)] },
        { label: 'Median time to triage', value: [d.medianTriageMs === undefined ? 'n/a' : humanDuration(d.medianTriageMs)] },
        { label: `Trend, ${d.trend.length} days`, value: [code(sparkline(d.trend)), ` (${count(d.trend.reduce((a, b) => a + b, 0))})`] },
      ],
    },
  ];
  if (d.topIdentities.length) {
    blocks.push({ kind: 'text', title: 'Top identities', lines: listLines(d.topIdentities, 5, (i) => [bold(i.name), ` (${i.cloud}): ${count(i.findings)} finding(s)`]) });
  }
  const u = d.unread;
  if (u && (u.rejected || u.unknownFiles)) {
    const at = (r: { file: string; line?: number; index: number }): string => visibleText(`${r.file}${r.line !== undefined ? `:${r.line}` : ` #${r.index + 1}`}`, 200);
    blocks.push({
      kind: 'text', title: 'Logs that could not be read', lines: [
        [bold(unreadSummary(u))],
        ...u.rejections.slice(0, 3).map((r): Line => [code(at(r)), ` ${visibleText(r.reason, 200)}`]),
        ...u.unknownPaths.slice(0, 3).map((p): Line => [code(visibleText(p, 200)), ' in no known log format']),
      ],
    });
  }
  const open = d.open.map((o): Line => [bold(`[${o.severity}]`), ' ', o.url ? link(o.title, o.url) : o.title, ` · ${o.principal} · since ${utcTime(o.createdAt)}`]);
  if (d.openTotal > d.open.length) open.push([italic(`and ${count(d.openTotal - d.open.length)} more`)]);
  blocks.push({ kind: 'text', title: `Still open (${count(d.openTotal)})`, lines: open.length ? open : [[italic('Nothing open.')]] });
  return {
    title: `storage-watch daily digest · ${utcTime(d.to).slice(0, 10)}`,
    tone: d.openTotal ? 'medium' : 'good',
    blocks,
    summary: `storage-watch digest: ${all} new finding(s), ${d.openTotal} open${u && (u.rejected || u.unknownFiles) ? `; ${unreadSummary(u)}` : ''}`,
  };
}
