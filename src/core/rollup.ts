import type { AccessEvent, ActionClass, BucketChange, Cloud } from './event.js';
import { isPrivateAddress } from './private-address.js';
import { isSecretObjectKey } from './secret-object.js';
import { hash32, sketchAdd, sketchCount, sketchMerge, type DistinctSketch } from './distinct-sketch.js';

/** Counts of operations per action class. */
export type ClassCounts = Partial<Record<ActionClass, number>>;

/** The bucket of an object as rollups name it: `bucket/key`, and on Azure `account/container/key`. */
export function objectBucket(object: string, cloud: Cloud): string {
  const first = object.indexOf('/');
  const end = cloud === 'azure' ? object.indexOf('/', first + 1) : first;
  return object.slice(0, Math.max(0, end));
}

/** One identity's activity in one clock hour: compact, mergeable, independent of the number of events. */
export interface Rollup {
  /** Identity key (cloud|account|principal id). */
  identity: string;
  /** Start of the hour, epoch ms UTC. */
  hour: number;
  /** Earliest and latest event time inside the hour. */
  first: number;
  last: number;
  /** Operations per class. */
  ops: ClassCounts;
  /** Operations per provider action name. */
  actions: Record<string, number>;
  /** Requests refused for lack of permission, and other failures. */
  denied: number;
  errors: number;
  /** Bytes sent to and received from the identity. */
  bytesOut: number;
  bytesIn: number;
  /** Distinct objects touched, and distinct objects read. */
  objects: DistinctSketch;
  readObjects: DistinctSketch;
  /** Operations per five-minute slot of the hour (12 slots). */
  slots: number[];
  /** Operations per bucket (refused ones left out), per source IP, per client; and refused operations per bucket. */
  buckets: Record<string, number>;
  ips: Record<string, number>;
  /**
   * Seconds from the start of the hour of the first and last use of each of the first MAX_SPANS public source IPs:
   * two addresses whose spans overlap were used at once, two that follow each other are a switch (home line to hotspot).
   * Private addresses (a fleet's churn) are left out: no detector asks when they were used.
   */
  ipSpans: Record<string, [number, number]>;
  clients: Record<string, number>;
  deniedBuckets: Record<string, number>;
  /** A few object keys (bucket/key) as examples, first seen first. */
  sampleKeys: string[];
  /** Secret-looking objects (bucket/key) read successfully, up to MAX_SAMPLES * 2. */
  secretReads: string[];
  /** Successful bucket exposure or logging changes, up to MAX_SAMPLES * 2. */
  changes: (BucketChange & { bucket: string; action: string; time: number; ip?: string })[];
}

const HOUR = 3_600_000;
const MAX_MAP_ENTRIES = 200;
const MAX_SAMPLES = 10;
/** Source IPs per hour whose time span is kept: a person's places, not a fleet's churn. */
const MAX_SPANS = 16;
/** Key under which values beyond MAX_MAP_ENTRIES are counted. */
export const OTHER = '(other)';

/** Start of the clock hour containing t. */
export function hourOf(t: number): number {
  return t - (((t % HOUR) + HOUR) % HOUR);
}

/** An empty rollup for one identity and hour. */
export function emptyRollup(identity: string, hour: number): Rollup {
  return {
    identity, hour, first: Infinity, last: -Infinity, ops: {}, actions: {}, denied: 0, errors: 0, bytesOut: 0, bytesIn: 0,
    objects: [], readObjects: [], slots: new Array<number>(12).fill(0), buckets: {}, ips: {}, ipSpans: {}, clients: {}, deniedBuckets: {}, sampleKeys: [], secretReads: [], changes: [],
  };
}

function bump(map: Record<string, number>, key: string, by = 1): void {
  if (key in map) map[key]! += by;
  else if (Object.keys(map).length < MAX_MAP_ENTRIES) map[key] = by;
  else map[OTHER] = (map[OTHER] ?? 0) + by;
}

function span(spans: Record<string, [number, number]>, ip: string, from: number, to: number): void {
  const s = spans[ip];
  if (s) {
    if (from < s[0]) s[0] = from;
    if (to > s[1]) s[1] = to;
  } else if (Object.keys(spans).length < MAX_SPANS) spans[ip] = [from, to];
}

