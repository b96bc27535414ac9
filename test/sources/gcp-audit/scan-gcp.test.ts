import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scanSources, type ScanSourcesOptions, type ScopeSummary } from '../../../src/scan/scan-sources.js';
import { createGcpSource, type GcpSourceDeps } from '../../../src/sources/gcp-audit/index.js';
import { getCursor } from '../../../src/store/cursors.js';
import type { Sql } from '../../../src/store/sql.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { FakeCloudLogging } from '../../fakes/cloud-logging.js';
import { entriesAt, FAST_RETRY, HOUR, MIN, spread, T0, tokenClient, type Stamp } from './gcp-test-support.js';

let fake: FakeCloudLogging;
// One PGlite database for the file, emptied before each scan that needs a fresh store (opening one takes seconds).
let db: TestDatabase;
let sql: Sql;

beforeAll(async () => {
  db = await createTestDatabase('pglite');
  sql = db.sql;
});
afterAll(async () => {
  await db.drop();
});

beforeEach(async () => {
  await db.reset();
  fake = await FakeCloudLogging.start();
  // p1: 60 entries over three hours of arrival, five of them arriving hours after they happened.
  const stamps: Stamp[] = spread(T0, 3 * HOUR, 60).map((s, i) => (i % 12 === 11 ? { receivedAt: s.receivedAt, time: T0 + i * 1000 } : s));
  fake.add('projects/p1', ...entriesAt('p1', stamps));
  fake.add('projects/p3', ...entriesAt('p3', spread(T0, 3 * HOUR, 9)));
  fake.deny('projects/p2');
});
afterEach(async () => {
  await fake.close();
});

function gcp(deps: GcpSourceDeps = {}, projectIds = ['p1', 'p2', 'p3']) {
  return createGcpSource(
    { projectIds, folderIds: [], endpoint: fake.url },
    { authClient: tokenClient(), retry: FAST_RETRY, ...deps, pull: { pageSize: 7, windowMs: HOUR, settleMs: 0, ...deps.pull } },
  );
}

async function scan(sql: Sql, until: number, deps: GcpSourceDeps = {}, opts: Partial<ScanSourcesOptions> = {}): Promise<Map<string, ScopeSummary>> {
  const summaries = await scanSources(sql, [gcp(deps)], { since: T0, until, ...opts });
  return new Map(summaries.map((s) => [s.scope, s]));
}

/** What the store holds, in a form that compares: every rollup's counts, by identity and hour. */
async function rollups(sql: Sql): Promise<Record<string, unknown>[]> {
  const rows = await sql.query<{ identity_key: string; hour: Date; ops: number; data: Record<string, unknown> }>(
    'select identity_key, hour, ops, data from rollups order by identity_key, hour',
  );
  return rows.map((r) => {
    const d = r.data;
    return { identity: r.identity_key, hour: r.hour.toISOString(), total: r.ops, ops: d.ops, actions: d.actions, denied: d.denied, errors: d.errors, bytesIn: d.bytesIn, bytesOut: d.bytesOut, buckets: d.buckets, ips: d.ips, clients: d.clients, slots: d.slots, changes: d.changes };
  });
}

async function totalOps(sql: Sql): Promise<number> {
  const [row] = await sql.query<{ n: number | null }>('select sum(ops)::int as n from rollups');
  return row?.n ?? 0;
}

