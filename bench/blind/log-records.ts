import { AWS_ACCOUNT, AZURE, GCP_PROJECT } from './buckets.js';
import { isoSeconds } from './calendar.js';
import type { Call } from './model.js';
import type { Identity } from './organisation.js';
import type { Rng } from './rng.js';

const AWS_EVENT: Record<Call['op'], string> = { get: 'GetObject', put: 'PutObject', delete: 'DeleteObject', list: 'ListObjects' };
const GCS_METHOD: Record<Call['op'], string> = { get: 'storage.objects.get', put: 'storage.objects.create', delete: 'storage.objects.delete', list: 'storage.objects.list' };
const AZURE_OP: Record<Call['op'], [string, string, number]> = { get: ['GetBlob', 'StorageRead', 200], put: ['PutBlob', 'StorageWrite', 201], delete: ['DeleteBlob', 'StorageDelete', 202], list: ['ListBlobs', 'StorageRead', 200] };

function awsIdentity(id: Identity, call: Call): Record<string, unknown> {
  const who = id.clouds.aws!.who;
  switch (who.kind) {
    case 'anonymous':
      return { type: 'AWSAccount', principalId: '', accountId: 'ANONYMOUS_PRINCIPAL' };
    case 'iam-user':
      return { type: 'IAMUser', principalId: who.principalId, arn: `arn:aws:iam::${AWS_ACCOUNT}:user/${who.userName}`, accountId: AWS_ACCOUNT, accessKeyId: who.accessKeyId, userName: who.userName };
    case 'sso': {
      const role = `AWSReservedSSO_${who.permissionSet}_${who.roleSuffix}`;
      return {
        type: 'AssumedRole', principalId: `${who.rolePrincipalId}:${who.session}`, arn: `arn:aws:sts::${AWS_ACCOUNT}:assumed-role/${role}/${who.session}`, accountId: AWS_ACCOUNT, accessKeyId: call.session,
        sessionContext: { sessionIssuer: { type: 'Role', principalId: who.rolePrincipalId, arn: `arn:aws:iam::${AWS_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/${role}`, accountId: AWS_ACCOUNT, userName: role }, attributes: { creationDate: isoSeconds(call.t - (call.t % 28_800_000)), mfaAuthenticated: 'false' } },
      };
    }
    case 'role': {
      const session = call.session ?? who.sessions[0]!;
      return {
        type: 'AssumedRole', principalId: `${who.rolePrincipalId}:${session}`, arn: `arn:aws:sts::${AWS_ACCOUNT}:assumed-role/${who.roleName}/${session}`, accountId: AWS_ACCOUNT, accessKeyId: `ASIA${who.rolePrincipalId.slice(4, 20)}`,
        sessionContext: { sessionIssuer: { type: 'Role', principalId: who.rolePrincipalId, arn: `arn:aws:iam::${AWS_ACCOUNT}:role/${who.roleName}`, accountId: AWS_ACCOUNT, userName: who.roleName }, attributes: { creationDate: isoSeconds(call.t - (call.t % 3_600_000)), mfaAuthenticated: 'false' } },
      };
    }
  }
  throw new Error(`identity ${id.key} has no AWS name`);
}

/** A CloudTrail S3 data event for a call, shaped like the records CloudTrail delivers. */
export function cloudTrailRecord(id: Identity, call: Call, rng: Rng): Record<string, unknown> {
  const b = call.bucket.name;
  const host = `${b}.s3.${call.bucket.region}.amazonaws.com`;
  const anonymous = id.clouds.aws!.who.kind === 'anonymous';
  const requestParameters: Record<string, unknown> = { bucketName: b, Host: host };
  if (call.op === 'list') Object.assign(requestParameters, { 'list-type': '2', prefix: call.key ?? '', delimiter: '/', 'encoding-type': 'url' });
  else requestParameters.key = call.key;
  const resources: Record<string, unknown>[] = call.op === 'list' ? [] : [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${b}/${call.key}` }];
  resources.push({ accountId: AWS_ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${b}` });
  const record: Record<string, unknown> = {
    eventVersion: '1.10', userIdentity: awsIdentity(id, call), eventTime: isoSeconds(call.t), eventSource: 's3.amazonaws.com', eventName: AWS_EVENT[call.op],
    awsRegion: call.bucket.region, sourceIPAddress: call.ip, userAgent: call.ua, requestParameters, responseElements: null,
    additionalEventData: {
      ...(anonymous ? {} : { SignatureVersion: 'SigV4', AuthenticationMethod: 'AuthHeader' }), CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: call.op === 'put' ? call.bytes : 0, 'x-amz-id-2': `${rng.alnum(56, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/')}=`, bytesTransferredOut: call.op === 'get' ? call.bytes : 0,
    },
    requestID: rng.alnum(16), eventID: rng.uuid(), readOnly: call.op === 'get' || call.op === 'list', resources, eventType: 'AwsApiCall', managementEvent: false,
    recipientAccountId: AWS_ACCOUNT, eventCategory: 'Data', tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: host },
  };
  if (call.vpce) Object.assign(record, { vpcEndpointId: call.vpce, vpcEndpointAccountId: AWS_ACCOUNT });
  if (call.denied) Object.assign(record, { errorCode: 'AccessDenied', errorMessage: 'Access Denied', additionalEventData: { ...(record.additionalEventData as object), bytesTransferredOut: 0 } });
  return record;
}

