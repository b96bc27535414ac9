import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SourcesConfig } from '../../../src/config.js';
import type { BucketChange } from '../../../src/core/event.js';
import { createAwsSources } from '../../../src/sources/aws-cloudtrail/index.js';
import { scanSources, type ScanSourcesOptions, type ScopeSummary } from '../../../src/scan/scan-sources.js';
import { FakeCloudTrail } from '../../fakes/cloudtrail.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { sampleRecords } from '../../helpers/sample-records.js';
import { CREDENTIALS, DAY, MINUTE, REGION_A, dataEvents, expected, panther, publicAclRecord, retimed, storedCursor, storedRollups } from './aws-fixtures.js';

const EDS_ID = 'EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE';
const EDS_ARN = `arn:aws:cloudtrail:${REGION_A}:111122223333:eventdatastore/${EDS_ID}`;
const H10 = DAY + 10 * 3_600_000;
const FLAWS_STS = sampleRecords('aws/653711331788_CloudTrail_us-east-1_20181128T2235Z_cR9ra7OH1rytWyXY.json.gz')[0]!;

const ct = new FakeCloudTrail();
let db: TestDatabase;

function lakeRecords(): Record<string, unknown>[] {
  return [
    ...dataEvents('l0', H10),
    ...dataEvents('l1', H10 + 20 * MINUTE),
    retimed(panther(7), H10 + 25 * MINUTE),
    retimed(panther(37), H10 + 26 * MINUTE),
    retimed(panther(40), H10 + 27 * MINUTE),
    retimed(panther(18), H10 + 28 * MINUTE),
    publicAclRecord(H10 + 29 * MINUTE, 'acl-public-1'),
    retimed({ ...FLAWS_STS, eventID: 'sts-1' }, H10 + 29 * MINUTE),
    ...dataEvents('l2', H10 + 30 * MINUTE),
  ];
}

function sources(over: Partial<NonNullable<SourcesConfig['aws']>> = {}) {
  const cfg = { region: 'us-east-1', trailPrefix: '', accountIds: [], regions: [], lookupEvents: false, lakeEventDataStore: EDS_ARN, cloudTrailEndpoint: ct.url, ...over };
  return createAwsSources(cfg, { credentials: CREDENTIALS, maxAttempts: 3, lakePollMs: 5, lookupIntervalMs: 0 });
}

const scan = (opts: Partial<ScanSourcesOptions> = {}): Promise<ScopeSummary[]> =>
  scanSources(db.sql, sources(), { since: DAY, until: H10 + 40 * MINUTE, ...opts });

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
  ct.lake.length = 0;
  ct.lake.push(...lakeRecords());
  ct.requests.length = 0;
  ct.fault = undefined;
  ct.pageSize = 50;
  ct.runningPolls = 2;
});

