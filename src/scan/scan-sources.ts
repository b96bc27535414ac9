import { StorageWatchError } from '../core/errors.js';
import type { EventSource } from '../core/ports.js';
import { RollupAccumulator } from '../detection/rollup-accumulator.js';
import type { Logger } from '../logger.js';
import { advanceCursor, getCursor } from '../store/cursors.js';
import { upsertIdentities } from '../store/identities.js';
import { saveRollups } from '../store/rollups.js';
import type { Sql } from '../store/sql.js';
import { tallyItem, type ItemTally } from './tally-item.js';

/** What one scope of one source did in a scan. */
export interface ScopeSummary extends ItemTally {
  source: string;
  scope: string;
  apiCalls: number;
  pages: number;
  bytes: number;
  seconds: number;
  /** Why the scope stopped, when it did. */
  error?: { code: string; message: string };
}

/** Options of a pull from cloud sources. */
export interface ScanSourcesOptions {
  /** Where a scope without a cursor starts (epoch ms). */
  since: number;
  /** Up to when (default now). */
  until?: number;
  signal?: AbortSignal;
  log?: Logger;
  onProgress?: (s: ScopeSummary) => void;
}

const MAX_REJECTIONS = 200;

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof StorageWatchError) return { code: err.code, message: err.message };
  return { code: 'source_unavailable', message: err instanceof Error ? err.message : String(err) };
}

/**
 * Pulls every scope of every source from its cursor, one after another (scanScope). A failing scope
 * or source is reported and the others go on.
 */
export async function scanSources(sql: Sql, sources: readonly EventSource[], opts: ScanSourcesOptions): Promise<ScopeSummary[]> {
  const summaries: ScopeSummary[] = [];
  const until = opts.until ?? Date.now();
  for (const source of sources) {
    let scopes: string[];
    try {
      scopes = await source.scopes();
    } catch (err) {
      summaries.push({ ...empty(source.name, '*'), error: describe(err) });
      opts.log?.error({ source: source.name, err: describe(err) }, 'source failed');
      continue;
    }
    for (const scope of scopes) summaries.push(await scanScope(sql, source, scope, { ...opts, until }));
  }
  return summaries;
}

/**
 * Pulls one scope of a source from its cursor. Each page's rollups and the scope's new cursor commit
 * in one transaction, and the cursor only moves from where this scan found it, so a crash anywhere
 * loses nothing and a second scan of the same scope running at the same time counts nothing twice.
 * Scopes are independent: scans of different scopes may run at once, in any process. A failure is
 * reported in the summary.
 */
export async function scanScope(sql: Sql, source: EventSource, scope: string, opts: ScanSourcesOptions): Promise<ScopeSummary> {
  const until = opts.until ?? Date.now();
  const s = empty(source.name, scope);
  const started = performance.now();
  const acc = new RollupAccumulator();
  try {
    let cursor = await getCursor<Record<string, unknown>>(sql, source.name, scope);
    for await (const page of source.pull(scope, cursor, { since: opts.since, until, signal: opts.signal })) {
      s.pages++;
      s.apiCalls += page.apiCalls;
      s.bytes += page.bytes;
      for (const item of page.items) tallyItem(s, acc, item, MAX_REJECTIONS);
      const { rollups, identities } = acc.drain();
      await sql.transaction(async (tx) => {
        await upsertIdentities(tx, identities);
        await saveRollups(tx, rollups);
        await advanceCursor(tx, source.name, scope, cursor, page.cursor);
      });
      cursor = page.cursor;
      opts.onProgress?.(s);
    }
  } catch (err) {
    s.error = describe(err);
    opts.log?.error({ source: source.name, scope, err: s.error }, 'scope stopped');
  }
  s.seconds = (performance.now() - started) / 1000;
  opts.log?.info({ source: source.name, scope, apiCalls: s.apiCalls, records: s.records, bytes: s.bytes, events: s.events, seconds: Number(s.seconds.toFixed(2)) }, 'scope scanned');
  return s;
}

function empty(source: string, scope: string): ScopeSummary {
  return { source, scope, apiCalls: 0, pages: 0, records: 0, bytes: 0, events: 0, skipped: 0, rejected: 0, duplicates: 0, seconds: 0, rejections: [] };
}
