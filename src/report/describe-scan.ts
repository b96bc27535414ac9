import { formatBytes } from '../core/format-bytes.js';
import { SEVERITIES, type Finding } from '../core/finding.js';
import type { IngestSummary } from '../scan/ingest-files.js';
import type { ScopeSummary } from '../scan/scan-sources.js';

/**
 * The stderr summary line of `scan --json`: totals over files and source pages (`files` counts
 * both), the first rejections with where they came from, and per-scope figures for source scans.
 */
export function scanSummaryJson(files: IngestSummary | undefined, scopes: readonly ScopeSummary[], findings: number): Record<string, unknown> {
  const sum = (k: 'records' | 'events' | 'skipped' | 'rejected' | 'duplicates'): number => (files?.[k] ?? 0) + scopes.reduce((n, s) => n + s[k], 0);
  return {
    files: (files?.files ?? 0) + scopes.reduce((n, s) => n + s.pages, 0),
    records: sum('records'),
    events: sum('events'),
    skipped: sum('skipped'),
    rejected: sum('rejected'),
    rejections: [...(files?.rejections ?? []), ...scopes.flatMap((s) => s.rejections)].slice(0, 1000),
    duplicates: sum('duplicates'),
    ...(files ? { unchangedFiles: files.unchangedFiles, unknownFiles: files.unknownFiles } : {}),
    ...(scopes.length
      ? { sources: scopes.map(({ rejections: _r, ...s }) => ({ ...s, seconds: Number(s.seconds.toFixed(2)) })) }
      : {}),
    findings,
  };
}

/** Plain-language account of a scan for the terminal. */
export function describeScan(s: IngestSummary | undefined, scopes: readonly ScopeSummary[], findings: readonly Finding[]): string {
  const lines: string[] = [];
  if (s) {
    lines.push(
      `Read ${s.files} file(s): ${s.records.toLocaleString('en-US')} records, ${s.events.toLocaleString('en-US')} storage events, ` +
        `${s.skipped.toLocaleString('en-US')} skipped (not storage access), ${s.rejected} rejected, ${s.duplicates} duplicate(s).`,
    );
    if (s.unchangedFiles) lines.push(`${s.unchangedFiles} file(s) were already read and are unchanged (use --rescan to read them again).`);
    for (const r of s.rejections.slice(0, 5)) lines.push(`  rejected ${r.file}${r.line ? `:${r.line}` : ''} (record ${r.index}): ${r.reason}`);
    if (s.rejected > 5) lines.push(`  ... and ${s.rejected - 5} more rejected (--json lists up to 1000).`);
    for (const f of s.unknownFiles.slice(0, 5)) lines.push(`  left out ${f}: not a known audit-log format`);
  }
  for (const sc of scopes) {
    const figures = `${sc.apiCalls} API calls, ${sc.pages} pages, ${formatBytes(sc.bytes)}, ${sc.records.toLocaleString('en-US')} records, ` +
      `${sc.events.toLocaleString('en-US')} events, ${sc.rejected} rejected, ${sc.seconds.toFixed(1)} s`;
    lines.push(`${sc.source} ${sc.scope}: ${sc.error ? `FAILED (${sc.error.code}): ${sc.error.message}; before that: ` : ''}${figures}`);
    for (const r of sc.rejections.slice(0, 3)) lines.push(`  rejected ${r.file} (record ${r.index}): ${r.reason}`);
  }
  const bySeverity = SEVERITIES.map((sev) => `${findings.filter((f) => f.severity === sev).length} ${sev}`).reverse().join(', ');
  lines.push(`${findings.length} finding(s): ${bySeverity}.`);
  return lines.join('\n');
}
