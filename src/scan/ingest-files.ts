import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StorageWatchError } from '../core/errors.js';
import { RollupAccumulator } from '../detection/rollup-accumulator.js';
import { getCursor, setCursor } from '../store/cursors.js';
import { upsertIdentities } from '../store/identities.js';
import { saveRollups } from '../store/rollups.js';
import type { Sql } from '../store/sql.js';
import { listInputFiles, readFileEventBatches, sniffFile, type ContainerFormat } from '../sources/files/read-files.js';
import { tallyItem, type ItemTally } from './tally-item.js';

export type { Rejection } from './tally-item.js';

/** What reading the inputs did, as the CLI reports it. */
export interface IngestSummary extends ItemTally {
  files: number;
  /** Files left out because they were already read whole, unchanged since. */
  unchangedFiles: number;
  /** Files found in a directory walk that hold no known format. */
  unknownFiles: string[];
}

/** Read position of one file: how many records of it are stored, and the file as it was then. */
interface FileCursor {
  size: number;
  mtimeMs: number;
  records: number;
  complete: boolean;
  layout: ContainerFormat;
  /** Hash of the file's first `headLength` bytes, to tell a grown file from a replaced one. */
  head: string;
  headLength: number;
}

const HEAD_BYTES = 4096;
/** Layouts that can grow by appending records; a single JSON document cannot. */
const APPENDABLE: ReadonlySet<ContainerFormat> = new Set(['ndjson', 'concatenated-json', 'csv', 'storage-analytics']);

function headHash(file: string, length: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, 0);
    return createHash('sha1').update(buf.subarray(0, n)).digest('hex');
  } finally {
    closeSync(fd);
  }
}

const MAX_REJECTIONS = 1000;
/** Events per transaction: bounds memory and the work redone after a crash. */
const PAGE_EVENTS = 200_000;

/** Options of an ingest. */
export interface IngestOptions {
  /** Read files again even if their cursor says they were read whole. */
  rescan?: boolean;
  onProgress?: (s: IngestSummary, file: string) => void;
}

/**
 * Reads log files and directories into hourly rollups. Each page of events commits with the
 * cursors of the files it came from, so a crash or a second run neither loses nor recounts records.
 */
export async function ingestFiles(sql: Sql, paths: readonly string[], opts: IngestOptions = {}): Promise<IngestSummary> {
  const files = listInputFiles(paths);
  const named = new Set(paths.filter((p) => !statSync(p).isDirectory()).map((p) => listInputFiles([p])[0]!));
  for (const file of named) {
    if (!(await sniffFile(file))) {
      throw new StorageWatchError('unknown_format', `${file}: not an audit-log format storage-watch knows (CloudTrail, Cloud Audit Logs, Azure resource logs, StorageBlobLogs, Storage Analytics)`);
    }
  }
  const s: IngestSummary = { files: 0, unchangedFiles: 0, records: 0, events: 0, skipped: 0, rejected: 0, duplicates: 0, rejections: [], unknownFiles: [] };
  const acc = new RollupAccumulator();
  const pending = new Map<string, FileCursor>();
  const flush = async (): Promise<void> => {
    const { rollups, identities } = acc.drain();
    await sql.transaction(async (tx) => {
      await upsertIdentities(tx, identities);
      await saveRollups(tx, rollups);
      for (const [file, cursor] of pending) await setCursor(tx, 'files', file, cursor);
    });
    pending.clear();
  };

  for (const file of files) {
    const stat = statSync(file);
    const before = opts.rescan ? undefined : await getCursor<FileCursor>(sql, 'files', file);
    if (before?.complete && before.size === stat.size && before.mtimeMs === stat.mtimeMs) {
      s.unchangedFiles++;
      continue;
    }
    const format = await sniffFile(file);
    if (!format) {
      s.unknownFiles.push(file);
      continue;
    }
    // A line file that grew with the same beginning is read on from where we stopped; any other change starts over.
    const grown = before && APPENDABLE.has(format) && before.layout === format && stat.size >= before.size && headHash(file, before.headLength) === before.head;
    const skip = grown ? before.records : 0;
    s.files++;
    const headLength = Math.min(stat.size, HEAD_BYTES);
    const cursor: FileCursor = { size: stat.size, mtimeMs: stat.mtimeMs, records: skip, complete: false, layout: format, head: headHash(file, headLength), headLength };
    pending.set(file, cursor);
    let index = -1;
    for await (const batch of readFileEventBatches(file, format)) {
      for (const item of batch) {
        index++;
        if (index < skip) continue;
        cursor.records = index + 1;
        tallyItem(s, acc, item, MAX_REJECTIONS);
      }
      if (acc.events >= PAGE_EVENTS) {
        await flush();
        pending.set(file, cursor);
      }
    }
    cursor.complete = true;
    opts.onProgress?.(s, file);
  }
  await flush();
  return s;
}
