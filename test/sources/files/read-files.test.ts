import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageWatchError } from '../../../src/core/errors.js';
import { listInputFiles, readFileEvents, sniffFile, type SourceItem } from '../../../src/sources/files/read-files.js';
import { cloudTrailRecord, ndjson } from '../../helpers/cloud-trail-records.js';
import { SAMPLES_DIR } from '../../helpers/sample-records.js';
import { T0 } from '../../helpers/store-fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'sw-read-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** Writes a file under a fresh temp folder and returns its path. */
function write(name: string, content: string | Buffer): string {
  const dir = join(tmp, String(++n));
  mkdirSync(dir);
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}

async function readAll(file: string): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of readFileEvents(file)) items.push(item);
  return items;
}

function kinds(items: readonly SourceItem[]): Record<SourceItem['kind'], number> {
  const out = { event: 0, skip: 0, reject: 0 };
  for (const i of items) out[i.kind]++;
  return out;
}

function eventIds(items: readonly SourceItem[]): string[] {
  return items.flatMap((i) => (i.kind === 'event' ? [i.event.id] : []));
}

/** Records per sample file, as counted in test/fixtures/samples/SOURCES.md. */
const SAMPLE_RECORDS: Record<string, number> = {
  'aws/653711331788_CloudTrail_us-east-1_20181128T2235Z_cR9ra7OH1rytWyXY.json.gz': 2,
  'aws/653711331788_CloudTrail_us-east-1_20181128T2305Z_83VTWZ8Z0kiEC7Lq.json.gz': 1,
  'aws/653711331788_CloudTrail_us-east-1_20181128T2305Z_zKlMhON7EpHala9u.json.gz': 4,
  'aws/aws-docs-s3-example1.json': 3,
  'aws/aws-docs-s3-outposts-example2.json': 1,
  'aws/elastic-copy-object.ndjson': 1,
  'aws/elastic-put-object.ndjson': 1,
  'aws/otrf-logstash-cloudtrail-s3.ndjson': 7,
  'aws/panther-cloudtrail-s3-tests.ndjson': 75,
  'azure/azure-docs-resource-log-example.json': 1,
  'azure/azure-docs-storage-analytics-v2.log': 4,
  'azure/dynatrace-resource-log.ndjson': 1,
  'azure/panther-blob-resource-log-tests.ndjson': 18,
  'gcp/gcs-admin-activity.json': 1,
  'gcp/gcs-admin-set-iam-permissions.json': 1,
  'gcp/gcs-data-access-object-create.json': 1,
  'gcp/gcs-data-access-object-get.json': 1,
  'gcp/gcs-data-access-object-list.json': 1,
  'gcp/gcs-obj-vers-concatenated.json': 2,
  'gcp/panther-gcs-tests.ndjson': 15,
};
/** flaws2 delivery files that hold only STS and CloudWatch Logs events: read, and skipped as not S3. */
const NO_S3_EVENTS = new Set([
  'aws/653711331788_CloudTrail_us-east-1_20181128T2235Z_cR9ra7OH1rytWyXY.json.gz',
  'aws/653711331788_CloudTrail_us-east-1_20181128T2305Z_83VTWZ8Z0kiEC7Lq.json.gz',
]);
const PANTHER_CLOUDTRAIL = 'aws/panther-cloudtrail-s3-tests.ndjson';

describe('readFileEvents over every real sample', () => {
  const files = listInputFiles([SAMPLES_DIR]).filter((f) => !f.endsWith('SOURCES.md'));

  it('finds every sample file', () => {
    expect(files.map((f) => f.slice(SAMPLES_DIR.length)).sort()).toEqual(Object.keys(SAMPLE_RECORDS).sort());
  });

  it.each(Object.keys(SAMPLE_RECORDS))('%s: reads every record, in order, with no unexpected rejection', async (name) => {
    const file = join(SAMPLES_DIR, name);
    const items = await readAll(file);
    expect(items).toHaveLength(SAMPLE_RECORDS[name]!);
    expect(items.map((i) => i.origin.index)).toEqual(items.map((_, i) => i));
    expect(items.every((i) => i.origin.file === file)).toBe(true);

    const rejected = items.flatMap((i) => (i.kind === 'reject' ? [{ line: i.origin.line, reason: i.reason }] : []));
    if (name === PANTHER_CLOUDTRAIL) {
      expect(rejected.map((r) => r.line)).toEqual([13, 14]);
      expect(rejected.every((r) => r.reason.startsWith('account unknown'))).toBe(true);
    } else expect(rejected).toEqual([]);

    const events = items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));
    if (NO_S3_EVENTS.has(name)) {
      expect(events).toEqual([]);
      expect(items.every((i) => i.kind === 'skip' && i.reason.startsWith('not S3'))).toBe(true);
    } else expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.cloud).toBe(name.split('/')[0]);
      expect(Number.isFinite(e.time)).toBe(true);
      expect(e.principal.id).not.toBe('');
      // A bare address: no port (Azure writes `ip:port`), no brackets; IPv6 such as `2600::1` stays whole.
      if (e.ip !== undefined) expect(isIP(e.ip), e.ip).not.toBe(0);
    }
  });
});

