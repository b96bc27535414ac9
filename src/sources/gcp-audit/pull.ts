import { createHash } from 'node:crypto';
import type { PullOptions, SourceItem, SourcePage } from '../../core/ports.js';
import { buildLogFilter, DATA_ACCESS_LOG } from './build-log-filter.js';
import type { GcpCursor } from './gcp-cursor.js';
import { asRecord, asText } from './json-fields.js';
import type { LoggingClient } from './logging-client.js';
import { nanoTimestamp, nanoTimestampOf } from './nano-timestamp.js';
import { gcpAuditNormalizer } from './normalize.js';

/** Tuning of a pull. */
export interface PullSettings {
  /** Entries per entries.list call (the service's maximum is 1000). */
  pageSize: number;
  /** Length of one arrival window (one query, paged). */
  windowMs: number;
  /** Entries received this recently are left for the next scan: they may not all be searchable yet. */
  settleMs: number;
  /** How long before its arrival an entry's event time may be (bounds the timestamp range each query scans). */
  maxLatenessMs: number;
  now(): number;
}

/** One scope to read: our name for it, and the Cloud Logging resource name. */
export interface PullTarget {
  scope: string;
  resourceName: string;
}

/** What a finished pull tells its caller besides the pages. */
export interface PullEnd {
  /** The scope's cursor after the pull. */
  cursor: GcpCursor;
  /** True when at least one arrival window was read. */
  read: boolean;
}

/**
 * Pages of Cloud Storage audit entries of one scope, oldest arrival window first. The cursor lives on
 * receiveTimestamp, but entries.list can only order by timestamp, so a window [at, end) of arrival
 * time is one query read to its last page: only then does `at` move to `end`. Inside a window the
 * cursor keeps the latest event time stored and the ids stored at exactly that time, and a resumed
 * window asks for `timestamp >=` that time and drops those ids: nothing is read twice or skipped.
 */
export async function* pullScope(
  client: LoggingClient,
  target: PullTarget,
  start: GcpCursor,
  opts: PullOptions,
  settings: PullSettings,
): AsyncGenerator<SourcePage, PullEnd> {
  let cursor = start;
  let read = false;
  let pageNumber = 0;
  const until = Math.min(opts.until, settings.now() - settings.settleMs);
  for (;;) {
    const at = Date.parse(cursor.at);
    const end = cursor.end ? Date.parse(cursor.end) : Math.min(at + settings.windowMs, until);
    if (end <= at) break;
    read = true;
    const resumed = cursor.after;
    let position = resumed ? { timestamp: resumed.timestamp, ids: [...resumed.ids] } : undefined;
    // Page tokens belong to one filter: it stays fixed for the whole window.
    const filter = buildLogFilter({
      receivedFrom: new Date(at).toISOString(),
      receivedBefore: new Date(end).toISOString(),
      timestampFrom: resumed?.timestamp ?? nanoTimestampOf(at - settings.maxLatenessMs),
    });
    let pageToken: string | undefined;
    do {
      const page = await client.listEntries(
        { resourceNames: [target.resourceName], filter, orderBy: 'timestamp asc', pageSize: settings.pageSize, ...(pageToken ? { pageToken } : {}) },
        opts.signal,
      );
      pageNumber++;
      const file = `gcp:${target.scope} page ${pageNumber}`;
      const items: SourceItem[] = [];
      let dataAccessSeen = cursor.dataAccessSeen;
      page.entries.forEach((raw, index) => {
        const entry = asRecord(raw);
        if (!entry) {
          items.push({ kind: 'reject', reason: 'LogEntry is not a JSON object', origin: { file, index } });
          return;
        }
        const timestamp = nanoTimestamp(entry.timestamp);
        const id = entryKey(entry);
        if (resumed && timestamp === resumed.timestamp && resumed.ids.includes(id)) return;
        if (timestamp !== undefined) {
          if (!position || timestamp > position.timestamp) position = { timestamp, ids: [id] };
          else if (timestamp === position.timestamp) position.ids.push(id);
        }
        if (asText(entry.logName)?.includes(DATA_ACCESS_LOG)) dataAccessSeen = true;
        items.push({ ...gcpAuditNormalizer.normalize(entry), origin: { file, index } });
      });
      pageToken = page.nextPageToken;
      cursor = pageToken
        ? { at: cursor.at, end: new Date(end).toISOString(), ...(position ? { after: { timestamp: position.timestamp, ids: [...position.ids] } } : {}), dataAccessSeen }
        : { at: new Date(end).toISOString(), dataAccessSeen };
      yield { items, cursor, apiCalls: page.apiCalls, bytes: page.bytes };
    } while (pageToken);
  }
  return { cursor, read };
}

/** What identifies an entry among those of one instant: its log and insertId (a hash of the entry when it has none). */
function entryKey(entry: Record<string, unknown>): string {
  const insertId = asText(entry.insertId);
  if (insertId) return `${asText(entry.logName) ?? ''}|${insertId}`;
  return `sha256:${createHash('sha256').update(JSON.stringify(entry)).digest('hex').slice(0, 32)}`;
}
