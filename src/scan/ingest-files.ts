import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { StorageWatchError } from '../core/errors.js';
import type { Identity } from '../core/identity.js';
import { getCursors, setCursors } from '../store/cursors.js';
import { upsertIdentities } from '../store/identities.js';
import { mergeEncoded, saveEncodedRollups, type EncodedRollup } from '../store/rollups.js';
import type { Sql } from '../store/sql.js';
import { listInputFiles, sniffFile } from '../sources/files/read-files.js';
import type { WorkerMessage, WorkerTask } from './ingest-worker.js';
import { FileRunReader, type FileCursor, type FileTask, type RunPage } from './read-file-run.js';
import type { ItemTally } from './tally-item.js';

export type { Rejection } from './tally-item.js';

/** What reading the inputs did, as the CLI reports it. */
export interface IngestSummary extends ItemTally {
  files: number;
  /** Files left out because they were already read whole, unchanged since. */
  unchangedFiles: number;
  /** Files found in a directory walk that hold no known format. */
  unknownFiles: string[];
}

const MAX_REJECTIONS = 1000;
/**
 * Rollups merged on the main thread before one transaction writes them: bounds memory and the work
 * redone after a crash. On PostgreSQL 10,000 keeps the identity-dense 200 k shape under 500 MB peak
 * (20,000: 500-540 MB) at the same speed; embedded PGlite was much slower with the smaller batches
 * (more identity-hours split across two of them, merged with the stored row), and its own memory
 * dwarfs the batch anyway.
 */
function flushRollups(sql: Sql): number {
  return sql.engine === 'postgres' ? 10_000 : 20_000;
}
/** Files handed to a worker at once (neighbours in one directory, so re-delivered records meet in one duplicate window). */
const RUN_FILES = 32;
/** Below this many bytes to read, starting threads costs more than it saves. */
const INLINE_BYTES = 8 * 1024 * 1024;

/** Options of an ingest. */
export interface IngestOptions {
  /** Read files again even if their cursor says they were read whole. */
  rescan?: boolean;
  /** Worker threads that decompress, parse and fold (default: one per core, at most 4, and none for less than 8 MB; 0 reads on the main thread). */
  workers?: number;
  onProgress?: (s: IngestSummary, file: string) => void;
}

type Key = string;
type Seen = Identity & { first: number; last: number };

/** Rollup partials, identities and cursors merged from pages, waiting for one transaction. */
class PendingWrite {
  rollups = new Map<Key, EncodedRollup>();
  identities = new Map<string, Seen>();
  cursors = new Map<string, FileCursor>();

  absorb(page: RunPage): void {
    for (const r of page.rollups) {
      const key = `${r.identity}\u0000${r.hour}`;
      const old = this.rollups.get(key);
      this.rollups.set(key, old ? mergeEncoded(old, r) : r);
    }
    for (const i of page.identities) {
      const old = this.identities.get(i.key);
      if (old) {
        old.first = Math.min(old.first, i.first);
        old.last = Math.max(old.last, i.last);
      } else this.identities.set(i.key, i);
    }
    for (const { file, cursor } of page.cursors) this.cursors.set(file, cursor);
  }

  get empty(): boolean {
    return !this.rollups.size && !this.identities.size && !this.cursors.size;
  }

  async write(sql: Sql): Promise<void> {
    await sql.transaction(async (tx) => {
      await upsertIdentities(tx, [...this.identities.values()]);
      await saveEncodedRollups(tx, [...this.rollups.values()]);
      await setCursors(tx, 'files', [...this.cursors].map(([scope, position]) => ({ scope, position })));
    });
  }
}

/** Neighbouring files in runs of at most RUN_FILES, never across directories. */
function runsOf(tasks: readonly FileTask[]): FileTask[][] {
  const runs: FileTask[][] = [];
  let run: FileTask[] = [];
  for (const t of tasks) {
    if (run.length && (run.length >= RUN_FILES || dirname(run[0]!.file) !== dirname(t.file))) {
      runs.push(run);
      run = [];
    }
    run.push(t);
  }
  if (run.length) runs.push(run);
  return runs;
}

function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./ingest-worker.js', import.meta.url));
  // From source (tsx, vitest) the worker is TypeScript: register tsx's loader in the thread first.
  const url = new URL('./ingest-worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); })`, { eval: true });
}

