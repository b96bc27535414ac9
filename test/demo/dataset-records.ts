import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The CloudTrail fields the tests read. */
export interface CloudTrailRaw {
  eventVersion: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  eventType: string;
  eventCategory: string;
  managementEvent: boolean;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  requestParameters: { bucketName: string; key?: string };
  additionalEventData: { bytesTransferredOut: number };
  userIdentity: { type: string; arn?: string; accountId?: string; sessionContext?: { sessionIssuer: { arn: string } } };
}

/** The Cloud Audit Logs LogEntry fields the tests read. */
export interface LogEntryRaw {
  timestamp: string;
  receiveTimestamp: string;
  logName: string;
  resource: { labels: { bucket_name: string } };
  protoPayload: {
    '@type': string;
    serviceName: string;
    methodName: string;
    resourceName: string;
    status: { code?: number };
    authenticationInfo: { principalEmail?: string };
    requestMetadata: { callerIp: string; callerSuppliedUserAgent: string };
  };
}

/** The Azure blob resource-log fields the tests read. */
export interface BlobLogRaw {
  time: string;
  category: string;
  operationName: string;
  statusCode: number;
  callerIpAddress: string;
  identity: { type: string; tokenHash?: string; requester?: { objectId: string } };
  properties: { userAgentHeader: string; objectKey: string; responseBodySize: number; serviceType: string };
}

interface Common {
  file: string;
  principalId: string;
  time: number;
  ip: string;
  client: string;
  op: string;
  denied: boolean;
  bucket: string;
  key?: string;
  bytesOut: number;
}

/** One raw record of a generated dataset, with what the principal-id rules derive from it. */
export type DatasetRecord =
  | (Common & { cloud: 'aws'; raw: CloudTrailRaw })
  | (Common & { cloud: 'gcp'; raw: LogEntryRaw })
  | (Common & { cloud: 'azure'; raw: BlobLogRaw });

type Cloud = DatasetRecord['cloud'];

/** The principal id the brief's rules derive from a CloudTrail record (independently of the project's parsers). */
export function cloudTrailPrincipalId(r: CloudTrailRaw): string {
  const u = r.userIdentity;
  if (u.type === 'AWSAccount' && u.accountId === 'ANONYMOUS_PRINCIPAL') return 'anonymous';
  if (u.type === 'IAMUser') return u.arn ?? '';
  const session = (u.arn ?? '').split('/').pop() ?? '';
  const role = u.sessionContext?.sessionIssuer.arn ?? '';
  return session.includes('@') ? `${role}/${session}` : role;
}

/** The principal id the rules derive from a Cloud Audit Logs entry. */
export function gcpPrincipalId(r: LogEntryRaw): string {
  return r.protoPayload.authenticationInfo.principalEmail?.toLowerCase() ?? 'anonymous';
}

/** The principal id the rules derive from an Azure blob resource log. */
export function azurePrincipalId(r: BlobLogRaw): string {
  const id = r.identity;
  if (id.type === 'OAuth') return (id.requester?.objectId ?? '').toLowerCase();
  if (id.type === 'SAS') return `sas:${id.tokenHash ?? ''}`;
  if (id.type === 'AccountKey') return `key:${id.tokenHash ?? ''}`;
  return 'anonymous';
}

function describe(cloud: Cloud, file: string, value: unknown): DatasetRecord {
  if (cloud === 'aws') {
    const raw = value as CloudTrailRaw;
    const req = raw.requestParameters;
    return {
      cloud, file, raw, principalId: cloudTrailPrincipalId(raw), time: Date.parse(raw.eventTime), ip: raw.sourceIPAddress, client: raw.userAgent, op: raw.eventName,
      denied: raw.errorCode === 'AccessDenied', bucket: req.bucketName, key: req.key, bytesOut: raw.additionalEventData.bytesTransferredOut,
    };
  }
  if (cloud === 'gcp') {
    const raw = value as LogEntryRaw;
    const p = raw.protoPayload;
    return {
      cloud, file, raw, principalId: gcpPrincipalId(raw), time: Date.parse(raw.timestamp), ip: p.requestMetadata.callerIp, client: p.requestMetadata.callerSuppliedUserAgent,
      op: p.methodName, denied: p.status.code === 7, bucket: raw.resource.labels.bucket_name, key: p.resourceName.split('/objects/')[1], bytesOut: 0,
    };
  }
  const raw = value as BlobLogRaw;
  const [, , container = '', ...rest] = raw.properties.objectKey.split('/');
  return {
    cloud, file, raw, principalId: azurePrincipalId(raw), time: Date.parse(raw.time), ip: raw.callerIpAddress.replace(/:\d+$/, ''), client: raw.properties.userAgentHeader,
    op: raw.operationName, denied: raw.statusCode === 403, bucket: container, key: rest.length ? rest.join('/') : undefined, bytesOut: raw.properties.responseBodySize,
  };
}

/** Which provider a dataset file belongs to, from its path. */
export function cloudOfFile(file: string): Cloud {
  return file.startsWith('AWSLogs/') ? 'aws' : file.startsWith('cloudaudit.googleapis.com/') ? 'gcp' : 'azure';
}

/** The raw JSON records of one generated file (CloudTrail files are gunzipped). */
export function fileRecords(dir: string, file: string): unknown[] {
  const bytes = readFileSync(join(dir, file));
  if (file.endsWith('.gz')) return (JSON.parse(gunzipSync(bytes).toString('utf8')) as { Records: unknown[] }).Records;
  return bytes.toString('utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as unknown);
}

/** Every record of a generated dataset. */
export function datasetRecords(dir: string, files: readonly string[]): DatasetRecord[] {
  const out: DatasetRecord[] = [];
  for (const file of files) {
    const cloud = cloudOfFile(file);
    for (const raw of fileRecords(dir, file)) out.push(describe(cloud, file, raw));
  }
  return out;
}

/** SHA-256 over the listed files' names and bytes plus manifest.json. */
export function hashDataset(dir: string, files: readonly string[]): string {
  const h = createHash('sha256');
  for (const file of [...files, 'manifest.json']) {
    h.update(file);
    h.update(readFileSync(join(dir, file)));
  }
  return h.digest('hex');
}
