import { historyDays, METRIC_INDEX, METRICS, type Baseline, type Metric } from '../core/baseline.js';
import type { Cloud } from '../core/event.js';
import type { Identity } from '../core/identity.js';
import { objectBucket } from '../core/rollup.js';
import { summarize } from './baseline-stats.js';
import { peerGroup, type PeerNorms } from './peer-norms.js';

const DAY = 86_400_000;

/** Other identities remembered per secret shape or bucket: enough to tell "routine for the team" from "nobody else". */
const MAX_USERS = 4;

/** What one mature identity contributes to its group's norms: its busiest hour and day (99th percentile) per metric. */
export interface Contribution {
  group: string;
  hourHigh: number[];
  dayHigh: number[];
}

/**
 * What one identity's baseline brings to its peer group, small and plain enough to be stored or sent
 * to another worker: the partitions of a detection run share peers this way, not by baselines.
 */
export interface PeerContribution {
  identity: string;
  group: string;
  /** Its cloud account (`cloud|account`) and when it was first seen, for how long the account has been watched. */
  account: string;
  firstSeen: number;
  /** Kinds (secretKind) of the secret-looking objects it read. */
  secrets: string[];
  buckets: string[];
  /** Busiest hour and day per metric, once the identity is mature (anonymous identities never are). */
  high?: { hourHigh: number[]; dayHigh: number[] };
}

/** A PeerIndex as plain data (PeerIndex.toJSON / PeerIndex.fromJSON). */
export interface PeerSnapshot {
  contributions: [string, Contribution][];
  members: [string, string[]][];
  secrets: [string, [string, string[]][]][];
  buckets: [string, [string, string[]][]][];
  accounts: [string, number][];
}

/** What an identity's peers (same cloud, account and kind of principal) do, for detectors that weigh routine against novelty. */
export interface PeerUse {
  /** Peers that have read a secret-looking object of this kind (same bucket and file name, digits blurred). */
  secretReaders(object: string, self: string): number;
  /** Peers that use this bucket. */
  bucketUsers(bucket: string, self: string): number;
  /** When any identity of the identity's cloud account was first seen: how long the account itself has been watched. */
  accountSince(): number | undefined;
  /**
   * Of the peers at work on the UTC day of `hour`, how many read at least twice their typical day so far (a month end,
   * a team migration); with `buckets`, only the peers who use one of them (the identity's team within a larger account).
   */
  heavyToday(self: string, hour: number, buckets?: readonly string[]): { heavy: number; active: number };
}

/** A day so far at this multiple of an identity's typical day is a heavy day. */
export const HEAVY_DAY = 2;

/**
 * What kind of secret an object is, for telling a team's routine: its bucket and file name with numbers blurred,
 * whatever folder it is in (`tfstate-backups/2026-10-14/network/terraform.tfstate` and `.../billing/terraform.tfstate`
 * are the same routine for a platform team reading every stack's state).
 */
export function secretKind(object: string, cloud: Cloud): string {
  return `${objectBucket(object, cloud)}/…/${objectShape(object.slice(object.lastIndexOf('/') + 1))}`;
}

/** A key with its numbers blurred, so `releases/1.4.2/.env` after `releases/1.4.1/.env`, or dated state backups, are one secret moving on. */
export function objectShape(object: string): string {
  return object.replace(/\d+/g, '#');
}

/** The cloud account an identity is watched in; an Azure storage account's keys, SAS and anonymous callers count with its subscription. */
function accountOf(identity: Identity): string {
  return `${identity.cloud}|${identity.account.split('/')[0]}`;
}

/** The k-th smallest of values[0, n) (0-based); leaves the larger ones after index k. */
function select(values: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k]!;
}

/** The 99th percentile (interpolated) of values[0, n), reordering them: two order statistics, not a sort (once per metric and identity every day). */
function p99(values: Float64Array, n: number): number {
  if (!n) return 0;
  const pos = (n - 1) * 0.99;
  const lo = Math.floor(pos);
  const low = select(values, n, lo);
  if (Math.ceil(pos) === lo) return low;
  let next = Infinity;
  for (let k = lo + 1; k < n; k++) if (values[k]! < next) next = values[k]!;
  return low + (next - low) * (pos - lo);
}