describe('aws-lake source', () => {
  it('queries only S3 events of the time range, waits for the query and reads every row once', async () => {
    const [summary] = await scan();
    const s3Records = lakeRecords().filter((r) => r.eventSource === 's3.amazonaws.com');
    expect(summary).toMatchObject({ source: 'aws-lake', scope: EDS_ID, records: s3Records.length, events: expected(s3Records).events.length, rejected: 0, duplicates: 0 });
    expect(summary!.error).toBeUndefined();
    expect(ct.statements).toHaveLength(1);
    expect(ct.statements[0]).toContain(`FROM ${EDS_ID} WHERE eventSource IN ('s3.amazonaws.com', 's3-outposts.amazonaws.com', 's3express.amazonaws.com')`);
    expect(ct.statements[0]).toContain("eventTime >= '2026-03-10 00:00:00' AND eventTime < '2026-03-10 10:40:00'");
    expect(ct.requests.map((r) => r.operation)).toEqual(['StartQuery', 'DescribeQuery', 'DescribeQuery', 'DescribeQuery', 'GetQueryResults']);
    expect(ct.requests.every((r) => r.region === REGION_A)).toBe(true);
    expect(summary!.apiCalls).toBe(5);

    const rollups = await storedRollups(db.sql);
    const alice = rollups.find((r) => r.identity_key.endsWith(':user/alice'));
    expect(alice).toMatchObject({ ops: 12, data: { bytesOut: 30_000, ips: { '198.51.100.10': 12 }, clients: { 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2023': 12 } } });
    // Nested requestParameters come back from Lake as JSON text and still say what changed.
    const changes = rollups.flatMap((r) => (r.data as { changes: (BucketChange & { action: string })[] }).changes).map((c) => `${c.action}:${c.kind}`);
    expect(changes.sort()).toEqual([
      'DeleteBucketPublicAccessBlock:public-access-block-removed', 'PutBucketAcl:acl-changed', 'PutBucketAcl:made-public', 'PutBucketLogging:logging-disabled', 'PutBucketPolicy:made-public',
    ]);
    const cursor = await storedCursor(db.sql, 'aws-lake', EDS_ID);
    expect(cursor).toMatchObject({ at: '2026-03-10T10:40:00.000Z' });
    expect(Object.keys(cursor!.seen as object).sort()).toEqual(['acl-public-1', 'l2-get-0', 'l2-get-1', 'l2-get-2', 'l2-get-3', 'l2-put', 'panther-18', 'panther-37', 'panther-40', 'panther-7']);
  });

  it('re-reads the overlap without counting twice, and counts a late-indexed event once', async () => {
    await scan();
    const before = await storedRollups(db.sql);
    const [again] = await scan({ until: H10 + 45 * MINUTE });
    expect(again).toMatchObject({ events: 0, records: 0 });
    expect(ct.statements[1]).toContain("eventTime >= '2026-03-10 10:25:00' AND eventTime < '2026-03-10 10:45:00'");
    expect(await storedRollups(db.sql)).toEqual(before);

    // Happened at 10:35, before the cursor (10:45), but indexed by Lake only now.
    ct.lake.push(...dataEvents('late', H10 + 35 * MINUTE));
    const [late] = await scan({ until: H10 + 46 * MINUTE });
    expect(late).toMatchObject({ events: 5, records: 5 });
    const [none] = await scan({ until: H10 + 47 * MINUTE });
    expect(none).toMatchObject({ events: 0, records: 0 });
    expect((await storedRollups(db.sql)).find((r) => r.identity_key.endsWith(':user/alice'))!.ops).toBe(16);
  });

  it('pages through results and gives the same rollups after an abort and a fresh scan', async () => {
    ct.pageSize = 4;
    const [whole] = await scan();
    expect(whole!.pages).toBe(5);
    const rollups = await storedRollups(db.sql);
    await db.reset();
    const controller = new AbortController();
    const [first] = await scan({ signal: controller.signal, onProgress: (s) => { if (s.pages === 2) controller.abort(); } });
    expect(first).toMatchObject({ pages: 2, error: { code: 'source_unavailable' } });
    const [rest] = await scan();
    expect(rest!.error).toBeUndefined();
    expect(first!.events + rest!.events).toBe(whole!.events);
    expect(await storedRollups(db.sql)).toEqual(rollups);
  });

  it('rides out throttling of StartQuery and GetQueryResults', async () => {
    ct.fault = (r, n) => (n === 1 && (r.operation === 'StartQuery' || r.operation === 'GetQueryResults') ? { kind: 'throttle', retryAfter: '0' } : undefined);
    const [summary] = await scan();
    expect(summary!.error).toBeUndefined();
    expect(summary!.apiCalls).toBe(7);
    expect(ct.requests).toHaveLength(7);
  });

  it('names the missing permission and lets another source finish', async () => {
    ct.fault = (r) => (r.operation === 'StartQuery' ? { kind: 'error', status: 400, type: 'AccessDeniedException', message: 'User is not authorized to perform: cloudtrail:StartQuery' } : undefined);
    ct.management.set(REGION_A, [retimed(panther(7), H10)]);
    const management = sources({ lakeEventDataStore: undefined, lookupEvents: true, regions: [REGION_A] });
    const summaries = await scanSources(db.sql, [...sources(), ...management], { since: H10 - 30 * MINUTE, until: H10 + 40 * MINUTE });
    expect(summaries[0]!.error).toEqual({ code: 'source_permission', message: expect.stringContaining(`cloudtrail:StartQuery on ${EDS_ARN}`) as string });
    expect(ct.requests.filter((r) => r.operation === 'StartQuery')).toHaveLength(1);
    expect(summaries[1]).toMatchObject({ source: 'aws-management', events: 1 });
  });

  it('reports a failed query as unavailable with its reason', async () => {
    ct.failNextQuery = true;
    const [summary] = await scan();
    expect(summary!.error).toEqual({ code: 'source_unavailable', message: expect.stringMatching(/query .* ended FAILED: query failed in the fake/) as string });
  });

  it('refuses an event data store id that is not one', () => {
    expect(() => sources({ lakeEventDataStore: "x'; DROP TABLE y; --" })).toThrow(/AWS_CLOUDTRAIL_LAKE_EDS/);
  });
});
