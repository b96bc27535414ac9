import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles, type IngestSummary } from '../../src/scan/ingest-files.js';
import { listInputFiles, sniffFile } from '../../src/sources/files/read-files.js';
import { getCursor, setCursor } from '../../src/store/cursors.js';
import type { Sql } from '../../src/store/sql.js';
import { cloudTrailRecord, ndjson } from '../helpers/cloud-trail-records.js';
import { ENGINES, type Engine, useTestDatabase } from '../helpers/databases.js';
import { SAMPLES_DIR } from '../helpers/sample-records.js';
import { T0 } from '../helpers/store-fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'sw-ingest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function freshDir(): string {
  const dir = join(tmp, String(++n));
  mkdirSync(dir);
  return dir;
}

/** Events from 10.0.0.<i> for i in [from, to), one minute apart, each with its own object. */
function records(from: number, to: number): Record<string, unknown>[] {
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    return cloudTrailRecord({ time: T0 + 9 * 3_600_000 + i * 60_000, ip: `10.0.0.${i}`, key: `obj-${i}.csv`, eventId: `e-${i}` });
  });
}

type Snapshot = { identity_key: string; hour: Date; ops: number; bytes_out: number }[];
async function rollupTable(sql: Sql): Promise<Snapshot> {
  return sql.query('select identity_key, hour, ops, bytes_out from rollups order by identity_key, hour');
}
async function storedIps(sql: Sql): Promise<Record<string, number>> {
  const rows = await sql.query<{ data: { ips: Record<string, number> } }>('select data from rollups');
  const out: Record<string, number> = {};
  for (const r of rows) for (const [ip, c] of Object.entries(r.data.ips)) out[ip] = (out[ip] ?? 0) + c;
  return out;
}
function addsUp(s: IngestSummary): void {
  expect(s.records).toBe(s.events + s.skipped + s.rejected + s.duplicates);
}

