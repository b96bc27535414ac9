import { LogsQueryResultStatus, type LogsQueryClient, type LogsQueryResult, type LogsTable } from '@azure/monitor-query-logs';
import { StorageWatchError } from '../../core/errors.js';
import type { Cursor, PullOptions, SourceItem, SourcePage } from '../../core/ports.js';
import type { Logger } from '../../logger.js';
import { withRetry } from '../with-retry.js';
import { isTransientLogAnalyticsError, logAnalyticsError, logAnalyticsRetryAfterMs } from './log-analytics-error.js';
import { storageBlobLogsNormalizer } from './storage-blob-logs.js';
import { storageBlobLogsQuery } from './storage-blob-logs-query.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How a workspace's ingestion timeline is cut into queries. */
export interface SliceTuning {
  /** Width of the first slice of ingestion time (ms); it doubles while slices come back sparse. */
  sliceMs: number;
  /** Widest slice (ms). */
  maxSliceMs: number;
  /** Narrowest slice (ms): a slice this narrow that is still too big stops the scope with an error. */
  minSliceMs: number;
  /** Rows one query may return; a slice with more is split (the service's own limits: 500,000 rows, ~64 MB). */
  rowCap: number;
  /** How long before its ingestion an event may have happened and still be read (ms): the TimeGenerated range reaches this far back. */
  lateMs: number;
  /** How far after its ingestion an event time may lie, for clock skew (ms). */
  skewMs: number;
  /** Records ingested less than this long ago are left to the next scan, as they may not be queryable yet (ms). */
  settleMs: number;
}

/** Production slicing: 1-hour slices growing to a day, 50,000 rows a query, events up to 2 days late, 5 minutes to settle. */
export const DEFAULT_SLICE_TUNING: SliceTuning = {
  sliceMs: HOUR, maxSliceMs: DAY, minSliceMs: 1000, rowCap: 50_000, lateMs: 2 * DAY, skewMs: HOUR, settleMs: 5 * MINUTE,
};

/** What pullWorkspace needs besides the scope and its cursor. */
export interface WorkspaceReader {
  client: LogsQueryClient;
  /** Bytes the client has downloaded so far (counted by a pipeline policy, see index.ts). */
  downloaded: { bytes: number };
  /** Log Analytics endpoint, for messages. */
  endpoint: string;
  tuning: SliceTuning;
  /** Our retries on top of the SDK's (throttling without Retry-After, cut connections). */
  retry: { attempts: number; baseMs: number; maxMs: number };
  log?: Logger;
}

/** Cursor of a workspace: every record ingested before `at` has been read. */
export interface WorkspaceCursor extends Cursor {
  at: string;
}

interface SliceAnswer {
  table: LogsTable;
  bytes: number;
  /** Why the slice must be split, when it must. */
  tooBig?: string;
}

/**
 * Pages of a workspace's StorageBlobLogs after the cursor, one per slice of ingestion time, oldest
 * first. Slices are half-open [start, end) on `ingestion_time()`, so consecutive slices never share
 * an instant and the cursor needs no ids to drop a boundary's duplicates; a record ingested late
 * (early TimeGenerated) falls in the slice of its ingestion and is read exactly once.
 */
export async function* pullWorkspace(r: WorkspaceReader, workspaceId: string, cursor: Cursor | undefined, opts: PullOptions): AsyncGenerator<SourcePage> {
  const t = r.tuning;
  let start = cursorStart(cursor, opts.since, workspaceId);
  // The scan's `until` is its notion of now: leave the last settleMs before it (and before the clock) to the next scan.
  const end = Math.min(opts.until, Date.now()) - t.settleMs;
  let width = t.sliceMs;
  let apiCalls = 0;
  let bytes = 0;
  while (start < end) {
    opts.signal?.throwIfAborted();
    const stop = Math.min(start + width, end);
    const answer = await querySlice(r, workspaceId, start, stop, opts.signal);
    apiCalls++;
    bytes += answer.bytes;
    if (answer.tooBig) {
      if (stop - start <= t.minSliceMs) {
        throw new StorageWatchError('source_bad_response', `workspace ${workspaceId}: the ${stop - start} ms of ingestion from ${iso(start)} cannot be read in one query (${answer.tooBig}); lower the row cap or raise the service limits`);
      }
      width = Math.max(t.minSliceMs, Math.floor((stop - start) / 2));
      r.log?.debug({ workspaceId, from: iso(start), to: iso(stop), reason: answer.tooBig, nextWidthMs: width }, 'azure slice split');
      continue;
    }
    const file = `azure:${workspaceId} ${iso(start)}/${iso(stop)}`;
    const next: WorkspaceCursor = { at: iso(stop) };
    yield { items: toItems(answer.table, file), cursor: next, apiCalls, bytes };
    apiCalls = 0;
    bytes = 0;
    start = stop;
    if (answer.table.rows.length < t.rowCap / 4) width = Math.min(t.maxSliceMs, width * 2);
  }
}

