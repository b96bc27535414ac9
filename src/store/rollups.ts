import { emptyRollup, mergeRollups, totalOps, type Rollup } from '../core/rollup.js';
import type { Sql } from './sql.js';
import { inPartition, partitionParams, type IdentityPartition } from './identity-partition.js';

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

function fromStored(identity: string, hour: Date | number, data: Partial<Record<keyof Rollup, unknown>>): Rollup {
  const at = typeof hour === 'number' ? hour : hour.getTime();
  const r: Rollup = Object.assign<Rollup, object, object>(emptyRollup(identity, at), data, { identity, hour: at });
  for (const k of SKETCHES) {
    const v = data[k];
    if (typeof v === 'string') r[k] = unpackSketch(v);
  }
  return r;
}

/**
 * A rollup in its stored form, ready to write: ingest workers encode what they fold, so the main
 * thread receives strings (cheap to pass between threads) and only decodes the few identity-hours
 * that two pages both hold.
 */
export interface EncodedRollup {
  identity: string;
  /** Start of the hour, epoch ms. */
  hour: number;
  ops: number;
  bytesOut: number;
  /** The stored JSON (see toStored). */
  data: string;
}

/** The stored form of a rollup. */
export function encodeRollup(r: Rollup): EncodedRollup {
  return { identity: r.identity, hour: r.hour, ops: totalOps(r), bytesOut: r.bytesOut, data: JSON.stringify(toStored(r)) };
}

/** The rollup an encoded one stands for. */
export function decodeRollup(e: EncodedRollup): Rollup {
  return fromStored(e.identity, e.hour, JSON.parse(e.data) as StoredRow['data']);
}

/** Two encoded rollups of the same identity and hour combined (mergeRollups, `a` first). */
export function mergeEncoded(a: EncodedRollup, b: EncodedRollup): EncodedRollup {
  return encodeRollup(mergeRollups(decodeRollup(a), decodeRollup(b)));
}

function rowsJson(rollups: readonly Rollup[]): string {
  return JSON.stringify(rollups.map((r) => ({ i: r.identity, h: r.hour, o: totalOps(r), b: r.bytesOut, d: toStored(r) })));
}

type StoredRow = { identity_key: string; hour: Date; data: Partial<Record<keyof Rollup, unknown>> };

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value as a field of COPY's text format. */
function copyField(text: string): string {
  return COPY_SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : text;
}

const STAGE_COLUMNS = ['identity_key', 'hour', 'ops', 'bytes_out', 'data'] as const;

function copyText(rows: readonly EncodedRollup[]): string {
  // A batch spans few hours: format each once.
  const hours = new Map<number, string>();
  let out = '';
  for (const r of rows) {
    let hour = hours.get(r.hour);
    if (hour === undefined) hours.set(r.hour, (hour = new Date(r.hour).toISOString()));
    out += `${copyField(r.identity)}\t${hour}\t${r.ops}\t${r.bytesOut}\t${copyField(r.data)}\n`;
  }
  return out;
}

/**
 * Merges new hourly rollups into the stored ones and marks those hours for detection. The batch is
 * loaded with COPY into a temporary table, from which one statement marks the hours pending and one
 * inserts the hours not stored yet (nearly all of them in a scan) and names the others; only those
 * are read (locked), merged here and written back.
 */
export async function saveRollups(sql: Sql, rollups: readonly Rollup[]): Promise<void> {
  await saveEncodedRollups(sql, rollups.map(encodeRollup));
}

