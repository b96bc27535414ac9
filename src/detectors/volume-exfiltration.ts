import { historyDays } from '../core/baseline.js';
import { SEVERITIES, type FindingDraft, type Severity } from '../core/finding.js';
import { formatBytes } from '../core/format-bytes.js';
import { distinctObjects, type Rollup } from '../core/rollup.js';
import type { DetectionContext, Detector } from '../detection/detector.js';
import { dailyTotals, dailyValues } from '../detection/baseline-stats.js';
import { HEAVY_DAY } from '../detection/peer-index.js';
import { dayNorm, type Norm } from '../detection/norm.js';
import { severityOf } from '../detection/severity.js';
import { hourContext, topKeys } from '../detection/top-keys.js';
import { basisText, comparable, learningFloor, learningSeverity } from './learning-floor.js';

const HOUR = 3_600_000;

/** Floors of a normal day: an identity is never alerted on for moving less than three times these in 24 hours. */
const BYTES_FLOOR = 500 * 1024 ** 2;
const OBJECTS_FLOOR = 300;

/** Below this many times the normal day, bytes alone (the usual number of objects) are a few large files: low. */
const BYTES_ALONE = 5;
/** Objects read below which a day is too small to call a slow theft, whatever the identity's habits. */
const SLOW_FLOOR = 30;
/** A mature identity's day this many times its typical day, and above its busiest normal day, is a slow theft. */
const SLOW_TYPICAL = 4;
/** A day of fewer than SLOW_FAR_FLOOR objects must be this many times the typical one. */
const SLOW_TYPICAL_SMALL = 5;
const SLOW_BUSIEST = 1.5;
/** This many times the busiest normal day is a slow theft whatever the day's size. */
const SLOW_BUSIEST_ALONE = 4;
/** A day this far past its busiest day so far is a slow theft from this many times its typical day. */
const SLOW_BUSIEST_FAR = 2.5;
const SLOW_TYPICAL_FAR = 3.5;
/** Objects below which a day is small-number chance (a light reader's 70 against a busiest 28, 64 against a typical 16). */
const SLOW_FAR_FLOOR = 100;
/** Against a short or a heavy-habit history the day must double its busiest. */
const SLOW_BUSIEST_STRICT = 2;
/** The largest share of a slow theft's objects that one hour may hold: spread over the day, not one session. */
const SLOW_HOUR_SHARE = 0.35;
/** The day without its busiest hour at this many typical days is spread over the day, whatever that hour's share. */
const SLOW_REST = 2.5;
/** Days of history under which the busiest day so far is a thin guard: two working weeks. */
const SLOW_SHORT_HISTORY = 14;
/** Quiet hours that end a working day (a night, not a lunch break): a slow theft is judged over the working day. */
const DAY_GAP = 6 * HOUR;
/** Active days after which the single busiest one is an exceptional day, not a normal one. */
const EXCEPTIONAL_AFTER = 10;
/** Writes in a day below which they say nothing about a migration. */
const MIGRATION_WRITES = 20;
/** Peers with a heavy day at once, in number and as a share of those at work, that make it the team's heavy day. */
const TEAM_HEAVY = 2;
const TEAM_HEAVY_SHARE = 0.25;
/** A busiest day this many times the typical one is a habit of heavy days, not an occasional heavy day (2-3x). */
const HEAVY_HABIT = 3.5;

const n = (v: number): string => Math.round(v).toLocaleString('en-US');

/** A working day's reads so far: its distinct objects (summed per hour), its busiest hour and its writes. */
interface WorkDay {
  objects: number;
  busiestHour: number;
  writes: number;
}

/**
 * The working day up to the judged hour, with and without that hour: the active hours back to the
 * last quiet gap of DAY_GAP. The day's norms are whole days; 24 trailing hours would add yesterday's
 * afternoon to this morning and, judged at every hour, find the busiest such pairing in a month.
 */
function workDay(r: Rollup, recent: readonly Rollup[]): { withHour: WorkDay; before: WorkDay } {
  const before: WorkDay = { objects: 0, busiestHour: 0, writes: 0 };
  let start = r.hour;
  for (let i = recent.length - 1; i >= 0; i--) {
    const x = recent[i]!;
    if (start - (x.hour + HOUR) >= DAY_GAP) break;
    start = x.hour;
    const objects = distinctObjects(x).readObjects;
    before.objects += objects;
    before.busiestHour = Math.max(before.busiestHour, objects);
    before.writes += x.ops.write ?? 0;
  }
  const objects = distinctObjects(r).readObjects;
  const withHour = { objects: before.objects + objects, busiestHour: Math.max(before.busiestHour, objects), writes: before.writes + (r.ops.write ?? 0) };
  return { withHour, before };
}

