import type { Metric } from '../core/baseline.js';
import type { Identity } from '../core/identity.js';

/** What mature identities of the same kind in the same account usually reach: medians of their own upper bounds. */
export interface PeerNorms {
  /** Mature peers the figures come from. */
  count: number;
  /** Typical busiest hour and busiest day of a peer, per metric. */
  hourHigh: Record<Metric, number>;
  dayHigh: Record<Metric, number>;
}

/** Peer group of an identity: same cloud, account and kind of principal. */
export function peerGroup(identity: Identity): string {
  return `${identity.cloud}|${identity.account}|${identity.principal.type}`;
}
