import { readFileSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SourceItem } from '../../../src/core/ports.js';
import type { SourcesConfig } from '../../../src/config.js';
import { createAwsSources } from '../../../src/sources/aws-cloudtrail/index.js';
import { trailLayout } from '../../../src/sources/aws-cloudtrail/trail-layout.js';
import { createTrailSource } from '../../../src/sources/aws-cloudtrail/trail-source.js';
import { scanSources, type ScanSourcesOptions, type ScopeSummary } from '../../../src/scan/scan-sources.js';
import { FakeS3, type S3Request } from '../../fakes/s3.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { SAMPLES_DIR, sampleRecords } from '../../helpers/sample-records.js';
import {
  ACCOUNT_A, ACCOUNT_B, CREDENTIALS, DAY, MINUTE, REGION_A, REGION_B, dataEvents, deliveryFile, expected, storedCursor, storedRollups, trailFixture, trailKey,
  type FixtureFile,
} from './aws-fixtures.js';

const BUCKET = 'trail-bucket';
const PREFIX = 'org-logs';
const SCOPE_A = `${ACCOUNT_A}/${REGION_A}`;
const SCOPE_B = `${ACCOUNT_B}/${REGION_B}`;
const window = { since: DAY, until: DAY + 12 * 3_600_000 };

const s3 = new FakeS3();
let db: TestDatabase;
let files: FixtureFile[];

function aws(over: Partial<NonNullable<SourcesConfig['aws']>> = {}): NonNullable<SourcesConfig['aws']> {
  return {
    region: 'eu-west-1', trailBucket: BUCKET, trailPrefix: PREFIX, accountIds: [ACCOUNT_A, ACCOUNT_B], regions: [REGION_A, REGION_B],
    lookupEvents: false, s3Endpoint: s3.url, ...over,
  };
}

function sources(over: Partial<NonNullable<SourcesConfig['aws']>> = {}) {
  return createAwsSources(aws(over), { credentials: CREDENTIALS, maxAttempts: 3, retryBaseMs: 5 });
}

async function scan(opts: Partial<ScanSourcesOptions> = {}, over: Partial<NonNullable<SourcesConfig['aws']>> = {}): Promise<ScopeSummary[]> {
  return scanSources(db.sql, sources(over), { ...window, ...opts });
}

const byScope = (summaries: ScopeSummary[], scope: string): ScopeSummary => summaries.find((s) => s.scope === scope)!;

function seed(): void {
  s3.reset();
  files = trailFixture(PREFIX);
  for (const f of files) s3.put(BUCKET, f.key, deliveryFile(f.records));
  // Neither a log file nor in a day folder: never read.
  s3.put(BUCKET, `${PREFIX}/AWSLogs/${ACCOUNT_A}/CloudTrail/${REGION_A}/2026/03/10/notes.txt`, Buffer.from('hello'));
}

const recordsOf = (account: string) => files.filter((f) => f.key.includes(`/${account}/`)).flatMap((f) => f.records);

beforeAll(async () => {
  await s3.start();
  db = await createTestDatabase('pglite');
});
afterAll(async () => {
  await s3.close();
  await db.drop();
});
beforeEach(async () => {
  await db.reset();
  seed();
});