describe('format detection from content, not name', () => {
  it('reads a CloudTrail {"Records":[...]} document named x.csv', async () => {
    const original = await readAll(join(SAMPLES_DIR, 'aws/aws-docs-s3-example1.json'));
    const disguised = write('x.csv', readFileSync(join(SAMPLES_DIR, 'aws/aws-docs-s3-example1.json')));
    expect(await sniffFile(disguised)).toBe('json');
    expect(eventIds(await readAll(disguised))).toEqual(eventIds(original));
    expect(eventIds(original)).toHaveLength(3);
  });

  it('reads gzipped NDJSON named .txt, with the line numbers of the uncompressed text', async () => {
    const text = readFileSync(join(SAMPLES_DIR, PANTHER_CLOUDTRAIL));
    const disguised = write('logs.txt', gzipSync(text));
    expect(await sniffFile(disguised)).toBe('ndjson');
    const items = await readAll(disguised);
    expect(kinds(items)).toEqual({ event: 73, skip: 0, reject: 2 });
    expect(items.filter((i) => i.kind === 'reject').map((i) => i.origin.line)).toEqual([13, 14]);
  });

  it('reads a gzipped CloudTrail delivery file without its .gz extension', async () => {
    const name = 'aws/653711331788_CloudTrail_us-east-1_20181128T2305Z_zKlMhON7EpHala9u.json.gz';
    const disguised = write('delivery', readFileSync(join(SAMPLES_DIR, name)));
    expect(eventIds(await readAll(disguised))).toEqual(eventIds(await readAll(join(SAMPLES_DIR, name))));
  });

  it('reads a Storage Analytics log named .json and Cloud Audit Logs NDJSON named .csv', async () => {
    const analytics = write('export.json', readFileSync(join(SAMPLES_DIR, 'azure/azure-docs-storage-analytics-v2.log')));
    expect(await sniffFile(analytics)).toBe('storage-analytics');
    expect(kinds(await readAll(analytics))).toEqual({ event: 2, skip: 2, reject: 0 });

    const gcs = write('audit.csv', readFileSync(join(SAMPLES_DIR, 'gcp/panther-gcs-tests.ndjson')));
    expect(await sniffFile(gcs)).toBe('ndjson');
    expect(kinds(await readAll(gcs))).toEqual(kinds(await readAll(join(SAMPLES_DIR, 'gcp/panther-gcs-tests.ndjson'))));
  });
});

describe('JSON layouts', () => {
  const records = [0, 1, 2].map((i) => cloudTrailRecord({ time: T0 + i * 60_000, eventId: `id-${i}` }));

  it('reads a pretty-printed {"Records":[...]} document', async () => {
    const file = write('trail.json', JSON.stringify({ Records: records }, null, 2));
    expect(await sniffFile(file)).toBe('json');
    expect(eventIds(await readAll(file))).toEqual(['id-0', 'id-1', 'id-2']);
  });

  it('reads a compact {"Records":[...]} document on one line ending with a newline', async () => {
    const file = write('trail.json', JSON.stringify({ Records: records }) + '\n');
    expect(eventIds(await readAll(file))).toEqual(['id-0', 'id-1', 'id-2']);
  });

  it('reads a pretty-printed document larger than the sniffed head', async () => {
    const many = Array.from({ length: 400 }, (_, i) => cloudTrailRecord({ time: T0 + i * 1000, eventId: `big-${i}` }));
    const text = JSON.stringify({ Records: many }, null, 2);
    expect(text.length).toBeGreaterThan(256 * 1024);
    const items = await readAll(write('big.json', text));
    expect(kinds(items)).toEqual({ event: 400, skip: 0, reject: 0 });
  });

  it('reads a JSON array, pretty-printed or on one line', async () => {
    expect(eventIds(await readAll(write('a.json', JSON.stringify(records, null, 2))))).toEqual(['id-0', 'id-1', 'id-2']);
    expect(eventIds(await readAll(write('b.json', JSON.stringify(records))))).toEqual(['id-0', 'id-1', 'id-2']);
  });

  it('reads NDJSON with CRLF line ends and blank lines, counting lines as an editor does', async () => {
    const text = ndjson(records).replace(/\n/g, '\r\n').replace('\r\n', '\r\n\r\n');
    const items = await readAll(write('crlf.ndjson', text));
    expect(eventIds(items)).toEqual(['id-0', 'id-1', 'id-2']);
    expect(items.map((i) => i.origin.line)).toEqual([1, 3, 4]);
  });

  it('rejects exactly the malformed line in the middle of NDJSON, with its line number, and reads the rest', async () => {
    const lines = ndjson(records).trimEnd().split('\n');
    lines.splice(1, 0, '{"eventVersion":"1.09","eventSource":"s3.amazonaws.com","eventName":"GetOb');
    const items = await readAll(write('broken.ndjson', lines.join('\n') + '\n'));
    expect(eventIds(items)).toEqual(['id-0', 'id-1', 'id-2']);
    const rejected = items.filter((i) => i.kind === 'reject');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ origin: { line: 2, index: 1 }, reason: expect.stringMatching(/^invalid JSON/) as unknown });
  });

  it('rejects a malformed FIRST line of NDJSON and still reads the lines after it', async () => {
    const text = '{"eventVersion":"1.09","eventSource":"s3.amazon\n' + ndjson(records);
    const items = await readAll(write('truncated-head.ndjson', text));
    expect(items.filter((i) => i.kind === 'reject').map((i) => i.origin.line)).toEqual([1]);
    expect(eventIds(items)).toEqual(['id-0', 'id-1', 'id-2']);
  });

  it('rejects a JSON document that is cut short, naming the file, instead of throwing', async () => {
    const file = write('cut.json', JSON.stringify({ Records: records }, null, 2).slice(0, 500));
    const items = await readAll(file);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'reject', origin: { file }, reason: expect.stringMatching(/^invalid JSON/) as unknown });
  });
});

