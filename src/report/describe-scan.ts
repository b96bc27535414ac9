import { SEVERITIES, type Finding } from '../core/finding.js';
import type { IngestSummary } from '../scan/ingest-files.js';

/** Plain-language account of a scan for the terminal. */
export function describeScan(s: IngestSummary, findings: readonly Finding[]): string {
  const lines = [
    `Read ${s.files} file(s): ${s.records.toLocaleString('en-US')} records, ${s.events.toLocaleString('en-US')} storage events, ` +
      `${s.skipped.toLocaleString('en-US')} skipped (not storage access), ${s.rejected} rejected, ${s.duplicates} duplicate(s).`,
  ];
  if (s.unchangedFiles) lines.push(`${s.unchangedFiles} file(s) were already read and are unchanged (use --rescan to read them again).`);
  for (const r of s.rejections.slice(0, 5)) lines.push(`  rejected ${r.file}${r.line ? `:${r.line}` : ''} (record ${r.index}): ${r.reason}`);
  if (s.rejected > 5) lines.push(`  ... and ${s.rejected - 5} more rejected (--json lists up to 1000).`);
  for (const f of s.unknownFiles.slice(0, 5)) lines.push(`  left out ${f}: not a known audit-log format`);
  const bySeverity = SEVERITIES.map((sev) => `${findings.filter((f) => f.severity === sev).length} ${sev}`).reverse().join(', ');
  lines.push(`${findings.length} finding(s): ${bySeverity}.`);
  return lines.join('\n');
}