describe('aws-trail source', () => {
  it('reads every delivery file of each account and region once, oldest first, with the normaliser', async () => {
    const summaries = await scan();
    const a = byScope(summaries, SCOPE_A);
    const want = expected(recordsOf(ACCOUNT_A));
    expect(a).toMatchObject({ source: 'aws-trail', events: want.events.length, skipped: 1, rejected: want.rejected, duplicates: 0 });
    expect(a.error).toBeUndefined();
    expect(a.records).toBe(recordsOf(ACCOUNT_A).length);
    expect(byScope(summaries, SCOPE_B)).toMatchObject({ events: 10, skipped: 0, rejected: 0 });
    // One list and one GetObject per file: the API calls reported are the requests made.
    expect(summaries.map((s) => s.scope)).toEqual([SCOPE_A, `${ACCOUNT_A}/${REGION_B}`, `${ACCOUNT_B}/${REGION_A}`, SCOPE_B]);
    expect(summaries.reduce((n, s) => n + s.apiCalls, 0)).toBe(s3.requests.length);
    expect(s3.calls('GetObject').map((r) => r.key)).toEqual(files.map((f) => f.key));
    expect(a.bytes).toBe(files.slice(0, 6).reduce((n, f) => n + deliveryFile(f.records).length, 0));

    const alice = (await storedRollups(db.sql)).filter((r) => r.identity_key === `aws|${ACCOUNT_A}|arn:aws:iam::111122223333:user/alice`);
    expect(alice.map((r) => r.ops)).toEqual([24]);
    expect(alice[0]!.data).toMatchObject({ bytesOut: 6 * 10_000, ops: { read: 24 }, ips: { '198.51.100.10': 24 } });
    const publicPolicy = (await storedRollups(db.sql)).find((r) => (r.data as { changes: unknown[] }).changes.length && r.identity_key.startsWith('aws|123456789012|'));
    expect(publicPolicy?.data).toMatchObject({ changes: [{ kind: 'made-public', bucket: 'example-bucket', action: 'PutBucketPolicy' }] });

    const cursor = await storedCursor(db.sql, 'aws-trail', SCOPE_A);
    expect(cursor).toMatchObject({ key: files[5]!.key });
    expect(cursor!.after).toBe(`${PREFIX}/AWSLogs/${ACCOUNT_A}/CloudTrail/${REGION_A}/2026/03/10/${ACCOUNT_A}_CloudTrail_${REGION_A}_20260310T1100Z`);
  });

  it('reads nothing on a second scan with nothing new, and only the new file after it', async () => {
    await scan();
    const before = await storedRollups(db.sql);
    s3.requests.length = 0;
    const again = await scan();
    expect(again.every((s) => s.events === 0 && s.records === 0 && s.error === undefined)).toBe(true);
    expect(s3.calls('GetObject')).toEqual([]);
    expect(await storedRollups(db.sql)).toEqual(before);

    const later = { key: trailKey(PREFIX, ACCOUNT_A, REGION_A, DAY + 11 * 3_600_000 + 55 * MINUTE, 'NEWxKlMhON7EpHal'), records: dataEvents('new', DAY + 11 * 3_600_000 + 50 * MINUTE) };
    s3.put(BUCKET, later.key, deliveryFile(later.records));
    const next = await scan({ until: DAY + 13 * 3_600_000 });
    expect(byScope(next, SCOPE_A)).toMatchObject({ events: 5, records: 5 });
    expect(s3.calls('GetObject').map((r) => r.key)).toEqual([later.key]);
  });

  it('reads a file delivered late, behind the cursor, exactly once', async () => {
    await scan({ until: DAY + 10 * 3_600_000 + 40 * MINUTE });
    // Sorts before the newest file read (10:30) but inside the 15-minute overlap.
    const late = { key: trailKey(PREFIX, ACCOUNT_A, REGION_A, DAY + 10 * 3_600_000 + 22 * MINUTE, 'LATExKlMhON7EpHa'), records: dataEvents('late', DAY + 10 * 3_600_000 + 2 * MINUTE) };
    s3.put(BUCKET, late.key, deliveryFile(late.records));
    const second = await scan({ until: DAY + 10 * 3_600_000 + 41 * MINUTE });
    expect(byScope(second, SCOPE_A)).toMatchObject({ events: 5, records: 5, duplicates: 0 });
    expect((await storedCursor(db.sql, 'aws-trail', SCOPE_A))!.recent).toContain(late.key);
    const third = await scan({ until: DAY + 10 * 3_600_000 + 42 * MINUTE });
    expect(byScope(third, SCOPE_A)).toMatchObject({ events: 0, records: 0 });
    const alice = (await storedRollups(db.sql)).find((r) => r.identity_key.endsWith(':user/alice'));
    expect(alice!.ops).toBe(28);
  });

  it('gives the same rollups after an abort and a fresh scan as one uninterrupted scan', async () => {
    await scan();
    const whole = await storedRollups(db.sql);
    await db.reset();
    const controller = new AbortController();
    const first = await scan({ signal: controller.signal, onProgress: (s) => { if (s.scope === SCOPE_A && s.pages === 2) controller.abort(); } });
    expect(byScope(first, SCOPE_A).error).toBeDefined();
    expect(byScope(first, SCOPE_A).pages).toBe(2);
    await scan();
    expect(await storedRollups(db.sql)).toEqual(whole);
  });

  it('retries a body cut mid-stream, and resumes exactly once when the cut persists', async () => {
    await scan();
    const whole = await storedRollups(db.sql);
    await db.reset();
    seed();
    s3.fault = (r) => (r.operation === 'GetObject' && r.key === files[2]!.key && r.attempt === 0 ? { kind: 'cut' } : undefined);
    const retried = await scan();
    expect(byScope(retried, SCOPE_A).error).toBeUndefined();
    expect(s3.calls('GetObject').filter((r) => r.key === files[2]!.key)).toHaveLength(2);
    expect(await storedRollups(db.sql)).toEqual(whole);

    await db.reset();
    seed();
    s3.fault = (r) => (r.operation === 'GetObject' && r.key === files[1]!.key && r.attempt < 4 ? { kind: 'cut' } : undefined);
    const cut = await scan();
    expect(byScope(cut, SCOPE_A)).toMatchObject({ pages: 1, error: { code: 'source_unavailable' } });
    expect(byScope(cut, SCOPE_B).error).toBeUndefined();
    await scan();
    expect(await storedRollups(db.sql)).toEqual(whole);
  });

  it('rides out SlowDown throttling and pages through truncated listings', async () => {
    s3.pageSize = 2;
    const firstList = (r: S3Request) => r.operation === 'ListObjectsV2' && r.query.get('prefix')!.includes(`${ACCOUNT_A}/CloudTrail/${REGION_A}`) && !r.query.has('continuation-token');
    s3.fault = (r) => (r.attempt === 0 && (firstList(r) || r.key === files[0]!.key) ? { kind: 'throttle', retryAfter: '0' } : undefined);
    const summaries = await scan();
    expect(summaries.every((s) => s.error === undefined)).toBe(true);
    expect(byScope(summaries, SCOPE_A).events).toBe(expected(recordsOf(ACCOUNT_A)).events.length);
    expect(s3.calls('ListObjectsV2').some((r) => r.query.has('continuation-token'))).toBe(true);
    expect(s3.requests.filter((r) => r.attempt > 0)).toHaveLength(2);
    expect(summaries.reduce((n, s) => n + s.apiCalls, 0)).toBe(s3.requests.length);
  });

  it('names the missing permission and goes on with the other scopes', async () => {
    s3.fault = (r) => (r.operation === 'ListObjectsV2' && r.query.get('prefix')?.includes(ACCOUNT_B) ? { kind: 'error', status: 403, code: 'AccessDenied', message: 'Access Denied' } : undefined);
    const summaries = await scan();
    expect(byScope(summaries, SCOPE_B).error).toMatchObject({ code: 'source_permission', message: expect.stringContaining(`s3:ListBucket on arn:aws:s3:::${BUCKET}`) as string });
    expect(byScope(summaries, SCOPE_A)).toMatchObject({ events: expected(recordsOf(ACCOUNT_A)).events.length });
    expect(s3.requests.filter((r) => r.attempt > 0)).toEqual([]);

    await db.reset();
    s3.fault = (r) => (r.key === files[6]!.key ? { kind: 'error', status: 403, code: 'AccessDenied', message: 'User is not authorized to perform kms:Decrypt on the resource' } : undefined);
    const kms = await scan();
    expect(byScope(kms, SCOPE_B).error).toMatchObject({ code: 'source_permission', message: expect.stringContaining("kms:Decrypt on the trail's KMS key") as string });
  });

  it('reports a corrupt file as one rejected record and reads the rest', async () => {
    s3.put(BUCKET, trailKey(PREFIX, ACCOUNT_B, REGION_B, DAY + 10 * 3_600_000 + 15 * MINUTE, 'BADxKlMhON7EpHal'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    const b = byScope(await scan(), SCOPE_B);
    expect(b).toMatchObject({ events: 10, rejected: 1 });
    expect(b.rejections[0]).toMatchObject({ file: expect.stringMatching(/^s3:\/\/trail-bucket\/.*BADx/) as string, reason: expect.stringContaining('gzip data is corrupt') as string });
  });

  it('discovers accounts and regions from the bucket, in an organisation trail too', async () => {
    const found = await sources({ accountIds: [], regions: [] })[0]!.scopes();
    expect(found).toEqual([SCOPE_A, SCOPE_B]);
    s3.put('org-bucket', `AWSLogs/o-abcdefghij/${ACCOUNT_B}/CloudTrail/ap-south-1/2026/03/10/x.json.gz`, Buffer.from('{}'));
    s3.put('org-bucket', `AWSLogs/o-abcdefghij/${ACCOUNT_A}/CloudTrail/eu-west-1/2026/03/10/x.json.gz`, Buffer.from('{}'));
    s3.put('org-bucket', `AWSLogs/o-abcdefghij/${ACCOUNT_A}/CloudTrail/eu-west-2/2026/03/10/x.json.gz`, Buffer.from('{}'));
    const org = await sources({ trailBucket: 'org-bucket', trailPrefix: '', orgId: 'o-abcdefghij', accountIds: [], regions: [] })[0]!.scopes();
    expect(org).toEqual([`${ACCOUNT_A}/eu-west-1`, `${ACCOUNT_A}/eu-west-2`, `${ACCOUNT_B}/ap-south-1`]);
    // A wrong prefix finds nothing: the scan says where it looked instead of reading nothing in silence.
    const [summary] = await scanSources(db.sql, sources({ trailBucket: 'org-bucket', trailPrefix: 'wrong', accountIds: [], regions: [] }), window);
    expect(summary).toMatchObject({ scope: '*', error: { code: 'source_not_found', message: expect.stringContaining('s3://org-bucket/wrong/AWSLogs/') as string } });
  });

  it('reads the real flaws2.cloud delivery files and skips their other services', async () => {
    const names = ['20181128T2235Z_cR9ra7OH1rytWyXY', '20181128T2305Z_83VTWZ8Z0kiEC7Lq', '20181128T2305Z_zKlMhON7EpHala9u'];
    const records = names.flatMap((n) => sampleRecords(`aws/653711331788_CloudTrail_us-east-1_${n}.json.gz`));
    for (const n of names) {
      s3.put('flaws-logs', `AWSLogs/653711331788/CloudTrail/us-east-1/2018/11/28/653711331788_CloudTrail_us-east-1_${n}.json.gz`, readFileSync(`${SAMPLES_DIR}aws/653711331788_CloudTrail_us-east-1_${n}.json.gz`));
    }
    const [summary] = await scanSources(db.sql, sources({ trailBucket: 'flaws-logs', trailPrefix: '', accountIds: [], regions: [] }), { since: Date.UTC(2018, 10, 28, 22), until: Date.UTC(2018, 10, 29) });
    expect(summary).toMatchObject({ scope: '653711331788/us-east-1', records: 7, events: expected(records).events.length, skipped: 4, rejected: 0 });
    const anonymous = (await storedRollups(db.sql)).find((r) => r.identity_key === 'aws|653711331788|anonymous');
    expect(anonymous?.data).toMatchObject({ buckets: { 'flaws2.cloud': 2 } });
  });

  it('keeps the keys it remembers bounded and still reads nothing twice', async () => {
    const client = new S3Client({ region: REGION_A, credentials: CREDENTIALS, endpoint: s3.url, forcePathStyle: true });
    const source = createTrailSource({
      s3: client, bucket: BUCKET, layout: trailLayout(PREFIX), accountIds: [ACCOUNT_A], regions: [REGION_A], overlapMs: 60 * MINUTE, maxRecent: 2, retryBaseMs: 5,
    });
    const pages = [];
    for await (const page of source.pull(SCOPE_A, undefined, window)) pages.push(page);
    const cursor = pages.at(-1)!.cursor;
    expect(cursor).toEqual({ key: files[5]!.key, after: files[3]!.key, recent: [files[4]!.key, files[5]!.key] });
    const again: SourceItem[] = [];
    for await (const page of source.pull(SCOPE_A, JSON.parse(JSON.stringify(cursor)) as typeof cursor, window)) again.push(...page.items);
    expect(again).toEqual([]);
  });
});
