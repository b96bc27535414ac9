import { randomUUID } from 'node:crypto';

/** What varies between the hand-made CloudTrail S3 data events of a test. */
export interface CloudTrailRecordOptions {
  time: number;
  user?: string;
  ip?: string;
  userAgent?: string;
  eventName?: string;
  bucket?: string;
  key?: string;
  bytesOut?: number;
  eventId?: string;
}

/** One CloudTrail S3 data event of IAM user `user` in account 111122223333, shaped as CloudTrail writes it. */
export function cloudTrailRecord(o: CloudTrailRecordOptions): Record<string, unknown> {
  const user = o.user ?? 'alice';
  const bucket = o.bucket ?? 'finance-reports';
  const key = o.key ?? '2025/q1/summary.csv';
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser', principalId: 'AIDAEXAMPLEALICE01', arn: `arn:aws:iam::111122223333:user/${user}`, accountId: '111122223333',
      accessKeyId: 'AKIAEXAMPLEKEY00001', userName: user,
    },
    eventTime: new Date(o.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 's3.amazonaws.com',
    eventName: o.eventName ?? 'GetObject',
    awsRegion: 'eu-west-1',
    sourceIPAddress: o.ip ?? '198.51.100.10',
    userAgent: o.userAgent ?? '[aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2023]',
    requestParameters: { bucketName: bucket, Host: `${bucket}.s3.eu-west-1.amazonaws.com`, key },
    responseElements: null,
    additionalEventData: { bytesTransferredIn: 0, bytesTransferredOut: o.bytesOut ?? 2048, SignatureVersion: 'SigV4' },
    requestID: randomUUID().slice(0, 16).toUpperCase(),
    eventID: o.eventId ?? randomUUID(),
    readOnly: true,
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
      { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: '111122223333',
    eventCategory: 'Data',
  };
}

/** Records as NDJSON text, one per line, ending with a newline. */
export function ndjson(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
