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
    const keys = [merged.map((r) => r.identity), merged.map((r) => r.hour)];
    await sql.query(
      `insert into rollups (identity_key, hour, ops, bytes_out, data)
       select k, to_timestamp(h / 1000), o, b, d::json from unnest($1::text[], $2::float8[], $3::int[], $4::float8[], $5::text[]) as x(k, h, o, b, d)
       on conflict (identity_key, hour) do update set ops = excluded.ops, bytes_out = excluded.bytes_out, data = excluded.data`,
      [...keys, merged.map(totalOps), merged.map((r) => r.bytesOut), merged.map((r) => JSON.stringify(r))],
    );
    await sql.query(
      `insert into rollups_pending (identity_key, hour) select k, to_timestamp(h / 1000) from unnest($1::text[], $2::float8[]) as x(k, h)
       on conflict (identity_key, hour) do update set saved_at = clock_timestamp()`,
      keys,
    );
  }
}

/** Rollups waiting for detection, and the instant they were read (for markJudged). */
export interface PendingRollups {
  rollups: Rollup[];
  readAt: Date;
}

/** Hours (epoch ms) that hold rollups not yet judged by the detectors, oldest first. */
export async function dirtyHours(sql: Sql): Promise<number[]> {
  const rows = await sql.query<{ hour: Date }>('select distinct hour from rollups_pending order by hour');
  return rows.map((r) => r.hour.getTime());
}

/** Rollups of [from, to) that are waiting for detection, oldest first, and the instant they were read. */
export async function dirtyRollups(sql: Sql, from: number, to: number): Promise<PendingRollups> {
  const [{ now }] = (await sql.query<{ now: Date }>('select clock_timestamp() as now')) as [{ now: Date }];
  // One aggregated text parsed once is about twice as fast as one row per rollup on embedded PGlite.
  const [row] = await sql.query<{ data: string | null }>(
    `select json_agg(r.data order by p.hour, p.identity_key)::text as data
     from rollups_pending p join rollups r on r.identity_key = p.identity_key and r.hour = p.hour
     where p.hour >= $1 and p.hour < $2`,
    [new Date(from), new Date(to)],
  );
  return { rollups: row?.data ? (JSON.parse(row.data) as Rollup[]) : [], readAt: now };
}

/** Marks rollups of [from, to) as judged, leaving those saved after `readAt` (a scan that ran meanwhile) for the next run. */
export async function markJudged(sql: Sql, from: number, to: number, readAt?: Date): Promise<void> {
  await sql.query(
    'delete from rollups_pending where hour >= $1 and hour < $2 and ($3::timestamptz is null or saved_at <= $3)',
    [new Date(from), new Date(to), readAt ?? null],
  );
}

/** One identity's rollups in [from, to), oldest first. */
export async function identityRollups(sql: Sql, identity: string, from: number, to: number): Promise<Rollup[]> {
  const rows = await sql.query<{ data: Rollup }>(
    'select data from rollups where identity_key = $1 and hour >= $2 and hour < $3 order by hour',
    [identity, new Date(from), new Date(to)],
  );
  return rows.map((r) => r.data);
}

/** Identities with hours waiting for detection. */
export async function dirtyIdentities(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ identity_key: string }>('select distinct identity_key from rollups_pending');
  return rows.map((r) => r.identity_key);
}

/** Several identities' rollups in [from, to), oldest first, in one query. */
export async function rollupsOf(sql: Sql, identities: readonly string[], from: number, to: number): Promise<Map<string, Rollup[]>> {
  const out = new Map<string, Rollup[]>();
  if (!identities.length) return out;
  const rows = await sql.query<{ data: Rollup }>(
    'select data from rollups where identity_key = any($1) and hour >= $2 and hour < $3 order by hour',
    [identities, new Date(from), new Date(to)],
  );
  for (const { data } of rows) out.set(data.identity, [...(out.get(data.identity) ?? []), data]);
  return out;
}
