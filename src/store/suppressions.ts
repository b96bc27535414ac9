import { randomUUID } from 'node:crypto';
import type { Suppression } from '../core/suppression.js';
import type { Sql } from './sql.js';

type Row = { id: string; identity_key: string | null; detector: string | null; ip: string | null; bucket: string | null; reason: string; author: string; created_at: Date; expires_at: Date | null };

function fromRow(r: Row): Suppression {
  return {
    id: r.id, identity: r.identity_key ?? undefined, detector: r.detector ?? undefined, ip: r.ip ?? undefined, bucket: r.bucket ?? undefined,
    reason: r.reason, author: r.author, createdAt: r.created_at.getTime(), expiresAt: r.expires_at?.getTime(),
  };
}

/** Stores a new suppression and returns it with its id. */
export async function addSuppression(sql: Sql, s: Omit<Suppression, 'id' | 'createdAt'>): Promise<Suppression> {
  const rows = await sql.query<Row>(
    `insert into suppressions (id, identity_key, detector, ip, bucket, reason, author, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
    [`s-${randomUUID().slice(0, 8)}`, s.identity ?? null, s.detector ?? null, s.ip ?? null, s.bucket ?? null, s.reason, s.author,
      s.expiresAt === undefined ? null : new Date(s.expiresAt)],
  );
  return fromRow(rows[0]!);
}

/** Suppressions still in force at `at` (all of them when `at` is undefined), newest first. */
export async function listSuppressions(sql: Sql, at?: number): Promise<Suppression[]> {
  const rows = at === undefined
    ? await sql.query<Row>('select * from suppressions order by created_at desc')
    : await sql.query<Row>('select * from suppressions where expires_at is null or expires_at > $1 order by created_at desc', [new Date(at)]);
  return rows.map(fromRow);
}
