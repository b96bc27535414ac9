import { historyDays, METRICS, type Baseline, type Metric } from '../core/baseline.js';
import type { Identity } from '../core/identity.js';
import { activeHours, dailyTotals, summarize } from './baseline-stats.js';

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

/** Peer norms per peer group, from the baselines of identities that are no longer learning. */
export function computePeerNorms(members: Iterable<{ identity: Identity; baseline: Baseline }>, learningDays: number): Map<string, PeerNorms> {
  const groups = new Map<string, Baseline[]>();
  for (const { identity, baseline } of members) {
    if (historyDays(baseline) < learningDays || identity.principal.type === 'anonymous') continue;
    const g = peerGroup(identity);
    groups.set(g, [...(groups.get(g) ?? []), baseline]);
  }
  const out = new Map<string, PeerNorms>();
  for (const [g, baselines] of groups) {
    const hourHigh = {} as Record<Metric, number>;
    const dayHigh = {} as Record<Metric, number>;
    for (const m of METRICS) {
      hourHigh[m] = summarize(baselines.map((b) => activeHours(b, m).p99)).median;
      dayHigh[m] = summarize(baselines.map((b) => dailyTotals(b, m, true).p99)).median;
    }
    out.set(g, { count: baselines.length, hourHigh, dayHigh });
  }
  return out;
}
