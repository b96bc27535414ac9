import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/core/duration.js';
import { sparkline } from '../../src/core/sparkline.js';

describe('durations', () => {
  it('reads the windows responders type', () => {
    expect(parseDuration('6h')).toBe(6 * 3_600_000);
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('2 days')).toBe(2 * 86_400_000);
    expect(parseDuration('1w')).toBe(7 * 86_400_000);
  });
  it('refuses what is not a duration', () => {
    for (const bad of ['', '6', 'h', '-1h', '0h', '6x', 'last 6h']) expect(parseDuration(bad)).toBeUndefined();
  });
  it('formats in the largest whole unit', () => {
    expect(formatDuration(6 * 3_600_000)).toBe('6h');
    expect(formatDuration(2 * 86_400_000)).toBe('2d');
    expect(formatDuration(90 * 60_000)).toBe('90m');
  });
});

describe('sparkline', () => {
  it('scales bars to the largest value', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▁▂▄█');
    expect(sparkline([0, 0])).toBe('▁▁');
  });
});
