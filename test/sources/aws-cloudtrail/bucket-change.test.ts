import { describe, expect, it } from 'vitest';
import { bucketChange } from '../../../src/sources/aws-cloudtrail/bucket-change.js';
import { cloudTrailNormalizer } from '../../../src/sources/aws-cloudtrail/normalize.js';
import { sampleRecords } from '../../helpers/sample-records.js';

const PANTHER = sampleRecords('aws/panther-cloudtrail-s3-tests.ndjson');

function changeOf(record: Record<string, unknown>) {
  const n = cloudTrailNormalizer.normalize(record);
  return n.kind === 'event' ? n.event.change : undefined;
}

const policy = (statement: Record<string, unknown>) => ({ bucketName: 'b', bucketPolicy: { Version: '2012-10-17', Statement: [statement] } });
const allowAll = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };

describe('bucket changes of the real panther records', () => {
  it('finds exactly the exposure and logging changes, and nothing on other events', () => {
    const found = PANTHER.map((r, i) => [i, changeOf(r)?.kind] as const).filter(([, kind]) => kind !== undefined);
    expect(found).toEqual([
      [7, 'made-public'], [8, 'policy-changed'], [9, 'policy-changed'], [10, 'made-public'], [18, 'acl-changed'], [19, 'acl-changed'],
      [37, 'public-access-block-removed'], [38, 'public-access-block-removed'], [40, 'logging-disabled'], [41, 'logging-disabled'],
      [51, 'logging-disabled'], [59, 'logging-disabled'],
    ]);
  });

  it('says what changed in a few words', () => {
    expect(changeOf(PANTHER[7]!)).toEqual({ kind: 'made-public', detail: 'Principal "*" granted s3:GetBucketAcl' });
    expect(changeOf(PANTHER[8]!)).toEqual({ kind: 'policy-changed', detail: 'bucket policy set (1 statement, none public)' });
    expect(changeOf(PANTHER[18]!)).toEqual({ kind: 'acl-changed', detail: 'canned ACL private' });
    expect(changeOf(PANTHER[40]!)?.detail).toContain('access logging turned off');
    // Turning logging on (42) or a record without the logging body (43) changes nothing we report.
    expect([changeOf(PANTHER[42]!), changeOf(PANTHER[43]!)]).toEqual([undefined, undefined]);
  });

  it('does not call a policy public when its conditions tie it to an organisation, a VPC or addresses', () => {
    expect(bucketChange('PutBucketPolicy', PANTHER[12]!.requestParameters as Record<string, unknown>)?.kind).toBe('policy-changed');
    expect(bucketChange('PutBucketPolicy', policy({ ...allowAll, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }))?.kind).toBe('policy-changed');
    expect(bucketChange('PutBucketPolicy', policy({ ...allowAll, Principal: { AWS: ['*'] }, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }))?.kind).toBe('policy-changed');
  });

  it('calls a policy public when nothing restricts the wildcard principal', () => {
    expect(bucketChange('PutBucketPolicy', policy(allowAll))).toEqual({ kind: 'made-public', detail: 'Principal "*" granted s3:GetObject' });
    expect(bucketChange('PutBucketPolicy', policy({ ...allowAll, Condition: { IpAddress: { 'aws:SourceIp': ['0.0.0.0/0'] } } }))?.kind).toBe('made-public');
    expect(bucketChange('PutBucketPolicy', policy({ ...allowAll, Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } }))?.kind).toBe('made-public');
    expect(bucketChange('PutBucketPolicy', policy({ ...allowAll, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }))?.kind).toBe('made-public');
    expect(bucketChange('PutBucketPolicy', policy({ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:*' }))?.kind).toBe('made-public');
    expect(bucketChange('PutBucketPolicy', policy({ ...allowAll, Effect: 'Deny' }))?.kind).toBe('policy-changed');
    expect(bucketChange('DeleteBucketPolicy', { bucketName: 'b' })).toEqual({ kind: 'policy-changed', detail: 'bucket policy deleted' });
  });

  it('reads the JSON text CloudTrail Lake keeps nested request parameters as', () => {
    expect(bucketChange('PutBucketPolicy', { bucketPolicy: JSON.stringify({ Statement: allowAll }) })?.kind).toBe('made-public');
    expect(bucketChange('PutBucketAcl', { 'x-amz-acl': '["public-read"]' })).toEqual({ kind: 'made-public', detail: 'canned ACL public-read' });
    expect(bucketChange('PutBucketLogging', { BucketLoggingStatus: '{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"}' })?.kind).toBe('logging-disabled');
    expect(bucketChange('PutPublicAccessBlock', { PublicAccessBlockConfiguration: '{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":"false","RestrictPublicBuckets":true}' }))
      .toEqual({ kind: 'public-access-block-removed', detail: 'BlockPublicPolicy turned off' });
  });

  it('finds ACL grants to everyone in the body, in grant headers and on objects', () => {
    const grants = (uri: string) => ({ AccessControlPolicy: { AccessControlList: { Grant: [{ Grantee: { URI: uri }, Permission: 'READ' }] } } });
    expect(bucketChange('PutBucketAcl', grants('http://acs.amazonaws.com/groups/global/AllUsers'))).toEqual({ kind: 'made-public', detail: 'ACL grants READ to AllUsers' });
    expect(bucketChange('PutBucketAcl', grants('http://acs.amazonaws.com/groups/global/AuthenticatedUsers'))?.kind).toBe('made-public');
    expect(bucketChange('PutBucketAcl', grants('http://acs.amazonaws.com/groups/s3/LogDelivery'))?.kind).toBe('acl-changed');
    expect(bucketChange('PutBucketAcl', { 'x-amz-grant-read': ['uri=http://acs.amazonaws.com/groups/global/AllUsers'] })?.kind).toBe('made-public');
    expect(bucketChange('PutObjectAcl', { key: 'a.txt', 'x-amz-acl': ['public-read'] })).toEqual({ kind: 'made-public', detail: 'object a.txt: canned ACL public-read' });
    expect(bucketChange('PutObjectAcl', { key: 'a.txt', 'x-amz-acl': ['private'] })).toBeUndefined();
  });

  it('reads public access blocks: any flag off removes protection, all on is no change', () => {
    const pab = (flags: Record<string, unknown>) => ({ bucketName: 'b', PublicAccessBlockConfiguration: { xmlns: 'x', ...flags } });
    const allOn = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    expect(bucketChange('PutBucketPublicAccessBlock', pab(allOn))).toBeUndefined();
    expect(bucketChange('PutBucketPublicAccessBlock', pab({ ...allOn, BlockPublicAcls: false, RestrictPublicBuckets: 'false' })))
      .toEqual({ kind: 'public-access-block-removed', detail: 'BlockPublicAcls, RestrictPublicBuckets turned off' });
    expect(bucketChange('PutAccountPublicAccessBlock', pab({ ...allOn, BlockPublicPolicy: false }))?.detail).toBe('account-wide BlockPublicPolicy turned off');
    expect(bucketChange('DeletePublicAccessBlock', {})?.kind).toBe('public-access-block-removed');
    expect(bucketChange('PutBucketPublicAccessBlock', { bucketName: 'b' })).toBeUndefined();
  });
});
