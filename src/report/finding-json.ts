import type { Finding } from '../core/finding.js';

/** The stable JSON shape of a finding that `scan --json` prints, one per line (times ISO-8601 UTC). */
export function findingJson(f: Finding): Record<string, unknown> {
  return {
    id: f.id,
    detector: f.detector,
    severity: f.severity,
    status: f.status,
    cloud: f.cloud,
    account: f.account,
    principal: f.principal,
    scope: f.scope,
    start: new Date(f.start).toISOString(),
    end: new Date(f.end).toISOString(),
    occurrences: f.occurrences,
    title: f.title,
    summary: f.summary,
    evidence: f.evidence,
    ...(f.suppressedBy ? { suppressedBy: f.suppressedBy } : {}),
  };
}
