import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import type { Row, Sql } from './sql.js';
import { migrate } from './migrate.js';

/** Where the data lives: a PostgreSQL URL, or a PGlite directory (`memory://` for a throw-away one). */
export type DatabaseTarget = { url: string } | { pgliteDir: string };

// int8 (bigint) comes back as a string by default; our counts and byte totals stay far below 2^53.
pg.types.setTypeParser(20, Number);

/** Opens the database, applies pending migrations and returns the query interface. */
export async function openDatabase(target: DatabaseTarget): Promise<Sql> {
  const sql = 'url' in target ? openPostgres(target.url) : await openPglite(target.pgliteDir);
  await migrate(sql);
  return sql;
}

async function openPglite(dir: string): Promise<Sql> {
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const wrap = (q: PGlite | Transaction): Sql => ({
    engine: 'pglite',
    query: async <T extends Row>(text: string, params?: readonly unknown[]) =>
      (await q.query<T>(text, params ? [...params] : undefined)).rows,
    exec: async (text) => {
      await q.exec(text);
    },
    transaction: (fn) => ('transaction' in q ? q.transaction((tx) => fn(wrap(tx))) : fn(wrap(q))),
    close: () => db.close(),
  });
  return wrap(db);
}

function openPostgres(url: string): Sql {
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  const wrap = (q: pg.Pool | pg.PoolClient, inTx: boolean): Sql => ({
    engine: 'postgres',
    query: async <T extends Row>(text: string, params?: readonly unknown[]) =>
      (await q.query<T>(text, params ? [...params] : undefined)).rows,
    exec: async (text) => {
      await q.query(text);
    },
    transaction: async (fn) => {
      if (inTx) return fn(wrap(q, true));
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client, true));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  });
  return wrap(pool, false);
}
