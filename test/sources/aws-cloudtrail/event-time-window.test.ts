import { describe, expect, it } from 'vitest';
import { EventTimeWindow } from '../../../src/sources/aws-cloudtrail/event-time-window.js';

const T = Date.UTC(2026, 2, 10, 12);
const MIN = 60_000;

describe('EventTimeWindow', () => {
  it('starts a new scope at since, and a resumed one an overlap before its cursor', () => {
    expect(new EventTimeWindow(undefined, T, 15 * MIN, 10).start).toBe(T);
    expect(new EventTimeWindow({ at: new Date(T).toISOString(), seen: {} }, 0, 15 * MIN, 10).start).toBe(T - 15 * MIN);
  });

  it('drops ids it read, keeps only those inside the overlap, and survives a round trip through JSON', () => {
    const w = new EventTimeWindow(undefined, T - 60 * MIN, 15 * MIN, 10);
    expect(w.isDuplicate('old', T - 30 * MIN)).toBe(false);
    expect(w.isDuplicate('new', T - 5 * MIN)).toBe(false);
    expect(w.isDuplicate('new', T - 5 * MIN)).toBe(true);
    w.advance(T);
    const cursor = JSON.parse(JSON.stringify(w.cursor())) as Record<string, unknown>;
    expect(cursor).toEqual({ at: new Date(T).toISOString(), seen: { new: (T - 5 * MIN) / 1000 } });
    const next = new EventTimeWindow(cursor, 0, 15 * MIN, 10);
    expect(next.isDuplicate('new', T - 5 * MIN)).toBe(true);
    expect(next.isDuplicate('late', T - 10 * MIN)).toBe(false);
  });

  it('keeps at most maxIds, trimming whole seconds and never reading them again', () => {
    const w = new EventTimeWindow(undefined, T - MIN, 15 * MIN, 2);
    for (const [id, s] of [['a', 1], ['b', 2], ['c', 2], ['d', 3]] as const) w.isDuplicate(id, T + s * 1000);
    w.advance(T + 4000);
    const cursor = w.cursor();
    expect(cursor.seen).toEqual({ d: T / 1000 + 3 });
    expect(cursor.from).toBe(new Date(T + 3000).toISOString());
    expect(new EventTimeWindow({ ...cursor }, 0, 15 * MIN, 2).start).toBe(T + 3000);
  });
});
