import type { Cursor } from '../../core/ports.js';

/** Cursor of a source whose only clock is the event time: where to resume and the ids already read near it. */
export interface EventTimeCursor {
  /** Every event before this instant (ISO 8601) that the service had ingested has been read. */
  at: string;
  /** Never read again before this instant, even inside the overlap (set when `seen` had to be trimmed). */
  from?: string;
  /** Provider event ids read at or after `at` minus the overlap, with their event time (epoch seconds). */
  seen: Record<string, number>;
}

const SECOND = 1000;

/**
 * Tracks what was read from an event-time-ordered service (CloudTrail Lake, LookupEvents): each pull
 * re-reads the last `overlapMs` before the cursor, because those services index a record by when it
 * happened and it may become visible minutes later; the ids kept in the cursor drop what was already read.
 */
export class EventTimeWindow {
  private at: number;
  private from: number;
  private readonly resumed: boolean;
  private readonly seen: Map<string, number>;

  constructor(
    cursor: Cursor | undefined,
    since: number,
    private readonly overlapMs: number,
    private readonly maxIds: number,
  ) {
    const c = readCursor(cursor);
    this.resumed = c !== undefined;
    this.at = c ? c.at : since;
    this.from = c?.from ?? -Infinity;
    this.seen = new Map(c ? Object.entries(c.seen) : []);
  }

  /** Where the next query starts (epoch ms): the overlap before the cursor, or `since` for a new scope. */
  get start(): number {
    return this.resumed ? Math.max(this.from, this.at - this.overlapMs) : this.at;
  }

  /** True when the event was read by an earlier page or pull; remembers it otherwise. */
  isDuplicate(id: string, time: number): boolean {
    if (this.seen.has(id)) return true;
    this.seen.set(id, Math.floor(time / SECOND));
    return false;
  }

  /** Everything before `t` has been read. */
  advance(t: number): void {
    if (t > this.at) this.at = t;
  }

  /** The cursor to store now: ids older than the overlap are dropped, and the newest kept when there are too many. */
  cursor(): EventTimeCursor {
    const horizon = Math.floor((this.at - this.overlapMs) / SECOND);
    let kept = [...this.seen].filter(([, t]) => t >= horizon).sort((a, b) => b[1] - a[1]);
    if (kept.length > this.maxIds) {
      // Trim whole seconds so that an id is either kept or its whole second is never read again.
      const cut = kept[this.maxIds]![1];
      kept = kept.filter(([, t]) => t > cut);
      this.from = Math.max(this.from, (cut + 1) * SECOND);
    }
    this.seen.clear();
    for (const [id, t] of kept) this.seen.set(id, t);
    return {
      at: new Date(this.at).toISOString(),
      ...(Number.isFinite(this.from) ? { from: new Date(this.from).toISOString() } : {}),
      seen: Object.fromEntries(kept),
    };
  }
}

function readCursor(cursor: Cursor | undefined): { at: number; from?: number; seen: Record<string, number> } | undefined {
  if (!cursor || typeof cursor.at !== 'string') return undefined;
  const at = Date.parse(cursor.at);
  if (Number.isNaN(at)) return undefined;
  const from = typeof cursor.from === 'string' ? Date.parse(cursor.from) : NaN;
  const seen: Record<string, number> = {};
  if (cursor.seen && typeof cursor.seen === 'object') {
    for (const [id, t] of Object.entries(cursor.seen as Record<string, unknown>)) if (typeof t === 'number') seen[id] = t;
  }
  return { at, ...(Number.isNaN(from) ? {} : { from }), seen };
}