/** saveRollups for rollups already encoded (by ingest workers). */
export async function saveEncodedRollups(sql: Sql, rollups: readonly EncodedRollup[]): Promise<void> {
  if (!rollups.length) return;
  // The temporary table lives on one connection: the whole save is one transaction (or part of the caller's).
  await sql.transaction(async (tx) => {
    await tx.exec('create temp table rollups_stage (identity_key text not null, hour timestamptz not null, ops integer not null, bytes_out bigint not null, data json not null)');
    // In chunks: the text of one COPY is copied into PGlite's memory, which never shrinks again.
    for (const part of chunks(rollups)) await tx.copyFrom('rollups_stage', STAGE_COLUMNS, copyText(part));
    await tx.exec(
      `insert into rollups_pending (identity_key, hour) select identity_key, hour from rollups_stage
       on conflict (identity_key, hour) do update set saved_at = clock_timestamp()`,
    );
    const clashes = await tx.query<{ identity_key: string; hour: Date }>(
      `with added as (
         insert into rollups (identity_key, hour, ops, bytes_out, data) select identity_key, hour, ops, bytes_out, data from rollups_stage
         on conflict (identity_key, hour) do nothing
         returning identity_key, hour)
       select s.identity_key, s.hour from rollups_stage s
       where not exists (select 1 from added a where a.identity_key = s.identity_key and a.hour = s.hour)`,
    );
    await tx.exec('drop table rollups_stage');
    if (clashes.length) await mergeStored(tx, rollups, clashes);
  });
}

/** Merges rollups whose identity-hour is stored already with the stored ones, locked until the transaction ends. */
async function mergeStored(sql: Sql, rollups: readonly EncodedRollup[], clashes: readonly { identity_key: string; hour: Date }[]): Promise<void> {
  const byKey = new Map(rollups.map((r) => [keyOf(r.identity, r.hour), r]));
  for (const part of chunks(clashes)) {
    const existing = await sql.query<StoredRow>(
      `select r.identity_key, r.hour, r.data from rollups r
       join unnest($1::text[], $2::float8[]) as k(identity, hour) on r.identity_key = k.identity and r.hour = to_timestamp(k.hour / 1000)
       for update of r`,
      [part.map((c) => c.identity_key), part.map((c) => c.hour.getTime())],
    );
    const merged = existing.map((row) => mergeRollups(fromStored(row.identity_key, row.hour, row.data), decodeRollup(byKey.get(keyOf(row.identity_key, row.hour.getTime()))!)));
    await sql.query(
      `insert into rollups (identity_key, hour, ops, bytes_out, data)
       select x.i, to_timestamp(x.h / 1000), x.o, x.b, x.d
       from json_to_recordset($1::json) as x(i text, h float8, o int, b bigint, d json)
       on conflict (identity_key, hour) do update set ops = excluded.ops, bytes_out = excluded.bytes_out, data = excluded.data`,
      [rowsJson(merged)],
    );
  }
}

/** Sort memory for reading a day of pending rollups in order. */
const SORT_MEMORY = '64MB';

/** Rollups waiting for detection, and the instant they were read (for markJudged). */
export interface PendingRollups {
  rollups: Rollup[];
  readAt: Date;
}

/** Hours (epoch ms) that hold rollups not yet judged by the detectors, oldest first. */
export async function dirtyHours(sql: Sql): Promise<number[]> {
  // A loose index scan: one probe of the (hour, identity_key) key per distinct hour, where `select
  // distinct` read every pending row (200,000 of them after a dense scan, 0.5-0.9 s on PGlite).
  const rows = await sql.query<{ hour: Date }>(
    `with recursive h (hour) as (
       select min(hour) from rollups_pending
       union all
       select (select min(p.hour) from rollups_pending p where p.hour > h.hour) from h where h.hour is not null)
     select hour from h where hour is not null order by hour`,
  );
  return rows.map((r) => r.hour.getTime());
}

/** Identities with hours waiting for detection. */
export async function dirtyIdentities(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ identity_key: string }>('select distinct identity_key from rollups_pending');
  return rows.map((r) => r.identity_key);
}

