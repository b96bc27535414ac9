import { describe, it, expect } from 'vitest';
import type { AccessEvent, Normalized } from '../../../src/core/event.js';
import { cloudTrailNormalizer } from '../../../src/sources/aws-cloudtrail/normalize.js';

// Hand-written S3 data event, shaped like the CloudTrail GetObject records in the AWS S3 user guide
// (awsdocs/amazon-s3-userguide, cloudtrail-logging-understanding-s3-entries.md); values are made up.
function getObject(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEID:i-0abc1234def567890',
      arn: 'arn:aws:sts::123456789012:assumed-role/app-reader/i-0abc1234def567890',
      accountId: '123456789012',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEID',
          arn: 'arn:aws:iam::123456789012:role/app-reader',
          accountId: '123456789012',
          userName: 'app-reader',
        },
      },
    },
    eventTime: '2025-03-04T05:06:07Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: '[aws-sdk-java/2.25.0]',
    requestParameters: { bucketName: 'payroll', key: '2025/03/salaries.csv', Host: 'payroll.s3.eu-west-1.amazonaws.com' },
    additionalEventData: { bytesTransferredIn: '0', bytesTransferredOut: '1048576' },
    requestID: 'REQ1',
    eventID: 'evt-1',
    eventType: 'AwsApiCall',
    recipientAccountId: '123456789012',
    ...overrides,
  };
}

function event(result: Normalized): AccessEvent {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${result.kind}: ${result.reason}`);
  return result.event;
}

const normalize = (overrides: Record<string, unknown> = {}) => cloudTrailNormalizer.normalize(getObject(overrides));

describe('cloudTrailNormalizer edge cases', () => {
  it('reads a service session as its role, with numeric-string byte counts', () => {
    const e = event(normalize());
    expect(e.principal).toEqual({ id: 'arn:aws:iam::123456789012:role/app-reader', name: 'app-reader/i-0abc1234def567890', type: 'role' });
    expect(e.bytesOut).toBe(1048576);
    expect(e.client).toBe('aws-sdk-java/2.25.0');
  });

  it('rejects an S3 event without eventTime', () => {
    expect(normalize({ eventTime: undefined })).toEqual({ kind: 'reject', reason: 'eventTime missing (and no Logstash @timestamp)' });
  });

  it('rejects an S3 event whose eventTime is not a timestamp', () => {
    expect(normalize({ eventTime: 'yesterday' })).toEqual({ kind: 'reject', reason: 'eventTime is not a timestamp: "yesterday"' });
  });

  it('reads timestamps with fractions and offsets as UTC instants', () => {
    expect(event(normalize({ eventTime: '2025-03-04T07:06:07.123+02:00' })).time).toBe(Date.UTC(2025, 2, 4, 5, 6, 7, 123));
  });

  it('rejects an S3 event without userIdentity', () => {
    expect(normalize({ userIdentity: null })).toEqual({ kind: 'reject', reason: 'userIdentity missing' });
  });

  it('keeps an IPv6 source address', () => {
    expect(event(normalize({ sourceIPAddress: '2001:db8::8a2e:370:7334' })).ip).toBe('2001:db8::8a2e:370:7334');
  });

  it('drops service names in place of an address', () => {
    expect(event(normalize({ sourceIPAddress: 's3.amazonaws.com' })).ip).toBeUndefined();
    expect(event(normalize({ sourceIPAddress: 'AWS Internal' })).ip).toBeUndefined();
  });

  it('keeps each SSO user signed in with an email apart from the shared role', () => {
    const e = event(
      normalize({
        userIdentity: {
          type: 'AssumedRole',
          principalId: 'AROASSOEXAMPLE:alice@corp.com',
          arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@corp.com',
          accountId: '123456789012',
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              arn: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef',
              userName: 'AWSReservedSSO_Admin_0123456789abcdef',
            },
          },
        },
      }),
    );
    expect(e.principal).toEqual({
      id: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef/alice@corp.com',
      name: 'alice@corp.com',
      type: 'user',
    });
  });

  it('skips events of other services, even unreadable ones', () => {
    expect(normalize({ eventSource: 'ec2.amazonaws.com', eventTime: undefined })).toEqual({ kind: 'skip', reason: 'not S3: ec2.amazonaws.com' });
  });

  it('reads S3 Express One Zone events', () => {
    expect(event(normalize({ eventSource: 's3express.amazonaws.com' })).action.class).toBe('read');
  });

  it('falls back to the virtual-hosted Host header for the bucket', () => {
    const e = event(normalize({ requestParameters: { Host: 'backups.s3.us-east-1.amazonaws.com' }, resources: [] }));
    expect(e.resource).toEqual({ bucket: 'backups' });
  });

  it('treats an empty user agent as absent and bytes as 0 when missing', () => {
    const e = event(normalize({ userAgent: '[]', additionalEventData: null }));
    expect(e.client).toBeUndefined();
    expect([e.bytesIn, e.bytesOut]).toEqual([0, 0]);
  });

  it('classifies authorisation failures as denied and other errors as errors', () => {
    const codes = ['AccessDenied', 'AllAccessDisabled', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccountProblem', 'UnauthorizedAccess', 'VpceAccessDenied'];
    for (const errorCode of codes) expect(event(normalize({ errorCode })).outcome).toEqual({ status: 'denied', code: errorCode });
    expect(event(normalize({ errorCode: 'SlowDown' })).outcome).toEqual({ status: 'error', code: 'SlowDown' });
  });

  it('does not match records of other formats', () => {
    expect(cloudTrailNormalizer.matches({ protoPayload: { serviceName: 'storage.googleapis.com' } })).toBe(false);
    expect(cloudTrailNormalizer.matches({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' })).toBe(false);
  });
});
