import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AccessEvent, Normalized } from '../../../src/core/event.js';
import { gcpAuditNormalizer } from '../../../src/sources/gcp-audit/normalize.js';
import { SAMPLES_DIR, sampleRecords } from '../../helpers/sample-records.js';

const GCP_FILES = readdirSync(`${SAMPLES_DIR}gcp`).sort();

function only(file: string): Record<string, unknown> {
  const records = sampleRecords(`gcp/${file}`);
  expect(records).toHaveLength(1);
  return records[0]!;
}

function eventOf(result: Normalized): AccessEvent {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${result.kind}: ${result.reason}`);
  return result.event;
}

function normalizeEvent(record: Record<string, unknown>): AccessEvent {
  return eventOf(gcpAuditNormalizer.normalize(record));
}

/** The real objects.get sample, deep-copied so a test can alter it into a hand-made edge case. */
function objectGet(): Record<string, unknown> & { protoPayload: Record<string, unknown> } {
  return structuredClone(only('gcs-data-access-object-get.json')) as Record<string, unknown> & { protoPayload: Record<string, unknown> };
}

const panther = sampleRecords('gcp/panther-gcs-tests.ndjson');

describe('gcpAuditNormalizer on every real GCP sample', () => {
  it('finds the 5 gcloud exports, the concatenated gcloud entries and the 15-line Panther file', () => {
    expect(GCP_FILES).toHaveLength(7);
    expect(panther).toHaveLength(15);
  });

  it.each(GCP_FILES)('%s: every record matches and becomes an event or a skip, never a reject', (file) => {
    for (const record of sampleRecords(`gcp/${file}`)) {
      expect(gcpAuditNormalizer.matches(record)).toBe(true);
      const result = gcpAuditNormalizer.normalize(record);
      expect(result.kind, JSON.stringify(result)).not.toBe('reject');
      if (result.kind === 'event') {
        expect(result.event.cloud).toBe('gcp');
        expect(result.event.id).not.toBe('');
        expect(Number.isFinite(result.event.time)).toBe(true);
        expect(result.event.resource.bucket).not.toBe('');
      }
    }
  });

  it('skips exactly one Panther record: a cloudsql method logged under the storage service', () => {
    const skips = panther.map((r) => gcpAuditNormalizer.normalize(r)).filter((r) => r.kind === 'skip');
    expect(skips).toEqual([{ kind: 'skip', reason: 'not a Cloud Storage method: cloudsql.instances.update' }]);
  });
});

describe('gcloud export samples', () => {
  it('objects.get: who, what, where, from which IP, and when it arrived', () => {
    const e = normalizeEvent(only('gcs-data-access-object-get.json'));
    expect(e).toMatchObject({
      id: 'hhu2r3dw556',
      cloud: 'gcp',
      account: 'gsec-monitoring-prod',
      region: 'us',
      principal: { id: 'user@domain.com', name: 'user@domain.com', type: 'user' },
      action: { name: 'storage.objects.get', class: 'read' },
      resource: { bucket: 'scc-export-sample', key: 'scc-bad-domain.log' },
      ip: '8.8.8.8',
      bytesOut: 0,
      bytesIn: 0,
      outcome: { status: 'success' },
    });
    expect(e.principal.homeAccount).toBeUndefined();
    expect(e.time).toBe(Date.parse('2021-09-13T03:03:09.008Z'));
    expect(e.arrivedAt).toBe(Date.parse('2021-09-13T03:03:09.758Z'));
    // The ",gzip(gfe)" the Google front end appends is not part of the client.
    expect(e.client).toBe('apitools Python/3.6.8 gsutil/4.67 (darwin) analytics/enabled interactive/True command/cp google-cloud-sdk/356.0.0');
  });

  it('objects.list on a bucket is a list with no key', () => {
    const e = normalizeEvent(only('gcs-data-access-object-list.json'));
    expect(e.action).toEqual({ name: 'storage.objects.list', class: 'list' });
    expect(e.resource).toEqual({ bucket: 'scc-export-sample' });
    expect(e.id).toBe('-kj1h22dqg3c');
  });

  it('objects.create by a Google system service account is a write with the uploaded size and no IP', () => {
    const e = normalizeEvent(only('gcs-data-access-object-create.json'));
    expect(e.principal).toEqual({
      id: 'cloud-storage-millwheel@system.gserviceaccount.com',
      name: 'cloud-storage-millwheel@system.gserviceaccount.com',
      type: 'service',
    });
    expect(e.action.class).toBe('write');
    expect(e.resource).toEqual({ bucket: 'usage-logs-test-benyan', key: 'logfile_usage_2021_08_15_19_00_00_06d27191b52e6e1c4d_v0' });
    expect(e.bytesIn).toBe(561);
    expect(e.bytesOut).toBe(0);
    expect(e.ip).toBeUndefined();
    expect(e.client).toBe('BigstoreFile BigstoreIO (cr/389232958)');
  });

  it('setIamPermissions is a permission change', () => {
    const e = normalizeEvent(only('gcs-admin-set-iam-permissions.json'));
    expect(e.action).toEqual({ name: 'storage.setIamPermissions', class: 'permission' });
    expect(e.account).toBe('sample-logs-prod');
    expect(e.resource).toEqual({ bucket: 'sample-logs-org' });
    expect(e.region).toBe('us-central1');
  });

  it('admin-activity bucket create is config', () => {
    const e = normalizeEvent(only('gcs-admin-activity.json'));
    expect(e.action).toEqual({ name: 'storage.buckets.create', class: 'config' });
    expect(e.principal.id).toBe('benyan@organization.com');
    expect(e.resource).toEqual({ bucket: 'usage-logs-test-benyan' });
  });
});

describe('Panther samples (re-exported LogEntries)', () => {
  it('a VPC Service Controls denial with at_type and a google.-prefixed method is a denied read', () => {
    const record = panther[0]!;
    expect(record.protoPayload).toHaveProperty('at_type');
    const e = normalizeEvent(record);
    expect(e.outcome).toEqual({ status: 'denied', code: 'PERMISSION_DENIED' });
    expect(e.action).toEqual({ name: 'google.storage.objects.get', class: 'read' });
    // resourceName names only the project number; the object comes from the VPC-SC metadata.
    expect(e.resource).toEqual({ bucket: 'test-restricted-bucket', key: 'test1.txt' });
    expect(e.account).toBe('gcpproject');
    expect(e.ip).toBe('1.2.3.4');
  });

  it('reads "YYYY-MM-DD hh:mm:ss" times as UTC and the callerIP spelling', () => {
    const e = normalizeEvent(panther[1]!);
    expect(e.time).toBe(Date.UTC(2023, 2, 9, 10, 5, 23, 603));
    expect(e.arrivedAt).toBe(Date.UTC(2023, 2, 9, 10, 5, 25, 146));
    expect(e.ip).toBe('1.2.3.4');
    expect(e.action.class).toBe('config');
  });

  it('a denied delete without project or insertId still counts, with a stable content id', () => {
    const e = normalizeEvent(panther[3]!);
    expect(e.outcome).toEqual({ status: 'denied', code: 'PERMISSION_DENIED' });
    expect(e.action.class).toBe('delete');
    expect(e.account).toBe('');
    expect(e.id).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(normalizeEvent(structuredClone(panther[3]!)).id).toBe(e.id);
    expect(normalizeEvent(panther[2]!).id).not.toBe(e.id);
  });

  it('takes bytes out from an explicit requested_bytes field on reads', () => {
    expect(normalizeEvent(panther[5]!)).toMatchObject({ bytesOut: 12345, bytesIn: 0, account: 'victim-project' });
  });

  it('gives distinct ids to records that lost their insertId', () => {
    const ids = panther.filter((r) => r.insertId === undefined && gcpAuditNormalizer.normalize(r).kind === 'event').map((r) => normalizeEvent(r).id);
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('hand-made edge cases (derived from the real objects.get sample)', () => {
  it('matches on at_type, at_sign_type or a cloudaudit logName, and not on other records', () => {
    const r = objectGet();
    delete r.protoPayload['@type'];
    expect(gcpAuditNormalizer.matches(r)).toBe(true); // logName still says cloudaudit
    delete r.logName;
    expect(gcpAuditNormalizer.matches(r)).toBe(false);
    expect(gcpAuditNormalizer.matches({ ...r, protoPayload: { ...r.protoPayload, at_type: 'type.googleapis.com/google.cloud.audit.AuditLog' } })).toBe(true);
    expect(gcpAuditNormalizer.matches({ eventVersion: '1.08', eventSource: 's3.amazonaws.com' })).toBe(false);
    expect(gcpAuditNormalizer.matches({ protoPayload: 'AuditLog' })).toBe(false);
  });

  it('skips another service', () => {
    const r = objectGet();
    r.protoPayload.serviceName = 'compute.googleapis.com';
    expect(gcpAuditNormalizer.normalize(r)).toEqual({ kind: 'skip', reason: 'not Cloud Storage: compute.googleapis.com' });
  });

  it('falls back to requestAttributes.time, and rejects an entry with no time at all', () => {
    const r = objectGet();
    delete r.timestamp;
    expect(normalizeEvent(r).time).toBe(Date.parse('2021-09-13T03:03:09.019Z'));
    delete (r.protoPayload.requestMetadata as Record<string, unknown>).requestAttributes;
    expect(gcpAuditNormalizer.normalize(r)).toEqual({ kind: 'reject', reason: 'timestamp missing' });
    r.timestamp = 'yesterday';
    expect(gcpAuditNormalizer.normalize(r)).toEqual({ kind: 'reject', reason: 'timestamp not a valid time: "yesterday"' });
  });

  it('rejects entries without protoPayload or methodName, and never throws on junk', () => {
    expect(gcpAuditNormalizer.normalize({ logName: 'projects/p/logs/cloudaudit.googleapis.com%2Fdata_access' })).toEqual({
      kind: 'reject',
      reason: 'protoPayload missing',
    });
    const r = objectGet();
    r.protoPayload.methodName = null;
    expect(gcpAuditNormalizer.normalize(r)).toEqual({ kind: 'reject', reason: 'protoPayload.methodName missing' });
    const junk = { protoPayload: { serviceName: 'storage.googleapis.com', methodName: 'storage.objects.get', status: [], authorizationInfo: 'x', requestMetadata: 5 }, timestamp: '2024-01-01T00:00:00Z' };
    expect(gcpAuditNormalizer.normalize(junk).kind).toBe('event');
  });

  it('anonymous (allUsers) access has the anonymous principal', () => {
    const r = objectGet();
    r.protoPayload.authenticationInfo = {};
    expect(normalizeEvent(r).principal).toEqual({ id: 'anonymous', name: 'anonymous', type: 'anonymous' });
    delete r.protoPayload.authenticationInfo;
    expect(normalizeEvent(r).principal.type).toBe('anonymous');
  });

  it('a service account from another project is a service with that home project', () => {
    const r = objectGet();
    r.protoPayload.authenticationInfo = { principalEmail: 'Exporter@partner-proj-42.iam.gserviceaccount.com' };
    expect(normalizeEvent(r).principal).toEqual({
      id: 'exporter@partner-proj-42.iam.gserviceaccount.com',
      name: 'Exporter@partner-proj-42.iam.gserviceaccount.com',
      type: 'service',
      homeAccount: 'partner-proj-42',
    });
    r.protoPayload.authenticationInfo = { principalEmail: 'job@gsec-monitoring-prod.iam.gserviceaccount.com' };
    expect(normalizeEvent(r).principal).toEqual({
      id: 'job@gsec-monitoring-prod.iam.gserviceaccount.com',
      name: 'job@gsec-monitoring-prod.iam.gserviceaccount.com',
      type: 'service',
    });
  });

  it('drops caller IPs that are not addresses', () => {
    const r = objectGet();
    const meta = r.protoPayload.requestMetadata as Record<string, unknown>;
    for (const value of ['private', 'gce-internal-ip', '', 7]) {
      meta.callerIp = value;
      expect(normalizeEvent(r).ip).toBeUndefined();
    }
    meta.callerIp = '2001:db8::1';
    expect(normalizeEvent(r).ip).toBe('2001:db8::1');
  });

  it('an empty user agent is no client', () => {
    const r = objectGet();
    (r.protoPayload.requestMetadata as Record<string, unknown>).callerSuppliedUserAgent = '  ';
    expect(normalizeEvent(r).client).toBeUndefined();
  });

  it('URL-decodes an encoded object name', () => {
    const r = objectGet();
    r.protoPayload.resourceName = 'projects/_/buckets/scc-export-sample/objects/reports%2F2021%2Fq3%20final.csv';
    expect(normalizeEvent(r).resource).toEqual({ bucket: 'scc-export-sample', key: 'reports/2021/q3 final.csv' });
    r.protoPayload.resourceName = 'projects/_/buckets/scc-export-sample/objects/100%-done.txt';
    expect(normalizeEvent(r).resource.key).toBe('100%-done.txt');
  });

  it('takes the project from logName when the resource has no labels', () => {
    const r = objectGet();
    delete r.resource;
    const e = normalizeEvent(r);
    expect(e.account).toBe('gsec-monitoring-prod');
    expect(e.resource).toEqual({ bucket: 'scc-export-sample', key: 'scc-bad-domain.log' });
    expect(e.region).toBe('us'); // from protoPayload.resourceLocation
  });

  it('classifies status codes: unauthenticated and refused are denied, others are errors with the numeric code', () => {
    const r = objectGet();
    r.protoPayload.status = { code: 16, message: 'Anonymous caller does not have storage.objects.get access' };
    expect(normalizeEvent(r).outcome).toEqual({ status: 'denied', code: 'UNAUTHENTICATED' });
    r.protoPayload.status = { code: '5', message: 'No such object' };
    expect(normalizeEvent(r).outcome).toEqual({ status: 'error', code: '5' });
    r.protoPayload.status = { code: 9, message: 'Precondition failed' };
    r.protoPayload.authorizationInfo = [{ permission: 'storage.objects.get', granted: false }];
    expect(normalizeEvent(r).outcome).toEqual({ status: 'denied', code: '9' });
    r.protoPayload.status = { code: 0 };
    expect(normalizeEvent(r).outcome).toEqual({ status: 'success' });
  });

  it('uses the gcloud id fallback only when insertId is missing', () => {
    const r = objectGet();
    delete r.insertId;
    const id = normalizeEvent(r).id;
    expect(id).toMatch(/^sha256:/);
    r.protoPayload.resourceName = 'projects/_/buckets/scc-export-sample/objects/other.log';
    expect(normalizeEvent(r).id).not.toBe(id);
  });
});
