import { emptyBaseline, type Baseline } from '../core/baseline.js';
import type { Sql } from './sql.js';

/** Baselines of the given identities; identities never learnt get an empty one. */
export async function getBaselines(sql: Sql, keys: readonly string[]): Promise<Map<string, Baseline>> {
  const rows = await sql.query<{ identity_key: string; data: Baseline }>(
    'select identity_key, data from baselines where identity_key = any($1)',
    [keys],
  );
  const found = new Map(rows.map((r) => [r.identity_key, r.data]));
  return new Map(keys.map((k) => [k, found.get(k) ?? emptyBaseline(k)]));
}

/** Stores baselines (one statement per chunk of 500; each baseline travels as one json text, never parsed by the database). */
export async function saveBaselines(sql: Sql, baselines: readonly Baseline[]): Promise<void> {
  await saveBaselineTexts(sql, baselines.map((b) => ({ identity: b.identity, through: b.through, json: JSON.stringify(b) })));
}

/** saveBaselines for baselines already serialised (to be stored while the originals change). */
export async function saveBaselineTexts(sql: Sql, baselines: readonly { identity: string; through: number; json: string }[]): Promise<void> {
  for (let i = 0; i < baselines.length; i += 500) {
    const part = baselines.slice(i, i + 500);
    await sql.query(
      `insert into baselines (identity_key, through, data, updated_at)
       select k, to_timestamp(t / 1000), d::json, now() from unnest($1::text[], $2::float8[], $3::text[]) as x(k, t, d)
       on conflict (identity_key) do update set through = excluded.through, data = excluded.data, updated_at = now()`,
      [part.map((b) => b.identity), part.map((b) => b.through), part.map((b) => b.json)],
    );
  }
}

/** Every stored baseline, a page at a time (memory stays at one page whatever the number of identities). */
export async function* pageBaselines(sql: Sql, pageSize = 500): AsyncGenerator<Baseline[]> {
  let after = '';
  for (;;) {
    const rows = await sql.query<{ identity_key: string; data: Baseline }>(
      'select identity_key, data from baselines where identity_key > $1 order by identity_key limit $2',
      [after, pageSize],
    );
    if (!rows.length) return;
    yield rows.map((r) => r.data);
    after = rows.at(-1)!.identity_key;
  }
}