function contributionOf(b: Baseline): Omit<Contribution, 'group'> {
  const hourHigh: number[] = [];
  const dayHigh: number[] = [];
  const days = new Map<number, number[]>();
  for (const h of b.hours) {
    const d = Math.floor(h[0]! / 24);
    const t = days.get(d) ?? new Array<number>(METRICS.length + 1).fill(0);
    for (let i = 1; i < h.length; i++) t[i]! += h[i]!;
    days.set(d, t);
  }
  const totals = [...days.values()];
  const scratch = new Float64Array(Math.max(b.hours.length, totals.length));
  for (const m of METRICS) {
    const i = METRIC_INDEX[m];
    b.hours.forEach((h, k) => (scratch[k] = h[i]!));
    hourHigh.push(p99(scratch, b.hours.length));
    totals.forEach((t, k) => (scratch[k] = t[i]!));
    dayHigh.push(p99(scratch, totals.length));
  }
  return { hourHigh, dayHigh };
}

/**
 * Peer norms and peer use kept up to date as baselines change, so that a run computes each
 * identity's contribution once per judged day instead of every norm from every baseline.
 */
export class PeerIndex {
  private contributions = new Map<string, Contribution>();
  private members = new Map<string, Set<string>>();
  private cache = new Map<string, PeerNorms | undefined>();
  private secrets = new Map<string, Map<string, Set<string>>>();
  private buckets = new Map<string, Map<string, Set<string>>>();
  /** Per group, the members at work and those with a heavy day so far on the latest UTC day judged (one day kept: runs go forward in time). */
  private heavy = new Map<string, { day: number; active: Set<string>; heavy: Set<string> }>();
  /** Per cloud account, the first time any of its identities was seen. */
  private accounts = new Map<string, number>();

  constructor(private readonly learningDays: number) {}

  /** Takes an identity's baseline into account (call again whenever it changed). */
  update(identity: Identity, b: Baseline): void {
    this.apply(this.contribution(identity, b));
  }

  /** What update(identity, b) would take into account, as plain data. */
  contribution(identity: Identity, b: Baseline): PeerContribution {
    const mature = identity.principal.type !== 'anonymous' && historyDays(b) >= this.learningDays;
    return {
      identity: identity.key, group: peerGroup(identity), account: accountOf(identity), firstSeen: b.firstSeen,
      secrets: [...new Set(Object.keys(b.secretReads).map((key) => secretKind(key, identity.cloud)))], buckets: Object.keys(b.buckets),
      ...(mature ? { high: contributionOf(b) } : {}),
    };
  }

  /** Takes a contribution into account, as update() does a baseline. */
  apply(c: PeerContribution): void {
    if (c.firstSeen > 0 && c.firstSeen < (this.accounts.get(c.account) ?? Infinity)) this.accounts.set(c.account, c.firstSeen);
    for (const kind of c.secrets) this.remember(this.secrets, c.group, kind, c.identity);
    for (const bucket of c.buckets) this.remember(this.buckets, c.group, bucket, c.identity);
    if (!c.high) return;
    this.contributions.set(c.identity, { group: c.group, ...c.high });
    const set = this.members.get(c.group) ?? new Set<string>();
    set.add(c.identity);
    this.members.set(c.group, set);
    this.cache.delete(c.group);
  }

  /** The index as plain data (a day's heavy counts aside: they stay with the partition that judges the group), for the partitions of a run to share. */
  toJSON(): PeerSnapshot {
    const nested = (index: Map<string, Map<string, Set<string>>>): [string, [string, string[]][]][] =>
      [...index].map(([group, values]) => [group, [...values].map(([v, users]) => [v, [...users]])]);
    return {
      contributions: [...this.contributions],
      members: [...this.members].map(([g, keys]) => [g, [...keys]]),
      secrets: nested(this.secrets),
      buckets: nested(this.buckets),
      accounts: [...this.accounts],
    };
  }

