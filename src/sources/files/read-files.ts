import { createReadStream, existsSync, fstatSync, openSync, readFileSync, readSync, closeSync, readdirSync, statSync, type Stats } from 'node:fs';
import { isAscii } from 'node:buffer';
import { join, resolve } from 'node:path';
import { createGunzip, gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { StorageWatchError } from '../../core/errors.js';
import type { RecordOrigin, SourceItem } from '../../core/ports.js';
import { normalizeRecord, normalizerFor } from '../normalize-record.js';
import { parseStorageAnalyticsLine } from '../azure-blob/normalize.js';
import { ConcatenatedJsonScanner, splitConcatenatedJson } from './concatenated-json.js';

/** How the records of a file are laid out. */
export type ContainerFormat = 'ndjson' | 'json' | 'concatenated-json' | 'csv' | 'storage-analytics';

export type { RecordOrigin, SourceItem } from '../../core/ports.js';

type RawItem = { record: unknown; origin: RecordOrigin } | { error: string; origin: RecordOrigin };

const SNIFF_BYTES = 64 * 1024;

/** Expands files and directories (walked recursively, dotfiles ignored) into a sorted list of files. */
export function listInputFiles(paths: readonly string[]): string[] {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length) throw new StorageWatchError('input_not_found', `no such file or directory: ${missing.join(', ')}`);
  const files: string[] = [];
  const walk = (path: string): void => {
    let dir: boolean;
    try {
      dir = statSync(path).isDirectory();
    } catch {
      // Listed but gone (or a dangling link): reading it reports why, and the rest of the scan goes on.
      dir = false;
    }
    let names: string[] | undefined;
    try {
      names = dir ? readdirSync(path).sort() : undefined;
    } catch {
      names = undefined;
    }
    if (names) {
      for (const name of names) if (!name.startsWith('.')) walk(join(path, name));
    } else files.push(resolve(path));
  };
  paths.forEach(walk);
  return files;
}

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Files up to this size on disk are read and decompressed in one call, far cheaper than a stream for delivery files. */
const WHOLE_FILE_BYTES = 4 * 1024 * 1024;
const TEXT_CHUNK = 1024 * 1024;

/**
 * A small file read whole: its bytes as on disk, decompressed, and its text decoded when first asked
 * for. Decoding a whole file into one string costs about as much as parsing it, so an ASCII file of
 * lines is read a line at a time from its bytes instead.
 */
export class WholeFile {
  /** No byte above 127: each byte is one character, and lines cut from the bytes are the text's lines. */
  readonly ascii: boolean;
  private decoded: string | undefined;

  constructor(
    readonly raw: Buffer,
    readonly bytes: Buffer,
  ) {
    this.ascii = isAscii(bytes);
  }

  get text(): string {
    return (this.decoded ??= this.bytes.toString(this.ascii ? 'latin1' : 'utf8'));
  }

  /** The first SNIFF_BYTES characters, without decoding the rest when that can be avoided. */
  head(): string {
    if (this.decoded === undefined && this.ascii) return this.bytes.toString('latin1', 0, Math.min(this.bytes.length, SNIFF_BYTES));
    return this.text.slice(0, SNIFF_BYTES);
  }
}

/**
 * Opens a file once and reads it: its stat, and for a small file its whole content (undefined when it
 * is large or cannot be read or decompressed whole; it is then streamed). Throws when the file cannot
 * be opened or stat'ed.
 */
export function readWholeFile(file: string): { stat: Stats; whole?: WholeFile } {
  const fd = openSync(file, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.size > WHOLE_FILE_BYTES) return { stat };
    try {
      let raw: Buffer;
      if (stat.size === 0) raw = readFileSync(fd);
      else {
        raw = Buffer.allocUnsafe(stat.size);
        let n = 0;
        for (let got = -1; n < raw.length && got !== 0; n += got) got = readSync(fd, raw, n, raw.length - n, n);
        raw = raw.subarray(0, n);
      }
      return { stat, whole: new WholeFile(raw, raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw) };
    } catch {
      return { stat };
    }
  } finally {
    closeSync(fd);
  }
}

function* slices(text: string): Generator<string> {
  for (let at = 0; at < text.length; at += TEXT_CHUNK) yield text.slice(at, at + TEXT_CHUNK);
}

function openText(file: string, text?: string): Readable {
  if (text !== undefined) return Readable.from(slices(text));
  const raw = createReadStream(file);
  const stream = isGzip(file) ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => stream.destroy(err));
  stream.setEncoding('utf8');
  return stream;
}

async function head(file: string, whole?: WholeFile): Promise<string> {
  if (whole) return whole.head().replace(/^\uFEFF/, '');
  let text = '';
  const stream = openText(file);
  try {
    for await (const chunk of stream) {
      text += chunk as string;
      if (text.length >= SNIFF_BYTES) break;
    }
  } catch {
    // A truncated or corrupt file: judge it by what could be read; reading it whole reports the error.
  } finally {
    stream.destroy();
  }
  return text.replace(/^\uFEFF/, '');
}

