import { describe, expect, it } from 'vitest';
import { SeededRandom, hashSeed } from '../../src/demo/seeded-random.js';

const draw = (r: SeededRandom, n: number): number[] => Array.from({ length: n }, () => r.next());

describe('SeededRandom', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    expect(draw(new SeededRandom(42), 20)).toEqual(draw(new SeededRandom(42), 20));
    expect(draw(new SeededRandom(42), 20)).not.toEqual(draw(new SeededRandom(43), 20));
    expect(draw(SeededRandom.from('a', 1), 5)).toEqual(draw(SeededRandom.from('a', 1), 5));
    expect(hashSeed('a', 1)).not.toBe(hashSeed('a', 2));
  });

  it('keeps every draw inside its range', () => {
    const r = new SeededRandom(7);
    const ints = Array.from({ length: 5000 }, () => r.int(3, 6));
    expect(Math.min(...ints)).toBe(3);
    expect(Math.max(...ints)).toBe(6);
    for (const x of draw(r, 5000)) expect(x >= 0 && x < 1).toBe(true);
  });

  it('produces ids in the shapes the records use', () => {
    const r = new SeededRandom(1);
    expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.upperAlnum(16)).toMatch(/^[A-Z0-9]{16}$/);
    expect(r.hex(64)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('draws Poisson counts and log-normal sizes around their centre', () => {
    const r = new SeededRandom(3);
    const counts = Array.from({ length: 4000 }, () => r.poisson(12));
    expect(counts.reduce((s, n) => s + n, 0) / counts.length).toBeCloseTo(12, 0);
    const sizes = Array.from({ length: 4001 }, () => r.logNormal(1_000_000, 1)).sort((a, b) => a - b);
    expect(sizes[2000]).toBeGreaterThan(800_000);
    expect(sizes[2000]).toBeLessThan(1_250_000);
  });
});
