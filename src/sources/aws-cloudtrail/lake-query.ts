import { S3_EVENT_SOURCES } from './normalize.js';
import type { JsonObject } from './read-field.js';

// CloudTrail Lake columns are typed (struct, map<string,string>), and a whole struct or map comes back
// in Trino's `{k=v, ...}` text, which cannot be parsed safely: select the scalar fields one by one instead.
const SCALARS = [
  'eventVersion', 'eventID', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorCode',
  'recipientAccountId', 'eventType', 'eventCategory',
];
const IDENTITY: [alias: string, path: string][] = [
  ['type', 'userIdentity.type'],
  ['principalId', 'userIdentity.principalId'],
  ['arn', 'userIdentity.arn'],
  ['accountId', 'userIdentity.accountId'],
  ['userName', 'userIdentity.userName'],
  ['invokedBy', 'userIdentity.invokedBy'],
  ['issuerArn', 'userIdentity.sessionContext.sessionIssuer.arn'],
  ['issuerUserName', 'userIdentity.sessionContext.sessionIssuer.userName'],
  ['onBehalfOfUserId', 'userIdentity.onBehalfOf.userId'],
];
/** requestParameters keys the normaliser and the bucket-change reader use (nested values arrive as JSON text). */
const REQUEST_KEYS = [
  'bucketName', 'key', 'Host', 'bucketPolicy', 'AccessControlPolicy', 'x-amz-acl', 'x-amz-grant-read', 'x-amz-grant-write',
  'x-amz-grant-full-control', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp', 'PublicAccessBlockConfiguration', 'BucketLoggingStatus',
];
const EXTRA_KEYS = ['bytesTransferredIn', 'bytesTransferredOut'];

const alias = (prefix: string, name: string): string => `${prefix}_${name.replace(/[^A-Za-z0-9]/g, '_')}`.toLowerCase();

/** `YYYY-MM-DD HH:MM:SS` in UTC, the timestamp literal CloudTrail Lake compares eventTime with. */
export function lakeTimestamp(t: number): string {
  return new Date(t).toISOString().slice(0, 19).replace('T', ' ');
}

/** The SQL reading S3 events of [from, to) from an event data store, oldest first. */
export function lakeQuery(edsId: string, from: number, to: number): string {
  const columns = [
    ...SCALARS.map((c) => `${c} AS ${c.toLowerCase()}`),
    ...IDENTITY.map(([a, path]) => `${path} AS ${alias('ui', a)}`),
    ...REQUEST_KEYS.map((k) => `element_at(requestParameters, '${k}') AS ${alias('rp', k)}`),
    ...EXTRA_KEYS.map((k) => `element_at(additionalEventData, '${k}') AS ${alias('ad', k)}`),
  ];
  const sources = [...S3_EVENT_SOURCES].map((s) => `'${s}'`).join(', ');
  return (
    `SELECT ${columns.join(', ')} FROM ${edsId} ` +
    `WHERE eventSource IN (${sources}) AND eventTime >= '${lakeTimestamp(from)}' AND eventTime < '${lakeTimestamp(to)}' ` +
    'ORDER BY eventTime, eventID'
  );
}

/** One GetQueryResults row (a list of one-entry column maps) as the CloudTrail record it was selected from. */
export function lakeRecord(row: readonly Record<string, string>[]): JsonObject {
  const cells = new Map<string, string>();
  for (const cell of row) for (const [k, v] of Object.entries(cell)) if (v !== '' && v !== 'null') cells.set(k.toLowerCase(), v);
  const pick = (names: readonly string[], key: (n: string) => string): JsonObject => {
    const out: JsonObject = {};
    for (const n of names) {
      const v = cells.get(key(n));
      if (v !== undefined) out[n] = v;
    }
    return out;
  };
  const identity = pick(IDENTITY.map(([a]) => a), (a) => alias('ui', a));
  const { issuerArn, issuerUserName, onBehalfOfUserId, ...plain } = identity;
  return {
    ...pick(SCALARS, (c) => c.toLowerCase()),
    userIdentity: {
      ...plain,
      ...(issuerArn || issuerUserName ? { sessionContext: { sessionIssuer: { arn: issuerArn, userName: issuerUserName } } } : {}),
      ...(onBehalfOfUserId ? { onBehalfOf: { userId: onBehalfOfUserId } } : {}),
    },
    requestParameters: pick(REQUEST_KEYS, (k) => alias('rp', k)),
    additionalEventData: pick(EXTRA_KEYS, (k) => alias('ad', k)),
  };
}
