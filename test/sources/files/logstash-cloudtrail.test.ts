import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cloudTrailNormalizer } from '../../../src/sources/aws-cloudtrail/normalize.js';
import { readFileEvents, sniffFile, type SourceItem } from '../../../src/sources/files/read-files.js';
import { SAMPLES_DIR } from '../../helpers/sample-records.js';

// CloudTrail as an ELK / OpenSearch (Logstash) pipeline exports it: OTRF Security-Datasets, see SOURCES.md.
const SAMPLE = join(SAMPLES_DIR, 'aws/otrf-logstash-cloudtrail-s3.ndjson');
const sampleLines = readFileSync(SAMPLE, 'utf8').trimEnd().split('\n');
const getObjectLine = (): Record<string, unknown> => JSON.parse(sampleLines[6]!) as Record<string, unknown>;

const tmp = mkdtempSync(join(tmpdir(), 'sw-logstash-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, lines: readonly unknown[]): string {
  const file = join(tmp, name);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

async function readAll(file: string): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of readFileEvents(file)) items.push(item);
  return items;
}

describe('CloudTrail exported by Logstash (real OTRF sample)', () => {
  it('is recognised as NDJSON and gives one event per S3 record, timed by @timestamp', async () => {
    expect(await sniffFile(SAMPLE)).toBe('ndjson');
    const items = await readAll(SAMPLE);
    expect(items.map((i) => i.kind)).toEqual(['skip', 'event', 'event', 'event', 'event', 'event', 'event']);
    const s3Lines = sampleLines.filter((l) => l.includes('"eventSource":"s3.amazonaws.com"'));
    expect(items.filter((i) => i.kind === 'event')).toHaveLength(s3Lines.length);

    const events = items.flatMap((i) => (i.kind === 'event' ? [{ e: i.event, line: i.origin.line }] : []));
    expect(events.map(({ e, line }) => [line, e.action.name, new Date(e.time).toISOString()])).toEqual([
      [2, 'ListBuckets', '2020-09-14T01:01:50.000Z'],
      [3, 'ListBuckets', '2020-09-14T01:00:04.000Z'],
      [4, 'ListObjects', '2020-09-14T01:12:40.000Z'],
      [5, 'ListObjects', '2020-09-14T01:12:43.000Z'],
      [6, 'ListObjects', '2020-09-14T01:13:20.000Z'],
      [7, 'GetObject', '2020-09-14T01:13:20.000Z'],
    ]);
    // Logstash writes the byte counts as floats: 524.0, 500.0, 89.0.
    expect(events.map(({ e }) => [e.bytesOut, e.bytesIn])).toEqual([[0, 0], [0, 0], [524, 0], [524, 0], [500, 0], [89, 0]]);
    expect(events.at(-1)!.e).toMatchObject({
      id: 'edc2222c-5063-47fb-9fc0-c2ffb86b9d15',
      account: '123456789123',
      principal: { id: 'arn:aws:iam::123456789123:role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0', type: 'role' },
      resource: { bucket: 'mordors3stack-s3bucket-llp2yingx64a', key: 'ring.txt' },
      ip: '1.2.3.4',
      client: 'aws-cli/1.18.136 Python/3.8.5 Darwin/19.5.0 botocore/1.17.59',
    });
  });

  it('prefers eventTime when a pipeline kept it next to @timestamp (then @timestamp is the ingest time)', () => {
    const record = { ...getObjectLine(), eventTime: '2020-09-14T01:13:19Z', '@timestamp': '2020-09-14T01:20:00.000Z' };
    const result = cloudTrailNormalizer.normalize(record);
    expect(result.kind === 'event' && new Date(result.event.time).toISOString()).toBe('2020-09-14T01:13:19.000Z');
  });

  it('reads other Logstash additions (tags, type, host, geoip, floats as text) as the same event', () => {
    const plain = cloudTrailNormalizer.normalize(getObjectLine());
    const decorated = cloudTrailNormalizer.normalize({
      ...getObjectLine(),
      tags: ['cloudtrail', '_geoip_lookup_failure'],
      type: 'cloudtrail',
      host: { name: 'logstash-01' },
      geoip: { ip: '1.2.3.4', location: { lat: -33.494, lon: 143.2104 }, country_code2: 'AU' },
      additionalEventData: { bytesTransferredOut: '89.0', bytesTransferredIn: 1.0e3 },
    });
    expect(plain.kind).toBe('event');
    expect(decorated.kind === 'event' && decorated.event).toEqual(plain.kind === 'event' && { ...plain.event, bytesIn: 1000 });
  });

  it('is recognised by @timestamp alone, without eventVersion, eventTime or userIdentity', async () => {
    const { eventVersion: _v, userIdentity: _u, ...bare } = getObjectLine();
    expect(cloudTrailNormalizer.matches(bare)).toBe(true);
    expect(await sniffFile(write('bare.json', [bare, bare]))).toBe('ndjson');
  });

  it('rejects a record with neither eventTime nor @timestamp, naming file, line and reason, and reads the rest', async () => {
    const { '@timestamp': _t, ...untimed } = getObjectLine();
    const file = write('untimed.ndjson', [sampleLines[5]!, untimed, { ...getObjectLine(), '@timestamp': 'not a time' }, sampleLines[6]!]);
    const items = await readAll(file);
    expect(items.map((i) => i.kind)).toEqual(['event', 'reject', 'reject', 'event']);
    expect(items[1]).toMatchObject({ origin: { file, line: 2, index: 1 }, reason: 'eventTime missing (and no Logstash @timestamp)' });
    expect(items[2]).toMatchObject({ origin: { file, line: 3, index: 2 }, reason: '@timestamp is not a timestamp: "not a time"' });
  });
});
