import type { Evidence } from '../core/finding.js';
import { OTHER, type Rollup } from '../core/rollup.js';

/** The n keys with the largest counts (the overflow bucket left out). */
export function topKeys(map: Record<string, number>, n: number): string[] {
  return Object.entries(map).filter(([k]) => k !== OTHER).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);
}

/** The where-and-what of an hour as findings show it: top 5 buckets, IPs and clients, and 5 sample objects. */
export function hourContext(r: Rollup): Pick<Evidence, 'buckets' | 'sampleKeys' | 'ips' | 'clients'> {
  return { buckets: topKeys(r.buckets, 5), sampleKeys: r.sampleKeys.slice(0, 5), ips: topKeys(r.ips, 5), clients: topKeys(r.clients, 5) };
}
