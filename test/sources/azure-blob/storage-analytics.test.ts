import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStorageAnalyticsLine, storageAnalyticsNormalizer as normalizer } from '../../../src/sources/azure-blob/normalize.js';
import { SAMPLES_DIR } from '../../helpers/sample-records.js';
import { eventOf } from './azure-test-support.js';

const entries = readFileSync(`${SAMPLES_DIR}azure/azure-docs-storage-analytics-v2.log`, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => parseStorageAnalyticsLine(l)!);

describe('classic Storage Analytics entries (documented sample log)', () => {
  it('turns the SAS PutBlob into a write by an unnamed SAS of the account', () => {
    expect(eventOf(normalizer.normalize(entries[0]!))).toEqual({
      id: 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxx',
      cloud: 'azure',
      account: 'logsamples',
      principal: { id: 'sas:unknown@logsamples', name: 'SAS (unknown) of logsamples', type: 'key' },
      action: { name: 'PutBlob', class: 'write' },
      resource: { bucket: 'logsamples/container1', key: '1.txt' },
      ip: '71.197.193.44',
      client: 'Microsoft Azure Storage Explorer, 1.20.1, win32, azcopy-node, 2.0.0, win32,  AzCopy/10.11.0 Azure-Storage/0.13 (go1.15; Windows_NT)',
      bytesOut: 0,
      bytesIn: 13,
      outcome: { status: 'success' },
      time: Date.parse('2022-01-03T20:34:54.461Z'),
    });
  });

  it('reads an authenticated Data Lake rename as a write by the account key, IP logged without port', () => {
    const event = eventOf(normalizer.normalize(entries[1]!));
    expect(event.principal).toEqual({ id: 'key:unknown@logsamples', name: 'account key (unknown) of logsamples', type: 'key' });
    expect(event.action).toEqual({ name: 'RenamePathFile', class: 'write' });
    expect(event.resource).toEqual({ bucket: 'logsamples/my-container', key: 'myfilerenamed.png' });
    expect(event.ip).toBe('73.157.16.8');
  });

  it('skips the queue and table lines', () => {
    expect(normalizer.normalize(entries[2]!)).toEqual({ kind: 'skip', reason: 'not blob storage: queue' });
    expect(normalizer.normalize(entries[3]!)).toEqual({ kind: 'skip', reason: 'not blob storage: table' });
  });
});

describe('classic Storage Analytics entries (other documented shapes)', () => {
  it('names an OAuth (bearer) caller by its object id, and counts the listing bytes', () => {
    const entry = parseStorageAnalyticsLine(
      '2.0;2019-02-25T20:06:55.9794046Z;ListBlobs;OAuthSuccess;200;250;46;bearer;storagesamples;storagesamples;blob;' +
        '"https://storagesamples.blob.core.windows.net/sample-container?restype=container&amp;comp=list";"/storagesamples/sample-container";' +
        '470b9e55-201e-0137-5c45-cdd293000000;0;200.59.21.176:52659;2018-03-28;2682;0;295;5184;0;;;;;;"Edge/18.17763";;;' +
        '"E5981635-DCF0-4279-AB7B-CA1CBDF4A5C7";"72f988bf-86f1-41af-91ab-2d7cd011db47";"691458b9-1327-4635-9f55-ed83a7f1b41c";' +
        '"https://storage.azure.com/";"https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/";;;',
    )!;
    const event = eventOf(normalizer.normalize(entry));
    expect(event.principal).toEqual({ id: 'e5981635-dcf0-4279-ab7b-ca1cbdf4a5c7', name: '691458b9-1327-4635-9f55-ed83a7f1b41c', type: 'service' });
    expect(event.action).toEqual({ name: 'ListBlobs', class: 'list' });
    expect(event.resource).toEqual({ bucket: 'storagesamples/sample-container' });
    expect(event.bytesOut).toBe(5184);
  });

  it('reads an anonymous GetBlob and keeps CopyBlobSource apart from CopyBlob by operation count', () => {
    const anonymous = parseStorageAnalyticsLine(
      '1.0;2014-06-19T22:59:23.1967767Z;GetBlob;AnonymousSuccess;200;17;16;anonymous;;storagesample;blob;' +
        '"https://storagesample.blob.core.windows.net/sample-container1/00001.txt";"/storagesample/sample-container1/00001.txt";' +
        '61d2e3f6-bcb7-4cd1-a81e-4f8f497f0da2;0;192.100.0.102:4362;2014-02-14;283;0;354;23;0;;;;;;;;',
    )!;
    expect(eventOf(normalizer.normalize(anonymous))).toMatchObject({ principal: { id: 'anonymous', type: 'anonymous' }, bytesOut: 23 });
    const source = parseStorageAnalyticsLine(
      '1.0;2014-06-19T23:31:36.5780954Z;CopyBlobSource;Success;202;13;13;authenticated;storagesample;storagesample;blob;' +
        '"https://storagesample.blob.core.windows.net/sample-container/Copy-sample-blob.txt";' +
        '"https://storagesample.blob.core.windows.net/sample-container/sample-blob.txt";505fc366-688f-4622-bbb1-20e8fc26cffd;1;' +
        '192.100.0.102:4362;2014-02-14;538;0;261;0;0;;;;;;"WA-Storage/4.0.1";;"dc00da87-5483-4524-b0dc-d1df025a6a9a"',
    )!;
    const event = eventOf(normalizer.normalize(source));
    expect(event.id).toBe('505fc366-688f-4622-bbb1-20e8fc26cffd#1');
    expect(event.action.class).toBe('read');
    expect(event.resource).toEqual({ bucket: 'storagesample/sample-container', key: 'sample-blob.txt' });
    expect(event.principal.id).toBe('key:unknown@storagesample');
  });

  it('reads an interrupted request (status Unknown) as an error with its request status', () => {
    const event = eventOf(normalizer.normalize({ ...entries[0]!, 'http-status-code': 'Unknown', 'request-status': 'SASNetworkError' }));
    expect(event.outcome).toEqual({ status: 'error', code: 'SASNetworkError' });
  });

  it('rejects an entry without service type and does not claim other records', () => {
    expect(normalizer.normalize({ ...entries[0]!, 'service-type': '' })).toEqual({ kind: 'reject', reason: 'service-type missing' });
    expect(normalizer.matches({ time: '2025-01-01T00:00:00Z', operationName: 'GetBlob' })).toBe(false);
  });
});
