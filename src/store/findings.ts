import type { Finding, FindingStatus, Severity } from '../core/finding.js';
import type { Sql } from './sql.js';

/** Detections of the same identity, detector and scope this close together update one finding. */
export const GROUP_WINDOW_MS = 24 * 3_600_000;

/** A findings row joined with its identity's principal type. */
export type FindingRow = {
  id: string; group_key: string; detector: string; severity: Severity; status: FindingStatus; identity_key: string; cloud: Finding['cloud'];
  account: string; principal_id: string; principal_name: string; principal_type: Finding['principal']['type']; scope: string;
  start_at: Date; end_at: Date; occurrences: number; title: string; summary: string; evidence: Finding['evidence']; suppressed_by: string | null;
};

/** Selects findings with the principal type of their identity. */
export const SELECT = `select f.*, coalesce(i.principal_type, 'user') as principal_type from findings f left join identities i on i.key = f.identity_key`;

/** A stored finding from its row. */
export function fromRow(r: FindingRow): Finding {
  return {
    id: r.id, detector: r.detector, severity: r.severity, status: r.status, identity: r.identity_key, cloud: r.cloud, account: r.account,
    principal: { id: r.principal_id, name: r.principal_name, type: r.principal_type }, scope: r.scope,
    start: r.start_at.getTime(), end: r.end_at.getTime(), occurrences: r.occurrences, title: r.title, summary: r.summary,
    evidence: r.evidence, suppressedBy: r.suppressed_by ?? undefined,
  };
}

/** Which findings to list. */
export interface FindingFilter {
  status?: FindingStatus;
  identity?: string;
  /** Only findings whose activity ended at or after this instant (epoch ms). */
  since?: number;
  limit?: number;
}

/** Findings, most recent activity first. */
export async function listFindings(sql: Sql, filter: FindingFilter = {}): Promise<Finding[]> {
  const rows = await sql.query<FindingRow>(
    `${SELECT} where ($1::text is null or f.status = $1) and ($2::text is null or f.identity_key = $2) and ($3::timestamptz is null or f.end_at >= $3)
     order by f.end_at desc, f.id limit $4`,
    [filter.status ?? null, filter.identity ?? null, filter.since === undefined ? null : new Date(filter.since), filter.limit ?? 1000],
  );
  return rows.map(fromRow);
}

/** One finding by id. */
export async function getFinding(sql: Sql, id: string): Promise<Finding | undefined> {
  const [row] = await sql.query<FindingRow>(`${SELECT} where f.id = $1`, [id]);
  return row ? fromRow(row) : undefined;
}

/** A responder's triage decision on a finding. */
export interface FindingDecision {
  status: 'benign' | 'escalated';
  /** Who decided (`slack:U123`, `teams:<object id>`). */
  by: string;
  /** When, epoch ms. */
  at: number;
  reason: string;
  /** What the decision created: the suppression, its scope (`ip:1.2.3.4`, `detector`, `identity`) and expiry. */
  detail: { suppressionId?: string; scope?: string; expiresAt?: number };
}

type DecisionRow = { status: FindingStatus; decided_by: string | null; decided_at: Date | null; decision_reason: string | null; decision_detail: FindingDecision['detail'] | null };

function decisionOf(r: DecisionRow): FindingDecision | undefined {
  if ((r.status !== 'benign' && r.status !== 'escalated') || !r.decided_by || !r.decided_at) return undefined;
  return { status: r.status, by: r.decided_by, at: r.decided_at.getTime(), reason: r.decision_reason ?? '', detail: r.decision_detail ?? {} };
}

/**
 * Records a decision on a finding that is still open; returns undefined (and changes nothing) when the
 * finding does not exist or someone decided it first, so two responders clicking at once cannot both win.
 */
export async function setFindingStatus(sql: Sql, id: string, d: Omit<FindingDecision, 'at'> & { at?: number }): Promise<FindingDecision | undefined> {
  const [row] = await sql.query<DecisionRow>(
    `update findings set status = $2, decided_by = $3, decided_at = $4, decision_reason = $5, decision_detail = $6, updated_at = now()
     where id = $1 and status = 'open' returning status, decided_by, decided_at, decision_reason, decision_detail`,
    [id, d.status, d.by, new Date(d.at ?? Date.now()), d.reason, JSON.stringify(d.detail)],
  );
  return row ? decisionOf(row) : undefined;
}

/** The decision taken on a finding, if any. */
export async function getFindingDecision(sql: Sql, id: string): Promise<FindingDecision | undefined> {
  const [row] = await sql.query<DecisionRow>('select status, decided_by, decided_at, decision_reason, decision_detail from findings where id = $1', [id]);
  return row ? decisionOf(row) : undefined;
}

/** A finding as the digest sees it: when it was created and how (and when) it was triaged. */
export interface FindingActivity {
  id: string;
  severity: Severity;
  status: FindingStatus;
  identity: string;
  principalName: string;
  cloud: Finding['cloud'];
  title: string;
  createdAt: number;
  decidedAt?: number;
}

/** Findings created or decided in [from, to), oldest first. */
export async function findingActivity(sql: Sql, from: number, to: number): Promise<FindingActivity[]> {
  const rows = await sql.query<{
    id: string; severity: Severity; status: FindingStatus; identity_key: string; principal_name: string; cloud: Finding['cloud']; title: string;
    created_at: Date; decided_at: Date | null;
  }>(
    `select id, severity, status, identity_key, principal_name, cloud, title, created_at, decided_at from findings
     where (created_at >= $1 and created_at < $2) or (decided_at >= $1 and decided_at < $2) order by created_at, id`,
    [new Date(from), new Date(to)],
  );
  return rows.map((r) => ({
    id: r.id, severity: r.severity, status: r.status, identity: r.identity_key, principalName: r.principal_name, cloud: r.cloud, title: r.title,
    createdAt: r.created_at.getTime(), decidedAt: r.decided_at?.getTime(),
  }));
}

/** Findings created per UTC day (suppressed ones left out) for `days` days ending with the day of `until`, oldest first. */
export async function dailyFindingCounts(sql: Sql, until: number, days: number): Promise<number[]> {
  const lastDay = Math.floor(until / 86_400_000);
  const rows = await sql.query<{ day: number; n: number }>(
    `select floor(extract(epoch from created_at) / 86400)::int as day, count(*)::int as n from findings
     where status <> 'suppressed' and created_at >= $1 and created_at < $2 group by 1`,
    [new Date((lastDay - days + 1) * 86_400_000), new Date((lastDay + 1) * 86_400_000)],
  );
  const byDay = new Map(rows.map((r) => [Number(r.day), Number(r.n)]));
  return Array.from({ length: days }, (_, i) => byDay.get(lastDay - days + 1 + i) ?? 0);
}
