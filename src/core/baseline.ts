/** When a value (IP, network, client, bucket) was first and last seen, and how often. */
export interface SeenValue {
  first: number;
  last: number;
  count: number;
}

/** Figures learnt for every active hour, in this order after the hour's index. */
export const METRICS = ['ops', 'read', 'list', 'write', 'delete', 'bytesOut', 'readObjects', 'objects', 'denied', 'deniedBuckets', 'peak5m'] as const;

/** One of the hourly figures. */
export type Metric = (typeof METRICS)[number];

/** Position of each metric inside an hour sample (after the hour index at 0). */
export const METRIC_INDEX: Readonly<Record<Metric, number>> = Object.fromEntries(METRICS.map((m, i) => [m, i + 1])) as Record<Metric, number>;

/** What normal looks like for one identity, learnt from the hours before `through`. */
export interface Baseline {
  /** Identity key. */
  identity: string;
  /** Every hour before this instant (epoch ms) has been learnt; later hours have not. */
  through: number;
  /** First and last activity learnt. */
  firstSeen: number;
  lastSeen: number;
  /** Distinct UTC day numbers (days since epoch) with activity, the most recent 120. */
  activeDays: number[];
  /** Source IPs, their networks (/24 for IPv4, /48 for IPv6), clients and buckets seen. */
  ips: Record<string, SeenValue>;
  networks: Record<string, SeenValue>;
  clients: Record<string, SeenValue>;
  buckets: Record<string, SeenValue>;
  /** Secret-looking objects this identity has read before (bucket/key). */
  secretReads: Record<string, SeenValue>;
  /**
   * One entry per active hour of the last HISTORY_DAYS: [hours since epoch, ...METRICS values].
   * Hours missing between firstSeen and through were quiet (all zero).
   */
  hours: number[][];
}

/** How far back hourly figures are kept: five weeks, so each hour of the week has up to five samples. */
export const HISTORY_DAYS = 35;

/** A baseline with nothing learnt yet. */
export function emptyBaseline(identity: string): Baseline {
  return {
    identity, through: 0, firstSeen: 0, lastSeen: 0, activeDays: [], ips: {}, networks: {}, clients: {}, buckets: {}, secretReads: {}, hours: [],
  };
}

/** Days of activity the baseline has learnt from. */
export function historyDays(b: Baseline): number {
  return b.activeDays.length;
}
