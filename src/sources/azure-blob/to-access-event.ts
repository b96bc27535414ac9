import { createHash } from 'node:crypto';
import type { AccessEvent, Normalized } from '../../core/event.js';
import { azurePrincipal, isEntraCaller } from './azure-principal.js';
import type { AzureCaller } from './azure-principal.js';
import { blobOutcome } from './blob-outcome.js';
import { accountFromUri, blobResource } from './blob-resource.js';
import { callerIp } from './caller-ip.js';
import { classifyBlobOperation } from './classify-blob-operation.js';
import { parseAzureTime } from './parse-azure-time.js';
import { readCount } from './read-field.js';

/** One blob request as every Azure record family describes it, before the common mapping. */
export interface BlobRequest {
  /** Event time as logged (ISO string or Date). */
  time: unknown;
  /** Name of the time field, for rejection reasons. */
  timeField: string;
  /** Ingestion time as logged, when the record carries it. */
  arrivedAt?: unknown;
  /** Operation name as logged. */
  operation?: string;
  /** Storage account name. */
  accountName?: string;
  /** Subscription id, when the record names one. */
  subscriptionId?: string;
  /** Location of the storage account. */
  location?: string;
  /** correlationId / CorrelationId / request-id-header. */
  requestId?: string;
  /** Index of this operation within a multi-operation request (CopyBlob logs 0, 1, 2 under one id). */
  operationCount?: number;
  /** Who called. */
  caller: AzureCaller;
  /** HTTP status code as text. */
  statusCode?: string;
  /** Status text, or the metric response type when the record has no status text. */
  statusText?: string;
  /** Caller address, usually with a port. */
  callerIpAddress?: string;
  /** User-Agent header. */
  userAgent?: string;
  /** `/<account>/<container>/<blob>` or a URL. */
  objectKey?: string;
  /** Request URI. */
  uri?: string;
  /** Bytes received from the caller. */
  requestBodySize?: unknown;
  /** Bytes sent to the caller. */
  responseBodySize?: unknown;
}

/** Applies the mapping shared by all Azure Blob record families; rejects a request without operation, time or account. */
export function toAccessEvent(req: BlobRequest): Normalized {
  if (!req.operation) return { kind: 'reject', reason: 'operation name missing' };
  const time = parseAzureTime(req.time);
  if (time === undefined) {
    return { kind: 'reject', reason: req.time === undefined || req.time === null || req.time === '' ? `${req.timeField} missing` : `${req.timeField} unreadable: ${timeText(req.time)}` };
  }
  const accountName = (req.accountName ?? accountFromUri(req.uri))?.toLowerCase();
  if (!accountName) return { kind: 'reject', reason: 'storage account name missing' };
  const arrivedAt = parseAzureTime(req.arrivedAt);
  const principal = azurePrincipal(req.caller, accountName);
  const subscription = req.subscriptionId?.toLowerCase();
  const event: AccessEvent = {
    id: eventId(req),
    cloud: 'azure',
    // An Entra user or service principal is one identity across the storage accounts of a subscription (a token stolen
    // once reads them all); keys, SAS and anonymous callers belong to one storage account.
    account: subscription ? (isEntraCaller(req.caller) ? subscription : `${subscription}/${accountName}`) : accountName,
    principal,
    action: { name: req.operation, class: classifyBlobOperation(req.operation) },
    resource: blobResource(req.objectKey, req.uri, accountName),
    bytesOut: readCount(req.responseBodySize),
    bytesIn: readCount(req.requestBodySize),
    outcome: blobOutcome(req.statusCode, req.statusText),
    time,
  };
  if (req.location) event.region = req.location;
  const ip = callerIp(req.callerIpAddress);
  if (ip) event.ip = ip;
  if (req.userAgent) event.client = req.userAgent;
  if (arrivedAt !== undefined) event.arrivedAt = arrivedAt;
  return { kind: 'event', event };
}

function eventId(req: BlobRequest): string {
  const suffix = req.operationCount ? `#${req.operationCount}` : '';
  if (req.requestId) return `${req.requestId}${suffix}`;
  const material = JSON.stringify([timeText(req.time), req.operation, req.uri, req.objectKey, req.callerIpAddress, req.caller.hash]);
  return `sha256:${createHash('sha256').update(material).digest('hex').slice(0, 32)}${suffix}`;
}

function timeText(value: unknown): string {
  if (typeof value === 'string') return value;
  return value instanceof Date ? value.toISOString() : (JSON.stringify(value) ?? typeof value);
}