describe.each(ENGINES)('ingestFiles on %s', (engine: Engine) => {
  const t = useTestDatabase(engine);

  it('reads the samples once: a second run reads nothing new and the stored counts do not double', async () => {
    const all = listInputFiles([SAMPLES_DIR]);
    const readable: string[] = [];
    for (const f of all) if (await sniffFile(f)) readable.push(f);

    const first = await ingestFiles(t.db.sql, [SAMPLES_DIR]);
    addsUp(first);
    expect(first.files).toBe(readable.length);
    expect(first.unchangedFiles).toBe(0);
    expect(first.unknownFiles).toEqual(all.filter((f) => !readable.includes(f)));
    expect(first.unknownFiles.map((f) => f.slice(SAMPLES_DIR.length))).toEqual(['SOURCES.md']);
    expect(first.rejected).toBe(2);
    expect(first.rejections.map((r) => [r.file.slice(SAMPLES_DIR.length), r.line])).toEqual([
      ['aws/panther-cloudtrail-s3-tests.ndjson', 13], ['aws/panther-cloudtrail-s3-tests.ndjson', 14],
    ]);
    const stored = await rollupTable(t.db.sql);
    expect(stored.reduce((sum, r) => sum + r.ops, 0)).toBe(first.events);
    const [{ identities }] = await t.db.sql.query<{ identities: number }>('select count(*)::int as identities from identities') as [{ identities: number }];
    expect(identities).toBeGreaterThan(10);

    const second = await ingestFiles(t.db.sql, [SAMPLES_DIR]);
    expect(second).toMatchObject({ files: 0, unchangedFiles: readable.length, records: 0, events: 0, skipped: 0, rejected: 0, duplicates: 0 });
    expect(await rollupTable(t.db.sql)).toEqual(stored);
  });

  it('reads on from where it stopped when a file grows', async () => {
    const file = join(freshDir(), 'trail.ndjson');
    writeFileSync(file, ndjson(records(1, 4)));
    const first = await ingestFiles(t.db.sql, [file]);
    expect(first).toMatchObject({ files: 1, records: 3, events: 3 });

    appendFileSync(file, ndjson(records(4, 6)));
    const second = await ingestFiles(t.db.sql, [file]);
    expect(second).toMatchObject({ files: 1, unchangedFiles: 0, records: 2, events: 2, rejected: 0 });
    expect(await storedIps(t.db.sql)).toEqual({ '10.0.0.1': 1, '10.0.0.2': 1, '10.0.0.3': 1, '10.0.0.4': 1, '10.0.0.5': 1 });

    const third = await ingestFiles(t.db.sql, [file]);
    expect(third).toMatchObject({ files: 0, unchangedFiles: 1, records: 0 });
  });

  it('resumes an interrupted file from its cursor and reads only the rest', async () => {
    const file = join(freshDir(), 'trail.ndjson');
    writeFileSync(file, ndjson(records(1, 6)));
    const stat = statSync(file);
    // What a crash after a page flush leaves behind: the first two records stored, the file not finished.
    const head = createHash('sha1').update(readFileSync(file).subarray(0, 4096)).digest('hex');
    const headLength = Math.min(stat.size, 4096);
    await setCursor(t.db.sql, 'files', file, { size: stat.size, mtimeMs: stat.mtimeMs, records: 2, complete: false, layout: 'ndjson', head, headLength });

    const s = await ingestFiles(t.db.sql, [file]);
    expect(s).toMatchObject({ files: 1, records: 3, events: 3 });
    expect(await storedIps(t.db.sql)).toEqual({ '10.0.0.3': 1, '10.0.0.4': 1, '10.0.0.5': 1 });
    expect(await getCursor(t.db.sql, 'files', file)).toEqual({ size: stat.size, mtimeMs: stat.mtimeMs, records: 5, complete: true, layout: 'ndjson', head, headLength });
  });

  it('starts over on a file that shrank (rewritten)', async () => {
    const file = join(freshDir(), 'trail.ndjson');
    writeFileSync(file, ndjson(records(1, 6)));
    await ingestFiles(t.db.sql, [file]);
    writeFileSync(file, ndjson(records(7, 9)));
    const s = await ingestFiles(t.db.sql, [file]);
    expect(s).toMatchObject({ files: 1, records: 2, events: 2 });
    expect(Object.keys(await storedIps(t.db.sql))).toEqual(expect.arrayContaining(['10.0.0.7', '10.0.0.8']));
  });

  it('reads a re-exported JSON document in full, even when the new export is larger', async () => {
    // A JSON document cannot be appended to: a larger file is a new export, not the old one grown.
    const file = join(freshDir(), 'export.json');
    writeFileSync(file, JSON.stringify(records(1, 4), null, 2));
    await ingestFiles(t.db.sql, [file]);
    writeFileSync(file, JSON.stringify(records(11, 16), null, 2));
    const s = await ingestFiles(t.db.sql, [file]);
    expect(s).toMatchObject({ files: 1, records: 5, events: 5 });
    expect(Object.keys(await storedIps(t.db.sql)).sort()).toEqual(['10.0.0.1', '10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14', '10.0.0.15', '10.0.0.2', '10.0.0.3']);
  });

  it('reads a file again with rescan, counting its events again', async () => {
    const file = join(freshDir(), 'trail.ndjson');
    writeFileSync(file, ndjson(records(1, 3)));
    await ingestFiles(t.db.sql, [file]);
    const again = await ingestFiles(t.db.sql, [file], { rescan: true });
    expect(again).toMatchObject({ files: 1, records: 2, events: 2 });
    expect(await storedIps(t.db.sql)).toEqual({ '10.0.0.1': 2, '10.0.0.2': 2 });
  });

  it('counts a record delivered twice (same event id) once', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'a.ndjson'), ndjson(records(1, 4)));
    writeFileSync(join(dir, 'b.ndjson'), ndjson(records(3, 5)));
    const s = await ingestFiles(t.db.sql, [dir]);
    addsUp(s);
    expect(s).toMatchObject({ files: 2, records: 5, events: 4, duplicates: 1 });
    expect(await storedIps(t.db.sql)).toEqual({ '10.0.0.1': 1, '10.0.0.2': 1, '10.0.0.3': 1, '10.0.0.4': 1 });
  });

  it('refuses a file named on the command line that is not a log, but only lists one found in a directory', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'notes.txt'), 'not a log\n');
    writeFileSync(join(dir, 'trail.ndjson'), ndjson(records(1, 2)));
    await expect(ingestFiles(t.db.sql, [join(dir, 'notes.txt')])).rejects.toMatchObject({ code: 'unknown_format', message: expect.stringContaining('notes.txt') as unknown });
    const s = await ingestFiles(t.db.sql, [dir]);
    expect(s).toMatchObject({ files: 1, events: 1, unknownFiles: [join(dir, 'notes.txt')] });
    await expect(ingestFiles(t.db.sql, [join(dir, 'missing.json')])).rejects.toMatchObject({ code: 'input_not_found' });
  });

  it('reports a file that vanished after it was listed like a bad record, and reads the rest', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'a-trail.ndjson'), ndjson(records(1, 3)));
    // A link whose target is gone: listed by the directory walk, gone when read (issue 9, section 5).
    symlinkSync(join(dir, 'deleted-meanwhile.json'), join(dir, 'b-vanished.json'));
    writeFileSync(join(dir, 'c-trail.ndjson'), ndjson(records(3, 5)));
    const s = await ingestFiles(t.db.sql, [dir]);
    addsUp(s);
    expect(s).toMatchObject({ files: 2, events: 4, rejected: 1 });
    expect(s.rejections).toEqual([{ file: join(dir, 'b-vanished.json'), index: 0, reason: expect.stringContaining('ENOENT') as unknown }]);
    expect(await storedIps(t.db.sql)).toEqual({ '10.0.0.1': 1, '10.0.0.2': 1, '10.0.0.3': 1, '10.0.0.4': 1 });
  });

  it('reads the same with worker threads as on the main thread, duplicates and cursors included', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'a.ndjson'), ndjson(records(1, 4)));
    writeFileSync(join(dir, 'b.ndjson'), ndjson(records(3, 5)));
    writeFileSync(join(dir, 'c.json.gz'), gzipSync(JSON.stringify({ Records: records(10, 13) })));
    const s = await ingestFiles(t.db.sql, [dir], { workers: 2 });
    addsUp(s);
    expect(s).toMatchObject({ files: 3, records: 8, events: 7, duplicates: 1, rejected: 0 });
    expect(await storedIps(t.db.sql)).toEqual({ '10.0.0.1': 1, '10.0.0.2': 1, '10.0.0.3': 1, '10.0.0.4': 1, '10.0.0.10': 1, '10.0.0.11': 1, '10.0.0.12': 1 });
    const again = await ingestFiles(t.db.sql, [dir], { workers: 2 });
    expect(again).toMatchObject({ files: 0, unchangedFiles: 3, records: 0 });
  });

  it('reads a line file from its bytes like a stream: CRLF ends, blank lines, a last line without its end, line numbers, non-ASCII text', async () => {
    const dir = freshDir();
    const [a, b, c] = records(1, 4).map((r) => JSON.stringify(r));
    const accented = JSON.stringify(cloudTrailRecord({ time: T0 + 9 * 3_600_000, ip: '10.0.0.9', eventId: 'e-9', userAgent: 'Téléchargeur/1.0 ✓' }));
    writeFileSync(join(dir, 'a-crlf.ndjson'), `${a}\r\n\r\n${b}\r\n{"eventSource": broken\r\n  \r\n${c}`);
    writeFileSync(join(dir, 'b-utf8.ndjson.gz'), gzipSync(`${accented}\n{not json}\n`));
    const s = await ingestFiles(t.db.sql, [dir]);
    addsUp(s);
    expect(s).toMatchObject({ files: 2, events: 4, rejected: 2 });
    expect(s.rejections.map((r) => [r.file.slice(dir.length + 1), r.line])).toEqual([['a-crlf.ndjson', 4], ['b-utf8.ndjson.gz', 2]]);
    expect(await storedIps(t.db.sql)).toEqual({ '10.0.0.1': 1, '10.0.0.2': 1, '10.0.0.3': 1, '10.0.0.9': 1 });
    const clients = await t.db.sql.query<{ data: { clients: Record<string, number> } }>('select data from rollups');
    expect(clients.flatMap((r) => Object.keys(r.data.clients))).toContain('Téléchargeur/1.0 ✓');
  });

  it('reports a truncated .gz file and still reads the other files', async () => {
    const dir = freshDir();
    const gz = gzipSync(readFileSync(join(SAMPLES_DIR, 'aws/panther-cloudtrail-s3-tests.ndjson')));
    writeFileSync(join(dir, 'a-partial-download.json.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    writeFileSync(join(dir, 'b-trail.ndjson'), ndjson(records(1, 3)));
    const s = await ingestFiles(t.db.sql, [dir]);
    expect(s.rejections.some((r) => r.file === join(dir, 'a-partial-download.json.gz'))).toBe(true);
    expect(await storedIps(t.db.sql)).toMatchObject({ '10.0.0.1': 1, '10.0.0.2': 1 });
  });
});