/**
 * A slow theft: a working day spread evenly over working hours, from the usual place and client, that no
 * single hour gives away. Medium when the day's objects are at least four times the identity's typical
 * day (five under 100 objects) and above its busiest normal day, or four times that busiest day; an ordinary heavy day (month end, an export) is two or three
 * times typical. Counted in objects only: a day's bytes swing with a few large files (a dump, a batch of
 * uploads), its count of objects does not; big files moved fast are the 24-hour bytes norm's to judge.
 */
function slowTheft(ctx: DetectionContext, { objects, busiestHour, writes }: WorkDay, buckets: readonly string[], bytesNorm: Norm): { severity: Severity; reason: string } | undefined {
  if (bytesNorm.learning || bytesNorm.basis === 'peers' || objects < SLOW_FLOOR) return undefined;
  // Writing far more than usual as well is copying inside the estate (a migration, a reprocessing), not carrying data out.
  if (writes >= MIGRATION_WRITES && writes >= HEAVY_DAY * dailyTotals(ctx.baseline, 'write', true, ctx.rollup.hour).median) return undefined;
  // A good part of the team having heavy days too is a month end or a team's migration, not one member's theft: the
  // team is the account's peers, or, in an account of many teams, those who use the buckets this day was read from.
  const teams = [ctx.peerUse?.heavyToday(ctx.identity.key, ctx.rollup.hour), ctx.peerUse?.heavyToday(ctx.identity.key, ctx.rollup.hour, buckets)];
  if (teams.some((t) => t && t.heavy >= TEAM_HEAVY && t.heavy >= TEAM_HEAVY_SHARE * t.active)) return undefined;
  // Against the days it actually had (typical and busiest), not the statistical upper bound, which a variable identity stretches.
  const d = dailyTotals(ctx.baseline, 'readObjects', true, ctx.rollup.hour);
  if (d.median <= 0) return undefined;
  // A day carried by one big session (an ad hoc export, a sync) is the hourly detectors' to judge; this rule is for the
  // theft that no single hour gives away. A light reader's one ordinary session is a large share of any day, though:
  // when the rest of the day alone is well past a typical day, no session carries it.
  if (busiestHour > SLOW_HOUR_SHARE * objects && objects - busiestHour < SLOW_REST * d.median) return undefined;
  // The busiest normal day: after two working weeks one exceptional day (the team's month end) is set aside.
  const days = [...dailyValues(ctx.baseline, 'readObjects', true, ctx.rollup.hour)].sort((a, b) => b - a);
  const max = (days.length >= EXCEPTIONAL_AFTER ? days[1] : days[0]) ?? 0;
  const typical = objects / d.median;
  const busiest = objects / Math.max(max, 1);
  // A short history that has not shown a heavy day yet, or one with days far above its typical one (a finance user's
  // Fridays), must go well past its busiest; a short history that already holds a heavy day knows what one looks like.
  const unseenHeavy = historyDays(ctx.baseline) < SLOW_SHORT_HISTORY && max < HEAVY_DAY * d.median;
  const needed = unseenHeavy || max >= HEAVY_HABIT * d.median ? SLOW_BUSIEST_STRICT : SLOW_BUSIEST;
  // Far above its typical day and past its busiest, or a little less above typical but far past anything it ever did.
  // A few dozen objects swing by chance: a light reader's day needs five times its typical one, or four times its busiest.
  const typicalNeeded = objects < SLOW_FAR_FLOOR ? SLOW_TYPICAL_SMALL : SLOW_TYPICAL;
  const theft = (typical >= typicalNeeded && busiest >= needed) || busiest >= SLOW_BUSIEST_ALONE || (objects >= SLOW_FAR_FLOOR && typical >= SLOW_TYPICAL_FAR && busiest >= SLOW_BUSIEST_FAR);
  if (!theft) return undefined;
  return { severity: 'medium', reason: `${typical.toFixed(1)}x its typical day of objects and ${busiest.toFixed(1)}x its busiest normal day so far, spread over the day` };
}

/**
 * Bytes sent out or objects read over the last 24 hours far above the identity's daily norm (objects
 * counted as the baseline counts them: distinct per hour, summed). It reports at the hour that lifts
 * the 24-hour total to a new severity, not at every hour after.
 */
