import { emptyRollup, mergeRollups, totalOps, type Rollup } from '../core/rollup.js';
import type { Sql } from './sql.js';

/** Rows per statement: large enough to amortise a round trip, small enough for one parameter. */
const CHUNK = 5000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const keyOf = (identity: string, hour: number): string => `${identity}\u0000${hour}`;

/** Fields always stored, even empty, because tools read them from the column directly. */
const KEPT: ReadonlySet<string> = new Set(['ops', 'actions', 'slots', 'buckets', 'ips', 'clients', 'changes', 'first', 'last']);

/** Distinct-object sketches, stored as base64 of little-endian uint32s: JSON numbers become numeric in jsonb, slow to parse by the hundred. */
const SKETCHES = ['objects', 'readObjects'] as const;

function packSketch(sketch: readonly number[]): string {
  const buf = Buffer.allocUnsafe(sketch.length * 4);
  sketch.forEach((h, i) => buf.writeUInt32LE(h, i * 4));
  return buf.toString('base64');
}

function unpackSketch(packed: string): number[] {
  const buf = Buffer.from(packed, 'base64');
  const out = new Array<number>(buf.length >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(i * 4);
  return out;
}

/**
 * The stored form of a rollup: the Rollup JSON without its identity and hour (they are columns),
 * without zero counts and empty lists, and with its sketches packed, which is much less for the
 * database to parse per identity-hour; `fromStored` restores the Rollup.
 */
function toStored(r: Rollup): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'identity' || k === 'hour') continue;
    if (!KEPT.has(k) && (v === 0 || (Array.isArray(v) ? !v.length : typeof v === 'object' && v !== null && !Object.keys(v as object).length))) continue;
    out[k] = v;
  }
  for (const k of SKETCHES) if (r[k].length) out[k] = packSketch(r[k]);
  return out;
}

function fromStored(identity: string, hour: Date, data: Partial<Record<keyof Rollup, unknown>>): Rollup {
  const r: Rollup = Object.assign<Rollup, object, object>(emptyRollup(identity, hour.getTime()), data, { identity, hour: hour.getTime() });
  for (const k of SKETCHES) {
    const v = data[k];
    if (typeof v === 'string') r[k] = unpackSketch(v);
  }
  return r;
}

function rowsJson(rollups: readonly Rollup[]): string {
  return JSON.stringify(rollups.map((r) => ({ i: r.identity, h: r.hour, o: totalOps(r), b: r.bytesOut, d: toStored(r) })));
}

type StoredRow = { identity_key: string; hour: Date; data: Partial<Record<keyof Rollup, unknown>> };

/**
 * Merges new hourly rollups into the stored ones and marks those hours for detection: one insert per
 * chunk for the hours not stored yet (nearly all of them in a scan), then one read and one upsert for
 * the few that must be merged with what is stored.
 */
export async function saveRollups(sql: Sql, rollups: readonly Rollup[]): Promise<void> {
  for (const part of chunks(rollups)) {
    const inserted = await sql.query<{ identity_key: string; hour: Date }>(
      `insert into rollups (identity_key, hour, ops, bytes_out, data, dirty)
       select x.i, to_timestamp(x.h / 1000), x.o, x.b, x.d, true
       from jsonb_to_recordset($1::jsonb) as x(i text, h float8, o int, b bigint, d jsonb)
       on conflict (identity_key, hour) do nothing
       returning identity_key, hour`,
      [rowsJson(part)],
    );
    if (inserted.length === part.length) continue;
    const done = new Set(inserted.map((r) => keyOf(r.identity_key, r.hour.getTime())));
    const rest = part.filter((r) => !done.has(keyOf(r.identity, r.hour)));
    const existing = await sql.query<StoredRow>(
      `select r.identity_key, r.hour, r.data from rollups r
       join jsonb_to_recordset($1::jsonb) as k(identity text, hour float8)
         on r.identity_key = k.identity and r.hour = to_timestamp(k.hour / 1000)`,
      [JSON.stringify(rest.map((r) => ({ identity: r.identity, hour: r.hour })))],
    );
    const stored = new Map(existing.map((row) => [keyOf(row.identity_key, row.hour.getTime()), fromStored(row.identity_key, row.hour, row.data)]));
    const merged = rest.map((r) => {
      const old = stored.get(keyOf(r.identity, r.hour));
      return old ? mergeRollups(old, r) : r;
    });
    await sql.query(
      `insert into rollups (identity_key, hour, ops, bytes_out, data, dirty)
       select x.i, to_timestamp(x.h / 1000), x.o, x.b, x.d, true
       from jsonb_to_recordset($1::jsonb) as x(i text, h float8, o int, b bigint, d jsonb)
       on conflict (identity_key, hour) do update set ops = excluded.ops, bytes_out = excluded.bytes_out, data = excluded.data, dirty = true`,
      [rowsJson(merged)],
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
  const rows = await sql.query<StoredRow>(
    'select identity_key, hour, data from rollups where dirty and hour >= $1 and hour < $2 order by hour, identity_key',
    [new Date(from), new Date(to)],
  );
  return rows.map((r) => fromStored(r.identity_key, r.hour, r.data));
}

/** Marks rollups of [from, to) as judged. */
export async function markJudged(sql: Sql, from: number, to: number): Promise<void> {
  await sql.query('update rollups set dirty = false where dirty and hour >= $1 and hour < $2', [new Date(from), new Date(to)]);
}

/** One identity's rollups in [from, to), oldest first. */
export async function identityRollups(sql: Sql, identity: string, from: number, to: number): Promise<Rollup[]> {
  const rows = await sql.query<StoredRow>(
    'select identity_key, hour, data from rollups where identity_key = $1 and hour >= $2 and hour < $3 order by hour',
    [identity, new Date(from), new Date(to)],
  );
  return rows.map((r) => fromStored(r.identity_key, r.hour, r.data));
}
