import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SourcesConfig } from '../../../src/config.js';
import type { BucketChange } from '../../../src/core/event.js';
import { createAwsSources } from '../../../src/sources/aws-cloudtrail/index.js';
import { scanSources, type ScanSourcesOptions, type ScopeSummary } from '../../../src/scan/scan-sources.js';
import { FakeCloudTrail } from '../../fakes/cloudtrail.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { CREDENTIALS, DAY, MINUTE, REGION_A, REGION_B, panther, publicAclRecord, retimed, storedCursor, storedRollups } from './aws-fixtures.js';

const HOUR = 3_600_000;
const INTERVAL = 40;
const ct = new FakeCloudTrail();
let db: TestDatabase;

// Real panther records moved into the morning of DAY: bucket-level changes, and reads of settings that are skipped.
function management(): Map<string, Record<string, unknown>[]> {
  const t = (h: number, m: number) => DAY + h * HOUR + m * MINUTE;
  return new Map([
    [REGION_A, [
      retimed(panther(7), t(9, 5)), retimed(panther(37), t(9, 40)), retimed(panther(40), t(10, 10)), retimed(panther(18), t(10, 20)),
      publicAclRecord(t(10, 30), 'acl-public-1'), retimed(panther(16), t(10, 35)), retimed(panther(44), t(11, 0)), retimed(panther(5), t(11, 30)),
    ]],
    [REGION_B, [retimed(panther(17), t(9, 15)), retimed(panther(20), t(9, 16))]],
  ]);
}

function sources(over: Partial<NonNullable<SourcesConfig['aws']>> = {}) {
  const cfg = { region: 'us-east-1', trailPrefix: '', accountIds: [], regions: [REGION_A, REGION_B], lookupEvents: true, cloudTrailEndpoint: ct.url, ...over };
  return createAwsSources(cfg, { credentials: CREDENTIALS, maxAttempts: 3, lookupIntervalMs: INTERVAL, lookupSliceMs: HOUR });
}

const scan = (opts: Partial<ScanSourcesOptions> = {}): Promise<ScopeSummary[]> =>
  scanSources(db.sql, sources(), { since: DAY + 8 * HOUR, until: DAY + 12 * HOUR, ...opts });

beforeAll(async () => {
  await ct.start();
  db = await createTestDatabase('pglite');
});
afterAll(async () => {
  await ct.close();
  await db.drop();
});
beforeEach(async () => {
  await db.reset();
  ct.management.clear();
  for (const [region, records] of management()) ct.management.set(region, records);
  ct.requests.length = 0;
  ct.fault = undefined;
  ct.pageSize = 2;
});

describe('aws-management source', () => {
  it('reads bucket-level S3 management events of each region, oldest slice first, and skips the rest', async () => {
    const [west, east] = await scan();
    expect(west).toMatchObject({ source: 'aws-management', scope: REGION_A, pages: 4, records: 8, events: 6, skipped: 2, rejected: 0 });
    expect(east).toMatchObject({ scope: REGION_B, pages: 4, records: 2, events: 1, skipped: 1 });
    const calls = ct.requests.filter((r) => r.region === REGION_A);
    expect(calls.every((r) => r.operation === 'LookupEvents')).toBe(true);
    expect(calls[0]!.body).toMatchObject({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 's3.amazonaws.com' }], StartTime: (DAY + 8 * HOUR) / 1000, EndTime: (DAY + 9 * HOUR) / 1000 });
    // 2 results per page: the 10:00-11:00 slice holds 5 events (both ends are inclusive), so it takes three calls.
    expect(calls).toHaveLength(6);
    expect(calls.filter((r) => r.body.NextToken)).toHaveLength(2);
    expect(west!.apiCalls).toBe(calls.length);
    // LookupEvents allows 2 calls per second per region: calls in one region are paced (arrival times
    // jitter by a few ms, so the span of the six calls is what is checked, not each gap).
    expect(calls.at(-1)!.at - calls[0]!.at).toBeGreaterThanOrEqual(4 * INTERVAL);

    const changes = (await storedRollups(db.sql)).flatMap((r) => (r.data as { changes: (BucketChange & { action: string })[] }).changes).map((c) => `${c.action}:${c.kind}`);
    expect(changes.sort()).toEqual([
      'DeleteBucketPublicAccessBlock:public-access-block-removed', 'PutBucketAcl:acl-changed', 'PutBucketAcl:made-public', 'PutBucketLogging:logging-disabled', 'PutBucketPolicy:made-public',
    ]);
    expect(await storedCursor(db.sql, 'aws-management', REGION_A)).toEqual({ at: '2026-03-10T12:00:00.000Z', seen: {} });
  });

  it('re-reads the overlap without counting twice, and counts a late-indexed event once', async () => {
    await scan({ until: DAY + 11 * HOUR + 40 * MINUTE });
    expect(Object.keys((await storedCursor(db.sql, 'aws-management', REGION_A))!.seen as object)).toEqual(['panther-5']);
    const before = await storedRollups(db.sql);
    const again = await scan({ until: DAY + 11 * HOUR + 45 * MINUTE });
    expect(again.map((s) => [s.events, s.records])).toEqual([[0, 0], [0, 0]]);
    expect(ct.requests.at(-1)!.body).toMatchObject({ StartTime: (DAY + 11 * HOUR + 25 * MINUTE) / 1000 });
    expect(await storedRollups(db.sql)).toEqual(before);

    ct.management.get(REGION_A)!.push(retimed({ ...panther(39), eventID: 'late-1' }, DAY + 11 * HOUR + 38 * MINUTE));
    const [late] = await scan({ until: DAY + 11 * HOUR + 46 * MINUTE });
    expect(late).toMatchObject({ events: 1, records: 1 });
    const [none] = await scan({ until: DAY + 11 * HOUR + 47 * MINUTE });
    expect(none).toMatchObject({ events: 0, records: 0 });
  });

  it('gives the same rollups after an abort and a fresh scan as one uninterrupted scan', async () => {
    await scan();
    const whole = await storedRollups(db.sql);
    await db.reset();
    const controller = new AbortController();
    const first = await scan({ signal: controller.signal, onProgress: (s) => { if (s.pages === 2) controller.abort(); } });
    expect(first[0]).toMatchObject({ pages: 2, error: { code: 'source_unavailable' } });
    await scan();
    expect(await storedRollups(db.sql)).toEqual(whole);
  });

  it('rides out throttling, and names the missing permission while the other region finishes', async () => {
    ct.fault = (r, n) => (n === 1 ? { kind: 'throttle', retryAfter: '0' } : r.region === REGION_B ? { kind: 'error', status: 400, type: 'AccessDeniedException', message: 'not authorized to perform cloudtrail:LookupEvents' } : undefined);
    const [west, east] = await scan();
    expect(west).toMatchObject({ events: 6 });
    expect(west!.error).toBeUndefined();
    expect(east!.error).toEqual({ code: 'source_permission', message: expect.stringContaining(`cloudtrail:LookupEvents on region ${REGION_B}`) as string });
    expect(ct.requests.filter((r) => r.region === REGION_B)).toHaveLength(1);
  });

  it('is left out when a trail or Lake already holds these events', async () => {
    expect(sources({ trailBucket: 'trail-bucket' }).map((s) => s.name)).toEqual(['aws-trail']);
    expect(sources().map((s) => s.name)).toEqual(['aws-management']);
    await expect(sources({ regions: [] })[0]!.scopes()).resolves.toEqual(['us-east-1']);
  });
});
