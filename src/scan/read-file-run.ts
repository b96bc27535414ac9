import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, type Stats } from 'node:fs';
import type { Identity } from '../core/identity.js';
import { RollupAccumulator } from '../detection/rollup-accumulator.js';
import { encodeRollup, type EncodedRollup } from '../store/rollups.js';
import { readFileEventBatches, readWholeFile, sniffFileParsed, type ContainerFormat, type WholeFile } from '../sources/files/read-files.js';
import { tallyItem, type ItemTally } from './tally-item.js';

/** Read position of one file: how many records of it are stored, and the file as it was then. */
export interface FileCursor {
  size: number;
  mtimeMs: number;
  records: number;
  complete: boolean;
  layout: ContainerFormat;
  /** Hash of the file's first `headLength` bytes, to tell a grown file from a replaced one. */
  head: string;
  headLength: number;
}

/** One file to read, with its stored cursor (undefined: read it whole). */
export interface FileTask {
  file: string;
  before?: FileCursor;
}

/**
 * What reading part of a run produced: rollup partials, the identities seen, the counts, and the
 * cursors of the files they came from, to be committed together.
 */
export interface RunPage extends ItemTally {
  /** Encoded here, in the worker, so the main thread has little more to do than write them. */
  rollups: EncodedRollup[];
  identities: (Identity & { first: number; last: number })[];
  cursors: { file: string; cursor: FileCursor }[];
  /** Files read (partly or whole) and files that hold no known format. */
  files: string[];
  unknownFiles: string[];
}

const HEAD_BYTES = 4096;
/** Layouts that can grow by appending records; a JSON document cannot. */
const APPENDABLE: ReadonlySet<ContainerFormat> = new Set(['ndjson', 'concatenated-json', 'csv', 'storage-analytics']);
/** Rollups (or events) a reader holds before handing a page over: bounds memory whatever the files. */
const PAGE_ROLLUPS = 5_000;
const PAGE_EVENTS = 100_000;
/** Rejections kept per page; the main thread keeps the first 1000 overall. */
const MAX_REJECTIONS = 1000;

/** SHA-1 of the file's first `length` bytes, from its content when it was read whole. */
function headHash(file: string, length: number, whole?: WholeFile): string {
  if (whole) return createHash('sha1').update(whole.raw.subarray(0, length)).digest('hex');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, 0);
    return createHash('sha1').update(buf.subarray(0, n)).digest('hex');
  } finally {
    closeSync(fd);
  }
}

function emptyPage(): RunPage {
  return { records: 0, events: 0, skipped: 0, rejected: 0, duplicates: 0, rejections: [], rollups: [], identities: [], cursors: [], files: [], unknownFiles: [] };
}

/**
 * Reads runs of files into pages of rollup partials (the work of one ingest worker). The duplicate
 * window lives as long as the reader, so a record re-delivered in a neighbouring file of the same run
 * counts once.
 */
export class FileRunReader {
  private readonly acc = new RollupAccumulator();
  private page = emptyPage();

  constructor(private readonly post: (page: RunPage) => void | Promise<void>) {}

  /** Reads the files of one run in order, posting a page whenever enough is held and at the end. */
  async read(tasks: readonly FileTask[]): Promise<void> {
    for (const task of tasks) await this.readFile(task);
    await this.flush();
  }

  private async readFile({ file, before }: FileTask): Promise<void> {
    const p = this.page;
    let stat: Stats;
    let format: ContainerFormat | undefined;
    let whole: WholeFile | undefined;
    let parsed: { doc: unknown } | undefined;
    try {
      // Opening it first tells a file that vanished or is unreadable from one of an unknown format.
      ({ stat, whole } = readWholeFile(file));
      ({ format, parsed } = await sniffFileParsed(file, whole));
    } catch (err) {
      this.reject(file, `file unreadable: ${(err as Error).message}`);
      return;
    }
    if (!format) {
      p.unknownFiles.push(file);
      return;
    }
    // A line file that grew with the same beginning is read on from where we stopped; any other change starts over.
    let grown = false;
    const headLength = Math.min(stat.size, HEAD_BYTES);
    let head: string;
    try {
      grown = !!before && APPENDABLE.has(format) && before.layout === format && stat.size >= before.size && headHash(file, before.headLength, whole) === before.head;
      head = headHash(file, headLength, whole);
    } catch (err) {
      this.reject(file, `file unreadable: ${(err as Error).message}`);
      return;
    }
    const skip = grown ? before!.records : 0;
    const cursor: FileCursor = { size: stat.size, mtimeMs: stat.mtimeMs, records: skip, complete: false, layout: format, head, headLength };
    this.page.files.push(file);
    let index = -1;
    for await (const batch of readFileEventBatches(file, format, whole, parsed)) {
      for (const item of batch) {
        index++;
        if (index < skip) continue;
        cursor.records = index + 1;
        tallyItem(this.page, this.acc, item, MAX_REJECTIONS);
      }
      // Only a line file can be committed part-way: its cursor says where to read on.
      if (APPENDABLE.has(format) && this.full()) {
        this.page.cursors.push({ file, cursor: { ...cursor } });
        await this.flush();
      }
    }
    cursor.complete = true;
    this.page.cursors.push({ file, cursor });
    if (this.full()) await this.flush();
  }

  private reject(file: string, reason: string): void {
    const p = this.page;
    p.records++;
    p.rejected++;
    if (p.rejections.length < MAX_REJECTIONS) p.rejections.push({ file, index: 0, reason });
  }

  private full(): boolean {
    return this.acc.events >= PAGE_EVENTS || this.acc.size >= PAGE_ROLLUPS;
  }

  private async flush(): Promise<void> {
    const page = this.page;
    if (!page.records && !page.cursors.length && !page.unknownFiles.length && !page.files.length) return;
    const { rollups, identities } = this.acc.drain();
    page.rollups = rollups.map(encodeRollup);
    page.identities = identities;
    this.page = emptyPage();
    await this.post(page);
  }
}