function nanos(ms: number, rng: Rng): string {
  return new Date(ms).toISOString().slice(0, 19) + `.${String(ms % 1000).padStart(3, '0')}${rng.int(0, 999999).toString().padStart(6, '0')}Z`;
}

/** A Cloud Audit Logs data_access LogEntry for a call, as a Cloud Logging sink writes it. */
export function gcsLogEntry(id: Identity, call: Call, rng: Rng): Record<string, unknown> {
  const who = id.clouds.gcp!.who;
  const b = call.bucket.name;
  const resourceName = call.op === 'list' ? `projects/_/buckets/${b}` : `projects/_/buckets/${b}/objects/${call.key}`;
  const ts = nanos(call.t, rng);
  const email = who.kind === 'email' ? who.email : undefined;
  return {
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      status: call.denied ? { code: 7, message: 'PERMISSION_DENIED' } : {},
      authenticationInfo: email ? { principalEmail: email, ...(email.endsWith('gserviceaccount.com') ? {} : { principalSubject: `user:${email}` }) } : {},
      requestMetadata: { callerIp: call.ip, callerSuppliedUserAgent: call.ua, requestAttributes: { time: ts, auth: {} }, destinationAttributes: {} },
      serviceName: 'storage.googleapis.com', methodName: GCS_METHOD[call.op],
      authorizationInfo: [{ resource: resourceName, permission: GCS_METHOD[call.op], granted: !call.denied, resourceAttributes: {} }],
      resourceName, resourceLocation: { currentLocations: [call.bucket.region.toLowerCase()] },
      ...(call.op === 'list' ? { request: { '@type': 'type.googleapis.com/storage.objects.list', prefix: call.key ?? '' } } : {}),
    },
    insertId: rng.alnum(12, 'abcdefghijklmnopqrstuvwxyz0123456789'),
    resource: { type: 'gcs_bucket', labels: { bucket_name: b, project_id: GCP_PROJECT, location: call.bucket.region.toLowerCase() } },
    timestamp: ts, severity: call.denied ? 'ERROR' : 'INFO', logName: `projects/${GCP_PROJECT}/logs/cloudaudit.googleapis.com%2Fdata_access`,
    receiveTimestamp: nanos(call.t + rng.int(300, 2500), rng),
  };
}

/** The resourceId of an Azure storage account's blob service. */
export function azureResourceId(account: string): string {
  return `/subscriptions/${AZURE.subscription}/resourceGroups/${AZURE.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${account}/blobServices/default`;
}

/** An Azure Storage resource-log record (StorageRead / StorageWrite / StorageDelete) for a call. */
export function azureRecord(id: Identity, call: Call, rng: Rng): Record<string, unknown> {
  const who = id.clouds.azure!.who;
  const account = call.bucket.account!;
  const [operationName, category, okStatus] = AZURE_OP[call.op];
  const path = call.op === 'list' ? `${call.bucket.name}?restype=container&comp=list&prefix=${encodeURIComponent(call.key ?? '')}` : `${call.bucket.name}/${encodeURI(call.key ?? '')}`;
  const identity =
    who.kind === 'entra'
      ? { type: 'OAuth', tokenHash: `sha256(${rng.hex(64).toUpperCase()})`, authorization: [{ action: `Microsoft.Storage/storageAccounts/blobServices/containers/blobs/${call.op === 'get' || call.op === 'list' ? 'read' : call.op === 'put' ? 'write' : 'delete'}`, principals: [{ id: who.objectId, type: who.upn ? 'User' : 'ServicePrincipal' }], type: 'RBAC', result: call.denied ? 'Denied' : 'Granted', reason: call.denied ? 'NoApplicablePolicy' : 'Policy' }], requester: { appId: who.appId, audience: 'https://storage.azure.com/', objectId: who.objectId, tenantId: AZURE.tenant, tokenIssuer: `https://sts.windows.net/${AZURE.tenant}/`, ...(who.upn ? { upn: who.upn } : {}) } }
      : { type: 'Anonymous' };
  const ms = new Date(call.t).toISOString().slice(0, 23);
  return {
    time: `${ms}${rng.int(0, 9999).toString().padStart(4, '0')}Z`, resourceId: azureResourceId(account), category, operationName, operationVersion: '2023-11-03', schemaVersion: '1.0',
    statusCode: call.denied ? 403 : okStatus, statusText: call.denied ? 'AuthorizationPermissionMismatch' : 'Success', durationMs: rng.int(3, 80),
    callerIpAddress: `${call.ip}:${rng.int(1024, 65535)}`, correlationId: rng.uuid(), identity, location: call.bucket.region,
    properties: {
      accountName: account, userAgentHeader: call.ua, clientRequestId: rng.uuid(), ...(call.op === 'get' ? { etag: `"0x8DC${rng.hex(12).toUpperCase()}"` } : {}),
      serverLatencyMs: rng.int(2, 60), serviceType: 'blob', objectKey: call.op === 'list' ? `/${account}/${call.bucket.name}` : `/${account}/${call.bucket.name}/${call.key}`,
      metricResponseType: call.denied ? 'AuthorizationError' : 'Success', requestHeaderSize: rng.int(500, 1400), responseHeaderSize: rng.int(200, 500),
      responseBodySize: call.op === 'get' ? call.bytes : 0, requestBodySize: call.op === 'put' ? call.bytes : 0, tlsVersion: 'TLS 1.2',
    },
    uri: `https://${account}.blob.core.windows.net:443/${path}`, protocol: 'HTTPS', resourceType: 'Microsoft.Storage/storageAccounts/blobServices',
  };
}
