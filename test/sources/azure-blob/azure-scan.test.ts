import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identityKey } from '../../../src/core/event.js';
import { scanSources, type ScopeSummary } from '../../../src/scan/scan-sources.js';
import { getCursor } from '../../../src/store/cursors.js';
import type { Sql } from '../../../src/store/sql.js';
import { startLogAnalyticsFake, type LogAnalyticsFake } from '../../fakes/log-analytics.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { DAY0, FIXTURE_ROWS, HOUR, MINUTE, rowAt, sourceFor, timelineRows, type TestSourceOptions } from './log-analytics-support.js';

let fake: LogAnalyticsFake;
/** Two databases (a scan under test and a reference scan), emptied after each test: migrating one takes a second or two. */
let main: TestDatabase;
let reference: TestDatabase;
let ws = 0;
const nextWorkspace = (): string => `22222222-0000-4000-8000-${String(++ws).padStart(12, '0')}`;
const ALICE = identityKey({ cloud: 'azure', account: '9f1c2b3a-4d5e-4f60-8a7b-1c2d3e4f5a6b', principal: { id: 'a1b2c3d4-1111-4222-8333-944455556666', name: '', type: 'user' } });

beforeAll(async () => {
  [fake, main, reference] = await Promise.all([startLogAnalyticsFake(), createTestDatabase('pglite'), createTestDatabase('pglite')]);
});
afterAll(async () => { await Promise.all([fake.close(), main.drop(), reference.drop()]); });
beforeEach(() => { fake.fault = undefined; });
afterEach(async () => { await Promise.all([main.reset(), reference.reset()]); });

interface StoredRollup extends Record<string, unknown> { identity_key: string; hour: Date; ops: number; bytes_out: string; data: unknown }

function rollups(sql: Sql): Promise<StoredRollup[]> {
  return sql.query<StoredRollup>('select identity_key, hour, ops, bytes_out, data from rollups order by identity_key, hour');
}

const totalOps = (rows: StoredRollup[]): number => rows.reduce((n, r) => n + r.ops, 0);

async function scan(sql: Sql, workspaces: string[], until: number, o: TestSourceOptions & { signal?: AbortSignal; onProgress?: (s: ScopeSummary) => void } = {}): Promise<ScopeSummary[]> {
  const source = sourceFor(fake, workspaces, { tuning: { maxSliceMs: HOUR }, ...o });
  return scanSources(sql, [source], { since: DAY0, until, signal: o.signal, onProgress: o.onProgress });
}

/** A workspace of 40 requests over six hours plus three that arrive a few hours late. */
function busyWorkspace(): string {
  const id = nextWorkspace();
  fake.addRows(id, [
    ...timelineRows(`${id.slice(-3)}-a`, DAY0, 40, 9 * MINUTE),
    ...[1, 2, 3].map((h) => rowAt(FIXTURE_ROWS[h]!, DAY0 + h * HOUR, 3 * HOUR, `${id.slice(-3)}-late-${h}`)),
  ]);
  return id;
}