describe('StorageBlobLogs CSV export', () => {
  const columns = [
    'TimeGenerated', 'AccountName', 'OperationName', 'AuthenticationType', 'StatusCode', 'StatusText', 'Uri', 'CallerIpAddress', 'CorrelationId',
    'AuthenticationHash', 'RequesterObjectId', 'RequesterUpn', 'UserAgentHeader', 'ServiceType', 'ObjectKey', 'ResponseBodySize', 'RequestBodySize', '_ResourceId',
  ];
  const resourceId = '/subscriptions/9f1c2b3a-4d5e-4f60-8a7b-1c2d3e4f5a6b/resourcegroups/rg-data/providers/microsoft.storage/storageaccounts/contosodata';
  const url = 'https://contosodata.blob.core.windows.net/finance/reports/q1.xlsx';
  const rows = [
    ['2025-03-04T09:15:02.1234567Z', 'contosodata', 'GetBlob', 'OAuth', '200', 'Success', url, '203.0.113.7:50123', 'c-1', '',
      'A1B2C3D4-1111-4222-8333-944455556666', 'Alice.Ng@contoso.com', '"azsdk-python-storage-blob/12.24.0 Python/3.12.3 (Linux, x86_64)"', 'blob',
      '/contosodata/finance/reports/q1.xlsx', '1048576', '0', resourceId],
    ['2025-03-04T09:16:10.5Z', 'contosodata', 'ListBlobs', 'SAS', '200', 'Success', 'https://contosodata.blob.core.windows.net/finance?restype=container&comp=list&sig=XXXX',
      '198.51.100.23:443', 'c-2', '"key1(67F8F5A2D0E1),SasSignature(92D63045AB12)"', '', '', 'rclone/v1.66.0', 'blob', '/contosodata/finance', '5120', '0', resourceId],
    ['yesterday', 'contosodata', 'GetBlob', 'AccountKey', '200', 'Success', url, '198.51.100.24:443', 'c-3', 'key1(67F8F5A2D0E1)', '', '',
      'curl/8.5.0', 'blob', '/contosodata/finance/reports/q1.xlsx', '10', '0', resourceId],
    ['2025-03-04T09:17:00Z', 'contosodata', 'PutMessage', 'AccountKey', '201', 'Success', 'https://contosodata.queue.core.windows.net/jobs/messages',
      '198.51.100.24:443', 'c-4', 'key1(67F8F5A2D0E1)', '', '', 'curl/8.5.0', 'queue', '/contosodata/jobs', '0', '120', resourceId],
  ];
  const csv = [columns.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';

  it('reads the rows by their header names and reports a bad row with its line', async () => {
    const file = write('StorageBlobLogs.csv', csv);
    expect(await sniffFile(file)).toBe('csv');
    const items = await readAll(file);
    expect(items.map((i) => i.kind)).toEqual(['event', 'event', 'reject', 'skip']);
    expect(items.map((i) => i.origin.line)).toEqual([2, 3, 4, 5]);
    expect(items[2]).toMatchObject({ reason: expect.stringContaining('TimeGenerated') as unknown });

    const [download, list] = items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));
    expect(download).toMatchObject({
      cloud: 'azure', id: 'c-1', ip: '203.0.113.7', bytesOut: 1_048_576, time: Date.parse('2025-03-04T09:15:02.123Z'),
      principal: { id: 'a1b2c3d4-1111-4222-8333-944455556666', name: 'Alice.Ng@contoso.com', type: 'user' },
      action: { name: 'GetBlob', class: 'read' }, resource: { bucket: 'contosodata/finance', key: 'reports/q1.xlsx' },
      client: 'azsdk-python-storage-blob/12.24.0 Python/3.12.3 (Linux, x86_64)', outcome: { status: 'success' },
    });
    // An Entra user is one identity across the storage accounts of its subscription.
    expect(download!.account).toMatch(/^[0-9a-f-]{36}$/);
    expect(list).toMatchObject({ ip: '198.51.100.23', action: { class: 'list' }, principal: { type: 'key' }, client: 'rclone/v1.66.0' });
    expect(list!.principal.id).toMatch(/^sas:/);
  });

  it('reads an Excel-style export: byte-order mark, CRLF line ends, a portal-style `TimeGenerated [UTC]` header', async () => {
    const portal = '\uFEFF' + csv.replace('TimeGenerated,', 'TimeGenerated [UTC],').replace(/\n/g, '\r\n');
    const items = await readAll(write('query_data.csv', portal));
    expect(items.map((i) => i.kind)).toEqual(['event', 'event', 'reject', 'skip']);
    expect(items.map((i) => i.origin.line)).toEqual([2, 3, 4, 5]);
  });

  it('reads the hand-made StorageBlobLogs CSV fixture as the JSON fixture of the same rows', async () => {
    const fromCsv = await readAll(join(SAMPLES_DIR, '../azure/storage-blob-logs.csv'));
    const fromJson = await readAll(join(SAMPLES_DIR, '../azure/storage-blob-logs.json'));
    expect(fromCsv.length).toBeGreaterThan(0);
    expect(fromCsv.map((i) => i.kind)).toEqual(fromJson.map((i) => i.kind));
    expect(eventIds(fromCsv)).toEqual(eventIds(fromJson));
  });
});

