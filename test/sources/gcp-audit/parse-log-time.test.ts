import { describe, expect, it } from 'vitest';
import { parseLogTime } from '../../../src/sources/gcp-audit/parse-log-time.js';

describe('parseLogTime', () => {
  it('reads Cloud Logging RFC 3339 times with nanoseconds', () => {
    expect(parseLogTime('2021-09-13T03:03:09.008513033Z')).toBe(Date.UTC(2021, 8, 13, 3, 3, 9, 8));
    expect(parseLogTime('2021-09-13T03:03:09Z')).toBe(Date.UTC(2021, 8, 13, 3, 3, 9));
  });

  it('applies an explicit offset', () => {
    expect(parseLogTime('2021-09-13T05:03:09.5+02:00')).toBe(Date.UTC(2021, 8, 13, 3, 3, 9, 500));
    expect(parseLogTime('2021-09-12T22:03:09-0500')).toBe(Date.UTC(2021, 8, 13, 3, 3, 9));
  });

  it('reads zone-less "YYYY-MM-DD hh:mm:ss.fffffffff" as UTC, whatever the machine time zone', () => {
    expect(parseLogTime('2025-12-15 15:40:29.533794920')).toBe(Date.UTC(2025, 11, 15, 15, 40, 29, 533));
  });

  it('reads a Date and a protobuf Timestamp', () => {
    expect(parseLogTime(new Date(Date.UTC(2024, 0, 2)))).toBe(Date.UTC(2024, 0, 2));
    expect(parseLogTime({ seconds: '1631502189', nanos: 8513033 })).toBe(1631502189008);
  });

  it('returns undefined for missing or impossible times', () => {
    for (const bad of [undefined, null, '', 'yesterday', '2021-02-30T00:00:00Z', '2021-13-01T00:00:00Z', '2021-01-01T25:00:00Z', 1631502189, {}, new Date('x')]) {
      expect(parseLogTime(bad)).toBeUndefined();
    }
  });
});
