import { describe, expect, it } from 'vitest';
import type { AccessEvent } from '../../src/core/event.js';
import { ActivityModel } from '../../src/demo/activity.js';
import { azureRecord } from '../../src/demo/azure-records.js';
import { cloudTrailRecord } from '../../src/demo/cloudtrail-records.js';
import { gcpRecord } from '../../src/demo/gcp-records.js';
import { buildPopulation } from '../../src/demo/population.js';
import { SeededRandom } from '../../src/demo/seeded-random.js';
import type { Auth, Identity, Op, SynthEvent } from '../../src/demo/synthetic-event.js';
import { cloudTrailNormalizer } from '../../src/sources/aws-cloudtrail/normalize.js';
import { azureResourceLogNormalizer } from '../../src/sources/azure-blob/normalize.js';
import { gcpAuditNormalizer } from '../../src/sources/gcp-audit/normalize.js';
import type { RecordNormalizer } from '../../src/sources/record-normalizer.js';
import { sampleRecords } from '../helpers/sample-records.js';

const END = Date.parse('2026-11-28T00:00:00Z');
const pop = buildPopulation(3, 40, END);
const model = new ActivityModel(pop, END);
const T = Date.parse('2026-11-20T10:15:42.123Z');

function identity(type: Auth['type']): Identity {
  const id = type === 'aws-anonymous' ? pop.anonymous : pop.identities.find((i) => i.auth.type === type);
  if (!id) throw new Error(`no ${type} identity`);
  return id;
}

function synth(type: Auth['type'], op: Op, denied = false): SynthEvent {
  const id = identity(type);
  return { ...model.event(id, T, '203.0.113.7', 'test-client/1.0', SeededRandom.from('t', type, op), op), denied };
}

function normalized(n: RecordNormalizer, record: Record<string, unknown>): AccessEvent {
  expect(n.matches(record)).toBe(true);
  const out = n.normalize(record);
  if (out.kind !== 'event') throw new Error(`${out.kind}: ${out.reason}`);
  return out.event;
}

/** Dotted paths of an object's keys (arrays flattened), a few levels deep. */
function paths(value: unknown, prefix = '', out = new Set<string>(), depth = 0): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => paths(v, prefix, out, depth));
  else if (value && typeof value === 'object' && depth < 4) {
    for (const [k, v] of Object.entries(value)) {
      out.add(prefix + k);
      paths(v, `${prefix}${k}.`, out, depth + 1);
    }
  }
  return out;
}

function samplePaths(files: string[]): Set<string> {
  const out = new Set<string>();
  for (const f of files) for (const r of sampleRecords(f)) paths(r, '', out);
  return out;
}

const rng = (): SeededRandom => new SeededRandom(9);

describe('cloudTrailRecord', () => {
  it('names IAM users, SSO sessions, service roles and anonymous callers as the parser derives them', () => {
    const cases: [Auth['type'], string][] = [
      ['aws-iam-user', identity('aws-iam-user').principalId],
      ['aws-sso', identity('aws-sso').principalId],
      ['aws-role', identity('aws-role').principalId],
      ['aws-anonymous', 'anonymous'],
    ];
    for (const [type, expected] of cases) expect(normalized(cloudTrailNormalizer, cloudTrailRecord(synth(type, 'read'), rng())).principal.id).toBe(expected);
    expect(identity('aws-sso').principalId).toMatch(/^arn:aws:iam::\d{12}:role\/aws-reserved\/sso\.amazonaws\.com\/[a-z0-9-]+\/AWSReservedSSO_\w+_[0-9a-f]{16}\/[a-z.]+@example\.com$/);
    expect(identity('aws-role').principalId).toMatch(/^arn:aws:iam::\d{12}:role\/[a-z-]+$/);
  });

  it('carries bytes, action class, bucket, key, ip, client and denials', () => {
    const read = synth('aws-iam-user', 'read');
    const e = normalized(cloudTrailNormalizer, cloudTrailRecord(read, rng()));
    expect(e).toMatchObject({ cloud: 'aws', account: read.bucket.account, action: { name: 'GetObject', class: 'read' }, resource: { bucket: read.bucket.name, key: read.key }, ip: '203.0.113.7', client: 'test-client/1.0', bytesOut: read.bytes, bytesIn: 0, outcome: { status: 'success' }, time: Math.floor(T / 1000) * 1000 });
    const put = synth('aws-role', 'write');
    expect(normalized(cloudTrailNormalizer, cloudTrailRecord(put, rng()))).toMatchObject({ action: { class: 'write' }, bytesIn: put.bytes, bytesOut: 0 });
    expect(normalized(cloudTrailNormalizer, cloudTrailRecord(synth('aws-sso', 'list'), rng()))).toMatchObject({ action: { name: 'ListObjects', class: 'list' } });
    expect(normalized(cloudTrailNormalizer, cloudTrailRecord(synth('aws-sso', 'delete', true), rng()))).toMatchObject({ action: { class: 'delete' }, outcome: { status: 'denied', code: 'AccessDenied' } });
  });

  it('uses only fields that real CloudTrail S3 records have', () => {
    const real = samplePaths(['aws/elastic-copy-object.ndjson', 'aws/elastic-put-object.ndjson', 'aws/panther-cloudtrail-s3-tests.ndjson', 'aws/653711331788_CloudTrail_us-east-1_20181128T2305Z_83VTWZ8Z0kiEC7Lq.json.gz']);
    // ListObjectsV2 request parameters, as CloudTrail logs them (not among the samples' event names).
    const documented = new Set(['requestParameters.list-type', 'requestParameters.encoding-type', 'requestParameters.prefix']);
    for (const type of ['aws-iam-user', 'aws-sso', 'aws-role', 'aws-anonymous'] as const) {
      for (const op of ['read', 'write', 'list', 'delete'] as const) {
        for (const p of paths(cloudTrailRecord(synth(type, op, op === 'delete'), rng()))) expect(real.has(p) || documented.has(p), p).toBe(true);
      }
    }
  });
});

