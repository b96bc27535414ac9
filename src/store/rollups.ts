import { mergeRollups, totalOps, type Rollup } from '../core/rollup.js';
import type { Sql } from './sql.js';

const CHUNK = 1000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Merges new hourly rollups into the stored ones and marks those hours for detection. */
export async function saveRollups(sql: Sql, rollups: readonly Rollup[]): Promise<void> {
  for (const part of chunks(rollups)) {
    const existing = await sql.query<{ data: Rollup }>(
      `select r.data from rollups r
       join jsonb_to_recordset($1::jsonb) as k(identity text, hour float8)
         on r.identity_key = k.identity and r.hour = to_timestamp(k.hour / 1000)`,
      [JSON.stringify(part.map((r) => ({ identity: r.identity, hour: r.hour })))],
    );
    const stored = new Map(existing.map(({ data }) => [`${data.identity}\u0000${data.hour}`, data]));
    const merged = part.map((r) => {
      const old = stored.get(`${r.identity}\u0000${r.hour}`);
      return old ? mergeRollups(old, r) : r;
    });
    await sql.query(
      `insert into rollups (identity_key, hour, ops, bytes_out, data, dirty)
       select x->'data'->>'identity', to_timestamp((x->'data'->>'hour')::float8 / 1000), (x->>'ops')::int, (x->'data'->>'bytesOut')::bigint, x->'data', true
       from jsonb_array_elements($1::jsonb) x
       on conflict (identity_key, hour) do update set ops = excluded.ops, bytes_out = excluded.bytes_out, data = excluded.data, dirty = true`,
      [JSON.stringify(merged.map((data) => ({ ops: totalOps(data), data })))],
    );
  }
}

/** Hours (epoch ms) that hold rollups not yet judged by the detectors, oldest first. */
export async function dirtyHours(sql: Sql): Promise<number[]> {
  const rows = await sql.query<{ hour: Date }>('select distinct hour from rollups where dirty order by hour');
  return rows.map((r) => r.hour.getTime());
}

/** Rollups of [from, to) that are waiting for detection, oldest first. */
export async function dirtyRollups(sql: Sql, from: number, to: number): Promise<Rollup[]> {
  const rows = await sql.query<{ data: Rollup }>(
    'select data from rollups where dirty and hour >= $1 and hour < $2 order by hour, identity_key',
    [new Date(from), new Date(to)],
  );
  return rows.map((r) => r.data);
}

/** Marks rollups of [from, to) as judged. */
export async function markJudged(sql: Sql, from: number, to: number): Promise<void> {
  await sql.query('update rollups set dirty = false where dirty and hour >= $1 and hour < $2', [new Date(from), new Date(to)]);
}

/** One identity's rollups in [from, to), oldest first. */
export async function identityRollups(sql: Sql, identity: string, from: number, to: number): Promise<Rollup[]> {
  const rows = await sql.query<{ data: Rollup }>(
    'select data from rollups where identity_key = $1 and hour >= $2 and hour < $3 order by hour',
    [identity, new Date(from), new Date(to)],
  );
  return rows.map((r) => r.data);
}
