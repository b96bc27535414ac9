import Table from 'cli-table3';
import { SEVERITIES, type Finding } from '../core/finding.js';

const MARK: Record<Finding['severity'], string> = { low: 'low', medium: 'MEDIUM', high: 'HIGH', critical: 'CRITICAL' };

function when(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}

/** Findings as a terminal table, most severe first, then by time. */
export function findingTable(findings: readonly Finding[], width = process.stdout.columns || 160): string {
  const rows = [...findings].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || a.start - b.start);
  const titleWidth = Math.max(30, width - 100);
  const table = new Table({
    head: ['severity', 'detector', 'cloud', 'principal', 'start (UTC)', 'finding'],
    colWidths: [10, 20, 7, 30, 18, titleWidth],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const f of rows) {
    const status = f.status === 'open' ? '' : ` [${f.status}]`;
    table.push([MARK[f.severity], f.detector, f.cloud, f.principal.name, when(f.start), `${f.title}${status}\n${f.evidence.severityReason}`]);
  }
  return table.toString();
}
