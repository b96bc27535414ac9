import { HISTORY_DAYS, type Baseline, type SeenValue } from '../core/baseline.js';
import { OTHER, distinctObjects, totalOps, type Rollup } from '../core/rollup.js';
import { clientFamily } from './client-family.js';
import { networkOf, privateRangeOf } from './network.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_DAYS = 120;
const MAX_VALUES = 500;

/** Values a detection flagged and that must not become "normal" until a responder says so. */
export interface Withheld {
  ips: Set<string>;
  clients: Set<string>;
  buckets: Set<string>;
}

/** Values held per map of a baseline, counted once, not by listing a map of up to 500 addresses for every new one. */
const sizes = new WeakMap<Record<string, SeenValue>, number>();

function see(map: Record<string, SeenValue>, value: string, at: number, count: number): void {
  if (value === OTHER) return;
  const v = map[value];
  if (v) {
    v.last = Math.max(v.last, at);
    v.count += count;
    return;
  }
  map[value] = { first: at, last: at, count };
  const size = sizes.get(map);
  sizes.set(map, size === undefined ? Object.keys(map).length : size + 1);
  if (sizes.get(map)! > MAX_VALUES) {
    // Forget the tenth seen longest ago in one pass, so the baseline stays bounded for identities with many values.
    const keys = Object.keys(map);
    keys.sort((a, b) => map[a]!.last - map[b]!.last);
    for (const k of keys.slice(0, keys.length - Math.floor(MAX_VALUES * 0.9))) delete map[k];
    sizes.set(map, Math.floor(MAX_VALUES * 0.9));
  }
}

/**
 * Learns a source address: a private one as its whole private range (an identity behind NAT or a VPC
 * endpoint churns through addresses), a public one as itself and its /24 or /48.
 */
function seeAddress(b: Baseline, ip: string, at: number, count: number): void {
  const range = privateRangeOf(ip);
  if (range) {
    see(b.networks, range, at, count);
    return;
  }
  see(b.ips, ip, at, count);
  see(b.networks, networkOf(ip), at, count);
}

/** How a client is remembered: by family (`aws-cli`, `gcloud`), so per-invocation parts and version bumps are not new clients. */
export function clientKey(userAgent: string): string {
  return clientFamily(userAgent).family;
}

/** The hour's figures as the baseline keeps them: [hours since epoch, ...METRICS values]. */
export function hourSample(r: Rollup): number[] {
  const { objects, readObjects } = distinctObjects(r);
  return [
    Math.floor(r.hour / HOUR), totalOps(r), r.ops.read ?? 0, r.ops.list ?? 0, r.ops.write ?? 0, r.ops.delete ?? 0, r.bytesOut,
    readObjects, objects, r.denied, Object.keys(r.deniedBuckets).length, Math.max(...r.slots),
  ];
}

/**
 * Folds one judged hour into the baseline, in place (detectors have already seen it as it was);
 * an hour older than what was already learnt (a late record) is not learnt again.
 */
export function learnBaseline(b: Baseline, r: Rollup, withheld?: Withheld): Baseline {
  if (r.hour < b.through) return b;
  b.through = r.hour + 3_600_000;
  if (!b.firstSeen || r.first < b.firstSeen) b.firstSeen = r.first;
  b.lastSeen = Math.max(b.lastSeen, r.last);
  const day = Math.floor(r.hour / DAY);
  if (!b.activeDays.includes(day)) {
    b.activeDays.push(day);
    if (b.activeDays.length > MAX_DAYS) b.activeDays.shift();
  }
  for (const [ip, n] of Object.entries(r.ips)) if (!withheld?.ips.has(ip)) seeAddress(b, ip, r.last, n);
  for (const [client, n] of Object.entries(r.clients)) if (!withheld?.clients.has(client)) see(b.clients, clientKey(client), r.last, n);
  for (const [bucket, n] of Object.entries(r.buckets)) if (!withheld?.buckets.has(bucket)) see(b.buckets, bucket, r.last, n);
  for (const key of r.secretReads) see(b.secretReads, key, r.last, 1);
  const oldest = Math.floor(r.hour / HOUR) - HISTORY_DAYS * 24;
  if (b.hours.length && b.hours[0]![0]! <= oldest) b.hours = b.hours.filter((h) => h[0]! > oldest);
  b.hours.push(hourSample(r));
  return b;
}

/**
 * Makes values a responder marked benign known to the baseline at once (principle: a benign
 * decision teaches the baseline), so they are no longer "first seen" for this identity.
 */
export function acceptValues(b: Baseline, values: { ips?: string[]; clients?: string[]; buckets?: string[] }, at: number): Baseline {
  for (const ip of values.ips ?? []) {
    seeAddress(b, ip, at, 0);
    // Accepted, so not "first reached today" either: known as if from the start.
    for (const v of [b.ips[ip], b.networks[privateRangeOf(ip) ?? networkOf(ip)]]) if (v) v.first = Math.min(v.first, 0);
  }
  for (const client of values.clients ?? []) see(b.clients, clientKey(client), at, 0);
  for (const bucket of values.buckets ?? []) see(b.buckets, bucket, at, 0);
  return b;
}
