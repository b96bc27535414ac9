import type { SeededRandom } from './seeded-random.js';
import type { GcpAuth, Op, SynthEvent } from './synthetic-event.js';

const METHODS: Record<Op, string> = {
  read: 'storage.objects.get',
  write: 'storage.objects.create',
  list: 'storage.objects.list',
  delete: 'storage.objects.delete',
};

const INSERT_ID = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** RFC 3339 with nanoseconds, as Cloud Logging writes timestamps. */
export function nanoTime(ms: number, rng: SeededRandom): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(rng.int(0, 999_999)).padStart(6, '0')}Z`;
}

function insertId(rng: SeededRandom): string {
  let id = rng.chance(0.3) ? '-' : '';
  for (let i = 0; i < 12; i++) id += INSERT_ID[rng.int(0, INSERT_ID.length - 1)];
  return id;
}

/**
 * One Cloud Audit Logs `data_access` LogEntry for a synthetic GCS request, as a Cloud Logging
 * sink writes it; about 1 in 300 arrives minutes late (receiveTimestamp), as real entries can.
 */
export function gcpRecord(ev: SynthEvent, rng: SeededRandom): Record<string, unknown> {
  const auth = ev.actor.auth as GcpAuth;
  const { bucket } = ev;
  const project = bucket.account;
  const method = METHODS[ev.op];
  const resourceName = ev.op === 'list' ? `projects/_/buckets/${bucket.name}` : `projects/_/buckets/${bucket.name}/objects/${ev.key ?? ''}`;
  const timestamp = nanoTime(ev.time, rng);
  const delay = rng.chance(1 / 300) ? rng.int(120_000, 1_200_000) : rng.int(250, 3_000);
  const authenticationInfo: Record<string, unknown> = auth.email
    ? { principalEmail: auth.email, principalSubject: `${auth.email.endsWith('.gserviceaccount.com') ? 'serviceAccount' : 'user'}:${auth.email}` }
    : {};
  const protoPayload: Record<string, unknown> = {
    '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
    status: ev.denied ? { code: 7, message: 'PERMISSION_DENIED' } : {},
    authenticationInfo,
    requestMetadata: {
      callerIp: ev.ip,
      callerSuppliedUserAgent: ev.client,
      requestAttributes: { time: nanoTime(ev.time + rng.int(0, 8), rng), auth: {} },
      destinationAttributes: {},
    },
    serviceName: 'storage.googleapis.com',
    methodName: method,
    authorizationInfo: [{ resource: resourceName, permission: method, granted: !ev.denied, resourceAttributes: {} }],
    resourceName,
  };
  if (ev.op === 'write' && !ev.denied) {
    protoPayload.response = { bucket: bucket.name, name: ev.key ?? '', size: String(ev.bytes), storageClass: 'STANDARD', contentType: 'application/octet-stream' };
  }
  protoPayload.resourceLocation = { currentLocations: [bucket.region] };
  return {
    protoPayload,
    insertId: insertId(rng),
    resource: { type: 'gcs_bucket', labels: { bucket_name: bucket.name, project_id: project, location: bucket.region } },
    timestamp,
    severity: ev.denied ? 'ERROR' : 'INFO',
    logName: `projects/${project}/logs/cloudaudit.googleapis.com%2Fdata_access`,
    receiveTimestamp: nanoTime(ev.time + delay, rng),
  };
}