describe('listInputFiles', () => {
  it('walks directories recursively in name order, ignoring dotfiles and dot-folders', () => {
    const root = join(tmp, 'walk');
    for (const dir of ['b/deeper', 'a', '.git', '.cache']) mkdirSync(join(root, dir), { recursive: true });
    for (const f of ['b/deeper/3.json', 'b/2.ndjson', 'a/1.json.gz', '0.log', '.hidden.json', '.git/HEAD', '.cache/x.json', 'b/.DS_Store']) {
      writeFileSync(join(root, f), '{}');
    }
    const found = listInputFiles([root]);
    expect(found.map((f) => f.slice(root.length + 1))).toEqual(['0.log', 'a/1.json.gz', 'b/2.ndjson', 'b/deeper/3.json']);
    expect(found.every((f) => f.startsWith('/'))).toBe(true);
  });

  it('takes a file given by name as it is, as an absolute path', () => {
    const file = write('one.json', '{}');
    expect(listInputFiles([file])).toEqual([file]);
  });

  it('throws input_not_found naming the missing path', () => {
    const missing = join(tmp, 'does-not-exist');
    let caught: unknown;
    try {
      listInputFiles([SAMPLES_DIR, missing]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StorageWatchError);
    expect((caught as StorageWatchError).code).toBe('input_not_found');
    expect((caught as StorageWatchError).message).toContain(missing);
  });
});

describe('sniffFile on files that are not audit logs', () => {
  it.each([
    ['README.md', '# storage-watch\n\nCatches data theft from cloud storage.\nRun `storage-watch scan --input logs/`.\n'],
    ['settings.json', JSON.stringify({ name: 'storage-watch', version: '0.1.0', scripts: { test: 'vitest run' } }, null, 2)],
    ['one-object.json', '{"hello":"world","count":3}'],
    ['metrics.ndjson', '{"metric":"cpu","value":0.5}\n{"metric":"mem","value":0.7}\n'],
    ['numbers.json', '[1, 2, 3]\n'],
    ['people.csv', 'name,email\nalice,alice@corp.com\n'],
    ['empty.json', ''],
  ])('%s -> undefined, and readFileEvents refuses it with unknown_format', async (name, content) => {
    const file = write(name, content);
    expect(await sniffFile(file)).toBeUndefined();
    await expect(readAll(file)).rejects.toMatchObject({ code: 'unknown_format', message: expect.stringContaining(file) as unknown });
  });

  it('knows a gzipped file that is not a log is not a log', async () => {
    const file = write('archive.gz', gzipSync(Buffer.from('just some text\nand more\n')));
    expect(await sniffFile(file)).toBeUndefined();
  });

  it('is not fooled by package.json', async () => {
    expect(await sniffFile(fileURLToPath(new URL('../../../package.json', import.meta.url)))).toBeUndefined();
  });
});
