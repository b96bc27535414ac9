import { describe, expect, it } from 'vitest';
import { azurePrincipal, callerIp, classifyBlobOperation } from '../../../src/sources/azure-blob/normalize.js';
import { blobOutcome } from '../../../src/sources/azure-blob/blob-outcome.js';
import { blobResource } from '../../../src/sources/azure-blob/blob-resource.js';
import { parseAzureTime } from '../../../src/sources/azure-blob/parse-azure-time.js';

describe('classifyBlobOperation', () => {
  it.each([
    ['GetBlob', 'read'], ['getblobproperties', 'read'], ['GetBlobMetadata', 'read'], ['ReadFile', 'read'], ['CopyBlobSource', 'read'],
    ['PutBlob', 'write'], ['PUTBLOCKLIST', 'write'], ['CopyBlob', 'write'], ['SetBlobTier', 'write'], ['UndeleteBlob', 'write'],
    ['RenamePathFile', 'write'], ['FlushFile', 'write'],
    ['ListBlobs', 'list'], ['ListContainers', 'list'], ['GetContainerProperties', 'list'], ['ListFilesystems', 'list'], ['ListPaths', 'list'],
    ['DeleteBlob', 'delete'], ['deleteblob', 'delete'], ['DeleteContainer', 'delete'], ['DeleteFile', 'delete'], ['DeletePath', 'delete'],
    ['SetContainerACL', 'permission'], ['SetPathAccessControl', 'permission'], ['SetAccessControl', 'permission'],
    ['CreateContainer', 'config'], ['GetContainerACL', 'config'], ['SetBlobServiceProperties', 'config'], ['SetContainerMetadata', 'config'],
    ['AcquireBlobLease', 'other'], ['BlobPreflightRequest', 'other'],
  ])('%s is %s', (name, cls) => {
    expect(classifyBlobOperation(name)).toBe(cls);
  });
});

describe('callerIp', () => {
  it.each([
    ['192.168.0.1:11111', '192.168.0.1'],
    ['73.157.16.8', '73.157.16.8'],
    ['[2001:DB8::1]:5678', '2001:db8::1'],
    ['[::1]:5678', '::1'],
    ['2001:db8::2', '2001:db8::2'],
    ['<Redacted>:62289', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s -> %s', (raw, ip) => {
    expect(callerIp(raw)).toBe(ip);
  });
});

describe('blobOutcome', () => {
  it('reads 2xx and 3xx as success, 401/403 and authorisation texts as denied, the rest as errors', () => {
    expect(blobOutcome('206', 'Success')).toEqual({ status: 'success' });
    expect(blobOutcome('304', 'ClientOtherError')).toEqual({ status: 'success' });
    expect(blobOutcome('401', undefined)).toEqual({ status: 'denied', code: '401' });
    expect(blobOutcome('403', 'AuthenticationFailure')).toEqual({ status: 'denied', code: 'AuthenticationFailure' });
    expect(blobOutcome(undefined, 'SASAuthorizationError')).toEqual({ status: 'denied', code: 'SASAuthorizationError' });
    expect(blobOutcome('404', 'BlobNotFound')).toEqual({ status: 'error', code: 'BlobNotFound' });
    expect(blobOutcome('503', undefined)).toEqual({ status: 'error', code: '503' });
    expect(blobOutcome(undefined, 'AnonymousSuccess')).toEqual({ status: 'success' });
  });
});

describe('blobResource', () => {
  it('prefers the object key, falls back to the decoded URI path without query', () => {
    expect(blobResource('/acct/c/a/b.txt', 'https://acct.blob.core.windows.net/other/x', 'acct')).toEqual({ bucket: 'acct/c', key: 'a/b.txt' });
    expect(blobResource(undefined, 'https://acct.blob.core.windows.net:443/c/dir/my%20file.txt?comp=metadata', 'acct')).toEqual({ bucket: 'acct/c', key: 'dir/my file.txt' });
    expect(blobResource(undefined, 'http://127.0.0.1:10000/devstoreaccount1/c/k', 'devstoreaccount1')).toEqual({ bucket: 'devstoreaccount1/c', key: 'k' });
    expect(blobResource('/acct', undefined, 'acct')).toEqual({ bucket: '' });
    expect(blobResource(undefined, 'not a url', 'acct')).toEqual({ bucket: '' });
    // A copy source names its own account, which may not be the one that logged the request.
    expect(blobResource('https://other.blob.core.windows.net/src/a.txt', undefined, 'acct')).toEqual({ bucket: 'other/src', key: 'a.txt' });
  });
});

describe('parseAzureTime', () => {
  it('reads ISO times with any fraction length, zone-less times as UTC, and rejects the rest', () => {
    expect(parseAzureTime('2019-02-28T19:10:21.2123117Z')).toBe(Date.parse('2019-02-28T19:10:21.212Z'));
    expect(parseAzureTime('2025-03-04 09:15:02.5')).toBe(Date.parse('2025-03-04T09:15:02.500Z'));
    expect(parseAzureTime('2025-03-04T10:15:02+01:00')).toBe(Date.parse('2025-03-04T09:15:02Z'));
    expect(parseAzureTime('12/31/2024, 11:59:59.999 PM')).toBe(Date.parse('2024-12-31T23:59:59.999Z'));
    expect(parseAzureTime('2/30/2024, 1:00:00 AM')).toBeUndefined();
    expect(parseAzureTime('Tuesday')).toBeUndefined();
    expect(parseAzureTime(1700000000000)).toBeUndefined();
  });
});

describe('azurePrincipal', () => {
  it('prefers the Entra identity, lower-cases the object id, falls back to the UPN', () => {
    expect(azurePrincipal({ authType: 'OAuth', objectId: 'ABC-1', upn: 'Bob@Contoso.com' }, 'acct')).toEqual({ id: 'abc-1', name: 'Bob@Contoso.com', type: 'user' });
    expect(azurePrincipal({ authType: 'Kerberos', upn: 'Bob@Contoso.com' }, 'acct')).toEqual({ id: 'bob@contoso.com', name: 'Bob@Contoso.com', type: 'user' });
    expect(azurePrincipal({ authType: 'OAuth', appId: 'APP-9' }, 'acct')).toEqual({ id: 'app-9', name: 'APP-9', type: 'service' });
  });

  it('keys SAS and account keys by hash, or by account when the hash is missing', () => {
    expect(azurePrincipal({ authType: 'SAS' }, 'acct')).toEqual({ id: 'sas:unknown@acct', name: 'SAS (unknown) of acct', type: 'key' });
    expect(azurePrincipal({ authType: 'AccountKey', hash: 'key2(ABCDEF0123456789)' }, 'acct')).toEqual({ id: 'key:key2(ABCDEF0123456789)', name: 'account key key2(ABCDEF01…)', type: 'key' });
    expect(azurePrincipal({ hash: 'key1(AAAAAAAAAAAA),SasSignature(BBBBBBBBBBBB)' }, 'acct').id).toBe('sas:key1(AAAAAAAAAAAA),SasSignature(BBBBBBBBBBBB)');
    expect(azurePrincipal({ authType: 'authenticated', requesterAccount: 'other' }, 'acct').id).toBe('key:unknown@other');
  });

  it('reads anonymous callers whatever the spelling', () => {
    expect(azurePrincipal({ authType: 'anonymous' }, 'acct')).toEqual({ id: 'anonymous', name: 'anonymous', type: 'anonymous' });
    expect(azurePrincipal({ authType: 'Anonymous' }, 'acct').type).toBe('anonymous');
  });
});
