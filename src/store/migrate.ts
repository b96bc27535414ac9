import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Sql } from './sql.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Key of the advisory lock that serialises migrations when several processes start at once. */
const MIGRATION_LOCK = 7_423_118;

/** The highest migration version this code ships (what a ready database must have applied). */
export function latestMigration(): number {
  return Math.max(0, ...readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.*\.sql$/.test(f)).map((f) => Number.parseInt(f, 10)));
}

/** Applies the numbered SQL files of migrations/ that this database has not seen, in order, in one transaction. */
export async function migrate(sql: Sql): Promise<number[]> {
  const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
  return sql.transaction(async (tx) => {
    if (tx.engine === 'postgres') await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(`create table if not exists schema_migrations (
      version integer primary key, name text not null, applied_at timestamptz not null default now())`);
    const done = new Set((await tx.query<{ version: number }>('select version from schema_migrations')).map((r) => r.version));
    const applied: number[] = [];
    for (const file of files) {
      const version = Number.parseInt(file, 10);
      if (done.has(version)) continue;
      await tx.exec(readFileSync(MIGRATIONS_DIR + file, 'utf8'));
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [version, file]);
      applied.push(version);
    }
    return applied;
  });
}
