import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { AccessEvent } from '../../../src/core/event.js';
import { storageBlobLogsNormalizer as normalizer } from '../../../src/sources/azure-blob/normalize.js';
import { AZURE_FIXTURES, eventOf } from './azure-test-support.js';

const jsonRows = JSON.parse(readFileSync(`${AZURE_FIXTURES}storage-blob-logs.json`, 'utf8')) as Record<string, unknown>[];
const csvRows = parse<Record<string, string>>(readFileSync(`${AZURE_FIXTURES}storage-blob-logs.csv`, 'utf8'), { columns: true });
/** An Entra user is one identity across the subscription's storage accounts. */
const ACCOUNT = '9f1c2b3a-4d5e-4f60-8a7b-1c2d3e4f5a6b';

describe('StorageBlobLogs rows (JSON export)', () => {
  const events: AccessEvent[] = jsonRows.map((r) => eventOf(normalizer.normalize(r)));

  it('are all claimed by this normaliser', () => {
    expect(jsonRows.every((r) => normalizer.matches(r))).toBe(true);
    expect(events).toHaveLength(7);
  });

  it('reads an OAuth user download: lower-case object id, UPN name, bytes, ingestion time', () => {
    expect(events[0]).toMatchObject({
      id: '6f1d2c3b-901e-0042-5a1b-8c7d6e5f4a30',
      account: ACCOUNT,
      region: 'westeurope',
      principal: { id: 'a1b2c3d4-1111-4222-8333-944455556666', name: 'Alice.Ng@contoso.com', type: 'user' },
      action: { name: 'GetBlob', class: 'read' },
      resource: { bucket: 'contosodata/finance', key: 'reports/2025/q1 results.xlsx' },
      ip: '203.0.113.7',
      bytesOut: 1048576,
      bytesIn: 0,
      outcome: { status: 'success' },
      time: Date.parse('2025-03-04T09:15:02.123Z'),
      arrivedAt: Date.parse('2025-03-04T09:18:40.552Z'),
    });
  });

  it('keys a SAS by its whole hash, SasSignature included, so two SAS tokens of one key stay apart', () => {
    expect(events[1]!.principal).toEqual({
      id: 'sas:key1(3F2A9C1B7E6D5F4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F0A),SasSignature(8E7D6C5B4A39281706F5E4D3C2B1A09F8E7D6C5B4A39281706F5E4D3C2B1A09F)',
      name: 'SAS key1(3F2A9C1B…),SasSignature(8E7D6C5B…)',
      type: 'key',
    });
    expect(events[1]!.bytesOut).toBe(52428800);
    expect(events[6]!.principal.id).toBe(events[1]!.principal.id);
    expect(events[6]!.action).toEqual({ name: 'DeleteBlob', class: 'delete' });
  });

  it('keys an account-key upload by its hash and counts the uploaded bytes', () => {
    expect(events[2]!.principal).toMatchObject({ id: expect.stringMatching(/^key:key2\(C0FFEE/) as string, name: 'account key key2(C0FFEE00…)', type: 'key' });
    expect(events[2]!.action).toEqual({ name: 'PutBlob', class: 'write' });
    expect(events[2]!.bytesIn).toBe(2048);
  });

  it('reads an anonymous caller and strips the port from a bracketed IPv6 address', () => {
    expect(events[3]!.principal).toEqual({ id: 'anonymous', name: 'anonymous', type: 'anonymous' });
    expect(events[3]!.ip).toBe('2001:db8::25');
  });

  it('reads a 403 for a service principal as denied with the status text', () => {
    expect(events[4]!.principal).toEqual({ id: '5e6f7a8b-2222-4333-8444-a55566667777', name: '11112222-3333-4444-5555-666677778888', type: 'service' });
    expect(events[4]!.outcome).toEqual({ status: 'denied', code: 'AuthorizationPermissionMismatch' });
  });

  it('reads a ListBlobs on a container as a list without key', () => {
    expect(events[5]!.action).toEqual({ name: 'ListBlobs', class: 'list' });
    expect(events[5]!.resource).toEqual({ bucket: 'contosodata/finance' });
  });
});

describe('StorageBlobLogs rows (CSV export, every value a string)', () => {
  it('normalise to exactly the events of the typed JSON rows', () => {
    expect(csvRows).toHaveLength(jsonRows.length);
    const fromCsv = csvRows.map((r) => eventOf(normalizer.normalize(r)));
    const fromJson = jsonRows.map((r) => eventOf(normalizer.normalize(r)));
    expect(fromCsv).toEqual(fromJson);
  });

  it('accepts the portal export column `TimeGenerated [UTC]` and its US date format as UTC', () => {
    const { TimeGenerated: _t, IngestionTime: _i, ...rest } = csvRows[0]!;
    const row = { ...rest, 'TimeGenerated [UTC]': '3/4/2025, 9:15:02.123 AM', 'IngestionTime [UTC]': '3/4/2025, 1:18:40.000 PM' };
    expect(normalizer.matches(row)).toBe(true);
    const event = eventOf(normalizer.normalize(row));
    expect(event.time).toBe(Date.parse('2025-03-04T09:15:02.123Z'));
    expect(event.arrivedAt).toBe(Date.parse('2025-03-04T13:18:40.000Z'));
  });

  it('takes the account from _ResourceId when AccountName and _SubscriptionId are empty', () => {
    const event = eventOf(normalizer.normalize({ ...csvRows[0]!, AccountName: '', _SubscriptionId: '' }));
    expect(event.account).toBe(ACCOUNT);
    expect(event.resource.bucket).toBe('contosodata/finance');
  });
});

describe('StorageBlobLogs: rows it must not turn into events', () => {
  const row = jsonRows[0]!;

  it('skips rows of other tables and other storage services', () => {
    expect(normalizer.normalize({ ...row, Type: 'AzureActivity' })).toEqual({ kind: 'skip', reason: 'not StorageBlobLogs: AzureActivity' });
    expect(normalizer.normalize({ ...row, ServiceType: 'queue' })).toEqual({ kind: 'skip', reason: 'not blob storage: queue' });
  });

  it('rejects a row with an empty or unreadable TimeGenerated', () => {
    expect(normalizer.normalize({ ...row, TimeGenerated: '' })).toEqual({ kind: 'reject', reason: 'TimeGenerated missing' });
    expect(normalizer.normalize({ ...row, TimeGenerated: 'not a date' })).toEqual({ kind: 'reject', reason: 'TimeGenerated unreadable: not a date' });
  });

  it('accepts Date values as the Log Analytics SDK returns them', () => {
    const event = eventOf(normalizer.normalize({ ...row, TimeGenerated: new Date('2025-03-04T09:15:02.123Z'), IngestionTime: new Date('2025-03-04T09:18:40Z') }));
    expect(event.time).toBe(Date.parse('2025-03-04T09:15:02.123Z'));
    expect(event.arrivedAt).toBe(Date.parse('2025-03-04T09:18:40Z'));
  });
});
