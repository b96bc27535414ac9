import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { AccessEvent, ActionClass, Normalized, Outcome, Resource } from '../../core/event.js';
import type { RecordNormalizer } from '../record-normalizer.js';
import { bucketChange } from './bucket-change.js';
import { bareGcsMethod, classifyGcsMethod, isGcsMethod } from './classify-gcs-method.js';
import { gcpPrincipal } from './gcp-principal.js';
import { asCount, asRecord, asText } from './json-fields.js';
import { parseLogTime } from './parse-log-time.js';

export { classifyGcsMethod } from './classify-gcs-method.js';

const STORAGE_SERVICE = 'storage.googleapis.com';

/** gRPC canonical codes that mean the caller was not allowed, by number. */
const DENIED_CODES: Readonly<Record<number, string>> = { 7: 'PERMISSION_DENIED', 16: 'UNAUTHENTICATED' };

/** Normaliser for one Cloud Logging LogEntry of the Cloud Audit Logs for Cloud Storage. */
export const gcpAuditNormalizer: RecordNormalizer = {
  format: 'gcp-audit',

  matches(record: Record<string, unknown>): boolean {
    const payload = asRecord(record.protoPayload);
    if (payload && payloadType(payload)?.includes('AuditLog')) return true;
    return typeof record.logName === 'string' && record.logName.includes('cloudaudit.googleapis.com');
  },

  normalize(record: Record<string, unknown>): Normalized {
    try {
      return normalizeEntry(record);
    } catch (err) {
      return { kind: 'reject', reason: `unreadable LogEntry: ${err instanceof Error ? err.message : String(err)}` };
    }
  },
};

// Re-exporters rename the protobuf `@type`: Panther writes `at_type` or `at_sign_type`.
function payloadType(payload: Record<string, unknown>): string | undefined {
  return asText(payload['@type']) ?? asText(payload.at_type) ?? asText(payload.at_sign_type);
}

function normalizeEntry(record: Record<string, unknown>): Normalized {
  const payload = asRecord(record.protoPayload);
  if (!payload) return { kind: 'reject', reason: 'protoPayload missing' };
  const service = asText(payload.serviceName);
  if (!service) return { kind: 'reject', reason: 'protoPayload.serviceName missing' };
  if (service !== STORAGE_SERVICE) return { kind: 'skip', reason: `not Cloud Storage: ${service}` };
  const method = asText(payload.methodName);
  if (!method) return { kind: 'reject', reason: 'protoPayload.methodName missing' };
  if (!isGcsMethod(method)) return { kind: 'skip', reason: `not a Cloud Storage method: ${method}` };

  const meta = asRecord(payload.requestMetadata);
  const time = parseLogTime(record.timestamp) ?? parseLogTime(asRecord(meta?.requestAttributes)?.time);
  if (time === undefined) {
    const reason = record.timestamp === undefined ? 'timestamp missing' : `timestamp not a valid time: ${clip(record.timestamp)}`;
    return { kind: 'reject', reason };
  }

  const labels = asRecord(asRecord(record.resource)?.labels);
  const account = asText(labels?.project_id) ?? projectInLogName(record.logName) ?? '';
  const actionClass = classifyGcsMethod(method);
  const event: AccessEvent = {
    id: asText(record.insertId) ?? fallbackId(record, payload, method, account),
    cloud: 'gcp',
    account,
    principal: gcpPrincipal(payload.authenticationInfo, account),
    action: { name: method, class: actionClass },
    resource: resourceOf(labels, payload),
    ...bytesOf(actionClass, method, payload),
    outcome: outcomeOf(payload),
    time,
  };
  const region = asText(labels?.location) ?? firstText(asRecord(payload.resourceLocation)?.currentLocations);
  if (region) event.region = region;
  const ip = asText(meta?.callerIp) ?? asText(meta?.callerIP);
  if (ip && isIP(ip)) event.ip = ip;
  const client = clientOf(meta?.callerSuppliedUserAgent);
  if (client) event.client = client;
  const arrivedAt = parseLogTime(record.receiveTimestamp);
  if (arrivedAt !== undefined) event.arrivedAt = arrivedAt;
  const change = bucketChange(method, payload);
  if (change) event.change = change;
  return { kind: 'event', event };
}

function projectInLogName(logName: unknown): string | undefined {
  const m = typeof logName === 'string' ? /^projects\/([^/]+)\/logs\//.exec(logName) : null;
  return m?.[1];
}