function parsesAsObject(line: string): boolean {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** The first `n` lines of a text, without splitting all of it. */
function firstLines(text: string, n: number): string[] {
  const out: string[] = [];
  let at = 0;
  while (out.length < n) {
    const nl = text.indexOf('\n', at);
    if (nl === -1) {
      out.push(text.slice(at));
      break;
    }
    out.push(text.slice(at, nl));
    at = nl + 1;
  }
  return out;
}

function containerOf(text: string): ContainerFormat | undefined {
  const start = text.trimStart();
  if (start.startsWith('[')) return 'json';
  if (start.startsWith('{')) {
    if (!start.includes('\n')) return 'json';
    // One object per line, even if the first line is damaged: a pretty-printed document has no such lines
    // (its inner objects are indented, and its first line is a lone bracket).
    const lines = firstLines(start, 20);
    return lines.slice(0, -1).some((l) => l.startsWith('{') && parsesAsObject(l.trim())) ? 'ndjson' : 'json';
  }
  if (/^\d\.\d;/.test(start)) return 'storage-analytics';
  const header = start.slice(0, start.indexOf('\n') >>> 0);
  if (header.includes(',') && /\b(TimeGenerated|OperationName)\b/.test(header)) return 'csv';
  return undefined;
}

function holdsKnownRecords(value: unknown): boolean {
  return expand(value).some((r) => isRecord(r) && normalizerFor(r) !== undefined);
}

// True when the JSON text holds at least one record of a family storage-watch reads.
function recognises(json: string): boolean {
  try {
    return holdsKnownRecords(JSON.parse(json));
  } catch {
    return false;
  }
}

/** Recognises a file's layout from its content (or its `whole` content, when already read); undefined when it holds no audit records storage-watch knows. */
export async function sniffFile(file: string, whole?: WholeFile): Promise<ContainerFormat | undefined> {
  return (await sniffFileParsed(file, whole)).format;
}

/** A file's layout and, when its whole text is one JSON document, that document parsed (to read it without parsing it again). */
export interface SniffedFile {
  format: ContainerFormat | undefined;
  parsed?: { doc: unknown };
}

/** sniffFile that also hands back the parsed document of a whole text that is one JSON document. */
export async function sniffFileParsed(file: string, read?: WholeFile): Promise<SniffedFile> {
  const text = await head(file, read);
  const format = containerOf(text);
  if (format === 'ndjson') return { format: firstLines(text, 20).some(recognises) ? format : undefined };
  if (format !== 'json') return { format };
  // A delivery file read whole is nearly always one document: parsing it once answers faster than
  // cutting its head into pieces, and the reader reuses the result.
  const whole = read?.text;
  if (whole !== undefined) {
    let doc: unknown;
    let parsed = false;
    try {
      doc = JSON.parse(whole.replace(/^\uFEFF/, ''));
      parsed = true;
    } catch {
      // Several documents, or a damaged one: judged by its pieces below.
    }
    if (parsed && holdsKnownRecords(doc)) return { format, parsed: { doc } };
  }
  return { format: jsonLayout(text) };
}

function jsonLayout(text: string): ContainerFormat | undefined {
  // Several values one after another (`jq .` output) are judged by the ones complete within the head.
  const scanner = new ConcatenatedJsonScanner();
  const pieces = scanner.push(text);
  if (pieces.length > 1 || (pieces.length === 1 && scanner.pending)) {
    return pieces.some((p) => recognises(p.text)) ? 'concatenated-json' : undefined;
  }
  if (pieces.length === 1) return recognises(pieces[0]!.text) ? 'json' : undefined;
  // A document larger than the sniffed head: look for a known record's fields instead.
  return /"(eventSource|protoPayload|operationName|TimeGenerated|Records|records)"/.test(text) ? 'json' : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A JSON value as records: arrays are spread, and so are CloudTrail `{"Records":[...]}` documents and
 * Azure Event Hub / older archive `{"records":[...]}` batches.
 */
function expand(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isRecord(value)) {
    const batch = value.Records ?? value.records;
    if (Array.isArray(batch)) return batch;
  }
  return [value];
}

/**
 * Lines of a text stream without their line ends (\n or \r\n), a chunk's worth at a time: far
 * cheaper than one async hand-off per line for files of millions of lines.
 */
async function* lineChunks(stream: Readable): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + (chunk as string);
    const out: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      out.push(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
    if (out.length) yield out;
  }
  if (rest) yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

/**
 * lineChunks of an ASCII text from its bytes: the same lines in the same batches (those whose line end
 * falls in one TEXT_CHUNK of the text), each decoded alone.
 */
function* byteLineChunks(bytes: Buffer): Generator<string[]> {
  let out: string[] = [];
  let start = 0;
  let chunkEnd = TEXT_CHUNK;
  for (let nl = bytes.indexOf(10, start); nl !== -1; nl = bytes.indexOf(10, start)) {
    for (; nl >= chunkEnd; chunkEnd += TEXT_CHUNK) {
      if (out.length) yield out;
      out = [];
    }
    out.push(bytes.toString('latin1', start, nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl));
    start = nl + 1;
  }
  if (out.length) yield out;
  if (start < bytes.length) yield [bytes.toString('latin1', start, bytes.length - (bytes[bytes.length - 1] === 13 ? 1 : 0))];
}

/** Raw records of a file in batches; a file that breaks off (truncated gzip, I/O error) ends with one rejection saying so. */
async function* rawRecords(file: string, format: ContainerFormat, whole?: WholeFile, parsed?: { doc: unknown }): AsyncGenerator<RawItem[]> {
  const position = { index: 0 };
  try {
    yield* rawRecordsOf(file, format, position, whole, parsed);
  } catch (err) {
    yield [{ error: `file unreadable after ${position.index} records: ${(err as Error).message}`, origin: { file, index: position.index } }];
  }
}

function parseLine(text: string, format: ContainerFormat, file: string, line: number, position: { index: number }, out: RawItem[]): void {
  if (format === 'storage-analytics') {
    const record = parseStorageAnalyticsLine(text);
    out.push(record ? { record, origin: { file, index: position.index++, line } } : { error: 'not a Storage Analytics log line', origin: { file, index: position.index++, line } });
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    out.push({ error: `invalid JSON: ${(err as Error).message}`, origin: { file, index: position.index++, line } });
    return;
  }
  for (const record of expand(value)) out.push({ record, origin: { file, index: position.index++, line } });
}

async function* rawRecordsOf(file: string, format: ContainerFormat, position: { index: number }, read?: WholeFile, parsed?: { doc: unknown }): AsyncGenerator<RawItem[]> {
  const lineFile = format === 'ndjson' || format === 'storage-analytics';
  const byLine = read?.ascii && lineFile ? read : undefined;
  const whole = byLine ? undefined : read?.text;
  if (format === 'json' && parsed) {
    yield expand(parsed.doc).map((record) => ({ record, origin: { file, index: position.index++ } }));
    return;
  }
  if (format === 'json') {
    let text = whole ?? '';
    if (whole === undefined) for await (const chunk of openText(file)) text += chunk as string;
    let doc: unknown;
    try {
      doc = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      // Not one document: perhaps several, the first too large for the sniffer to see them all.
      const out: RawItem[] = [];
      for (const piece of splitConcatenatedJson(text)) parseLine(piece.text, format, file, piece.line, position, out);
      yield out;
      return;
    }
    yield expand(doc).map((record) => ({ record, origin: { file, index: position.index++ } }));
    return;
  }
  if (format === 'concatenated-json') {
    const scanner = new ConcatenatedJsonScanner();
    for await (const chunk of openText(file, whole)) {
      const out: RawItem[] = [];
      for (const piece of scanner.push(chunk as string)) parseLine(piece.text, format, file, piece.line, position, out);
      yield out;
    }
    const out: RawItem[] = [];
    for (const piece of scanner.end()) parseLine(piece.text, format, file, piece.line, position, out);
    yield out;
    return;
  }
  if (format === 'csv') {
    const parser = openText(file, whole).pipe(parseCsv({ columns: true, bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
    for await (const row of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield [{ record: row.record, origin: { file, index: position.index++, line: row.info.lines } }];
    }
    return;
  }
  let line = 0;
  for await (const chunk of byLine ? byteLineChunks(byLine.bytes) : lineChunks(openText(file, whole))) {
    const out: RawItem[] = [];
    for (const text of chunk) {
      line++;
      if (text.trim()) parseLine(text, format, file, line, position, out);
    }
    yield out;
  }
}

function toItem(raw: RawItem): SourceItem {
  if ('error' in raw) return { kind: 'reject', reason: raw.error, origin: raw.origin };
  const n = normalizeRecord(raw.record);
  return n.kind === 'event' ? { kind: 'event', event: n.event, origin: raw.origin } : { kind: n.kind, reason: n.reason, origin: raw.origin };
}

/**
 * Streams the records of one file as batches of normalised items (about a read chunk each), from its
 * `whole` content when the caller already read it (readWholeFile); throws `unknown_format` like readFileEvents.
 */
export async function* readFileEventBatches(file: string, format?: ContainerFormat, whole?: WholeFile, parsed?: { doc: unknown }): AsyncGenerator<SourceItem[]> {
  const layout = format ?? (await sniffFile(file, whole));
  if (!layout) throw new StorageWatchError('unknown_format', `${file}: not an audit-log format storage-watch knows (CloudTrail, Cloud Audit Logs, Azure resource logs, StorageBlobLogs, Storage Analytics)`);
  for await (const batch of rawRecords(file, layout, whole, parsed)) yield batch.map(toItem);
}

/** Streams the records of one file as normalised items; throws `unknown_format` when the file holds no known records. */
export async function* readFileEvents(file: string, format?: ContainerFormat): AsyncGenerator<SourceItem> {
  for await (const batch of readFileEventBatches(file, format)) yield* batch;
}
