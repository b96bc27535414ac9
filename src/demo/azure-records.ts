import { SeededRandom } from './seeded-random.js';
import type { AzureAuth, AzureStorage, Op, SynthEvent } from './synthetic-event.js';

const OPERATIONS: Record<Op, { name: string; category: string; status: number; action: string }> = {
  read: { name: 'GetBlob', category: 'StorageRead', status: 200, action: 'blobs/read' },
  list: { name: 'ListBlobs', category: 'StorageRead', status: 200, action: 'blobs/read' },
  write: { name: 'PutBlob', category: 'StorageWrite', status: 201, action: 'blobs/write' },
  delete: { name: 'DeleteBlob', category: 'StorageDelete', status: 202, action: 'blobs/delete' },
};

/** Diagnostic-setting category (StorageRead, StorageWrite, StorageDelete) of a synthetic request. */
export function azureCategory(op: Op): string {
  return OPERATIONS[op].category;
}

/** Azure's resource-log time format: seven fractional digits. */
function azureTime(ms: number, rng: SeededRandom): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(rng.int(0, 9999)).padStart(4, '0')}Z`;
}

function identity(auth: AzureAuth, ev: SynthEvent, action: string): Record<string, unknown> {
  switch (auth.type) {
    case 'azure-sas':
      return { type: 'SAS', tokenHash: auth.tokenHash };
    case 'azure-key':
      return { type: 'AccountKey', tokenHash: auth.tokenHash };
    case 'azure-anonymous':
      return { type: 'Anonymous' };
    case 'azure-oauth': {
      const day = Math.floor(ev.time / 86_400_000);
      const ids = SeededRandom.from('rbac', auth.objectId);
      const requester: Record<string, unknown> = {
        appId: auth.appId,
        audience: 'https://storage.azure.com/',
        objectId: auth.objectId,
        tenantId: auth.tenantId,
        tokenIssuer: `https://sts.windows.net/${auth.tenantId}/`,
      };
      if (auth.upn) requester.upn = auth.upn;
      return {
        type: 'OAuth',
        tokenHash: SeededRandom.from('token', auth.objectId, day).hex(64).toUpperCase(),
        authorization: [{
          action: `Microsoft.Storage/storageAccounts/blobServices/containers/${action}`,
          roleAssignmentId: ids.uuid(),
          roleDefinitionId: ids.uuid(),
          principals: [{ id: auth.objectId, type: auth.upn ? 'User' : 'ServicePrincipal' }],
          denyAssignmentId: '',
          type: 'RBAC',
          result: ev.denied ? 'Denied' : 'Granted',
          reason: ev.denied ? 'NoApplicablePolicy' : 'Policy',
        }],
        requester,
      };
    }
  }
}

/** The resource id of a storage account's blob service. */
export function blobServiceId(s: AzureStorage): string {
  return `/subscriptions/${s.subscription}/resourceGroups/${s.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${s.account}/blobServices/default`;
}

/**
 * One Azure Storage blob resource-log record (diagnostic-setting archive format) for a
 * synthetic request; `callerIpAddress` carries a port, as Azure writes it.
 */
export function azureRecord(ev: SynthEvent, rng: SeededRandom): Record<string, unknown> {
  const storage = ev.bucket.azure as AzureStorage;
  const op = OPERATIONS[ev.op];
  const auth = ev.actor.auth as AzureAuth;
  const container = ev.bucket.name;
  const objectKey = ev.key ? `/${storage.account}/${container}/${ev.key}` : `/${storage.account}/${container}`;
  const path = ev.key ? `${container}/${encodeURI(ev.key)}` : `${container}?restype=container&comp=list`;
  const statusText = ev.denied ? (auth.type === 'azure-oauth' ? 'AuthorizationPermissionMismatch' : 'AuthorizationFailure') : 'Success';
  const latency = rng.int(2, 30) + Math.floor(ev.bytes / 2_000_000);
  const properties: Record<string, unknown> = {
    accountName: storage.account,
    userAgentHeader: ev.client,
    clientRequestId: rng.uuid(),
    serviceType: 'blob',
    objectKey,
    metricResponseType: ev.denied ? 'AuthorizationError' : 'Success',
    serverLatencyMs: latency,
    requestHeaderSize: rng.int(500, 1800),
    responseHeaderSize: rng.int(200, 420),
    requestBodySize: ev.op === 'write' && !ev.denied ? ev.bytes : 0,
    responseBodySize: (ev.op === 'read' || ev.op === 'list') && !ev.denied ? ev.bytes : 0,
    tlsVersion: 'TLS 1.2',
  };
  if ((ev.op === 'read' || ev.op === 'write') && !ev.denied) {
    properties.etag = `0x8DD${rng.hex(13).toUpperCase()}`;
    properties.contentLengthHeader = ev.op === 'write' ? ev.bytes : 0;
    properties.accessTier = 'Hot';
  }
  return {
    time: azureTime(ev.time, rng),
    resourceId: blobServiceId(storage),
    category: op.category,
    operationName: op.name,
    operationVersion: '2024-08-04',
    schemaVersion: '1.0',
    statusCode: ev.denied ? 403 : op.status,
    statusText,
    durationMs: latency + rng.int(0, 4),
    callerIpAddress: `${ev.ip}:${rng.int(1024, 65535)}`,
    correlationId: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(6)}000000`,
    identity: identity(auth, ev, op.action),
    location: ev.bucket.region,
    properties,
    uri: `https://${storage.account}.blob.core.windows.net:443/${path}`,
    protocol: 'HTTPS',
    resourceType: 'Microsoft.Storage/storageAccounts/blobServices',
  };
}