describe('gcpRecord', () => {
  it('is a data_access LogEntry the parser reads with the lower-cased principal email', () => {
    const ev = synth('gcp', 'read');
    const e = normalized(gcpAuditNormalizer, gcpRecord(ev, rng()));
    expect(e).toMatchObject({ cloud: 'gcp', account: ev.bucket.account, principal: { id: identity('gcp').principalId }, action: { name: 'storage.objects.get', class: 'read' }, resource: { bucket: ev.bucket.name, key: ev.key }, ip: '203.0.113.7', client: 'test-client/1.0', time: T });
    const denied = normalized(gcpAuditNormalizer, gcpRecord(synth('gcp', 'list', true), rng()));
    expect(denied).toMatchObject({ action: { class: 'list' }, outcome: { status: 'denied' } });
    const created = synth('gcp', 'write');
    expect(normalized(gcpAuditNormalizer, gcpRecord(created, rng()))).toMatchObject({ action: { class: 'write' }, bytesIn: created.bytes });
    expect(e.arrivedAt).toBeGreaterThan(T);
  });

  it('uses only fields that real Cloud Audit Logs entries have', () => {
    const real = samplePaths(['gcp/gcs-data-access-object-get.json', 'gcp/gcs-data-access-object-list.json', 'gcp/gcs-data-access-object-create.json', 'gcp/panther-gcs-tests.ndjson']);
    // principalSubject is written by current Cloud Audit Logs (not in the 2021 samples).
    const documented = new Set(['protoPayload.authenticationInfo.principalSubject']);
    for (const op of ['read', 'write', 'list', 'delete'] as const) {
      for (const p of paths(gcpRecord(synth('gcp', op, op === 'list'), rng()))) expect(real.has(p) || documented.has(p), p).toBe(true);
    }
  });
});

describe('azureRecord', () => {
  it('names OAuth callers by object id, SAS and account keys by their hash, and strips the port', () => {
    const oauth = synth('azure-oauth', 'read');
    const e = normalized(azureResourceLogNormalizer, azureRecord(oauth, rng()));
    expect(e).toMatchObject({ cloud: 'azure', account: oauth.bucket.account.split('/')[0], principal: { id: identity('azure-oauth').principalId }, action: { name: 'GetBlob', class: 'read' }, resource: { bucket: `${oauth.bucket.azure!.account}/${oauth.bucket.name}`, key: oauth.key }, ip: '203.0.113.7', bytesOut: oauth.bytes });
    expect(normalized(azureResourceLogNormalizer, azureRecord(synth('azure-sas', 'list'), rng())).principal.id).toBe(identity('azure-sas').principalId);
    expect(identity('azure-sas').principalId).toMatch(/^sas:key[12]\([0-9A-F]{64}\)$/);
    expect(normalized(azureResourceLogNormalizer, azureRecord(synth('azure-key', 'read'), rng())).principal.id).toMatch(/^key:key[12]\(/);
    const put = synth('azure-oauth', 'write');
    expect(normalized(azureResourceLogNormalizer, azureRecord(put, rng()))).toMatchObject({ action: { class: 'write' }, bytesIn: put.bytes });
    expect(normalized(azureResourceLogNormalizer, azureRecord(synth('azure-oauth', 'delete', true), rng()))).toMatchObject({ action: { class: 'delete' }, outcome: { status: 'denied' } });
  });

  it('uses only fields of real or documented blob resource logs', () => {
    const real = samplePaths(['azure/azure-docs-resource-log-example.json', 'azure/dynatrace-resource-log.ndjson', 'azure/panther-blob-resource-log-tests.ndjson']);
    // OAuth identity, sizes and tier as documented in monitor-blob-storage-reference.md (no public OAuth sample).
    const documented = /^(identity\.(authorization|requester)(\..+)?|properties\.(requestBodySize|responseBodySize|contentLengthHeader|accessTier))$/;
    for (const type of ['azure-oauth', 'azure-sas', 'azure-key'] as const) {
      for (const op of ['read', 'write', 'list', 'delete'] as const) {
        for (const p of paths(azureRecord(synth(type, op), rng()))) expect(real.has(p) || documented.test(p), p).toBe(true);
      }
    }
  });
});
