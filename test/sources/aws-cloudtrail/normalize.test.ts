import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import type { AccessEvent, Normalized } from '../../../src/core/event.js';
import { cloudTrailNormalizer } from '../../../src/sources/aws-cloudtrail/normalize.js';
import { sampleRecords, SAMPLES_DIR } from '../../helpers/sample-records.js';

const FLAWS_ANON = 'aws/653711331788_CloudTrail_us-east-1_20181128T2305Z_zKlMhON7EpHala9u.json.gz';
const FLAWS_LEVEL1 = 'aws/653711331788_CloudTrail_us-east-1_20181128T2305Z_83VTWZ8Z0kiEC7Lq.json.gz';
const FLAWS_STS = 'aws/653711331788_CloudTrail_us-east-1_20181128T2235Z_cR9ra7OH1rytWyXY.json.gz';
const PANTHER = 'aws/panther-cloudtrail-s3-tests.ndjson';
const AWS_FILES = readdirSync(`${SAMPLES_DIR}aws`).map((f) => `aws/${f}`);

// Panther test records that carry no account anywhere (no recipientAccountId, no userIdentity
// accountId or ARN, no resources): fragments written for a policy-parsing rule, not real events.
const PANTHER_NO_ACCOUNT = [12, 13];

function event(result: Normalized): AccessEvent {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${result.kind}: ${result.reason}`);
  return result.event;
}

function normalizeAt(file: string, index: number): Normalized {
  return cloudTrailNormalizer.normalize(sampleRecords(file)[index]!);
}

describe('cloudTrailNormalizer on every real sample record', () => {
  it('has 75 panther records and 9 AWS sample files', () => {
    expect(AWS_FILES).toHaveLength(9);
    expect(sampleRecords(PANTHER)).toHaveLength(75);
  });

  for (const file of AWS_FILES) {
    it(`recognises and reads every record of ${file}`, () => {
      sampleRecords(file).forEach((record, index) => {
        expect(cloudTrailNormalizer.matches(record), `record ${index}`).toBe(true);
        const result = cloudTrailNormalizer.normalize(record);
        if (file === PANTHER && PANTHER_NO_ACCOUNT.includes(index)) {
          expect(result).toEqual({ kind: 'reject', reason: expect.stringContaining('account unknown') as string });
          return;
        }
        expect(result.kind, `record ${index}: ${result.kind === 'event' ? '' : result.reason}`).not.toBe('reject');
        if (result.kind !== 'event') return;
        const e = result.event;
        expect(e.cloud).toBe('aws');
        expect(e.id).not.toBe('');
        expect(e.account).not.toBe('');
        expect(Number.isFinite(e.time)).toBe(true);
        expect(e.arrivedAt).toBeUndefined();
        expect(e.principal.id).not.toBe('');
        expect(e.bytesIn).toBeGreaterThanOrEqual(0);
        expect(e.bytesOut).toBeGreaterThanOrEqual(0);
      });
    });
  }

  it('skips the other services mixed into the flaws2 delivery files', () => {
    const skipped = [FLAWS_STS, FLAWS_LEVEL1, FLAWS_ANON].flatMap((f) => sampleRecords(f).map((r) => cloudTrailNormalizer.normalize(r)))
      .filter((r) => r.kind === 'skip')
      .map((r) => r.reason);
    expect(skipped).toEqual([
      'not S3: sts.amazonaws.com',
      'not S3: sts.amazonaws.com',
      'not S3: logs.amazonaws.com',
      'not S3: lambda.amazonaws.com',
    ]);
  });

  it('gives every panther record without eventID its own stable id', () => {
    const records = sampleRecords(PANTHER);
    const ids = records.map((r, i) => (PANTHER_NO_ACCOUNT.includes(i) || r.eventID ? undefined : event(cloudTrailNormalizer.normalize(r)).id));
    const derived = ids.filter((id): id is string => id !== undefined);
    expect(derived.length).toBe(11);
    expect(new Set(derived).size).toBe(derived.length);
    expect(derived.every((id) => /^sha1-[0-9a-f]{40}$/.test(id))).toBe(true);
    const again = event(cloudTrailNormalizer.normalize(JSON.parse(JSON.stringify(records[65])) as Record<string, unknown>));
    expect(again.id).toBe(ids[65]);
  });
});

describe('cloudTrailNormalizer concrete values', () => {
  it('reads the flaws2 anonymous GetObject', () => {
    expect(event(normalizeAt(FLAWS_ANON, 0))).toEqual({
      id: '38993e7c-b9e9-46eb-9f93-82e710147d39',
      cloud: 'aws',
      account: '653711331788',
      region: 'us-east-1',
      principal: { id: 'anonymous', name: 'anonymous', type: 'anonymous' },
      action: { name: 'GetObject', class: 'read' },
      resource: { bucket: 'flaws2.cloud', key: 'index.htm' },
      ip: '104.102.221.250',
      client:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.110 Safari/537.36',
      bytesOut: 0,
      bytesIn: 0,
      outcome: { status: 'success' },
      time: Date.UTC(2018, 10, 28, 23, 2, 56),
    });
  });

  it('reports a missing key as an error, not a denial', () => {
    expect(event(normalizeAt(FLAWS_ANON, 1)).outcome).toEqual({ status: 'error', code: 'NoSuchKey' });
  });

  it('skips the assumed-role level1 CloudWatch Logs call', () => {
    expect(normalizeAt(FLAWS_LEVEL1, 0)).toEqual({ kind: 'skip', reason: 'not S3: logs.amazonaws.com' });
  });

  it('reads the docs ListBuckets as an account-level list by a user of another account', () => {
    const e = event(normalizeAt('aws/aws-docs-s3-example1.json', 0));
    expect(e.account).toBe('444455556666');
    expect(e.principal).toEqual({
      id: 'arn:aws:iam::111122223333:user/myUserName',
      name: 'myUserName',
      type: 'user',
      homeAccount: '111122223333',
    });
    expect(e.action).toEqual({ name: 'ListBuckets', class: 'list' });
    expect(e.resource).toEqual({ bucket: '' });
    expect(e.ip).toBe('127.0.0.1');
    expect(e.client).toBeUndefined();
    expect(e.region).toBe('us-west-2');
  });

  it('reads the docs PutBucketAcl as a permission change with no source IP', () => {
    const e = event(normalizeAt('aws/aws-docs-s3-example1.json', 1));
    expect(e.action).toEqual({ name: 'PutBucketAcl', class: 'permission' });
    expect(e.principal.homeAccount).toBeUndefined();
    expect(e.ip).toBeUndefined();
    expect(e.resource.bucket).toBe('');
    expect(event(normalizeAt('aws/aws-docs-s3-example1.json', 2)).action.class).toBe('config');
  });

  it('reads S3 on Outposts PutObject with its capitalised Key and byte counts', () => {
    const e = event(normalizeAt('aws/aws-docs-s3-outposts-example2.json', 0));
    expect(e.resource).toEqual({ bucket: 'DOC-EXAMPLE-BUCKET1', key: 'path/upload.sh' });
    expect(e.action.class).toBe('write');
    expect([e.bytesIn, e.bytesOut]).toEqual([10, 20]);
    expect(e.client).toBe('aws-cli/1.18.39 Python/3.4.10 Darwin/18.7.0 botocore/1.15.39');
  });

  it('reads the elastic CopyObject', () => {
    const e = event(normalizeAt('aws/elastic-copy-object.ndjson', 0));
    expect(e.bytesOut).toBe(224);
    expect(e.bytesIn).toBe(0);
    expect(e.action).toEqual({ name: 'CopyObject', class: 'write' });
    expect(e.resource).toEqual({ bucket: 'elastic-cspm-cloudtrail-test-bucket', key: 'test-copy-object/README-copy.md' });
    expect(e.principal).toEqual({ id: 'arn:aws:iam::000000000:user/test@elastic.co', name: 'test@elastic.co', type: 'user' });
    expect(e.client).toMatch(/^aws-cli\/2\.17\.60 .*s3api\.copy-object$/);
  });

  it('takes the elastic PutObject key from the object ARN when requestParameters has none', () => {
    expect(event(normalizeAt('aws/elastic-put-object.ndjson', 0)).resource).toEqual({
      bucket: 'elastic-cspm-cloudtrail-test-bucket',
      key: 'test.json',
    });
  });

  it('marks a panther AccessDenied PutBucketPolicy as denied', () => {
    const e = event(normalizeAt(PANTHER, 10));
    expect(e.action).toEqual({ name: 'PutBucketPolicy', class: 'permission' });
    expect(e.outcome).toEqual({ status: 'denied', code: 'AccessDenied' });
    expect(e.principal).toEqual({ id: 'arn:aws:iam::123456789012:role/example-role', name: 'example-role/example-user', type: 'role' });
  });

  it('marks a VPC endpoint policy denial as denied and an empty errorCode as success', () => {
    expect(event(normalizeAt(PANTHER, 65)).outcome).toEqual({ status: 'denied', code: 'VpceAccessDenied' });
    expect(event(normalizeAt(PANTHER, 17)).outcome).toEqual({ status: 'success' });
  });

  it('sets the home account of cross-account callers and not of same-account ones', () => {
    const crossAccount = event(normalizeAt(PANTHER, 68));
    expect(crossAccount.account).toBe('222222222222');
    expect(crossAccount.principal).toEqual({ id: 'AROAEXAMPLE', name: 'AROAEXAMPLE:session-name', type: 'role', homeAccount: '111111111111' });
    expect(crossAccount.outcome.status).toBe('success');
    const crossUser = event(normalizeAt(PANTHER, 66));
    expect(crossUser.principal).toMatchObject({ type: 'user', homeAccount: '111111111111' });
    expect(crossUser.outcome).toEqual({ status: 'denied', code: 'AccessDenied' });
    expect(event(normalizeAt(PANTHER, 69)).principal.homeAccount).toBeUndefined();
  });

  it('reads the space-separated UTC timestamps Panther writes', () => {
    expect(event(normalizeAt(PANTHER, 1)).time).toBe(Date.UTC(2024, 10, 25, 22, 0, 58));
  });

  it('keeps each Identity Center user apart even without an email session name', () => {
    const e = event(normalizeAt(PANTHER, 1));
    expect(e.principal).toEqual({
      id: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/us-west-2/SampleRole/leroy.jenkins',
      name: 'leroy.jenkins',
      type: 'user',
    });
    expect(e.bytesIn).toBe(249);
  });

  it('derives the role ARN when a session has no sessionContext', () => {
    const e = event(normalizeAt(PANTHER, 6));
    expect(e.principal).toEqual({ id: 'arn:aws:iam::123456789012:role/MyAppRole', name: 'MyAppRole/i-0abcdef1234567890', type: 'role' });
    expect(e.id).toMatch(/^sha1-/);
  });

  it('reads ListAllMyBuckets without a recipient account from the caller account', () => {
    const e = event(normalizeAt(PANTHER, 74));
    expect(e.account).toBe('111111111111');
    expect(e.action.class).toBe('list');
    expect(e.resource).toEqual({ bucket: '' });
  });
});
