import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import pg from 'pg';
import { openDatabase, type DatabaseTarget } from '../../src/store/open-database.js';
import type { Sql } from '../../src/store/sql.js';

/** The two engines every store test runs against. */
export type Engine = 'pglite' | 'postgres';

/** Both engines, for `describe.each`. */
export const ENGINES: readonly Engine[] = ['pglite', 'postgres'];

/** The PostgreSQL server of the test machine (trust auth). */
export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';


/** A migrated database of its own for one test file: PGlite in memory, or a fresh PostgreSQL schema. */
export interface TestDatabase {
  engine: Engine;
  sql: Sql;
  /** How to open the same database again (a second connection or a reopen). */
  target: DatabaseTarget;
  /** The PostgreSQL schema the database lives in (postgres only). */
  schema?: string;
  /** Empties every table but keeps the applied migrations. */
  reset(): Promise<void>;
  /** Closes the connection and, for PostgreSQL, drops the schema. */
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A PostgreSQL URL whose connections see only `schema` (so parallel test files never collide). */
export function schemaUrl(schema: string): string {
  return `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** Creates an empty schema with a random name on the test server; returns its name. */
export async function createSchema(): Promise<string> {
  const schema = `sw_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create schema ${schema}`));
  return schema;
}

/** Drops a schema made by createSchema, with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await admin((c) => c.query(`drop schema if exists ${schema} cascade`));
}

/** Opens a fresh, migrated database on the given engine. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const schema = engine === 'postgres' ? await createSchema() : undefined;
  const target: DatabaseTarget = schema ? { url: schemaUrl(schema) } : { pgliteDir: 'memory://' };
  const sql = await openDatabase(target);
  return {
    engine, sql, target, schema,
    // Every table the migrations made (not the record of migrations), so a new table never leaks rows between tests.
    reset: async () => {
      const tables = await sql.query<{ name: string }>(
        `select tablename as name from pg_tables where schemaname = current_schema() and tablename <> 'schema_migrations'`,
      );
      await sql.exec(`truncate ${tables.map((t) => t.name).join(', ')} restart identity cascade`);
    },
    drop: async () => {
      await sql.close();
      if (schema) await dropSchema(schema);
    },
  };
}

/**
 * Gives the enclosing describe block a database of this engine, created once, reset before each
 * test and dropped at the end; read it as `t.db` inside the tests.
 */
export function useTestDatabase(engine: Engine, afterReset?: (db: TestDatabase) => Promise<void>): { readonly db: TestDatabase } {
  const holder = {} as { db: TestDatabase };
  beforeAll(async () => {
    holder.db = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await holder.db?.drop();
  });
  beforeEach(async () => {
    await holder.db.reset();
    await afterReset?.(holder.db);
  });
  return holder;
}