/**
 * Reads log files and directories into hourly rollups. Worker threads decompress, parse, normalise
 * and fold runs of files into rollup partials; the main thread merges them and writes each batch in
 * one transaction with the cursors of the files it came from, so a crash or a second run neither
 * loses nor recounts records. A file that vanishes or cannot be read is reported like a bad record.
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
  const cursors = opts.rescan ? new Map<string, FileCursor>() : await getCursors<FileCursor>(sql, 'files', files);
  const tasks: FileTask[] = [];
  let bytes = 0;
  for (const file of files) {
    let stat;
    try {
      stat = statSync(file);
    } catch (err) {
      countPage(s, { ...emptyCounts(), records: 1, rejected: 1, rejections: [{ file, index: 0, reason: `file unreadable: ${(err as Error).message}` }] });
      continue;
    }
    const before = cursors.get(file);
    if (before?.complete && before.size === stat.size && before.mtimeMs === stat.mtimeMs) {
      s.unchangedFiles++;
      continue;
    }
    tasks.push({ file, before });
    bytes += stat.size;
  }
  const workers = opts.workers ?? Math.min(4, availableParallelism());
  if (workers < 1 || (opts.workers === undefined && bytes < INLINE_BYTES)) await readInline(sql, tasks, s, opts);
  else await readInWorkers(sql, runsOf(tasks), workers, s, opts);
  return s;
}

function emptyCounts(): ItemTally & { files: string[]; unknownFiles: string[] } {
  return { records: 0, events: 0, skipped: 0, rejected: 0, duplicates: 0, rejections: [], files: [], unknownFiles: [] };
}

function countPage(s: IngestSummary, page: ItemTally & { files: string[]; unknownFiles: string[] }): void {
  s.files += page.files.length;
  s.records += page.records;
  s.events += page.events;
  s.skipped += page.skipped;
  s.rejected += page.rejected;
  s.duplicates += page.duplicates;
  for (const r of page.rejections) if (s.rejections.length < MAX_REJECTIONS) s.rejections.push(r);
  s.unknownFiles.push(...page.unknownFiles);
}

async function readInline(sql: Sql, tasks: readonly FileTask[], s: IngestSummary, opts: IngestOptions): Promise<void> {
  let pending = new PendingWrite();
  const reader = new FileRunReader(async (page) => {
    countPage(s, page);
    pending.absorb(page);
    if (page.files.length) opts.onProgress?.(s, page.files.at(-1)!);
    if (pending.rollups.size >= flushRollups(sql)) {
      await pending.write(sql);
      pending = new PendingWrite();
    }
  });
  await reader.read(tasks);
  if (!pending.empty) await pending.write(sql);
}

/** Runs a worker holds at once: the one it reads and the next, so it never waits for a busy main thread. */
const RUNS_AHEAD = 2;

async function readInWorkers(sql: Sql, runs: FileTask[][], count: number, s: IngestSummary, opts: IngestOptions): Promise<void> {
  const pool = Array.from({ length: Math.min(count, Math.max(1, runs.length)) }, startWorker);
  try {
    await new Promise<void>((resolve, reject) => {
      let pending = new PendingWrite();
      let writing: Promise<void> | undefined;
      let next = 0;
      let failed = false;
      const held = new Map<Worker, number>(pool.map((w) => [w, 0]));
      const fail = (err: unknown): void => {
        failed = true;
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      const settle = (): void => {
        if (failed) return;
        if (!writing && pending.rollups.size >= flushRollups(sql)) write();
        // Backpressure: no new run while the merged rollups wait for the store.
        for (let more = true; more && next < runs.length && pending.rollups.size < 2 * flushRollups(sql); ) {
          more = false;
          for (const [w, n] of held) {
            if (n >= RUNS_AHEAD || next >= runs.length) continue;
            held.set(w, n + 1);
            w.postMessage({ type: 'run', tasks: runs[next++]! } satisfies WorkerTask);
            more = true;
          }
        }
        if (next >= runs.length && [...held.values()].every((n) => n === 0) && !writing) {
          if (pending.empty) resolve();
          else write();
        }
      };
      const write = (): void => {
        const batch = pending;
        pending = new PendingWrite();
        writing = batch.write(sql).then(() => {
          writing = undefined;
          settle();
        }, fail);
      };
      for (const w of pool) {
        w.on('message', (m: WorkerMessage) => {
          if (m.type === 'page') {
            countPage(s, m.page);
            pending.absorb(m.page);
            if (m.page.files.length) opts.onProgress?.(s, m.page.files.at(-1)!);
          } else if (m.type === 'done') held.set(w, held.get(w)! - 1);
          else return fail(new StorageWatchError('store_failed', `ingest worker failed: ${m.message}`));
          settle();
        });
        w.on('error', fail);
      }
      settle();
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