describe('Azure Blob source through scanSources', () => {
  it('stores rollups and cursor, reads nothing new twice, and counts new and late records once', async () => {
    const sql = main.sql;
    const id = nextWorkspace();
    fake.addRows(id, timelineRows('e2e', DAY0, 40, 9 * MINUTE));

    const [first] = await scan(sql, [id], DAY0 + 6 * HOUR);
    expect(first).toMatchObject({ source: 'azure-blob', scope: id, events: 40, rejected: 0, duplicates: 0, pages: 6, apiCalls: 6 });
    expect(first!.error).toBeUndefined();
    expect(first!.bytes).toBeGreaterThan(0);
    expect(await getCursor(sql, 'azure-blob', id)).toEqual({ at: '2025-03-04T06:00:00.000Z' });
    const before = await rollups(sql);
    expect(totalOps(before)).toBe(40);

    const [again] = await scan(sql, [id], DAY0 + 6 * HOUR + 30 * MINUTE);
    expect(again).toMatchObject({ events: 0, records: 0 });
    expect(await rollups(sql)).toEqual(before);

    fake.addRows(id, [
      ...timelineRows('e2e-new', DAY0 + 6 * HOUR + 35 * MINUTE, 5, 5 * MINUTE),
      rowAt(FIXTURE_ROWS[0]!, DAY0 + HOUR + 10 * MINUTE, 5 * HOUR + 35 * MINUTE, 'e2e-late'),
    ]);
    const [third] = await scan(sql, [id], DAY0 + 7 * HOUR);
    expect(third).toMatchObject({ events: 6, duplicates: 0 });
    const after = await rollups(sql);
    expect(totalOps(after)).toBe(46);
    const aliceAt = (rows: StoredRollup[]): number => rows.find((r) => r.identity_key === ALICE && r.hour.getTime() === DAY0 + HOUR)?.ops ?? 0;
    expect(aliceAt(after)).toBe(aliceAt(before) + 1);

    const [fourth] = await scan(sql, [id], DAY0 + 8 * HOUR);
    expect(fourth).toMatchObject({ events: 0 });
    expect(await rollups(sql)).toEqual(after);
    expect(await getCursor(sql, 'azure-blob', id)).toEqual({ at: '2025-03-04T08:00:00.000Z' });
  });

  it('gives the same rollups after an aborted scan and a fresh one as after one uninterrupted scan', async () => {
    const id = busyWorkspace();
    const whole = reference.sql;
    await scan(whole, [id], DAY0 + 8 * HOUR);
    const expected = await rollups(whole);
    expect(totalOps(expected)).toBe(43);

    const sql = main.sql;
    const controller = new AbortController();
    const [stopped] = await scan(sql, [id], DAY0 + 8 * HOUR, { signal: controller.signal, onProgress: (s) => { if (s.pages === 2) controller.abort(); } });
    expect(stopped).toMatchObject({ pages: 2, error: { message: expect.stringMatching(/abort/i) as string } });
    expect(totalOps(await rollups(sql))).toBeLessThan(43);
    const [resumed] = await scan(sql, [id], DAY0 + 8 * HOUR);
    expect(resumed!.error).toBeUndefined();
    expect(await rollups(sql)).toEqual(expected);
  });

  it('gives the same rollups after a scan whose third page kept being cut off and a fresh one', async () => {
    const id = busyWorkspace();
    const whole = reference.sql;
    await scan(whole, [id], DAY0 + 8 * HOUR);
    const expected = await rollups(whole);

    const sql = main.sql;
    let cut = true;
    fake.fault = (q) => (cut && q.workspace === id && q.query.includes('IngestionTime >= datetime(2025-03-04T02:00:00.000Z)') ? { cut: true } : undefined);
    const [broken] = await scan(sql, [id], DAY0 + 8 * HOUR, { sdkRetries: 0, attempts: 2 });
    expect(broken).toMatchObject({ pages: 2, error: { code: 'source_unavailable' } });
    expect(await getCursor(sql, 'azure-blob', id)).toEqual({ at: '2025-03-04T02:00:00.000Z' });
    cut = false;
    await scan(sql, [id], DAY0 + 8 * HOUR);
    expect(await rollups(sql)).toEqual(expected);
  });

  it('reports a workspace it may not read, naming the role, and still reads the other one', async () => {
    const sql = main.sql;
    const denied = nextWorkspace();
    fake.refuse(denied, { status: 403, code: 'InsufficientAccessError', message: 'The provided credentials have insufficient access to perform the requested operation' });
    const readable = busyWorkspace();
    const summaries = await scan(sql, [denied, readable], DAY0 + 8 * HOUR);
    expect(summaries[0]).toMatchObject({
      scope: denied, events: 0,
      error: { code: 'source_permission', message: expect.stringContaining(`Log Analytics Reader (Microsoft.OperationalInsights/workspaces/query/read) on workspace ${denied}`) as string },
    });
    expect(summaries[1]).toMatchObject({ scope: readable, events: 43 });
    expect(summaries[1]!.error).toBeUndefined();
    expect(await getCursor(sql, 'azure-blob', denied)).toBeUndefined();
  });
});
