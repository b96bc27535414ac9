/** When a value (IP, network, client, bucket) was first and last seen, and how often. */
export interface SeenValue {
  first: number;
  last: number;
  count: number;
}

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
}

/** A baseline with nothing learnt yet. */
export function emptyBaseline(identity: string): Baseline {
  return { identity, through: 0, firstSeen: 0, lastSeen: 0, activeDays: [], ips: {}, networks: {}, clients: {}, buckets: {} };
}

/** Days of activity the baseline has learnt from. */
export function historyDays(b: Baseline): number {
  return b.activeDays.length;
}
