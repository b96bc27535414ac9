import type { ActionClass } from '../../core/event.js';

// Operation names as Azure Storage logs them (Blob REST API and Data Lake Storage Gen2),
// from "Storage Analytics logged operations and status messages"; looked up in lower case.
const CLASSES: Readonly<Record<ActionClass, readonly string[]>> = {
  read: [
    'GetBlob', 'GetBlobProperties', 'GetBlobMetadata', 'GetBlobTags', 'GetBlockList', 'GetPageRanges',
    'GetPageRangesDiff', 'QueryBlobContents', 'CopyBlobSource', 'ReadFile', 'GetFileProperties',
    'GetPathProperties', 'GetPathStatus',
  ],
  write: [
    'PutBlob', 'PutBlock', 'PutBlockList', 'PutBlockFromURL', 'AppendBlock', 'AppendBlockFromURL', 'PutPage',
    'PutPageFromURL', 'ClearPage', 'SetBlobMetadata', 'SetBlobProperties', 'SetBlobTier', 'SetBlobTags',
    'SetBlobExpiry', 'CopyBlob', 'CopyBlobFromURL', 'CopyBlobDestination', 'IncrementalCopyBlob', 'SnapshotBlob',
    'CreatePathFile', 'CreatePathDir', 'RenamePathFile', 'RenamePathDir', 'FlushFile', 'AppendFile',
    'SetFileProperties',
  ],
  list: [
    'ListBlobs', 'ListContainers', 'GetContainerProperties', 'ListFilesystems', 'ListPaths', 'ListFilesystemDir',
    'ListFilesystemFile', 'FindBlobsByTags',
  ],
  delete: ['DeleteBlob', 'DeleteContainer', 'DeleteFile', 'DeletePath', 'DeleteDirectory', 'DeleteFilesystem'],
  permission: [
    'SetContainerACL', 'SetBlobACL', 'SetAccessControl', 'SetPathAccessControl', 'SetAccessControlRecursive',
    'SetPathAccessControlRecursive',
  ],
  config: [
    'CreateContainer', 'GetContainerACL', 'GetContainerMetadata', 'SetContainerMetadata', 'GetBlobServiceProperties',
    'SetBlobServiceProperties', 'GetBlobServiceStats', 'GetAccountInformation', 'GetUserDelegationKey',
    'CreateFilesystem', 'GetFilesystemProperties', 'SetFilesystemProperties', 'GetPathAccessControl',
    'SetBlobImmutabilityPolicy', 'DeleteBlobImmutabilityPolicy', 'SetBlobLegalHold', 'RestoreContainer',
  ],
  other: [],
};

const BY_NAME = new Map<string, ActionClass>(
  Object.entries(CLASSES).flatMap(([cls, names]) => names.map((n) => [n.toLowerCase(), cls as ActionClass] as const)),
);

/** Our action class for an Azure Blob Storage operation name, case-insensitive (`deleteblob` is a delete). */
export function classifyBlobOperation(operationName: string): ActionClass {
  const name = operationName.trim().toLowerCase();
  const known = BY_NAME.get(name);
  if (known) return known;
  if (name.startsWith('undelete')) return 'write';
  if (/container|service|filesystem|account/.test(name) && !/lease/.test(name)) return 'config';
  return 'other';
}