/** Folds one event (of this identity and hour) into the rollup. */
export function foldEvent(r: Rollup, e: AccessEvent): void {
  if (e.time < r.first) r.first = e.time;
  if (e.time > r.last) r.last = e.time;
  r.ops[e.action.class] = (r.ops[e.action.class] ?? 0) + 1;
  bump(r.actions, e.action.name);
  if (e.outcome.status === 'denied') {
    r.denied++;
    if (e.resource.bucket) bump(r.deniedBuckets, e.resource.bucket);
  } else if (e.outcome.status === 'error') r.errors++;
  if (e.change && e.outcome.status === 'success' && r.changes.length < MAX_SAMPLES * 2) {
    r.changes.push({ ...e.change, bucket: e.resource.bucket, action: e.action.name, time: e.time, ...(e.ip ? { ip: e.ip } : {}) });
  }
  r.bytesOut += e.bytesOut;
  r.bytesIn += e.bytesIn;
  r.slots[Math.floor((e.time - r.hour) / 300_000)]!++;
  // A bucket someone was refused is not one they "use": it must stay new for first-bucket-access.
  if (e.resource.bucket && e.outcome.status !== 'denied') bump(r.buckets, e.resource.bucket);
  if (e.ip) {
    bump(r.ips, e.ip);
    if (!isPrivateAddress(e.ip)) {
      const second = Math.floor((e.time - r.hour) / 1000);
      span(r.ipSpans, e.ip, second, second);
    }
  }
  if (e.client) bump(r.clients, e.client);
  if (e.resource.key !== undefined && e.outcome.status === 'success') {
    const object = `${e.resource.bucket}/${e.resource.key}`;
    const h = hash32(object);
    sketchAdd(r.objects, h);
    if (e.action.class === 'read') sketchAdd(r.readObjects, h);
    if (r.sampleKeys.length < MAX_SAMPLES && !r.sampleKeys.includes(object)) r.sampleKeys.push(object);
    if (e.action.class === 'read' && r.secretReads.length < MAX_SAMPLES * 2 && isSecretObjectKey(e.resource.key) && !r.secretReads.includes(object)) {
      r.secretReads.push(object);
    }
  }
}

function mergeMaps(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) bump(into, k, v);
}

/** Combines two rollups of the same identity and hour (e.g. one stored, one from a new page). */
export function mergeRollups(a: Rollup, b: Rollup): Rollup {
  const out: Rollup = structuredClone(a);
  out.first = Math.min(a.first, b.first);
  out.last = Math.max(a.last, b.last);
  for (const [k, v] of Object.entries(b.ops)) out.ops[k as ActionClass] = (out.ops[k as ActionClass] ?? 0) + v;
  mergeMaps(out.actions, b.actions);
  out.denied += b.denied;
  out.errors += b.errors;
  out.bytesOut += b.bytesOut;
  out.bytesIn += b.bytesIn;
  out.objects = sketchMerge(a.objects, b.objects);
  out.readObjects = sketchMerge(a.readObjects, b.readObjects);
  out.slots = a.slots.map((v, i) => v + (b.slots[i] ?? 0));
  mergeMaps(out.buckets, b.buckets);
  mergeMaps(out.ips, b.ips);
  for (const [ip, [from, to]] of Object.entries(b.ipSpans)) span(out.ipSpans, ip, from, to);
  mergeMaps(out.clients, b.clients);
  mergeMaps(out.deniedBuckets, b.deniedBuckets);
  for (const k of b.sampleKeys) if (out.sampleKeys.length < MAX_SAMPLES && !out.sampleKeys.includes(k)) out.sampleKeys.push(k);
  out.changes = [...a.changes, ...b.changes].slice(0, MAX_SAMPLES * 2);
  for (const k of b.secretReads) if (out.secretReads.length < MAX_SAMPLES * 2 && !out.secretReads.includes(k)) out.secretReads.push(k);
  return out;
}

/** Total operations of a rollup. */
export function totalOps(r: Pick<Rollup, 'ops'>): number {
  let n = 0;
  for (const v of Object.values(r.ops)) n += v;
  return n;
}

/** Estimated distinct objects touched and read. */
export function distinctObjects(r: Rollup): { objects: number; readObjects: number } {
  return { objects: sketchCount(r.objects), readObjects: sketchCount(r.readObjects) };
}
