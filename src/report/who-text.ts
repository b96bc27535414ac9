import { formatBytes } from '../core/format-bytes.js';
import { sparkline } from '../core/sparkline.js';
import type { SeenInWindow, WhoReport } from '../lookup/who-report.js';

const n = (v: number): string => v.toLocaleString('en-US');
const iso = (t: number): string => new Date(t).toISOString().slice(0, 16).replace('T', ' ') + 'Z';

function values(title: string, list: readonly SeenInWindow[], max = 8): string[] {
  if (!list.length) return [];
  const rows = list.slice(0, max).map((v) => `    ${v.isNew ? 'NEW ' : '    '}${v.value}  (${n(v.count)})`);
  if (list.length > max) rows.push(`        ... ${list.length - max} more`);
  return [`  ${title}:`, ...rows];
}

/** A `who` report as terminal text. */
export function whoText(r: WhoReport): string {
  const p = r.identity.principal;
  const classes = Object.entries(r.byClass).map(([c, v]) => {
    const expected = r.expectedByClass[c as keyof typeof r.expectedByClass];
    return `${c} ${n(v)}${expected !== undefined ? ` (usually ~${n(expected)})` : ''}`;
  });
  const lines = [
    `${p.name} (${p.type}, ${r.identity.cloud} ${r.identity.account})  id: ${p.id}`,
    `  ${iso(r.from)} to ${iso(r.to)}: ${n(r.ops)} requests, ${formatBytes(r.bytesOut)} out, ${formatBytes(r.bytesIn)} in, ${n(r.objects)} distinct objects, ${n(r.denied)} denied`,
    `  by class: ${classes.join(', ') || 'no activity'}`,
    `  per hour: ${sparkline(r.hourly)}`,
    `  baseline: ${r.baseline.days} day(s) of history${r.baseline.learning ? ' (still learning)' : ''}${r.baseline.firstSeen ? `, since ${iso(r.baseline.firstSeen)}` : ''}`,
    ...values('actions', r.actions),
    ...values('buckets', r.buckets),
    ...values('source IPs', r.ips),
    ...values('clients', r.clients, 4),
  ];
  if (r.sampleKeys.length) lines.push('  sample objects:', ...r.sampleKeys.slice(0, 5).map((k) => `    ${k}`));
  if (r.openFindings.length) lines.push('  open findings:', ...r.openFindings.slice(0, 10).map((f) => `    [${f.severity}] ${f.id} ${f.title}`));
  return lines.join('\n');
}
