import type { Sql } from './sql.js';

/** One line of the audit trail: who tried what on which target, and how it ended. */
export type AuditEntry = {
  actor: string;
  action: string;
  target?: string;
  result: 'allowed' | 'refused' | 'failed' | 'done';
  detail?: Record<string, unknown>;
};

/** Appends to the audit trail. */
export async function audit(sql: Sql, e: AuditEntry): Promise<void> {
  await sql.query('insert into audit_log (actor, action, target, result, detail) values ($1, $2, $3, $4, $5)', [
    e.actor, e.action, e.target ?? null, e.result, JSON.stringify(e.detail ?? {}),
  ]);
}

/** The most recent audit lines, newest first. */
export async function recentAudit(sql: Sql, limit = 50): Promise<(AuditEntry & { at: Date })[]> {
  return sql.query<AuditEntry & { at: Date }>(
    'select at, actor, action, target, result, detail from audit_log order by id desc limit $1',
    [limit],
  );
}
