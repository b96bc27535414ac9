import { describe, it, expect } from 'vitest';
import { s3ActionClass } from '../../../src/sources/aws-cloudtrail/s3-action-class.js';

const EXPECTED: Record<string, string[]> = {
  read: ['GetObject', 'GetObjectVersion', 'SelectObjectContent', 'GetObjectTorrent', 'HeadObject', 'GetObjectAttributes'],
  list: ['ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'ListBuckets', 'ListAllMyBuckets', 'ListBucket', 'ListMultipartUploads', 'ListParts', 'HeadBucket', 'GetBucketLocation'],
  write: ['PutObject', 'CopyObject', 'CreateMultipartUpload', 'UploadPart', 'UploadPartCopy', 'CompleteMultipartUpload', 'PostObject', 'RestoreObject', 'AbortMultipartUpload'],
  delete: ['DeleteObject', 'DeleteObjects', 'DeleteObjectVersion', 'DeleteBucket'],
  permission: [
    'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutObjectAcl', 'PutPublicAccessBlock', 'DeletePublicAccessBlock',
    'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock', 'PutBucketOwnershipControls', 'PutAccountPublicAccessBlock',
  ],
  config: [
    'PutBucketLogging', 'PutBucketVersioning', 'GetBucketVersioning', 'GetBucketAcl', 'GetBucketPolicy', 'CreateBucket',
    'PutBucketEncryption', 'DeleteBucketEncryption', 'PutBucketLifecycle', 'PutObjectTagging', 'GetObjectTagging', 'GetObjectAcl',
    'PutObjectLockConfiguration', 'ListBucketAnalyticsConfigurations',
  ],
  other: ['SetQueueAttributes', 'CreateServiceLinkedRole', 'CreateSession', 'CreateJob'],
};

describe('s3ActionClass', () => {
  for (const [cls, names] of Object.entries(EXPECTED)) {
    it(`classifies ${names.length} operations as ${cls}`, () => {
      expect(Object.fromEntries(names.map((n) => [n, s3ActionClass(n)]))).toEqual(Object.fromEntries(names.map((n) => [n, cls])));
    });
  }
});
