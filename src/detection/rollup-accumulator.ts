import { identityKey, type AccessEvent } from '../core/event.js';
import type { Identity } from '../core/identity.js';
import { emptyRollup, foldEvent, hourOf, type Rollup } from '../core/rollup.js';

/** How many recent event ids are remembered to drop re-delivered duplicates. */
const DEDUP_WINDOW = 50_000;

/**
 * Folds a stream of events into hourly rollups per identity, in memory, until drained.
 * Duplicates (same provider event id) are dropped among the last DEDUP_WINDOW events, which is
 * where re-delivered records overlap; the window keeps memory flat however long the stream.
 */
export class RollupAccumulator {
  /** Per identity: who, first and last event time, and its rollups by hour. */
  private identities = new Map<string, Identity & { first: number; last: number; hours: Map<number, Rollup> }>();
  private seenIds = new Set<string>();
  /** The same ids in arrival order, as a ring, to forget the oldest in O(1). */
  private seenRing: string[] = [];
  private ringNext = 0;
  /** Events folded since the last drain, and duplicates dropped. */
  events = 0;
  duplicates = 0;
  private rollups = 0;

  /** Folds one event; returns false when an event with the same provider id was already folded in this batch. */
  add(e: AccessEvent): boolean {
    const dedupKey = `${e.cloud}|${e.id}`;
    if (this.seenIds.has(dedupKey)) {
      this.duplicates++;
      return false;
    }
    this.seenIds.add(dedupKey);
    const oldest = this.seenRing[this.ringNext];
    if (oldest !== undefined) this.seenIds.delete(oldest);
    this.seenRing[this.ringNext] = dedupKey;
    this.ringNext = (this.ringNext + 1) % DEDUP_WINDOW;
    const key = identityKey(e);
    let who = this.identities.get(key);
    if (!who) {
      who = { key, cloud: e.cloud, account: e.account, principal: e.principal, first: e.time, last: e.time, hours: new Map() };
      this.identities.set(key, who);
    } else {
      if (e.time < who.first) who.first = e.time;
      if (e.time > who.last) who.last = e.time;
    }
    const hour = hourOf(e.time);
    let r = who.hours.get(hour);
    if (!r) {
      r = emptyRollup(key, hour);
      who.hours.set(hour, r);
      this.rollups++;
    }
    foldEvent(r, e);
    this.events++;
    return true;
  }

  /** Number of rollups held. */
  get size(): number {
    return this.rollups;
  }

  /** Returns what was accumulated and starts afresh. */
  drain(): { rollups: Rollup[]; identities: (Identity & { first: number; last: number })[] } {
    const who = [...this.identities.values()];
    const out = {
      rollups: who.flatMap((w) => [...w.hours.values()]),
      identities: who.map(({ hours: _hours, ...identity }) => identity),
    };
    this.identities.clear();
    this.events = 0;
    this.rollups = 0;
    return out;
  }
}