  /** An index from toJSON()'s data. */
  static fromJSON(learningDays: number, s: PeerSnapshot): PeerIndex {
    const index = new PeerIndex(learningDays);
    const nested = (data: [string, [string, string[]][]][]): Map<string, Map<string, Set<string>>> =>
      new Map(data.map(([group, values]) => [group, new Map(values.map(([v, users]) => [v, new Set(users)]))]));
    index.contributions = new Map(s.contributions);
    index.members = new Map(s.members.map(([g, keys]) => [g, new Set(keys)]));
    index.secrets = nested(s.secrets);
    index.buckets = nested(s.buckets);
    index.accounts = new Map(s.accounts);
    return index;
  }

  /** Norms of the identity's peer group, from its mature members. */
  norms(identity: Identity): PeerNorms | undefined {
    const group = peerGroup(identity);
    if (this.cache.has(group)) return this.cache.get(group);
    const members = [...(this.members.get(group) ?? [])].map((k) => this.contributions.get(k)!);
    let out: PeerNorms | undefined;
    if (members.length) {
      const hourHigh = {} as Record<Metric, number>;
      const dayHigh = {} as Record<Metric, number>;
      METRICS.forEach((m, i) => {
        hourHigh[m] = summarize(members.map((c) => c.hourHigh[i]!)).median;
        dayHigh[m] = summarize(members.map((c) => c.dayHigh[i]!)).median;
      });
      out = { count: members.length, hourHigh, dayHigh };
    }
    this.cache.set(group, out);
    return out;
  }

  /** Records that the identity worked on the UTC day of `hour`, and whether its reads so far make it a heavy day. */
  noteDay(identity: Identity, hour: number, heavy: boolean): void {
    const group = peerGroup(identity);
    const day = Math.floor(hour / DAY);
    let entry = this.heavy.get(group);
    if (!entry || entry.day < day) this.heavy.set(group, (entry = { day, active: new Set(), heavy: new Set() }));
    if (entry.day !== day) return;
    entry.active.add(identity.key);
    if (heavy) entry.heavy.add(identity.key);
  }

  /** Peer use as seen from one identity's peer group. */
  use(identity: Identity): PeerUse {
    const group = peerGroup(identity);
    const count = (index: Map<string, Map<string, Set<string>>>, value: string, self: string): number => {
      const users = index.get(group)?.get(value);
      return users ? users.size - (users.has(self) ? 1 : 0) : 0;
    };
    return {
      secretReaders: (object, self) => count(this.secrets, secretKind(object, identity.cloud), self),
      bucketUsers: (bucket, self) => count(this.buckets, bucket, self),
      accountSince: () => this.accounts.get(accountOf(identity)),
      heavyToday: (self, hour, buckets) => {
        const entry = this.heavy.get(group);
        if (!entry || entry.day !== Math.floor(hour / DAY)) return { heavy: 0, active: 0 };
        if (!buckets) return { heavy: entry.heavy.size - (entry.heavy.has(self) ? 1 : 0), active: entry.active.size - (entry.active.has(self) ? 1 : 0) };
        // The bucket's few remembered users (MAX_USERS each), not every member at work: a group of 2,000 asked this every identity-hour.
        const mates = new Set<string>();
        for (const b of buckets) for (const k of this.buckets.get(group)?.get(b) ?? []) if (k !== self) mates.add(k);
        let heavy = 0;
        let active = 0;
        for (const k of mates) {
          if (entry.heavy.has(k)) heavy++;
          if (entry.active.has(k)) active++;
        }
        return { heavy, active };
      },
    };
  }

  private remember(index: Map<string, Map<string, Set<string>>>, group: string, value: string, who: string): void {
    let values = index.get(group);
    if (!values) index.set(group, (values = new Map<string, Set<string>>()));
    const users = values.get(value) ?? new Set<string>();
    if (users.size < MAX_USERS || users.has(who)) users.add(who);
    values.set(value, users);
  }
}
