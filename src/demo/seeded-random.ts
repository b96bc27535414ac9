/** 32-bit FNV-1a hash of the parts joined with `|`, used to derive independent seeds from labels. */
export function hashSeed(...parts: (string | number)[]): number {
  const text = parts.join('|');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const HEX = '0123456789abcdef';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE64 = ALNUM + '+/';

/** Deterministic pseudo-random source (mulberry32): the same seed always yields the same sequence. */
export class SeededRandom {
  private state: number;

  /** Starts a sequence from a 32-bit seed. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A new, independent generator seeded from a hash of the given labels. */
  static from(...parts: (string | number)[]): SeededRandom {
    return new SeededRandom(hashSeed(...parts));
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** One element chosen with the given relative weights (same length as items). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** Standard normal deviate (Box-Muller). */
  gaussian(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal value with the given median and log-space spread, rounded to an integer >= 1. */
  logNormal(median: number, sigma: number): number {
    return Math.max(1, Math.round(median * Math.exp(sigma * this.gaussian())));
  }

  /** Poisson-distributed count with mean lambda (normal approximation above 30). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.gaussian()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Lower-case hexadecimal string of n characters. */
  hex(n: number): string {
    return this.fromAlphabet(HEX, n);
  }

  /** Upper-case letters and digits, as in S3 request ids and access key ids. */
  upperAlnum(n: number): string {
    return this.fromAlphabet(UPPER_ALNUM, n);
  }

  /** Mixed-case letters and digits. */
  alnum(n: number): string {
    return this.fromAlphabet(ALNUM, n);
  }

  /** Base64 alphabet characters (no padding). */
  base64(n: number): string {
    return this.fromAlphabet(BASE64, n);
  }

  /** A version-4-shaped UUID. */
  uuid(): string {
    const h = this.hex(32);
    const variant = HEX[8 + this.int(0, 3)] ?? '8';
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  private fromAlphabet(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}
