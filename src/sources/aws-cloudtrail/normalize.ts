import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { AccessEvent, Normalized, Outcome } from '../../core/event.js';
import type { RecordNormalizer } from '../record-normalizer.js';
import { bucketChange } from './bucket-change.js';
import { cloudTrailEventTime } from './cloud-trail-event-time.js';
import { arnAccount, cloudTrailPrincipal, isAnonymousIdentity } from './cloud-trail-principal.js';
import { asObject, readCount, readObject, readString } from './read-field.js';
import type { JsonObject } from './read-field.js';
import { s3ActionClass } from './s3-action-class.js';
import { s3Resource } from './s3-resource.js';

/** CloudTrail eventSource values whose events are S3 storage access (S3, S3 on Outposts, S3 Express One Zone). */
export const S3_EVENT_SOURCES: ReadonlySet<string> = new Set([
  's3.amazonaws.com',
  's3-outposts.amazonaws.com',
  's3express.amazonaws.com',
]);

const DENIED_CODES = new Set(['AccessDenied', 'AllAccessDisabled', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccountProblem']);

/** Normalises one CloudTrail event: S3 events become AccessEvents, other services' events are skipped. */
export const cloudTrailNormalizer: RecordNormalizer = {
  format: 'aws-cloudtrail',
  matches(record) {
    return (
      typeof record.eventSource === 'string' &&
      typeof record.eventName === 'string' &&
      ('eventVersion' in record || 'userIdentity' in record || 'eventTime' in record || '@timestamp' in record)
    );
  },
  normalize(record) {
    try {
      return normalizeCloudTrail(record);
    } catch (error) {
      return { kind: 'reject', reason: `unreadable CloudTrail event: ${error instanceof Error ? error.message : String(error)}` };
    }
  },
};

function normalizeCloudTrail(record: JsonObject): Normalized {
  const source = readString(record, 'eventSource');
  const eventName = readString(record, 'eventName');
  if (!source) return { kind: 'reject', reason: 'eventSource missing' };
  if (!eventName) return { kind: 'reject', reason: 'eventName missing' };
  if (!S3_EVENT_SOURCES.has(source)) return { kind: 'skip', reason: `not S3: ${source}` };

  const when = cloudTrailEventTime(record);
  if (!when.ok) return { kind: 'reject', reason: when.reason };
  const time = when.time;

  const identity = readObject(record, 'userIdentity');
  if (!identity) return { kind: 'reject', reason: 'userIdentity missing' };
  const account = eventAccount(record, identity);
  if (!account) return { kind: 'reject', reason: 'account unknown: no recipientAccountId, userIdentity account or resources[].accountId' };
  const who = cloudTrailPrincipal(identity, account);
  if (!who.ok) return { kind: 'reject', reason: who.reason };

  const extra = readObject(record, 'additionalEventData');
  const region = readString(record, 'awsRegion');
  const ip = sourceIp(record.sourceIPAddress);
  const client = userAgent(record.userAgent);
  const change = bucketChange(eventName, readObject(record, 'requestParameters'));
  const event: AccessEvent = {
    id: readString(record, 'eventID') ?? contentId(record),
    cloud: 'aws',
    account,
    ...(region ? { region } : {}),
    principal: who.principal,
    action: { name: eventName, class: s3ActionClass(eventName) },
    resource: s3Resource(record),
    ...(ip ? { ip } : {}),
    ...(client ? { client } : {}),
    bytesOut: readCount(extra, 'bytesTransferredOut'),
    bytesIn: readCount(extra, 'bytesTransferredIn'),
    outcome: outcome(record),
    time,
    ...(change ? { change } : {}),
  };
  return { kind: 'event', event };
}

// The account the event was recorded for (the bucket owner's for S3 data events).
function eventAccount(record: JsonObject, identity: JsonObject): string | undefined {
  const recipient = readString(record, 'recipientAccountId');
  if (recipient) return recipient;
  if (!isAnonymousIdentity(identity)) {
    const caller = readString(identity, 'accountId') ?? arnAccount(readString(identity, 'arn'));
    if (caller) return caller;
  }
  const resources = Array.isArray(record.resources) ? (record.resources as unknown[]) : [];
  for (const resource of resources) {
    const owner = readString(asObject(resource), 'accountId', 'accountid');
    if (owner) return owner;
  }
  return undefined;
}

// sourceIPAddress holds a service name ("s3.amazonaws.com", "AWS Internal") when AWS itself made the call.
function sourceIp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ip = value.trim();
  return isIP(ip) ? ip : undefined;
}

// S3 data events wrap the user agent in brackets: "[aws-cli/2.17.60 ...]".
function userAgent(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let agent = value.trim();
  if (agent.startsWith('[') && agent.endsWith(']')) agent = agent.slice(1, -1).trim();
  return agent === '' ? undefined : agent;
}

function outcome(record: JsonObject): Outcome {
  const code = readString(record, 'errorCode');
  if (!code) return { status: 'success' };
  const denied = DENIED_CODES.has(code) || code.startsWith('Unauthorized') || code.includes('AccessDenied');
  return { status: denied ? 'denied' : 'error', code };
}

// A stable id for records without eventID: the same record always hashes the same, whatever its key order.
function contentId(record: JsonObject): string {
  return `sha1-${createHash('sha1').update(canonicalJson(record)).digest('hex')}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = asObject(value);
  if (!obj) return JSON.stringify(value) ?? 'null';
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}
