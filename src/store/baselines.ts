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

/** Stores baselines (one statement per chunk of 500). */
export async function saveBaselines(sql: Sql, baselines: readonly Baseline[]): Promise<void> {
  for (let i = 0; i < baselines.length; i += 500) {
    await sql.query(
      `insert into baselines (identity_key, through, data, updated_at)
       select x->>'identity', to_timestamp((x->>'through')::float8 / 1000), x, now() from jsonb_array_elements($1::jsonb) x
       on conflict (identity_key) do update set through = excluded.through, data = excluded.data, updated_at = now()`,
      [JSON.stringify(baselines.slice(i, i + 500))],
    );
  }
}
