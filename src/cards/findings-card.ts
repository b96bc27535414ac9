import { bold, code, count, italic, link, listLines, utcTime, type Card, type Line } from '../core/card.js';
import type { Finding } from '../core/finding.js';

/** One finding as a list line: severity, title, who, when, status, and a link to its card when known. */
export function findingLine(f: Pick<Finding, 'id' | 'severity' | 'title' | 'status' | 'end'> & { principal: { name: string } }, url?: string): Line {
  return [bold(`[${f.severity}]`), ' ', url ? link(f.title, url) : f.title, ` · ${f.principal.name} · ${f.status} · ${utcTime(f.end)} `, code(f.id)];
}

/** The answer to `/storage-findings`: a list of findings, most recent first. */
export function findingsCard(title: string, findings: readonly Finding[], links: ReadonlyMap<string, string> = new Map()): Card {
  return {
    title,
    tone: findings.some((f) => f.severity === 'critical') ? 'critical' : findings.length ? 'info' : 'good',
    blocks: [
      findings.length
        ? { kind: 'text', lines: listLines(findings, 25, (f) => findingLine(f, links.get(f.id))) }
        : { kind: 'text', lines: [[italic('No findings.')]] },
    ],
    summary: `${title}: ${count(findings.length)} finding(s)`,
  };
}
