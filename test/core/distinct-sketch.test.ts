import { describe, expect, it } from 'vitest';
import { hash32, sketchAdd, sketchCount, sketchMerge, type DistinctSketch } from '../../src/core/distinct-sketch.js';

function sketchOf(keys: string[]): DistinctSketch {
  const s: DistinctSketch = [];
  for (const k of keys) sketchAdd(s, hash32(k));
  return s;
}

describe('distinct-object sketch', () => {
  it('counts exactly below 256 distinct keys, ignoring repeats', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `bucket/key-${i % 150}`);
    expect(sketchCount(sketchOf(keys))).toBe(150);
  });

  it('estimates large counts within 15% and stays bounded in size', () => {
    const s = sketchOf(Array.from({ length: 20_000 }, (_, i) => `data/part-${i}.parquet`));
    expect(s.length).toBe(256);
    expect(Math.abs(sketchCount(s) - 20_000) / 20_000).toBeLessThan(0.15);
  });

  it('merging two halves estimates the union, not the sum', () => {
    const a = sketchOf(Array.from({ length: 5000 }, (_, i) => `k${i}`));
    const b = sketchOf(Array.from({ length: 5000 }, (_, i) => `k${i + 2500}`));
    expect(Math.abs(sketchCount(sketchMerge(a, b)) - 7500) / 7500).toBeLessThan(0.15);
  });
});
