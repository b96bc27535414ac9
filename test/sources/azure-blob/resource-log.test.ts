import { describe, expect, it } from 'vitest';
import { identityKey } from '../../../src/core/event.js';
import { azureResourceLogNormalizer as normalizer } from '../../../src/sources/azure-blob/normalize.js';
import { sampleRecords } from '../../helpers/sample-records.js';
import { eventOf, ndjsonFixture } from './azure-test-support.js';

const panther = sampleRecords('azure/panther-blob-resource-log-tests.ndjson');

describe('azure resource logs: documentation PutBlob example', () => {
  const event = eventOf(normalizer.normalize(sampleRecords('azure/azure-docs-resource-log-example.json')[0]!));

  it('maps account, resource, action, ip without port, time and id', () => {
    expect(event).toMatchObject({
      id: 'ad881411-201e-004e-1c99-cfd67d000000',
      cloud: 'azure',
      account: '12345678-2222-3333-4444-555555555555/testaccount1',
      region: 'uswestcentral',
      action: { name: 'PutBlob', class: 'write' },
      resource: { bucket: 'testaccount1/cont1', key: 'blobname' },
      ip: '192.168.0.1',
      outcome: { status: 'success' },
      time: Date.parse('2019-02-28T19:10:21.212Z'),
    });
  });

  it('names no caller because this partial record has no identity block', () => {
    expect(event.principal).toEqual({ id: 'unknown@testaccount1', name: 'unknown caller', type: 'key' });
  });
});

describe('azure resource logs: Dynatrace SetBlobMetadata record', () => {
  const event = eventOf(normalizer.normalize(sampleRecords('azure/dynatrace-resource-log.ndjson')[0]!));

  it('keys the account-key caller by its token hash', () => {
    expect(event.principal).toEqual({
      id: 'key:key1(67F8F5A218837386F94E75FC7AAC530CD99957355C86E173D139401AC15D6011)',
      name: 'account key key1(67F8F5A2…)',
      type: 'key',
    });
  });

  it('keeps $default in the key and the SDK as client', () => {
    expect(event.account).toBe('69349acf-2a6c-409d-a925-96ba0c5f099f/functiondynatracesa4ni6');
    expect(event.resource).toEqual({ bucket: 'functiondynatracesa4ni6/azure-webjobs-eventhub', key: 'nippon.servicebus.windows.net/http/$default/checkpoint/0' });
    expect(event.action).toEqual({ name: 'SetBlobMetadata', class: 'write' });
    expect(event.ip).toBe('10.50.0.204');
    expect(event.client).toMatch(/^azsdk-net-Storage\.Blobs\/12\.16\.0/);
  });
});

describe('azure resource logs: Panther detection fixtures', () => {
  const events = panther.map((r) => eventOf(normalizer.normalize(r)));

  it('classifies operation names whatever their case', () => {
    expect(events.map((e) => `${e.action.name}:${e.action.class}`)).toEqual([
      'DeleteBlob:delete', 'deleteblob:delete', 'GetBlobServiceProperties:config', 'GetBlob:read', 'getblob:read',
      'PutBlob:write', 'GetBlob:read', 'GetBlobMetadata:read', 'GetBlobProperties:read', 'GetBlobMetadata:read',
      'PutBlob:write', 'putblob:write', 'DeleteBlob:delete', 'GetBlob:read', 'DeleteBlob:delete', 'PutBlob:write',
      'GetBlob:read', 'GetBlob:read',
    ]);
  });

  it('keys a SAS read by its token hash', () => {
    expect(events[7]!.principal).toEqual({ id: 'sas:key1(EXAMPLE_HASH)', name: 'SAS key1(EXAMPLE_…)', type: 'key' });
    expect(events[7]!.outcome).toEqual({ status: 'error', code: 'BlobUsesCustomerSpecifiedEncryption' });
    expect(events[7]!.id).toBe('a1b2c3d4-e5f6-7890-abcd-ef1234567890');
  });

  it('keys an account-key read without hash to the storage account, with no subscription known', () => {
    expect(events[16]!.principal).toEqual({ id: 'key:unknown@publicdata', name: 'account key (unknown) of publicdata', type: 'key' });
    expect(events[16]!.account).toBe('publicdata');
    expect(events[16]!.resource).toEqual({ bucket: 'publicdata/downloads', key: 'file.pdf' });
  });

  it('recognises a SAS from the sig= parameter when the identity block is missing', () => {
    expect(events[13]!.principal.id).toBe('sas:unknown@criticaldata001');
    expect(events[13]!.ip).toBe('8.8.8.8');
  });

  it('reads denials from the status code or, without one, from the metric response type', () => {
    expect(events[6]!.outcome).toEqual({ status: 'denied', code: 'AuthorizationFailure' });
    expect(events[9]!.outcome).toEqual({ status: 'denied', code: 'AuthorizationPermissionMismatch' });
    expect(events[17]!.outcome).toEqual({ status: 'denied', code: 'AuthenticationFailed' });
    expect(events[0]!.outcome).toEqual({ status: 'success' });
  });

  it('gives records without correlation id distinct deterministic ids', () => {
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(eventOf(normalizer.normalize(panther[0]!)).id).toBe(ids[0]);
  });

  it('treats an account-level call as touching no container', () => {
    expect(events[2]!.resource).toEqual({ bucket: '' });
  });
});

