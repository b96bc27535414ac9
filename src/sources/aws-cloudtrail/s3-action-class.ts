import type { ActionClass } from '../../core/event.js';

// Operation names as CloudTrail logs them, plus the IAM action names some tools write instead
// (ListBucket, ListAllMyBuckets, ListBucketVersions, ...).
const EXPLICIT: ReadonlyMap<string, ActionClass> = new Map<string, ActionClass>([
  ...names('read', 'GetObject GetObjectVersion SelectObjectContent GetObjectTorrent HeadObject GetObjectAttributes'),
  ...names(
    'list',
    'ListObjects ListObjectsV2 ListObjectVersions ListBuckets ListAllMyBuckets ListBucket ListBucketVersions ' +
      'ListMultipartUploads ListBucketMultipartUploads ListParts ListMultipartUploadParts HeadBucket GetBucketLocation ' +
      'ListDirectoryBuckets',
  ),
  ...names(
    'write',
    'PutObject CopyObject CreateMultipartUpload InitiateMultipartUpload UploadPart UploadPartCopy ' +
      'CompleteMultipartUpload PostObject RestoreObject AbortMultipartUpload WriteGetObjectResponse RenameObject',
  ),
  ...names('delete', 'DeleteObject DeleteObjects DeleteObjectVersion DeleteBucket DeleteDirectoryBucket'),
  ...names(
    'permission',
    'PutBucketPolicy DeleteBucketPolicy PutBucketAcl PutObjectAcl PutObjectVersionAcl PutPublicAccessBlock ' +
      'DeletePublicAccessBlock PutBucketPublicAccessBlock DeleteBucketPublicAccessBlock PutBucketOwnershipControls ' +
      'DeleteBucketOwnershipControls PutAccountPublicAccessBlock DeleteAccountPublicAccessBlock ' +
      'PutAccessPointPolicy DeleteAccessPointPolicy PutAccessPointPolicyForObjectLambda ' +
      'DeleteAccessPointPolicyForObjectLambda PutMultiRegionAccessPointPolicy PutAccessGrantsInstanceResourcePolicy',
  ),
]);

// Everything else that reads or changes the settings of a bucket, an object, an access point or the account's S3 setup.
const CONFIG =
  /^(?:Get|Put|Delete|Create|Update|List)(?:Bucket|DirectoryBucket|Object(?:Tagging|Retention|LegalHold|LockConfiguration|Acl|VersionTagging|VersionAcl)|AccessPoint|MultiRegionAccessPoint|StorageLens|AccessGrant|PublicAccessBlock|AccountPublicAccessBlock)/;

function names(cls: ActionClass, list: string): [string, ActionClass][] {
  return list.split(' ').map((name) => [name, cls]);
}

/** Our action class for an S3 operation name as CloudTrail logs it (`GetObject` -> read, `PutBucketPolicy` -> permission). */
export function s3ActionClass(eventName: string): ActionClass {
  return EXPLICIT.get(eventName) ?? (CONFIG.test(eventName) ? 'config' : 'other');
}
