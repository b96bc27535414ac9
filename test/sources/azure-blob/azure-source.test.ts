import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccessEvent } from '../../../src/core/event.js';
import type { SourceItem, SourcePage } from '../../../src/core/ports.js';
import { createAzureSource } from '../../../src/sources/azure-blob/index.js';
import { azureResourceLogNormalizer, storageBlobLogsNormalizer } from '../../../src/sources/azure-blob/normalize.js';
import { startLogAnalyticsFake, type LogAnalyticsFake } from '../../fakes/log-analytics.js';
import { sampleRecords } from '../../helpers/sample-records.js';
import { eventOf } from './azure-test-support.js';
import { DAY0, FIXTURE_ROWS, HOUR, MINUTE, fixedToken, pullAll, resourceLogToRow, rowAt, sourceFor, timelineRows } from './log-analytics-support.js';

let fake: LogAnalyticsFake;
let ws = 0;
/** A fresh workspace id per test, so tests share one fake without seeing each other's rows. */
const nextWorkspace = (): string => `00000000-0000-4000-8000-${String(++ws).padStart(12, '0')}`;

beforeAll(async () => { fake = await startLogAnalyticsFake(); });
afterAll(async () => { await fake.close(); });
beforeEach(() => { fake.fault = undefined; fake.maxRows = 500_000; fake.queries.length = 0; });

function events(pages: SourcePage[]): AccessEvent[] {
  return pages.flatMap((p) => p.items).map((item: SourceItem) => (item.kind === 'event' ? item.event : expect.fail(`${item.kind}: ${item.reason}`)));
}

function fileBounds(page: SourcePage): [string, string] {
  const m = /^azure:\S+ (\S+)\/(\S+)$/.exec(page.items[0]?.origin.file ?? '');
  return m ? [m[1]!, m[2]!] : ['', ''];
}

