import { historyDays } from '../core/baseline.js';
import type { FindingDraft, Severity } from '../core/finding.js';
import { formatBytes } from '../core/format-bytes.js';
import { distinctObjects } from '../core/rollup.js';
import { hourOfDayShare, hoursFromActive, usualHourShare } from '../detection/baseline-stats.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { hourNorm } from '../detection/norm.js';
import { severityOf } from '../detection/severity.js';
import { hourContext } from '../detection/top-keys.js';
import { basisText, learningFloor, learningSeverity } from './learning-floor.js';

/** Below this share of active days, an hour of the day is not one the identity usually works in. */
const UNUSUAL_HOUR_SHARE = 0.1;
/** While learning, an hour this far from every hour the identity worked in, over at least this many days, is off-hours beyond doubt. */
const FAR_FROM_HOURS = 3;
const KNOWN_HOURS_DAYS = 3;
/** Hours before the judged one that may belong to the same stretch of work, left out of its usual hours. */
const SESSION = 12 * 3_600_000;
/** Absolute floors of normal: below three times these, nothing is "bulk" whatever the history. */
const FLOOR = { reads: 25, readObjects: 25, bytesOut: 100 * 1024 ** 2 };

const n = (v: number): string => Math.round(v).toLocaleString('en-US');

/**
 * While learning, a few days do not tell an identity's hours (a New York day ends after 20:00 UTC) nor its
 * busiest hour, so the download stays low; unless the hour lies far from every hour it worked in over
 * several days: 02:30 for someone who never worked past 19:00 is off-hours however little is known, and
 * that corroborates the volume, so medium (never more: the volume itself is judged against a guess).
 */
function whileLearning(raw: { severity: Severity; reason: string } | undefined, days: number, away: number, learningDays: number): { severity: Severity; reason: string } | undefined {
  if (!raw) return undefined;
  if (days >= KNOWN_HOURS_DAYS && away >= FAR_FROM_HOURS) {
    return { severity: 'medium', reason: `${raw.reason}; still learning (${days} of ${learningDays} days), but ${away} hours from any hour it worked in, so medium at most` };
  }
  return { severity: 'low', reason: `${raw.reason}; its usual hours are not known yet (${days} of ${learningDays} days)` };
}

/**
 * Reads, bytes or distinct objects far above the identity's busiest normal hour, in an hour of the
 * day it is seldom active and outside its business hours. An hour it usually works in (the nightly
 * ETL at 02:00) is never "after hours", whatever the clock says.
 */
export const afterHoursBulkDownload: Detector = {
  id: 'after-hours-bulk-download',
  description: 'An identity downloads far more than usual at an hour it seldom works, outside its business hours.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings, local } = ctx;
    const reads = r.ops.read ?? 0;
    if (local.inBusinessHours || reads === 0 || identity.principal.type === 'anonymous') return [];
    const { readObjects } = distinctObjects(r);
    // Every norm is at least its floor, so below three times every floor nothing can reach medium.
    const medium = settings.thresholds.ratio.medium;
    if (reads < FLOOR.reads * medium && readObjects < FLOOR.readObjects * medium && r.bytesOut < FLOOR.bytesOut * medium) return [];
    const days = historyDays(b);
    // Which hours are usual needs some history of its own; peers cannot tell.
    if (days === 0) return [];
    const utcHour = new Date(r.first).getUTCHours();
    // Its hours as they stood before this stretch of work: the first hour of a download at 20:40 must not make 21:00 usual.
    const shares = hourOfDayShare(b, r.hour - SESSION);
    const share = usualHourShare(shares, utcHour);
    if (share >= UNUSUAL_HOUR_SHARE) return [];

    const norms = {
      reads: hourNorm(ctx, 'read', learningFloor(ctx, FLOOR.reads)),
      readObjects: hourNorm(ctx, 'readObjects', learningFloor(ctx, FLOOR.readObjects)),
      bytesOut: hourNorm(ctx, 'bytesOut', learningFloor(ctx, FLOOR.bytesOut)),
    };
    const observed = { reads, readObjects, bytesOut: r.bytesOut };
    const ratios = (Object.keys(norms) as (keyof typeof norms)[]).map((k) => ({ k, ratio: observed[k] / norms[k].high }));
    const top = ratios.reduce((a, c) => (c.ratio > a.ratio ? c : a));
    const norm = norms[top.k];
    const raw = severityOf(top.ratio, r.bytesOut, settings.thresholds);
    const sev = days < settings.learningDays ? whileLearning(raw, days, hoursFromActive(shares, utcHour), settings.learningDays) : learningSeverity(raw, norm, top.ratio, settings.thresholds);
    if (!sev) return [];

    const who = identity.principal.name;
    const sharePct = Math.round(share * 100);
    const hourText = `${String(utcHour).padStart(2, '0')}:00 UTC`;
    return [{
      detector: 'after-hours-bulk-download',
      severity: sev.severity,
      scope: '',
      start: r.first,
      end: r.last,
      title: `After-hours bulk download by ${who}: ${n(readObjects)} objects, ${formatBytes(r.bytesOut)} at ${local.label}`,
      summary:
        `${who} made ${n(reads)} reads of ${n(readObjects)} distinct objects (${formatBytes(r.bytesOut)}) starting ${local.label}, outside business hours. ` +
        `Normal for it is up to ${n(norms.reads.high)} reads, ${n(norms.readObjects.high)} objects and ${formatBytes(norms.bytesOut.high)} in an hour ` +
        `(typical active hour: ${n(norms.reads.typical)} reads, ${formatBytes(norms.bytesOut.typical)}; norm from ${basisText(norm)}). ` +
        `In ${days} day${days === 1 ? '' : 's'} of history it was active around ${hourText} on ${sharePct}% of its active days.`,
      evidence: {
        observed: { ...observed, hourOfDayShare: Number(share.toFixed(2)), volumeRatio: Number(top.ratio.toFixed(2)) },
        expected: {
          reads: norms.reads.high, readObjects: norms.readObjects.high, bytesOut: norms.bytesOut.high,
          typicalReads: norms.reads.typical, typicalReadObjects: norms.readObjects.typical, typicalBytesOut: norms.bytesOut.typical,
          hourOfDayShare: UNUSUAL_HOUR_SHARE,
        },
        baseline: { days, learning: norm.learning, since: b.firstSeen ? new Date(b.firstSeen).toISOString() : undefined },
        firstSeen: {},
        ...hourContext(r),
        severityReason:
          `${top.k} ${sev.reason} (norm from ${basisText(norm)}); at ${local.label}, outside business hours, ` +
          `an hour it was active on ${sharePct}% of ${days} active days`,
      },
    }];
  },
};
