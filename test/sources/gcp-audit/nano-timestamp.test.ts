import { describe, expect, it } from 'vitest';
import { nanoTimestamp, nanoTimestampOf } from '../../../src/sources/gcp-audit/nano-timestamp.js';
import { GCP_SAMPLES } from './gcp-test-support.js';

describe('nanoTimestamp', () => {
  it('turns every real sample timestamp into nine-digit UTC text that sorts like time', () => {
    const stamps = GCP_SAMPLES.filter((r) => r.timestamp !== undefined).map((r) => nanoTimestamp(r.timestamp));
    expect(stamps.length).toBeGreaterThan(15);
    expect(stamps.every((s) => s && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test(s))).toBe(true);
    expect(nanoTimestamp('2021-09-13T03:03:09.008513033Z')).toBe('2021-09-13T03:03:09.008513033Z');
  });

  it('writes one instant one way whatever the precision or zone it came with', () => {
    expect(nanoTimestamp('2026-03-02T00:20:00.5Z')).toBe('2026-03-02T00:20:00.500000000Z');
    expect(nanoTimestamp('2026-03-02T00:20:00Z')).toBe('2026-03-02T00:20:00.000000000Z');
    expect(nanoTimestamp('2026-03-02T01:20:00.000001+01:00')).toBe('2026-03-02T00:20:00.000001000Z');
    expect(nanoTimestamp('2026-03-02 00:20:00.1234567891')).toBe('2026-03-02T00:20:00.123456789Z');
    expect(nanoTimestampOf(Date.parse('2026-03-02T00:20:00.123Z'))).toBe('2026-03-02T00:20:00.123000000Z');
  });

  it('is undefined for what is not a time', () => {
    expect([nanoTimestamp('yesterday'), nanoTimestamp(1_700_000_000), nanoTimestamp(undefined), nanoTimestamp('2026-02-31T00:00:00Z')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
