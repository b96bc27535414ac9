import type { Sql } from './sql.js';

/** Stored read position of one source scope (shape is the source's own). */
export async function getCursor<T>(sql: Sql, source: string, scope: string): Promise<T | undefined> {
  const rows = await sql.query<{ position: T }>('select position from cursors where source = $1 and scope = $2', [source, scope]);
  return rows[0]?.position;
}

/** Stores the read position of one source scope; call it in the transaction that stores what was read. */
export async function setCursor(sql: Sql, source: string, scope: string, position: unknown): Promise<void> {
  await sql.query(
    `insert into cursors (source, scope, position, updated_at) values ($1, $2, $3, now())
     on conflict (source, scope) do update set position = excluded.position, updated_at = now()`,
    [source, scope, JSON.stringify(position)],
  );
}
