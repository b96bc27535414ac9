import { gzipSync } from 'node:zlib';
import type { AccessEvent, Normalized } from '../../../src/core/event.js';
import { cloudTrailNormalizer } from '../../../src/sources/aws-cloudtrail/normalize.js';
import type { Sql } from '../../../src/store/sql.js';
import { cloudTrailRecord } from '../../helpers/cloud-trail-records.js';
import { sampleRecords } from '../../helpers/sample-records.js';

/** Accounts, regions and the day the fixtures live in. */
export const ACCOUNT_A = '111122223333';
export const ACCOUNT_B = '444455556666';
export const REGION_A = 'eu-west-1';
export const REGION_B = 'us-east-1';
export const DAY = Date.UTC(2026, 2, 10);
export const MINUTE = 60_000;
/** Test credentials for the SDK clients pointed at the fakes. */
export const CREDENTIALS = { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret-key' };

const PANTHER = sampleRecords('aws/panther-cloudtrail-s3-tests.ndjson');
const FLAWS_STS = sampleRecords('aws/653711331788_CloudTrail_us-east-1_20181128T2235Z_cR9ra7OH1rytWyXY.json.gz')[0]!;

/** A real panther record with an id of its own (that project reuses ids across its test cases). */
export function panther(index: number): Record<string, unknown> {
  return { ...PANTHER[index]!, eventID: `panther-${index}` };
}

/** Hand-made S3 data events of a few people, around `time`, with stable ids. */
export function dataEvents(tag: string, time: number, account = ACCOUNT_A): Record<string, unknown>[] {
  return [
    ...[0, 1, 2, 3].map((i) => cloudTrailRecord({ time: time + i * 10_000, user: 'alice', bytesOut: 1000 * (i + 1), key: `reports/${tag}-${i}.csv`, eventId: `${tag}-get-${i}` })),
    cloudTrailRecord({ time: time + 45_000, user: 'bob', eventName: 'PutObject', bytesOut: 0, key: `uploads/${tag}.bin`, eventId: `${tag}-put` }),
  ].map((r) => ({ ...r, recipientAccountId: account }));
}

/** The key of a delivery file as CloudTrail names it. */
export function trailKey(prefix: string, account: string, region: string, delivered: number, suffix: string): string {
  const d = new Date(delivered).toISOString();
  const stamp = `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}T${d.slice(11, 13)}${d.slice(14, 16)}Z`;
  return `${prefix ? `${prefix}/` : ''}AWSLogs/${account}/CloudTrail/${region}/${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${account}_CloudTrail_${region}_${stamp}_${suffix}.json.gz`;
}

/** A delivery file body: gzip of `{"Records":[...]}`. */
export function deliveryFile(records: readonly unknown[]): Buffer {
  return gzipSync(JSON.stringify({ Records: records }));
}

/** One file of the trail fixture. */
export interface FixtureFile {
  key: string;
  records: Record<string, unknown>[];
}

const PANTHER_BY_FILE = [[7, 0], [37, 40], [21, 65], [68, 49], [17, 73], [74, 56]];

/** Six files of account A (10:05 to 10:30, real panther records, a non-S3 record) and two of account B. */
export function trailFixture(prefix: string): FixtureFile[] {
  const a = PANTHER_BY_FILE.map((indexes, n) => {
    const delivered = DAY + 10 * 3_600_000 + (n + 1) * 5 * MINUTE;
    const records = [...dataEvents(`a${n}`, delivered - 4 * MINUTE), ...indexes.map(panther), ...(n === 2 ? [FLAWS_STS] : [])];
    return { key: trailKey(prefix, ACCOUNT_A, REGION_A, delivered, `A${n}xKlMhON7EpHala`), records };
  });
  const b = [10, 20].map((m, n) => {
    const delivered = DAY + 10 * 3_600_000 + m * MINUTE;
    return { key: trailKey(prefix, ACCOUNT_B, REGION_B, delivered, `B${n}zKlMhON7EpHala`), records: dataEvents(`b${n}`, delivered - 3 * MINUTE, ACCOUNT_B) };
  });
  return [...a, ...b];
}

/** What the normaliser makes of records: the events, skipped and rejected counts. */
export function expected(records: readonly Record<string, unknown>[]): { events: AccessEvent[]; skipped: number; rejected: number } {
  const results: Normalized[] = records.map((r) => cloudTrailNormalizer.normalize(r));
  return {
    events: results.flatMap((r) => (r.kind === 'event' ? [r.event] : [])),
    skipped: results.filter((r) => r.kind === 'skip').length,
    rejected: results.filter((r) => r.kind === 'reject').length,
  };
}

/** Every stored rollup, for comparing two databases or two moments. */
export async function storedRollups(sql: Sql): Promise<{ identity_key: string; hour: string; ops: number; data: unknown }[]> {
  const rows = await sql.query<{ identity_key: string; hour: Date; ops: number; data: unknown }>('select identity_key, hour, ops, data from rollups order by identity_key, hour');
  return rows.map((r) => ({ ...r, hour: new Date(r.hour).toISOString() }));
}

/** The stored cursor of a source scope. */
export async function storedCursor(sql: Sql, source: string, scope: string): Promise<Record<string, unknown> | undefined> {
  const rows = await sql.query<{ position: Record<string, unknown> }>('select position from cursors where source = $1 and scope = $2', [source, scope]);
  return rows[0]?.position;
}

/** A record moved to another event time (CloudTrail's second-precision ISO form). */
export function retimed(record: Record<string, unknown>, time: number): Record<string, unknown> {
  return { ...record, eventTime: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/** A PutBucketAcl granting READ to everyone, shaped as CloudTrail logs the XML body. */
export function publicAclRecord(time: number, eventId: string): Record<string, unknown> {
  const base = retimed(panther(18), time);
  return {
    ...base,
    eventID: eventId,
    requestParameters: {
      bucketName: 'bucket', acl: [''], host: ['bucket.s3.us-west-2.amazonaws.com'],
      AccessControlPolicy: {
        AccessControlList: {
          Grant: [
            { Grantee: { 'xsi:type': 'CanonicalUser', ID: 'd25639fbe9c19cd30a4c0f43fbf00e2d3f96400a9aa8dabfbbebe1906Example' }, Permission: 'FULL_CONTROL' },
            { Grantee: { 'xsi:type': 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' },
          ],
        },
        Owner: { ID: 'd25639fbe9c19cd30a4c0f43fbf00e2d3f96400a9aa8dabfbbebe1906Example' },
      },
    },
  };
}
