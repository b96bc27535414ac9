import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStorageAnalyticsLine } from '../../../src/sources/azure-blob/normalize.js';
import { SAMPLES_DIR } from '../../helpers/sample-records.js';

const lines = readFileSync(`${SAMPLES_DIR}azure/azure-docs-storage-analytics-v2.log`, 'utf8').split('\n').filter((l) => l.trim());

describe('parseStorageAnalyticsLine on the documented sample log', () => {
  it('reads all four lines with the field count of their version', () => {
    const entries = lines.map((l) => parseStorageAnalyticsLine(l));
    expect(entries.map((e) => e?.['version-number'])).toEqual(['2.0', '2.0', '2.0', '1.0']);
    expect(entries.map((e) => Object.keys(e ?? {}).length)).toEqual([38, 38, 38, 30]);
    expect(entries.map((e) => e?.['service-type'])).toEqual(['blob', 'blob', 'queue', 'table']);
  });

  it('keeps an unquoted URL whole and decodes its &amp; entities', () => {
    const entry = parseStorageAnalyticsLine(lines[0]!)!;
    expect(entry['request-url']).toBe(
      'https://logsamples.blob.core.windows.net/container1/1.txt?se=2022-02-02T20:34:54Z&sig=XXXXX&sp=rwl&sr=c&sv=2020-04-08&timeout=901',
    );
    expect(entry['requested-object-key']).toBe('/logsamples/container1/1.txt');
    expect(entry['requester-ip-address']).toBe('71.197.193.44:53371');
    expect(entry['request-packet-size']).toBe('13');
    expect(entry['etag-identifier']).toBe('"0x8D9CEF88004E296"');
    expect(entry['last-modified-time']).toBe('Monday, 03-Jan-22 20:34:54 GMT');
  });

  it('keeps semicolons inside a quoted user agent', () => {
    const entry = parseStorageAnalyticsLine(lines[0]!)!;
    expect(entry['user-agent-header']).toBe(
      'Microsoft Azure Storage Explorer, 1.20.1, win32, azcopy-node, 2.0.0, win32,  AzCopy/10.11.0 Azure-Storage/0.13 (go1.15; Windows_NT)',
    );
    expect(entry['client-request-id']).toBe('xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxx');
  });
});

describe('parseStorageAnalyticsLine on other documented shapes', () => {
  it('reads the OAuth fields of a 2.0 ListBlobs entry, including raw quotes in the authorization detail', () => {
    const line =
      '2.0;2019-02-25T20:06:55.9794046Z;ListBlobs;OAuthSuccess;200;250;46;bearer;storagesamples;storagesamples;blob;' +
      '"https://storagesamples.blob.core.windows.net/sample-container?restype=container&amp;comp=list&amp;prefix=";' +
      '"/storagesamples/sample-container";470b9e55-201e-0137-5c45-cdd293000000;0;200.59.21.176:52659;2018-03-28;2682;0;295;5184;0;;;;;;' +
      '"Mozilla/5.0 (Windows NT 10.0; Win64; x64)";"blob:https://ms.portal.azure.com/cf576432";;' +
      '"e5981635-dcf0-4279-ab7b-ca1cbdf4a5c7";"72f988bf-86f1-41af-91ab-2d7cd011db47";"691458b9-1327-4635-9f55-ed83a7f1b41c";' +
      '"https://storage.azure.com/";"https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/";;;' +
      '"[{"action":"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", "principalType":"User"}]"';
    const entry = parseStorageAnalyticsLine(line)!;
    expect(entry['request-url']).toBe('https://storagesamples.blob.core.windows.net/sample-container?restype=container&comp=list&prefix=');
    expect(entry['response-packet-size']).toBe('5184');
    expect(entry['user-object-id']).toBe('e5981635-dcf0-4279-ab7b-ca1cbdf4a5c7');
    expect(entry['application-id']).toBe('691458b9-1327-4635-9f55-ed83a7f1b41c');
    expect(entry['user-principal-name']).toBe('');
    expect(entry['authorization-detail']).toBe(
      '[{"action":"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", "principalType":"User"}]',
    );
  });

  it('reads a 1.0 entry whose ETag is written with doubled quotes', () => {
    const line =
      '1.0;2014-06-19T22:59:23.1967767Z;GetBlob;AnonymousSuccess;200;17;16;anonymous;;storagesample;blob;' +
      '"https://storagesample.blob.core.windows.net/sample-container1/00001.txt";"/storagesample/sample-container1/00001.txt";' +
      '61d2e3f6-bcb7-4cd1-a81e-4f8f497f0da2;0;192.100.0.102:4362;2014-02-14;283;0;354;23;0;;;""0x8D15A2913C934DE"";' +
      'Thursday, 19-Jun-14 22:58:10 GMT;;"WA-Storage/4.0.1 (.NET CLR 4.0.30319.34014; Win32NT 6.3.9600.0)";;"44dfd78e-7288-4898-8f70-c3478983d3b6"\r\n';
    const entry = parseStorageAnalyticsLine(line)!;
    expect(entry['etag-identifier']).toBe('"0x8D15A2913C934DE"');
    expect(entry['response-packet-size']).toBe('23');
    expect(entry['client-request-id']).toBe('44dfd78e-7288-4898-8f70-c3478983d3b6');
  });

  it('returns undefined for a line that is not a log entry', () => {
    expect(parseStorageAnalyticsLine('')).toBeUndefined();
    expect(parseStorageAnalyticsLine('{"time":"2025-01-01T00:00:00Z"}')).toBeUndefined();
    expect(parseStorageAnalyticsLine('version-number;request-start-time')).toBeUndefined();
  });
});