describe('gcp-audit through scanSources into a real store', () => {
  it('stores rollups and cursors; a rescan adds nothing; new and late entries are counted once; a refused project does not stop the others', async () => {
    const first = await scan(sql, T0 + 3 * HOUR);
    const p1 = first.get('p1')!;
    expect(p1.error).toBeUndefined();
    expect(p1.records).toBe(60);
    expect(p1.events + p1.skipped).toBe(60);
    expect(p1.rejected).toBe(0);
    expect(first.get('p3')).toMatchObject({ records: 9 });
    expect(first.get('p3')!.error).toBeUndefined();
    expect(first.get('p2')!.error?.code).toBe('source_permission');
    expect(first.get('p2')!.error?.message).toContain('roles/logging.privateLogViewer (logging.privateLogEntries.list) on projects/p2');
    expect(await getCursor(sql, 'gcp-audit', 'p1')).toEqual({ at: '2026-03-02T03:00:00.000Z', dataAccessSeen: true });
    const stored = await rollups(sql);
    expect(await totalOps(sql)).toBe(p1.events + first.get('p3')!.events);

    const again = await scan(sql, T0 + 4 * HOUR);
    expect(again.get('p1')).toMatchObject({ events: 0, records: 0, pages: 1 });
    expect(again.get('p1')!.error).toBeUndefined();
    expect(await rollups(sql)).toEqual(stored);

    const reader = 'gcp|p1|user@domain.com';
    const hourT0 = await sql.query<{ ops: number }>('select ops from rollups where identity_key = $1 and hour = $2', [reader, new Date(T0)]);
    // Two new entries for p1, one of them from hour T0 but arriving now (late); the object-get sample is index 3.
    fake.add('projects/p1', ...entriesAt('p1', [{ receivedAt: T0 + 4 * HOUR + MIN }, { receivedAt: T0 + 4 * HOUR + 2 * MIN }, { receivedAt: T0 + 4 * HOUR + 3 * MIN }, { receivedAt: T0 + 4 * HOUR + 4 * MIN, time: T0 + 20 * MIN }], { prefix: 'new' }));
    const third = await scan(sql, T0 + 5 * HOUR);
    expect(third.get('p1')).toMatchObject({ records: 4, events: 4 });
    expect(third.get('p1')!.error).toBeUndefined();
    expect(await totalOps(sql)).toBe(p1.events + first.get('p3')!.events + 4);
    const after = await sql.query<{ ops: number }>('select ops from rollups where identity_key = $1 and hour = $2', [reader, new Date(T0)]);
    expect(after[0]!.ops).toBe((hourT0[0]?.ops ?? 0) + 1);
  });

  it('an interrupted scan (aborted after two pages) and a fresh one store exactly what one uninterrupted scan stores', async () => {
    await scan(sql, T0 + 3 * HOUR);
    const expected = await rollups(sql);
    expect(expected.length).toBeGreaterThan(5);

    await db.reset();
    const stop = new AbortController();
    const cut = await scan(sql, T0 + 3 * HOUR, {}, { signal: stop.signal, onProgress: (s) => s.scope === 'p1' && s.pages === 2 && stop.abort() });
    expect(cut.get('p1')).toMatchObject({ pages: 2 });
    expect(cut.get('p1')!.error).toBeDefined();
    expect(await getCursor(sql, 'gcp-audit', 'p1')).toMatchObject({ at: '2026-03-02T00:00:00.000Z', end: '2026-03-02T01:00:00.000Z' });

    const rest = await scan(sql, T0 + 3 * HOUR);
    expect(rest.get('p1')!.error).toBeUndefined();
    expect(cut.get('p1')!.records + rest.get('p1')!.records).toBe(60);
    expect(await rollups(sql)).toEqual(expected);
  });

  it('a connection destroyed mid-page: retried within the scan, or, with no retry left, resumed by the next scan, same rollups either way', async () => {
    await scan(sql, T0 + 3 * HOUR);
    const expected = await rollups(sql);
    const secondPageOfP1 = (c: { resourceNames: string[]; pageToken?: string }) => c.resourceNames[0] === 'projects/p1' && c.pageToken !== undefined;

    await db.reset();
    fake.inject({ kind: 'destroy-mid-body' }, secondPageOfP1);
    const once = await scan(sql, T0 + 3 * HOUR);
    expect(once.get('p1')).toMatchObject({ records: 60, duplicates: 0 });
    expect(once.get('p1')!.error).toBeUndefined();
    expect(await rollups(sql)).toEqual(expected);

    await db.reset();
    fake.inject({ kind: 'destroy-mid-body' }, secondPageOfP1);
    const cut = await scan(sql, T0 + 3 * HOUR, { retry: { attempts: 1 } });
    expect(cut.get('p1')).toMatchObject({ pages: 1, records: 7 });
    expect(cut.get('p1')!.error?.code).toBe('source_unavailable');
    expect(cut.get('p3')!.error).toBeUndefined();
    const rest = await scan(sql, T0 + 3 * HOUR);
    expect(rest.get('p1')).toMatchObject({ records: 53 });
    expect(rest.get('p1')!.error).toBeUndefined();
    expect(await rollups(sql)).toEqual(expected);
  });
});
