import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyStream } from 'pg-copy-streams';
import type { Row, Sql } from './sql.js';
import { migrate } from './migrate.js';

/** Where the data lives: a PostgreSQL URL, or a PGlite directory (`memory://` for a throw-away one). */
export type DatabaseTarget = { url: string } | { pgliteDir: string };

// int8 (bigint) comes back as a string by default; our counts and byte totals stay far below 2^53.
pg.types.setTypeParser(20, Number);

/** Options of openDatabase. */
export interface OpenDatabaseOptions {
  /**
   * Called when a PostgreSQL connection is lost outside a query (server restarted, network cut).
   * The lost connection is dropped from the pool and the next query opens a new one; queries in
   * flight fail with their own error. Default: ignored (the next query reports the outage).
   */
  onError?: (err: Error) => void;
}

/** Opens the database, applies pending migrations and returns the query interface. */
export async function openDatabase(target: DatabaseTarget, opts: OpenDatabaseOptions = {}): Promise<Sql> {
  const sql = 'url' in target ? openPostgres(target.url, opts.onError ?? (() => undefined)) : await openPglite(target.pgliteDir);
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
    copyFrom: async (table, columns, text) => {
      await q.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob'`, [], { blob: new Blob([text]) });
    },
    transaction: (fn) => ('transaction' in q ? q.transaction((tx) => fn(wrap(tx))) : fn(wrap(q))),
    close: () => db.close(),
  });
  return wrap(db);
}

function openPostgres(url: string, onError: (err: Error) => void): Sql {
  // Without a connection timeout a query waits forever for a server that does not answer.
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 10_000 });
  // An idle connection that dies emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', onError);
  const wrap = (q: pg.Pool | pg.PoolClient, inTx: boolean): Sql => ({
    engine: 'postgres',
    query: async <T extends Row>(text: string, params?: readonly unknown[]) =>
      (await q.query<T>(text, params ? [...params] : undefined)).rows,
    exec: async (text) => {
      await q.query(text);
    },
    copyFrom: async (table, columns, text) => {
      const client = inTx ? (q as pg.PoolClient) : await pool.connect();
      try {
        const stream = client.query(copyStream(`copy ${table} (${columns.join(', ')}) from stdin`));
        await new Promise<void>((resolve, reject) => {
          stream.on('error', reject);
          stream.on('finish', resolve);
          stream.end(text);
        });
      } finally {
        if (!inTx) client.release();
      }
    },
    transaction: async (fn) => {
      if (inTx) return fn(wrap(q, true));
      const client = await pool.connect();
      // A checked-out connection has no listener of the pool's: its 'error' would end the process.
      client.on('error', onError);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client, true));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // On a dead connection ROLLBACK fails too: report the first error, and drop the connection.
        await client.query('ROLLBACK').catch((e: unknown) => {
          broken = e instanceof Error ? e : new Error(String(e));
        });
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  });
  return wrap(pool, false);
}
