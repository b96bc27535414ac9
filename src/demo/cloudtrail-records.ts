import { SeededRandom } from './seeded-random.js';
import type { AwsAuth, Op, SynthEvent } from './synthetic-event.js';

const EVENT_NAMES: Record<Op, string> = { read: 'GetObject', write: 'PutObject', list: 'ListObjects', delete: 'DeleteObject' };
const CIPHER = 'TLS_AES_128_GCM_SHA256';
const HOUR = 3_600_000;
const DAY = 86_400_000;

let lastSecond = NaN;
let lastText = '';

/** CloudTrail's `eventTime` format: seconds precision, `Z`. */
export function cloudTrailTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = new Date(second * 1000).toISOString().slice(0, 19) + 'Z';
  }
  return lastText;
}

/** Session name of a role session on a given day (stable within the day, as real sessions are). */
function sessionName(auth: Extract<AwsAuth, { type: 'aws-role' }>, day: number): string {
  const r = SeededRandom.from('session', auth.roleArn, auth.sessionStyle === 'instance' ? 0 : day);
  switch (auth.sessionStyle) {
    case 'instance':
      return `i-0${r.hex(16)}`;
    case 'task':
      return r.hex(32);
    case 'lambda':
      return `${auth.roleName}-fn`;
    case 'botocore':
      return `botocore-session-${Math.floor((day * DAY) / 1000) + r.int(3_600, 7_200)}`;
  }
}

function assumedRole(accountId: string, roleName: string, roleArn: string, roleId: string, session: string, time: number): Record<string, unknown> {
  const day = Math.floor(time / DAY);
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${session}`,
    accountId,
    accessKeyId: `ASIA${SeededRandom.from('asia', roleId, session, day).upperAlnum(16)}`,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: roleId, arn: roleArn, accountId, userName: roleName },
      attributes: { creationDate: cloudTrailTime(Math.floor(time / HOUR) * HOUR), mfaAuthenticated: 'false' },
    },
  };
}

/** The `userIdentity` block CloudTrail writes for a caller. */
export function cloudTrailIdentity(auth: AwsAuth, time: number): Record<string, unknown> {
  switch (auth.type) {
    case 'aws-iam-user':
      return { type: 'IAMUser', principalId: auth.userId, arn: `arn:aws:iam::${auth.accountId}:user/${auth.userName}`, accountId: auth.accountId, accessKeyId: auth.accessKeyId, userName: auth.userName };
    case 'aws-sso':
      return assumedRole(auth.accountId, auth.roleName, auth.roleArn, auth.roleId, auth.email, time);
    case 'aws-role':
      return assumedRole(auth.accountId, auth.roleName, auth.roleArn, auth.roleId, sessionName(auth, Math.floor(time / DAY)), time);
    case 'aws-anonymous':
      return { type: 'AWSAccount', principalId: '', accountId: 'ANONYMOUS_PRINCIPAL' };
  }
}

/**
 * One CloudTrail S3 data event (as delivered in `{"Records":[...]}` files, eventVersion 1.09)
 * for a synthetic request; `rng` supplies the event, request and host ids.
 */
export function cloudTrailRecord(ev: SynthEvent, rng: SeededRandom): Record<string, unknown> {
  const auth = ev.actor.auth as AwsAuth;
  const { bucket } = ev;
  const accountId = bucket.account;
  const host = `${bucket.name}.s3.${bucket.region}.amazonaws.com`;
  const list = ev.op === 'list';
  const requestParameters: Record<string, unknown> = list
    ? { 'list-type': '2', bucketName: bucket.name, 'encoding-type': 'url', prefix: '', Host: host }
    : { bucketName: bucket.name, Host: host, key: ev.key ?? '' };
  const bytesIn = ev.op === 'write' && !ev.denied ? ev.bytes : 0;
  const bytesOut = (ev.op === 'read' || list) && !ev.denied ? ev.bytes : 0;
  const amzId2 = rng.base64(76);
  const additionalEventData: Record<string, unknown> = auth.type === 'aws-anonymous'
    ? { CipherSuite: CIPHER, bytesTransferredIn: bytesIn, 'x-amz-id-2': amzId2, bytesTransferredOut: bytesOut }
    : { SignatureVersion: 'SigV4', CipherSuite: CIPHER, bytesTransferredIn: bytesIn, AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': amzId2, bytesTransferredOut: bytesOut };
  const bucketArn = `arn:aws:s3:::${bucket.name}`;
  const record: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: cloudTrailIdentity(auth, ev.time),
    eventTime: cloudTrailTime(ev.time),
    eventSource: 's3.amazonaws.com',
    eventName: EVENT_NAMES[ev.op],
    awsRegion: bucket.region,
    sourceIPAddress: ev.ip,
    userAgent: `[${ev.client}]`,
  };
  if (ev.denied) {
    record.errorCode = 'AccessDenied';
    record.errorMessage = 'Access Denied';
  }
  record.requestParameters = requestParameters;
  record.responseElements = ev.op === 'write' && !ev.denied ? { 'x-amz-server-side-encryption': 'AES256' } : null;
  record.additionalEventData = additionalEventData;
  record.requestID = rng.upperAlnum(16);
  record.eventID = rng.uuid();
  record.readOnly = ev.op === 'read' || list;
  record.resources = list
    ? [{ accountId, type: 'AWS::S3::Bucket', ARN: bucketArn }]
    : [{ type: 'AWS::S3::Object', ARN: `${bucketArn}/${ev.key ?? ''}` }, { accountId, type: 'AWS::S3::Bucket', ARN: bucketArn }];
  record.eventType = 'AwsApiCall';
  record.managementEvent = false;
  record.recipientAccountId = accountId;
  if (ev.ip.startsWith('10.')) {
    record.vpcEndpointId = `vpce-${SeededRandom.from('vpce', accountId, bucket.region).hex(17)}`;
    record.vpcEndpointAccountId = accountId;
  }
  record.eventCategory = 'Data';
  record.tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: CIPHER, clientProvidedHostHeader: host };
  return record;
}
