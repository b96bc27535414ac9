import { historyDays, type Metric } from '../core/baseline.js';
import { activeHours, dailyTotals, sameHourOfWeek, upperNormal } from './baseline-stats.js';
import type { DetectionContext } from './detector.js';

/** The upper bound of normal for one figure, and what it rests on. */
export interface Norm {
  /** Highest value still considered normal. */
  high: number;
  /** Typical value in an active period. */
  typical: number;
  /** `own history`, `peers` (identity still learning) or `floor` (nothing to compare with). */
  basis: 'own history' | 'peers' | 'floor';
  learning: boolean;
  days: number;
}

/** Mature peers a norm needs before it rests on them. */
export const MIN_PEERS = 3;

/**
 * Upper bound of normal for a figure in one hour: the larger of the same hour of the week in past
 * weeks (median + 5 MAD) and the identity's busiest active hours (99th percentile); a learning
 * identity is held to its peers instead. Never below `floor`.
 */
export function hourNorm(ctx: DetectionContext, metric: Metric, floor: number): Norm {
  const days = historyDays(ctx.baseline);
  const learning = days < ctx.settings.learningDays;
  const active = activeHours(ctx.baseline, metric);
  const own = Math.max(upperNormal(sameHourOfWeek(ctx.baseline, ctx.rollup.hour, metric)), active.p99);
  if (!learning) return { high: Math.max(own, floor), typical: active.median, basis: own >= floor ? 'own history' : 'floor', learning, days };
  const peers = ctx.peers && ctx.peers.count >= MIN_PEERS ? ctx.peers.hourHigh[metric] : 0;
  const high = Math.max(own, peers, floor);
  return { high, typical: active.median, basis: peers >= floor && peers >= own ? 'peers' : own >= floor ? 'own history' : 'floor', learning, days };
}

/** Upper bound of normal for a figure over a day (24 hours), on the same principles as hourNorm. */
export function dayNorm(ctx: DetectionContext, metric: Metric, floor: number): Norm {
  const days = historyDays(ctx.baseline);
  const learning = days < ctx.settings.learningDays;
  const daily = dailyTotals(ctx.baseline, metric, true, ctx.rollup.hour);
  const own = Math.max(upperNormal(daily), daily.max);
  if (!learning) return { high: Math.max(own, floor), typical: daily.median, basis: own >= floor ? 'own history' : 'floor', learning, days };
  const peers = ctx.peers && ctx.peers.count >= MIN_PEERS ? ctx.peers.dayHigh[metric] : 0;
  const high = Math.max(own, peers, floor);
  return { high, typical: daily.median, basis: peers >= floor && peers >= own ? 'peers' : own >= floor ? 'own history' : 'floor', learning, days };
}
