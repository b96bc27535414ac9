import type { Baseline, SeenValue } from '../core/baseline.js';
import { OTHER, type Rollup } from '../core/rollup.js';
import { networkOf } from './network.js';

const DAY = 86_400_000;
const MAX_DAYS = 120;
const MAX_VALUES = 500;

/** Values a detection flagged and that must not become "normal" until a responder says so. */
export interface Withheld {
  ips: Set<string>;
  clients: Set<string>;
  buckets: Set<string>;
}

function see(map: Record<string, SeenValue>, value: string, at: number, count: number): void {
  if (value === OTHER) return;
  const v = map[value];
  if (v) {
    v.last = Math.max(v.last, at);
    v.count += count;
    return;
  }
  map[value] = { first: at, last: at, count };
  const keys = Object.keys(map);
  if (keys.length > MAX_VALUES) {
    // Forget the value seen longest ago, so the baseline stays bounded for identities with many IPs.
    const stalest = keys.reduce((a, b) => (map[a]!.last <= map[b]!.last ? a : b));
    delete map[stalest];
  }
}

/** Folds one judged hour into the baseline (a copy is returned); hours already learnt are left out. */
export function learnBaseline(baseline: Baseline, r: Rollup, withheld?: Withheld): Baseline {
  if (r.hour < baseline.through) return baseline;
  const b: Baseline = structuredClone(baseline);
  b.through = r.hour + 3_600_000;
  if (!b.firstSeen || r.first < b.firstSeen) b.firstSeen = r.first;
  b.lastSeen = Math.max(b.lastSeen, r.last);
  const day = Math.floor(r.hour / DAY);
  if (!b.activeDays.includes(day)) {
    b.activeDays.push(day);
    if (b.activeDays.length > MAX_DAYS) b.activeDays.shift();
  }
  for (const [ip, n] of Object.entries(r.ips)) {
    if (withheld?.ips.has(ip)) continue;
    see(b.ips, ip, r.last, n);
    see(b.networks, networkOf(ip), r.last, n);
  }
  for (const [client, n] of Object.entries(r.clients)) if (!withheld?.clients.has(client)) see(b.clients, client, r.last, n);
  for (const [bucket, n] of Object.entries(r.buckets)) if (!withheld?.buckets.has(bucket)) see(b.buckets, bucket, r.last, n);
  return b;
}
