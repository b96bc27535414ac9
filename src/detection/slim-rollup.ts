import { OTHER, type Rollup } from '../core/rollup.js';

const KEEP_IPS = 20;
const KEEP_CLIENTS = 10;

function top(map: Record<string, number>, n: number): Record<string, number> {
  const entries = Object.entries(map);
  if (entries.length <= n) return map;
  entries.sort((a, b) => b[1] - a[1]);
  const out = Object.fromEntries(entries.slice(0, n));
  out[OTHER] = entries.slice(n).reduce((sum, [, v]) => sum + v, 0);
  return out;
}

/** A judged hour as the following day's judgements need it: totals, buckets, read objects and the busiest addresses and clients. */
export function slimRollup(r: Rollup): Rollup {
  return { ...r, actions: {}, objects: [], ips: top(r.ips, KEEP_IPS), ipSpans: {}, clients: top(r.clients, KEEP_CLIENTS), changes: [] };
}