function firstText(list: unknown): string | undefined {
  return Array.isArray(list) ? asText(list[0]) : undefined;
}

function clip(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A stable id for entries that lost their insertId (re-exported copies): a hash of what identifies the call. */
function fallbackId(record: Record<string, unknown>, payload: Record<string, unknown>, method: string, account: string): string {
  const parts = [
    asText(record.logName) ?? account,
    JSON.stringify(record.timestamp ?? asRecord(asRecord(payload.requestMetadata)?.requestAttributes)?.time ?? null),
    method,
    asText(payload.resourceName) ?? '',
    asText(asRecord(payload.authenticationInfo)?.principalEmail) ?? '',
    JSON.stringify(asRecord(payload.status)?.code ?? null),
  ];
  return `sha256:${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32)}`;
}

const STORAGE_NAME = /^(?:\/\/storage\.googleapis\.com\/)?projects\/[^/]+\/buckets\/([^/]+)(?:\/objects\/(.+))?/;

function parseStorageName(name: unknown): { bucket: string; key?: string } | undefined {
  const m = typeof name === 'string' ? STORAGE_NAME.exec(name) : null;
  if (!m?.[1]) return undefined;
  return m[2] ? { bucket: m[1], key: decodeKey(m[2]) } : { bucket: m[1] };
}

function decodeKey(key: string): string {
  if (!/%[0-9a-f]{2}/i.test(key)) return key;
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** Bucket from the resource labels, key from resourceName; VPC-SC denials name the project, so look further. */
function resourceOf(labels: Record<string, unknown> | undefined, payload: Record<string, unknown>): Resource {
  const authorized = Array.isArray(payload.authorizationInfo) ? payload.authorizationInfo.map((a) => asRecord(a)?.resource) : [];
  const metadataNames: unknown = asRecord(payload.metadata)?.resourceNames;
  const candidates: unknown[] = [payload.resourceName, ...authorized, ...(Array.isArray(metadataNames) ? (metadataNames as unknown[]) : [])];
  let named: { bucket: string; key?: string } | undefined;
  for (const candidate of candidates) {
    named = parseStorageName(candidate);
    if (named) break;
  }
  const bucket = asText(labels?.bucket_name) ?? named?.bucket ?? '';
  return named?.key !== undefined && named.bucket === bucket ? { bucket, key: named.key } : { bucket };
}

// The Google Front End appends ",gzip(gfe)" (sometimes twice) to the caller's user agent.
const GFE_SUFFIX = /(?:\s*,\s*gzip\(gfe\))+\s*$/;

function clientOf(userAgent: unknown): string | undefined {
  return typeof userAgent === 'string' ? asText(userAgent.replace(GFE_SUFFIX, '')) : undefined;
}

/** Data-access entries carry no transfer sizes; use the few explicit size fields some entries have. */
function bytesOf(actionClass: ActionClass, method: string, payload: Record<string, unknown>): { bytesOut: number; bytesIn: number } {
  if (actionClass === 'read') {
    return { bytesOut: asCount(asRecord(payload.metadata)?.requested_bytes) ?? 0, bytesIn: 0 };
  }
  if (bareGcsMethod(method) === 'storage.objects.create') {
    return { bytesOut: 0, bytesIn: asCount(asRecord(payload.response)?.size) ?? 0 };
  }
  return { bytesOut: 0, bytesIn: 0 };
}

function outcomeOf(payload: Record<string, unknown>): Outcome {
  const status = asRecord(payload.status);
  const raw = asText(status?.code);
  if (raw === undefined || raw === '0' || raw === 'OK') {
    // Some re-exporters drop the numeric code and keep only the canonical name in the message.
    const named = /^(PERMISSION_DENIED|UNAUTHENTICATED)\b/.exec(asText(status?.message) ?? '')?.[1];
    return named ? { status: 'denied', code: named } : { status: 'success' };
  }
  const deniedName = /^\d+$/.test(raw) ? DENIED_CODES[Number(raw)] : Object.values(DENIED_CODES).find((n) => n === raw);
  if (deniedName) return { status: 'denied', code: deniedName };
  const refused = Array.isArray(payload.authorizationInfo) && payload.authorizationInfo.some((a) => asRecord(a)?.granted === false);
  return { status: refused ? 'denied' : 'error', code: raw };
}
