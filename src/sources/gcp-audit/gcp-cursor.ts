import { StorageWatchError } from '../../core/errors.js';
import type { Cursor } from '../../core/ports.js';
import { nanoTimestamp } from './nano-timestamp.js';

/**
 * Where the reading of one scope stands, on the arrival (receiveTimestamp) axis. A type rather than
 * an interface so it is a `Cursor` (a plain JSON record) as it is.
 */
export type GcpCursor = {
  /** Every entry received before this instant (RFC 3339) is stored. */
  at: string;
  /** End of the arrival window [at, end) whose reading was interrupted; absent between windows. */
  end?: string;
  /**
   * Position inside that window, whose entries come in (timestamp, insertId) order: the latest
   * event time stored and the entries stored at exactly that time (usually one or two).
   */
  after?: { timestamp: string; ids: string[] };
  /** True once a data_access entry has been read in this scope. */
  dataAccessSeen: boolean;
};

/** The stored cursor of a scope, checked; a cursor this source cannot have written is a store error, not a restart. */
export function readGcpCursor(raw: Cursor, scope: string): GcpCursor {
  const bad = (what: string) =>
    new StorageWatchError('store_failed', `stored gcp-audit cursor of ${scope} is unreadable (${what}): ${JSON.stringify(raw).slice(0, 200)}; delete it to read again from the lookback`);
  const { at, end, after, dataAccessSeen } = raw;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw bad('at');
  const cursor: GcpCursor = { at, dataAccessSeen: dataAccessSeen === true };
  if (end !== undefined) {
    if (typeof end !== 'string' || Number.isNaN(Date.parse(end))) throw bad('end');
    cursor.end = end;
  }
  if (after !== undefined) {
    const { timestamp, ids } = (after ?? {}) as { timestamp?: unknown; ids?: unknown };
    const stamp = nanoTimestamp(timestamp);
    if (!stamp || !Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw bad('after');
    cursor.after = { timestamp: stamp, ids };
  }
  return cursor;
}