describe('Azure Blob source: queries', () => {
  it('asks StorageBlobLogs for one slice of ingestion time, with the TimeGenerated range two days wider for late records', async () => {
    const id = nextWorkspace();
    fake.addRows(id, FIXTURE_ROWS);
    const asked: string[][] = [];
    const source = sourceFor(fake, [id], { credential: fixedToken(fake.token, asked) });
    expect(source).toMatchObject({ name: 'azure-blob', provider: 'azure' });
    expect(await source.scopes()).toEqual([id]);
    const pages = await pullAll(source, id, undefined, { since: DAY0 + 9 * HOUR, until: DAY0 + 10 * HOUR });

    expect(fake.queries).toHaveLength(1);
    const q = fake.queries[0]!;
    expect(q.workspace).toBe(id);
    expect(q.query.split('\n')).toEqual([
      'StorageBlobLogs',
      '| extend IngestionTime = ingestion_time()',
      '| where IngestionTime >= datetime(2025-03-04T09:00:00.000Z) and IngestionTime < datetime(2025-03-04T10:00:00.000Z)',
      expect.stringMatching(/^\| project TimeGenerated, IngestionTime, OperationName, .*CallerIpAddress, .*ResponseBodySize$/) as string,
      '| order by IngestionTime asc',
      '| take 50001',
    ]);
    expect(q.timespan).toBe('2025-03-02T09:00:00.000Z/2025-03-04T11:00:00.000Z');
    expect(asked).toEqual([[`${fake.url}/.default`]]);

    expect(pages).toHaveLength(1);
    expect(pages[0]!.cursor).toEqual({ at: '2025-03-04T10:00:00.000Z' });
    expect(pages[0]!.apiCalls).toBe(1);
    expect(pages[0]!.bytes).toBeGreaterThan(2000);
    expect(pages[0]!.items.map((i) => i.origin)).toEqual(FIXTURE_ROWS.map((_, index) => ({ file: `azure:${id} 2025-03-04T09:00:00.000Z/2025-03-04T10:00:00.000Z`, index })));
  });

  it('turns every row of the wire format into exactly the event the normaliser makes of the exported row', async () => {
    const id = nextWorkspace();
    fake.addRows(id, FIXTURE_ROWS);
    const got = events(await pullAll(sourceFor(fake, [id]), id, undefined, { since: DAY0, until: DAY0 + 12 * HOUR }));
    expect(got).toEqual(FIXTURE_ROWS.map((r) => eventOf(storageBlobLogsNormalizer.normalize(r))));
    expect(got[0]).toMatchObject({
      principal: { id: 'a1b2c3d4-1111-4222-8333-944455556666', name: 'Alice.Ng@contoso.com', type: 'user' },
      ip: '203.0.113.7', bytesOut: 1_048_576, time: Date.parse('2025-03-04T09:15:02.123Z'), arrivedAt: Date.parse('2025-03-04T09:18:40.552Z'),
    });
    expect(got[1]!.principal.id).toMatch(/^sas:key1\(3F2A9C1B.*\),SasSignature\(8E7D6C5B/);
    expect(got[3]).toMatchObject({ principal: { id: 'anonymous' }, ip: '2001:db8::25' });
    expect(got[4]!.outcome).toEqual({ status: 'denied', code: 'AuthorizationPermissionMismatch' });
  });

  it('reads every real blob resource-log sample, once in a workspace, as the same event as from its export', async () => {
    const id = nextWorkspace();
    const files = ['azure/azure-docs-resource-log-example.json', 'azure/dynatrace-resource-log.ndjson', 'azure/panther-blob-resource-log-tests.ndjson'];
    const records = files.flatMap((f) => sampleRecords(f));
    const expected = records.map((r) => eventOf(azureResourceLogNormalizer.normalize(r)));
    fake.addRows(id, records.map((r) => resourceLogToRow(r, Date.parse(String(r.time)) + 3 * MINUTE, id)));
    const source = sourceFor(fake, [id], { tuning: { sliceMs: 10 * 365 * 24 * HOUR, maxSliceMs: 10 * 365 * 24 * HOUR } });
    const got = events(await pullAll(source, id, undefined, { since: Date.UTC(2019, 0, 1), until: Date.UTC(2026, 0, 1) }));
    expect(records).toHaveLength(20);
    const byTime = (a: AccessEvent, b: AccessEvent): number => a.time - b.time || a.id.localeCompare(b.id);
    // Records without a correlation id are keyed by a hash of their time as written, which the wire format re-writes.
    const comparable = (e: AccessEvent): Omit<AccessEvent, 'arrivedAt'> => {
      const { arrivedAt: _a, ...rest } = e;
      return rest.id.startsWith('sha256:') ? { ...rest, id: 'hash' } : rest;
    };
    expect(got.map(comparable).sort(byTime)).toEqual(expected.map(comparable).sort(byTime));
    expect(got.every((e, i) => e.arrivedAt === e.time + 3 * MINUTE && (i === 0 || e.arrivedAt >= got[i - 1]!.arrivedAt!))).toBe(true);
    expect(got.find((e) => e.account.endsWith('/functiondynatracesa4ni6'))).toMatchObject({
      principal: { id: 'key:key1(67F8F5A218837386F94E75FC7AAC530CD99957355C86E173D139401AC15D6011)', type: 'key' }, ip: '10.50.0.204',
    });
  });

  it('asks Entra ID for the token audience of the cloud its endpoint belongs to', async () => {
    const asked: string[][] = [];
    const credential = { getToken: (scopes: string | string[]) => { asked.push([scopes].flat()); return Promise.reject(new Error('stop here')); } };
    for (const endpoint of [undefined, 'https://api.loganalytics.us', 'https://api.loganalytics.azure.cn/v1']) {
      const pull = pullAll(createAzureSource({ workspaceIds: ['w'], endpoint }, { credential }), 'w', undefined, { since: DAY0, until: DAY0 + HOUR });
      await expect(pull).rejects.toMatchObject({ code: 'source_bad_response' });
    }
    expect(asked).toEqual([['https://api.loganalytics.io/.default'], ['https://api.loganalytics.us/.default'], ['https://api.loganalytics.azure.cn/.default']]);
  });

  it('accepts an endpoint given with /v1 and a trailing slash', async () => {
    const id = nextWorkspace();
    fake.addRows(id, FIXTURE_ROWS);
    const got = events(await pullAll(sourceFor(fake, [id], { endpoint: `${fake.url}/v1/` }), id, undefined, { since: DAY0, until: DAY0 + 12 * HOUR }));
    expect(got).toHaveLength(7);
  });
});

describe('Azure Blob source: slices and cursor', () => {
  it('pages slice by slice, oldest ingestion first, widening sparse slices, and resumes after a cursor', async () => {
    const id = nextWorkspace();
    fake.addRows(id, timelineRows('tl', DAY0, 30, 10 * MINUTE));
    const source = sourceFor(fake, [id], { tuning: { rowCap: 100 } });
    const pages = await pullAll(source, id, undefined, { since: DAY0, until: DAY0 + 6 * HOUR });
    expect(pages.map((p) => p.cursor)).toEqual([{ at: '2025-03-04T01:00:00.000Z' }, { at: '2025-03-04T03:00:00.000Z' }, { at: '2025-03-04T06:00:00.000Z' }]);
    expect(pages.map((p) => p.items.length)).toEqual([6, 12, 12]);
    const all = events(pages);
    expect(new Set(all.map((e) => e.id)).size).toBe(30);
    for (const page of pages) {
      const [from, to] = fileBounds(page);
      expect(events([page]).every((e) => e.arrivedAt! >= Date.parse(from) && e.arrivedAt! < Date.parse(to))).toBe(true);
    }
    const rest = events(await pullAll(source, id, pages[1]!.cursor, { since: DAY0, until: DAY0 + 6 * HOUR }));
    expect(rest.map((e) => e.id)).toEqual(all.slice(18).map((e) => e.id));
  });

  it('reads a record ingested a day after it happened in the slice of its ingestion, with its own event time', async () => {
    const id = nextWorkspace();
    const late = rowAt(FIXTURE_ROWS[0]!, DAY0 - 22 * HOUR, 23 * HOUR + 30 * MINUTE, 'late-1');
    fake.addRows(id, [...timelineRows('on-time', DAY0, 6, 20 * MINUTE), late]);
    const pages = await pullAll(sourceFor(fake, [id], { tuning: { maxSliceMs: HOUR } }), id, undefined, { since: DAY0, until: DAY0 + 3 * HOUR });
    const hit = pages.findIndex((p) => events([p]).some((e) => e.id === 'late-1'));
    expect(fileBounds(pages[hit]!)).toEqual(['2025-03-04T01:00:00.000Z', '2025-03-04T02:00:00.000Z']);
    expect(events(pages).filter((e) => e.id === 'late-1')).toEqual([expect.objectContaining({ time: DAY0 - 22 * HOUR })]);
  });

  it('splits a slice holding more rows than the cap in halves until every query fits', async () => {
    const id = nextWorkspace();
    fake.addRows(id, timelineRows('dense', DAY0, 8, 5 * MINUTE));
    const pages = await pullAll(sourceFor(fake, [id], { tuning: { rowCap: 3 } }), id, undefined, { since: DAY0, until: DAY0 + HOUR });
    expect(pages.every((p) => p.items.length <= 3)).toBe(true);
    expect(events(pages).map((e) => e.id)).toEqual(Array.from({ length: 8 }, (_, i) => `dense-${i}`));
    const bounds = pages.filter((p) => p.items.length).map(fileBounds);
    bounds.slice(1).forEach(([from], i) => expect(Date.parse(from)).toBeGreaterThanOrEqual(Date.parse(bounds[i]![1])));
    expect(pages.reduce((n, p) => n + p.apiCalls, 0)).toBe(fake.queries.length);
    expect(fake.queries.some((q) => (q.rows ?? 0) > 3)).toBe(true);
  });

  it('splits a slice the service answers with a PartialError for exceeding its row limit', async () => {
    const id = nextWorkspace();
    fake.maxRows = 3;
    fake.addRows(id, timelineRows('big', DAY0, 8, 5 * MINUTE));
    const pages = await pullAll(sourceFor(fake, [id]), id, undefined, { since: DAY0, until: DAY0 + HOUR });
    expect(events(pages).map((e) => e.id)).toEqual(Array.from({ length: 8 }, (_, i) => `big-${i}`));
    expect(fake.queries[0]!.rows).toBe(8);
    expect(pages.reduce((n, p) => n + p.apiCalls, 0)).toBe(fake.queries.length);
  });

  it('stops with a clear error when more rows than a query may return were ingested in the same second', async () => {
    const id = nextWorkspace();
    fake.addRows(id, Array.from({ length: 5 }, (_, i) => rowAt(FIXTURE_ROWS[0]!, DAY0 + i, 10 * MINUTE - i, `same-${i}`)));
    const pull = pullAll(sourceFor(fake, [id], { tuning: { rowCap: 2 } }), id, undefined, { since: DAY0, until: DAY0 + HOUR });
    await expect(pull).rejects.toMatchObject({ code: 'source_bad_response', message: expect.stringContaining('cannot be read in one query') as string });
  });

  it('reads nothing and asks nothing when the cursor is already at the end', async () => {
    const id = nextWorkspace();
    fake.addRows(id, FIXTURE_ROWS);
    const pages = await pullAll(sourceFor(fake, [id]), id, { at: '2025-03-04T12:00:00.000Z' }, { since: DAY0, until: DAY0 + 12 * HOUR });
    expect(pages).toEqual([]);
    expect(fake.queries).toHaveLength(0);
  });

  it('leaves the last minutes of ingestion to the next scan, as they may not be queryable yet', async () => {
    const id = nextWorkspace();
    const now = Date.now();
    const source = sourceFor(fake, [id], { tuning: { settleMs: 5 * MINUTE } });
    fake.addRows(id, [rowAt(FIXTURE_ROWS[0]!, now - 20 * MINUTE, 18 * MINUTE, 'fresh')]);
    const pages = await pullAll(source, id, undefined, { since: now - 30 * MINUTE, until: now });
    expect(events(pages)).toEqual([]);
    expect(Date.parse(String(pages.at(-1)!.cursor.at))).toBeLessThanOrEqual(now - 5 * MINUTE);
  });
});