/** Rollups of [from, to) that are waiting for detection (of one partition of the identities, if given), oldest first, and the instant they were read. */
export async function dirtyRollups(sql: Sql, from: number, to: number, part?: IdentityPartition): Promise<PendingRollups> {
  const [{ now }] = (await sql.query<{ now: Date }>('select clock_timestamp() as now')) as [{ now: Date }];
  // One aggregated text parsed once is about twice as fast as one row per rollup on embedded PGlite.
  // A dense day's rollups (7 MB for 14,000 identity-hours) overflow the default 4 MB for sorting and
  // went to a temporary file: the transaction only holds the larger sort memory for this statement.
  const [row] = await sql.transaction(async (tx) => {
    await tx.exec(`set local work_mem = '${SORT_MEMORY}'`);
    return tx.query<{ data: string | null }>(
      `select json_agg(json_build_object('i', p.identity_key, 'h', extract(epoch from p.hour) * 1000, 'd', r.data) order by p.hour, p.identity_key)::text as data
       from rollups_pending p join rollups r on r.identity_key = p.identity_key and r.hour = p.hour
       where p.hour >= $1 and p.hour < $2${part ? ` and ${inPartition('p.identity_key', 3)}` : ''}`,
      part ? [new Date(from), new Date(to), ...partitionParams(part)] : [new Date(from), new Date(to)],
    );
  });
  const rows = row?.data ? (JSON.parse(row.data) as { i: string; h: number; d: StoredRow['data'] }[]) : [];
  return { rollups: rows.map((x) => fromStored(x.i, new Date(x.h), x.d)), readAt: now };
}

/** Marks rollups of [from, to) (of one partition, if given) as judged, leaving those saved after `readAt` (a scan that ran meanwhile) for the next run. */
export async function markJudged(sql: Sql, from: number, to: number, readAt?: Date, part?: IdentityPartition): Promise<void> {
  await sql.query(
    `delete from rollups_pending where hour >= $1 and hour < $2 and ($3::timestamptz is null or saved_at <= $3)${part ? ` and ${inPartition('identity_key', 4)}` : ''}`,
    part ? [new Date(from), new Date(to), readAt ?? null, ...partitionParams(part)] : [new Date(from), new Date(to), readAt ?? null],
  );
}

/** One identity's rollups in [from, to), oldest first. */
export async function identityRollups(sql: Sql, identity: string, from: number, to: number): Promise<Rollup[]> {
  const rows = await sql.query<StoredRow>(
    'select identity_key, hour, data from rollups where identity_key = $1 and hour >= $2 and hour < $3 order by hour',
    [identity, new Date(from), new Date(to)],
  );
  return rows.map((r) => fromStored(r.identity_key, r.hour, r.data));
}

/** Several identities' rollups in [from, to), oldest first, in one query. */
export async function rollupsOf(sql: Sql, identities: readonly string[], from: number, to: number): Promise<Map<string, Rollup[]>> {
  const out = new Map<string, Rollup[]>();
  if (!identities.length) return out;
  const rows = await sql.query<StoredRow>(
    'select identity_key, hour, data from rollups where identity_key = any($1) and hour >= $2 and hour < $3 order by hour',
    [identities, new Date(from), new Date(to)],
  );
  for (const r of rows) out.set(r.identity_key, [...(out.get(r.identity_key) ?? []), fromStored(r.identity_key, r.hour, r.data)]);
  return out;
}

/** Several identities' rollups in [from, to) that are not waiting for detection (judged already), oldest first. */
export async function judgedRollupsOf(sql: Sql, identities: readonly string[], from: number, to: number): Promise<Map<string, Rollup[]>> {
  const out = new Map<string, Rollup[]>();
  if (!identities.length) return out;
  const rows = await sql.query<StoredRow>(
    `select r.identity_key, r.hour, r.data from rollups r
     where r.identity_key = any($1) and r.hour >= $2 and r.hour < $3
       and not exists (select 1 from rollups_pending p where p.identity_key = r.identity_key and p.hour = r.hour)
     order by r.hour`,
    [identities, new Date(from), new Date(to)],
  );
  for (const r of rows) out.set(r.identity_key, [...(out.get(r.identity_key) ?? []), fromStored(r.identity_key, r.hour, r.data)]);
  return out;
}
