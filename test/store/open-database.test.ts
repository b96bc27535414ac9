import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { audit, recentAudit } from '../../src/store/audit-log.js';
import { migrate } from '../../src/store/migrate.js';
import { openDatabase, type DatabaseTarget } from '../../src/store/open-database.js';
import type { Sql } from '../../src/store/sql.js';
import { createSchema, dropSchema, ENGINES, schemaUrl, type Engine, useTestDatabase } from '../helpers/databases.js';

/** Every numbered migration in src/store/migrations, in order. */
const ALL_MIGRATIONS = readdirSync(fileURLToPath(new URL('../../src/store/migrations/', import.meta.url)))
  .filter((f) => /^\d+_.*\.sql$/.test(f))
  .sort()
  .map((name) => ({ version: Number.parseInt(name, 10), name }));

async function migrations(sql: Sql): Promise<{ version: number; name: string }[]> {
  return sql.query<{ version: number; name: string }>('select version, name from schema_migrations order by version');
}

describe.each(ENGINES)('migrations on %s', (engine: Engine) => {
  it('apply once, and reopening the database applies nothing and keeps the data', async () => {
    const dir = engine === 'pglite' ? mkdtempSync(join(tmpdir(), 'sw-pglite-')) : undefined;
    const schema = engine === 'postgres' ? await createSchema() : undefined;
    const target: DatabaseTarget = schema ? { url: schemaUrl(schema) } : { pgliteDir: join(dir!, 'db') };
    try {
      const first = await openDatabase(target);
      expect(await migrations(first)).toEqual(ALL_MIGRATIONS);
      expect(await migrate(first)).toEqual([]);
      await audit(first, { actor: 'U1', action: 'mark-benign', result: 'allowed' });
      await first.close();

      const again = await openDatabase(target);
      try {
        expect(await migrations(again)).toEqual(ALL_MIGRATIONS);
        expect(await migrate(again)).toEqual([]);
        expect((await recentAudit(again)).map((a) => a.actor)).toEqual(['U1']);
      } finally {
        await again.close();
      }
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    }
  });
});

describe('migrations on a PostgreSQL server shared by several processes', () => {
  it('let two processes that start at once on a new database both open it, and apply each migration once', async () => {
    const schema = await createSchema();
    try {
      const opened = await Promise.allSettled([openDatabase({ url: schemaUrl(schema) }), openDatabase({ url: schemaUrl(schema) })]);
      for (const o of opened) if (o.status === 'fulfilled') await o.value.close();
      expect(opened.map((o) => (o.status === 'rejected' ? String(o.reason) : 'opened'))).toEqual(['opened', 'opened']);
      const check = await openDatabase({ url: schemaUrl(schema) });
      try {
        expect(await migrations(check)).toEqual(ALL_MIGRATIONS);
      } finally {
        await check.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });
});

describe.each(ENGINES)('the query interface on %s', (engine: Engine) => {
  const t = useTestDatabase(engine);

  it('reports its engine', () => {
    expect(t.db.sql.engine).toBe(engine);
  });

  if (engine === 'postgres') {
    it('lives in its own schema, not in public', async () => {
      const [row] = await t.db.sql.query<{ schema: string }>('select current_schema() as schema');
      expect(row!.schema).toBe(t.db.schema);
      const tables = await t.db.sql.query<{ table_schema: string }>(
        "select table_schema from information_schema.tables where table_name = 'findings' and table_schema = $1", [t.db.schema],
      );
      expect(tables).toHaveLength(1);
    });
  }

  it('passes parameters as values, never as SQL', async () => {
    const hostile = "x'); drop table audit_log; --";
    await audit(t.db.sql, { actor: hostile, action: 'a', result: 'done' });
    expect((await recentAudit(t.db.sql)).map((a) => a.actor)).toEqual([hostile]);
  });

  it('commits a transaction that resolves and returns its value', async () => {
    const value = await t.db.sql.transaction(async (tx) => {
      await audit(tx, { actor: 'U1', action: 'escalate', result: 'done' });
      return 42;
    });
    expect(value).toBe(42);
    expect(await recentAudit(t.db.sql)).toHaveLength(1);
  });

  it('rolls a transaction back when it throws, and rethrows the error', async () => {
    const boom = new Error('boom');
    await expect(t.db.sql.transaction(async (tx) => {
      await audit(tx, { actor: 'U1', action: 'escalate', result: 'done' });
      throw boom;
    })).rejects.toBe(boom);
    expect(await recentAudit(t.db.sql)).toEqual([]);
  });

  it('rolls back a failed statement inside a transaction with everything before it', async () => {
    await expect(t.db.sql.transaction(async (tx) => {
      await audit(tx, { actor: 'U1', action: 'escalate', result: 'done' });
      await tx.query('insert into findings (id) values ($1)', ['no-columns']);
    })).rejects.toThrow();
    expect(await recentAudit(t.db.sql)).toEqual([]);
    // The connection is usable afterwards.
    await audit(t.db.sql, { actor: 'U2', action: 'escalate', result: 'done' });
    expect((await recentAudit(t.db.sql)).map((a) => a.actor)).toEqual(['U2']);
  });

  it('joins a transaction opened inside a transaction, so the outer rollback undoes both', async () => {
    await expect(t.db.sql.transaction(async (tx) => {
      await tx.transaction(async (inner) => audit(inner, { actor: 'inner', action: 'a', result: 'done' }));
      await audit(tx, { actor: 'outer', action: 'a', result: 'done' });
      throw new Error('abort');
    })).rejects.toThrow('abort');
    expect(await recentAudit(t.db.sql)).toEqual([]);
  });

  it('runs several statements at once with exec', async () => {
    await t.db.sql.exec(`insert into cursors (source, scope, position) values ('a', 'x', '1');
      insert into cursors (source, scope, position) values ('b', 'y', '2')`);
    const rows = await t.db.sql.query<{ source: string }>('select source from cursors order by source');
    expect(rows.map((r) => r.source)).toEqual(['a', 'b']);
  });
});
