import { StorageWatchError } from '../core/errors.js';
import type { Sql } from './sql.js';

/** Stored read position of one source scope (shape is the source's own). */
export async function getCursor<T>(sql: Sql, source: string, scope: string): Promise<T | undefined> {
  const rows = await sql.query<{ position: T }>('select position from cursors where source = $1 and scope = $2', [source, scope]);
  return rows[0]?.position;
}

/**
 * Moves a scope's cursor from `expected` (undefined: no cursor yet) to `position`, in the transaction
 * that stores what was read; throws when another process moved it meanwhile, so that transaction
 * rolls back instead of counting the same records twice.
 */
export async function advanceCursor(sql: Sql, source: string, scope: string, expected: unknown, position: unknown): Promise<void> {
  const rows = expected === undefined
    ? await sql.query(
      `insert into cursors (source, scope, position, updated_at) values ($1, $2, $3, now()) on conflict (source, scope) do nothing returning 1`,
      [source, scope, JSON.stringify(position)],
    )
    : await sql.query(
      `update cursors set position = $4, updated_at = now() where source = $1 and scope = $2 and position = $3::jsonb returning 1`,
      [source, scope, JSON.stringify(expected), JSON.stringify(position)],
    );
  if (!rows.length) throw new StorageWatchError('store_failed', `cursor of ${source} ${scope} was moved by another scan; this page is left to it`);
}

/** Stores the read position of one source scope; call it in the transaction that stores what was read. */
export async function setCursor(sql: Sql, source: string, scope: string, position: unknown): Promise<void> {
  await sql.query(
    `insert into cursors (source, scope, position, updated_at) values ($1, $2, $3, now())
     on conflict (source, scope) do update set position = excluded.position, updated_at = now()`,
    [source, scope, JSON.stringify(position)],
  );
}

/** Stored read positions of many scopes of one source, in one query. */
export async function getCursors<T>(sql: Sql, source: string, scopes: readonly string[]): Promise<Map<string, T>> {
  const rows = await sql.query<{ scope: string; position: T }>('select scope, position from cursors where source = $1 and scope = any($2)', [source, scopes]);
  return new Map(rows.map((r) => [r.scope, r.position]));
}

/** Stores the read positions of many scopes of one source in one statement; call it in the transaction that stores what was read. */
export async function setCursors(sql: Sql, source: string, positions: readonly { scope: string; position: unknown }[]): Promise<void> {
  if (!positions.length) return;
  await sql.query(
    `insert into cursors (source, scope, position, updated_at)
     select $1, x.scope, x.position, now() from jsonb_to_recordset($2::jsonb) as x(scope text, position jsonb)
     on conflict (source, scope) do update set position = excluded.position, updated_at = now()`,
    [source, JSON.stringify(positions)],
  );
}