describe('azure resource logs: hand-made CopyBlob, OAuth and non-blob records', () => {
  const records = ndjsonFixture('resource-log-copy-oauth.ndjson');
  const results = records.map((r) => normalizer.normalize(r));

  it('keeps the three CopyBlob operations apart and reads the copy source as a read of the source blob', () => {
    const [copy, source, destination] = results.slice(0, 3).map(eventOf);
    expect([copy!.id, source!.id, destination!.id]).toEqual([
      '64c1a2b3-101e-0006-326b-900570000000',
      '64c1a2b3-101e-0006-326b-900570000000#1',
      '64c1a2b3-101e-0006-326b-900570000000#2',
    ]);
    expect(source!.action).toEqual({ name: 'CopyBlobSource', class: 'read' });
    expect(source!.resource).toEqual({ bucket: 'contosodata/finance', key: 'ledger 2024.xlsx' });
    expect(destination!.action.class).toBe('write');
    expect(destination!.resource).toEqual({ bucket: 'contosodata/staging', key: 'ledger-copy.xlsx' });
  });

  it('keys an Entra user once across the storage accounts of its subscription, and an account key per storage account', () => {
    const inAccount = (r: Record<string, unknown>, account: string): Record<string, unknown> => JSON.parse(JSON.stringify(r).replaceAll('contosodata', account)) as Record<string, unknown>;
    const user = [records[3]!, inAccount(records[3]!, 'contosohr')].map((r) => eventOf(normalizer.normalize(r)));
    expect(identityKey(user[0]!)).toBe(identityKey(user[1]!));
    expect(user.map((e) => e.resource.bucket)).toEqual(['contosodata/finance', 'contosohr/finance']);
    // An account key belongs to one storage account, and so do SAS and anonymous callers.
    const sas = inAccount(records[0]!, 'contosohr');
    expect(eventOf(normalizer.normalize(records[0]!)).principal.type).toBe('key');
    expect(eventOf(normalizer.normalize(sas)).account).toMatch(/\/contosohr$/);
  });

  it('names an OAuth user by object id and UPN, strips the port from a bracketed IPv6 address', () => {
    const event = eventOf(results[3]!);
    expect(event.principal).toEqual({ id: 'a1b2c3d4-1111-4222-8333-944455556666', name: 'Alice.Ng@contoso.com', type: 'user' });
    expect(event.ip).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(event.bytesOut).toBe(1048576);
    expect(event.resource).toEqual({ bucket: 'contosodata/finance', key: 'reports/2025/q1 results.xlsx' });
  });

  it('skips queue records and control-plane activity records', () => {
    expect(records.slice(4).every((r) => normalizer.matches(r))).toBe(true);
    expect(results.slice(4)).toEqual([
      { kind: 'skip', reason: 'not blob storage: queue' },
      { kind: 'skip', reason: 'not a storage data-plane record: category Administrative' },
    ]);
  });
});

describe('azure resource logs: unreadable records', () => {
  const base = sampleRecords('azure/azure-docs-resource-log-example.json')[0]!;

  it('rejects a record whose time cannot be read, saying which field', () => {
    expect(normalizer.normalize({ ...base, time: 'yesterday' })).toEqual({ kind: 'reject', reason: 'time unreadable: yesterday' });
  });

  it('rejects a record that names no storage account', () => {
    const { resourceId: _omit, ...rest } = base;
    expect(normalizer.normalize({ ...rest, uri: undefined })).toEqual({ kind: 'reject', reason: 'storage account name missing' });
  });

  it('does not claim records of other families', () => {
    expect(normalizer.matches({ eventTime: '2025-01-01T00:00:00Z', eventName: 'GetObject' })).toBe(false);
    expect(normalizer.matches({ TimeGenerated: '2025-01-01T00:00:00Z', OperationName: 'GetBlob' })).toBe(false);
    expect(normalizer.matches({ time: '2025-01-01T00:00:00Z', operationName: 'x', category: 'NetworkSecurityGroupEvent' })).toBe(false);
  });
});
