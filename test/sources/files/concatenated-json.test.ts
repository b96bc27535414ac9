import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ConcatenatedJsonScanner, splitConcatenatedJson } from '../../../src/sources/files/concatenated-json.js';
import { readFileEvents, sniffFile, type SourceItem } from '../../../src/sources/files/read-files.js';
import { cloudTrailRecord } from '../../helpers/cloud-trail-records.js';
import { SAMPLES_DIR } from '../../helpers/sample-records.js';
import { T0 } from '../../helpers/store-fixtures.js';

// Two Cloud Logging entries printed one after another (GoogleCloudPlatform/professional-services, see SOURCES.md).
const GCS_SAMPLE = join(SAMPLES_DIR, 'gcp/gcs-obj-vers-concatenated.json');
const gcsText = readFileSync(GCS_SAMPLE, 'utf8');
const [gcsFirst, gcsSecond] = gcsText.split('\n\n') as [string, string];
const sample = (name: string): string => readFileSync(join(SAMPLES_DIR, name), 'utf8').trim();

const tmp = mkdtempSync(join(tmpdir(), 'sw-concatenated-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
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

const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;
const ids = (items: readonly SourceItem[]): string[] => items.flatMap((i) => (i.kind === 'event' ? [i.event.id] : []));
const rejects = (items: readonly SourceItem[]) => items.flatMap((i) => (i.kind === 'reject' ? [{ line: i.origin.line, index: i.origin.index, reason: i.reason }] : []));

describe('concatenated pretty-printed JSON files', () => {
  it('reads every entry of the real concatenated Cloud Logging sample, each with the line it starts on', async () => {
    expect(await sniffFile(GCS_SAMPLE)).toBe('concatenated-json');
    const items = await readAll(GCS_SAMPLE);
    expect(items.map((i) => i.kind)).toEqual(['event', 'event']);
    expect(items.map((i) => i.origin)).toEqual([
      { file: GCS_SAMPLE, index: 0, line: 1 },
      { file: GCS_SAMPLE, index: 1, line: gcsFirst.split('\n').length + 2 },
    ]);
    expect(ids(items)).toHaveLength(2);
    expect(items.every((i) => i.kind === 'event' && i.event.action.name === 'storage.buckets.update')).toBe(true);
  });

  it.each([
    ['cut in the middle of a string', (t: string) => t.slice(0, t.indexOf('"callerIp"') + 14)],
    ['cut after a comma at the end of a line', (t: string) => t.slice(0, t.indexOf('"resourceName"') - 1).trimEnd()],
    ['cut after a comma in an array', (t: string) => `${t.slice(0, t.indexOf('    "resourceName"')).replace(/\]\s*,?\s*$/, '').trimEnd()},`],
    ['missing only its closing brace', (t: string) => t.slice(0, t.lastIndexOf('}')).trimEnd()],
    ['with a syntax error inside', (t: string) => t.replace('"severity": "NOTICE"', '"severity" "NOTICE"')],
  ])('reports a broken object in the middle (%s) at the line it starts, and reads the objects around it', async (_, breakIt) => {
    const parts = [gcsFirst, breakIt(gcsSecond), gcsSecond, gcsFirst];
    const starts = parts.map((_, k) => 1 + parts.slice(0, k).reduce((sum, p) => sum + p.split('\n').length, 0));
    const file = write('broken.json', parts.join('\n') + '\n');
    expect(await sniffFile(file)).toBe('concatenated-json');
    const items = await readAll(file);
    expect(items.map((i) => i.kind)).toEqual(['event', 'reject', 'event', 'event']);
    expect(items.map((i) => i.origin.line)).toEqual(starts);
    expect(rejects(items)).toEqual([{ line: starts[1], index: 1, reason: expect.stringMatching(/^invalid JSON: /) as unknown }]);
  });

  it('reports text between objects (a caption pasted with them) as one rejection, and reads the objects', async () => {
    const text = `${gcsFirst}\n\nDisable Object Versioning:\n${gcsSecond}\n`;
    const items = await readAll(write('captioned.json', text));
    expect(items.map((i) => i.kind)).toEqual(['event', 'reject', 'event']);
    expect(rejects(items)).toEqual([{ line: lineOf(text, 'Disable'), index: 1, reason: expect.stringMatching(/^invalid JSON/) as unknown }]);
  });

  it('reads concatenated CloudTrail {"Records":[...]} documents (real AWS docs samples), gzipped', async () => {
    const text = [sample('aws/aws-docs-s3-example1.json'), sample('aws/aws-docs-s3-outposts-example2.json')].join('\n');
    const file = write('trails.json.gz', gzipSync(text));
    expect(await sniffFile(file)).toBe('concatenated-json');
    const items = await readAll(file);
    expect(items.map((i) => i.origin.index)).toEqual([0, 1, 2, 3]);
    expect(items.map((i) => i.origin.line)).toEqual([1, 1, 1, lineOf(text, sample('aws/aws-docs-s3-outposts-example2.json'))]);
    expect(rejects(items)).toEqual([]);
    expect(ids(items)).toHaveLength(4);
  });

  it('reads Azure resource-log records copy-pasted one after another (real docs and Dynatrace samples)', async () => {
    const dynatrace = JSON.stringify(JSON.parse(sample('azure/dynatrace-resource-log.ndjson')), null, 4);
    const text = [sample('azure/azure-docs-resource-log-example.json'), dynatrace, sample('azure/azure-docs-resource-log-example.json')].join('\n');
    const file = write('resource-logs.txt', text);
    expect(await sniffFile(file)).toBe('concatenated-json');
    const items = await readAll(file);
    expect(items.map((i) => i.kind)).toEqual(['event', 'event', 'event']);
    expect(items.map((i) => i.kind === 'event' && i.event.action.name)).toEqual(['PutBlob', 'SetBlobMetadata', 'PutBlob']);
  });

  it('reads all objects when the first is larger than the sniffed head', async () => {
    const big = Array.from({ length: 400 }, (_, i) => cloudTrailRecord({ time: T0 + i * 1000, eventId: `big-${i}` }));
    const text = `${JSON.stringify({ Records: big }, null, 2)}\n${JSON.stringify(cloudTrailRecord({ time: T0, eventId: 'after' }), null, 2)}\n`;
    expect(text.length).toBeGreaterThan(256 * 1024);
    const items = await readAll(write('big.json', text));
    expect(ids(items)).toEqual([...big.map((_, i) => `big-${i}`), 'after']);
    expect(items.at(-1)!.origin.line).toBe(lineOf(text, '}\n{') + 1);
  });

  it('streams thousands of objects with their lines, in order', async () => {
    const text = Array.from({ length: 3000 }, (_, i) => JSON.stringify(cloudTrailRecord({ time: T0 + i, eventId: `e-${i}` }), null, 2)).join('\n');
    const file = write('many.json', text);
    expect(await sniffFile(file)).toBe('concatenated-json');
    const items = await readAll(file);
    expect(ids(items)).toEqual(Array.from({ length: 3000 }, (_, i) => `e-${i}`));
    const linesPer = JSON.stringify(cloudTrailRecord({ time: T0, eventId: 'e-0' }), null, 2).split('\n').length;
    expect(items.slice(0, 3).map((i) => i.origin.line)).toEqual([1, 1 + linesPer, 1 + 2 * linesPer]);
  });

  it('still reads NDJSON as NDJSON, and a lone `{}` line inside pretty-printed objects does not make them NDJSON', async () => {
    const record = cloudTrailRecord({ time: T0, eventId: 'x' });
    expect(await sniffFile(write('a.ndjson', `${JSON.stringify(record)}\n${JSON.stringify(record)}\n`))).toBe('ndjson');
    const pretty = JSON.stringify({ ...record, resources: [{}] }, null, 2);
    expect(pretty).toContain('\n    {}\n');
    const file = write('b.json', `${pretty}\n${pretty}\n`);
    expect(await sniffFile(file)).toBe('concatenated-json');
    expect(ids(await readAll(file))).toEqual(['x', 'x']);
  });

  it('knows concatenated objects that are not audit records are not audit logs', async () => {
    const file = write('config.json', `${JSON.stringify({ name: 'a' }, null, 2)}\n${JSON.stringify({ name: 'b' }, null, 2)}\n`);
    expect(await sniffFile(file)).toBeUndefined();
  });
});

describe('ConcatenatedJsonScanner', () => {
  const texts = (s: string) => splitConcatenatedJson(s).map((p) => p.text);

  it('cuts compact values on one line, ignoring brackets and escaped quotes inside strings', () => {
    expect(texts('{"a":"}{"}{"b":[1,{"c":"x\\"]"}]}[2] ')).toEqual(['{"a":"}{"}', '{"b":[1,{"c":"x\\"]"}]}', '[2]']);
  });

  it('gives the same pieces and lines whatever the chunk boundaries', () => {
    const text = `\uFEFF${gcsText}\r\n${gcsFirst.replace(/\n/g, '\r\n')}\nnot json\n${gcsSecond.slice(0, 300)}\n${gcsSecond}`;
    const whole = splitConcatenatedJson(text);
    const scanner = new ConcatenatedJsonScanner();
    const byChar = [...[...text].flatMap((c) => scanner.push(c)), ...scanner.end()];
    expect(byChar).toEqual(whole);
    expect(whole.map((p) => p.line)).toEqual([1, lineOf(text, '\n\n{') + 2, lineOf(text, '\r\n{') + 1, lineOf(text, 'not json'), lineOf(text, 'not json') + 1, lineOf(text, 'not json') + 1 + gcsSecond.slice(0, 300).split('\n').length]);
    expect(whole.map((p) => { try { JSON.parse(p.text); return true; } catch { return false; } })).toEqual([true, true, true, false, false, true]);
  });

  it('does not cut flush-left output (no indentation) at nested brackets that start a line', () => {
    const flush = '{\n"Records": [\n{\n"a": 1\n},\n{\n"b": [\n{\n"c": 2\n}\n]\n}\n]\n}\n{\n"d": 3\n}\n';
    const pieces = splitConcatenatedJson(flush);
    expect(pieces.map((p) => p.line)).toEqual([1, 15]);
    expect(pieces.map((p) => JSON.parse(p.text) as unknown)).toEqual([{ Records: [{ a: 1 }, { b: [{ c: 2 }] }] }, { d: 3 }]);
  });

  it('returns nothing for whitespace, and the unfinished value at the end', () => {
    expect(splitConcatenatedJson(' \n\t\r\n')).toEqual([]);
    expect(splitConcatenatedJson('{"a": 1}\n{"b": ')).toEqual([{ text: '{"a": 1}', line: 1 }, { text: '{"b": ', line: 2 }]);
  });
});