function cursorStart(cursor: Cursor | undefined, since: number, workspaceId: string): number {
  if (cursor === undefined) return since;
  const at = typeof cursor.at === 'string' ? Date.parse(cursor.at) : Number.NaN;
  if (!Number.isFinite(at)) {
    throw new StorageWatchError('source_bad_response', `stored cursor of azure-blob workspace ${workspaceId} is unreadable: ${JSON.stringify(cursor)}`);
  }
  return at;
}

async function querySlice(r: WorkspaceReader, workspaceId: string, start: number, stop: number, signal?: AbortSignal): Promise<SliceAnswer> {
  const bytesBefore = r.downloaded.bytes;
  const kql = storageBlobLogsQuery(start, stop, r.tuning.rowCap + 1);
  // The timespan filters TimeGenerated, the indexed column: wide enough back for late records.
  const span = { startTime: new Date(start - r.tuning.lateMs), endTime: new Date(stop + r.tuning.skewMs) };
  // The longest server-side run allowed (default 180 s): a background scan can wait, a retry of a timed-out slice cannot win.
  const run = (): Promise<LogsQueryResult> => untilAborted(r.client.queryWorkspace(workspaceId, kql, span, { serverTimeoutInSeconds: 600 }), signal);
  let result: LogsQueryResult;
  try {
    result = await withRetry(run, {
      isTransient: isTransientLogAnalyticsError,
      retryAfterMs: logAnalyticsRetryAfterMs,
      attempts: r.retry.attempts,
      baseMs: r.retry.baseMs,
      maxMs: r.retry.maxMs,
      signal,
      onRetry: (err, attempt, waitMs) => r.log?.warn({ workspaceId, attempt, waitMs, err: err instanceof Error ? err.message : String(err) }, 'azure query retried'),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw logAnalyticsError(err, workspaceId, r.endpoint);
  }
  const bytes = r.downloaded.bytes - bytesBefore;
  const tables = result.status === LogsQueryResultStatus.Success ? result.tables : result.partialTables;
  const table = tables[0];
  if (result.status === LogsQueryResultStatus.PartialFailure) {
    const detail = result.partialError.details?.map((d) => d.message).join('; ');
    return { table: table ?? { name: 'PrimaryResult', columnDescriptors: [], rows: [] }, bytes, tooBig: `${result.partialError.message}${detail ? ` ${detail}` : ''}` };
  }
  if (!table) throw new StorageWatchError('source_bad_response', `Log Analytics returned no table for the query on workspace ${workspaceId}`);
  if (table.rows.length > r.tuning.rowCap) return { table, bytes, tooBig: `more than ${r.tuning.rowCap} rows` };
  return { table, bytes };
}

/** Rows (column descriptors + value arrays) as objects keyed by column name, normalised. */
function toItems(table: LogsTable, file: string): SourceItem[] {
  const names = table.columnDescriptors.map((c) => c.name);
  return table.rows.map((row, index) => {
    const record: Record<string, unknown> = {};
    names.forEach((name, i) => { record[name] = row[i]; });
    return { ...storageBlobLogsNormalizer.normalize(record), origin: { file, index } };
  });
}

// queryWorkspace drops the abortSignal of its options (monitor-query-logs 1.0.0), so the wait is cut short here.
function untilAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort)).catch(() => undefined);
  });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
