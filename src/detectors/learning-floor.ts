import { historyDays } from '../core/baseline.js';
import type { Severity } from '../core/finding.js';
import type { SeverityThresholds } from '../detection/detection-settings.js';
import type { DetectionContext } from '../detection/detector.js';
import { MIN_PEERS, type Norm } from '../detection/norm.js';

/** How much the absolute floor of normal is raised while an identity is learning. */
export const LEARNING_FLOOR_FACTOR = 2;

/**
 * The absolute floor of normal for this identity: raised while its baseline is still learning,
 * because a few days of its own history underestimate its busiest hours and days (the first
 * heavy Friday of a finance user, before any identity is mature enough to serve as a peer).
 */
export function learningFloor(ctx: DetectionContext, floor: number): number {
  return historyDays(ctx.baseline) < ctx.settings.learningDays ? floor * LEARNING_FLOOR_FACTOR : floor;
}

/** Where a norm comes from, in words for summaries and severity reasons. */
export function basisText(norm: Norm): string {
  if (norm.basis === 'peers') return `its peers (baseline still learning, ${norm.days} day${norm.days === 1 ? '' : 's'})`;
  if (norm.basis === 'floor') return norm.learning ? `the absolute floor raised ${LEARNING_FLOOR_FACTOR}x while learning, above its history and any peers` : 'the absolute floor, above its own history';
  return `its own history${norm.learning ? ` (still learning, ${norm.days} day${norm.days === 1 ? '' : 's'})` : ''}`;
}

/** Whether there is anything to hold this identity's hour against: some history of its own, or enough mature peers. */
export function comparable(ctx: DetectionContext): boolean {
  return historyDays(ctx.baseline) > 0 || (ctx.peers?.count ?? 0) >= MIN_PEERS;
}

/** When the identity's cloud account began to be watched (its first identity seen), or undefined when nothing says. */
export function accountWatchedSince(ctx: DetectionContext): number | undefined {
  const since = Math.min(ctx.peerUse?.accountSince() ?? Infinity, ctx.baseline.firstSeen || Infinity);
  return Number.isFinite(since) ? since : undefined;
}

/** Whether a norm is only a guess: the identity is still learning and no mature peers vouch for it. */
export function guessedNorm(norm: Norm): boolean {
  return norm.learning && norm.basis !== 'peers';
}

/**
 * A severity judged against a guessed norm. In an identity's first week nobody knows its busy days
 * yet (a backend engineer moves gigabytes a day, a finance user's month end is heavy), so medium
 * needs the critical ratio (fifty times the raised floor), data moved raises nothing, and anything
 * less stays low, on record for the digest and lookups. Sweeps and deletions keep their absolute floors.
 */
export function learningSeverity(
  sev: { severity: Severity; reason: string } | undefined,
  norm: Norm,
  ratio: number,
  t: SeverityThresholds,
): { severity: Severity; reason: string } | undefined {
  if (!sev || !guessedNorm(norm)) return sev;
  const severity: Severity = ratio >= t.ratio.critical ? 'medium' : 'low';
  return { severity, reason: `${sev.reason}; judged against a guess (still learning, no mature peers), so ${severity === 'low' ? 'low' : 'medium at most'}` };
}
