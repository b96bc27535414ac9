import { OTHER } from '../core/rollup.js';

/** The n keys with the largest counts (the overflow bucket left out). */
export function topKeys(map: Record<string, number>, n: number): string[] {
  return Object.entries(map).filter(([k]) => k !== OTHER).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);
}