export const volumeExfiltration: Detector = {
  id: 'volume-exfiltration',
  description: 'An identity moves far more data, or reads far more objects, over 24 hours than on any normal day.',
  detect(ctx: DetectionContext): FindingDraft[] {
    const { identity, rollup: r, baseline: b, settings } = ctx;
    const hourObjects = distinctObjects(r).readObjects;
    if (r.bytesOut === 0 && hourObjects === 0) return [];
    if (!comparable(ctx)) return [];
    const days = historyDays(b);
    const window = ctx.recent;
    let bytes = r.bytesOut;
    let objects = hourObjects;
    const buckets: Record<string, number> = { ...r.buckets };
    for (const x of window) {
      bytes += x.bytesOut;
      objects += distinctObjects(x).readObjects;
      for (const [k, v] of Object.entries(x.buckets)) buckets[k] = (buckets[k] ?? 0) + v;
    }
    const medium = settings.thresholds.ratio.medium;
    if (objects < SLOW_FLOOR && bytes < BYTES_FLOOR * medium) return [];

    const bytesNorm = dayNorm(ctx, 'bytesOut', learningFloor(ctx, BYTES_FLOOR));
    const objectsNorm = dayNorm(ctx, 'readObjects', learningFloor(ctx, OBJECTS_FLOOR));
    // Without one complete day of its own and without peers there is no day to compare with.
    if (bytesNorm.basis !== 'peers' && dailyTotals(b, 'bytesOut', true, r.hour).samples === 0) return [];
    const ratioOf = (by: number, ob: number): number => Math.max(by / bytesNorm.high, ob / objectsNorm.high);
    const day = workDay(r, window);
    const readFrom = topKeys(buckets, 3);
    const judge = (by: number, ob: number, today: WorkDay): { severity: Severity; reason: string } | undefined => {
      const ratio = ratioOf(by, ob);
      const norm = by / bytesNorm.high >= ob / objectsNorm.high ? bytesNorm : objectsNorm;
      const fast = by >= BYTES_FLOOR * medium || ob >= OBJECTS_FLOOR * medium ? learningSeverity(severityOf(ratio, by, settings.thresholds), norm, ratio, settings.thresholds) : undefined;
      // File sizes are heavy-tailed: a day of the usual number of objects that happens to hold a dump or a video is
      // not a leak until its bytes are far past the normal day.
      if (fast && fast.severity !== 'low' && norm === bytesNorm && ob <= objectsNorm.high && ratio < BYTES_ALONE) {
        return { severity: 'low', reason: `${fast.reason}, in the usual number of objects (${n(ob)}): a few large files, low below ${BYTES_ALONE}x` };
      }
      return fast ?? slowTheft(ctx, today, readFrom, bytesNorm);
    };
    const ratio = ratioOf(bytes, objects);
    const sev = judge(bytes, objects, day.withHour);
    if (!sev) return [];
    const before = judge(bytes - r.bytesOut, objects - hourObjects, day.before);
    if (before && SEVERITIES.indexOf(before.severity) >= SEVERITIES.indexOf(sev.severity)) return [];

    const who = identity.principal.name;
    const byBytes = bytes / bytesNorm.high >= objects / objectsNorm.high;
    const norm = byBytes ? bytesNorm : objectsNorm;
    const start = Math.min(r.first, ...window.map((x) => x.first));
    const hours = window.length + 1;
    return [{
      detector: 'volume-exfiltration',
      severity: sev.severity,
      scope: '',
      start,
      end: r.last,
      title: `Volume exfiltration by ${who}: ${formatBytes(bytes)} and ${n(objects)} objects read in 24 hours (normal day up to ${byBytes ? formatBytes(bytesNorm.high) : `${n(objectsNorm.high)} objects`})`,
      summary:
        `Over the 24 hours to ${ctx.local.label}, ${who} downloaded ${formatBytes(bytes)} and read ${n(objects)} objects in ${hours} active hour${hours === 1 ? '' : 's'}, ` +
        `${formatBytes(r.bytesOut)} and ${n(hourObjects)} objects of it in this last hour. ` +
        `A normal day goes up to ${formatBytes(bytesNorm.high)} and ${n(objectsNorm.high)} objects (typical: ${formatBytes(bytesNorm.typical)}, ${n(objectsNorm.typical)} objects; ` +
        `norm from ${basisText(norm)}, ${days} day${days === 1 ? '' : 's'} of history).`,
      evidence: {
        observed: { bytesOut: bytes, readObjects: objects, bytesOutLastHour: r.bytesOut, readObjectsLastHour: hourObjects, activeHours: hours, ratio: Number(ratio.toFixed(2)) },
        expected: { bytesOut: bytesNorm.high, readObjects: objectsNorm.high, typicalBytesOut: bytesNorm.typical, typicalReadObjects: objectsNorm.typical },
        baseline: { days, learning: norm.learning, since: b.firstSeen ? new Date(b.firstSeen).toISOString() : undefined },
        firstSeen: {},
        ...hourContext(r),
        buckets: topKeys(buckets, 5),
        severityReason: `24-hour ${byBytes ? 'bytes out' : 'objects read'} against a normal day: ${sev.reason} (daily norm from ${basisText(norm)})`,
      },
    }];
  },
};
