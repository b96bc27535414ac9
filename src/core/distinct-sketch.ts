/**
 * A mergeable estimate of how many distinct strings were seen (k-minimum-values sketch):
 * exact below K distinct values, about 6% error above, and never more than K numbers in size.
 */
export type DistinctSketch = number[];

const K = 256;
const SPACE = 2 ** 32;

/** 32-bit hash of a string: FNV-1a, then MurmurHash3's finaliser so that similar keys spread evenly. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Adds one value (by its hash) to a sketch kept sorted ascending; returns the same array. */
export function sketchAdd(sketch: DistinctSketch, hash: number): DistinctSketch {
  const n = sketch.length;
  if (n >= K && hash >= sketch[n - 1]!) return sketch;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sketch[mid]! < hash) lo = mid + 1;
    else hi = mid;
  }
  if (sketch[lo] === hash) return sketch;
  sketch.splice(lo, 0, hash);
  if (sketch.length > K) sketch.pop();
  return sketch;
}

/** The union of two sketches. */
export function sketchMerge(a: DistinctSketch, b: DistinctSketch): DistinctSketch {
  const out = [...a];
  for (const h of b) sketchAdd(out, h);
  return out;
}

/** Estimated number of distinct values. */
export function sketchCount(sketch: DistinctSketch): number {
  if (sketch.length < K) return sketch.length;
  return Math.round(((K - 1) * SPACE) / (sketch[K - 1]! + 1));
}
