import { HISTORY_DAYS, METRIC_INDEX, type Baseline, type Metric } from '../core/baseline.js';

const HOUR = 3_600_000;
const WEEK_HOURS = 168;

/** Robust summary of a set of observations (outliers do not drag median and MAD). */
export interface Expectation {
  median: number;
  /** Median absolute deviation from the median. */
  mad: number;
  p90: number;
  p99: number;
  max: number;
  samples: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Median, MAD and upper quantiles of the values. */
export function summarize(values: readonly number[]): Expectation {
  const sorted = [...values].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const deviations = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  return { median, mad: quantile(deviations, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? 0, samples: sorted.length };
}

/** Robust upper bound of normal: median plus k scaled MADs, never below the 90th percentile. */
export function upperNormal(e: Expectation, k = 5): number {
  return Math.max(e.median + k * 1.4826 * e.mad, e.p90);
}

/**
 * First hour index (hours since epoch) of the learnt window, and the hour index after it. The window
 * runs up to `asOf` (the hour being judged): hours after the last active one were quiet, not unknown.
 */
function window(b: Baseline, asOf = b.through): [number, number] {
  const end = Math.floor(Math.max(b.through, asOf) / HOUR);
  const first = b.firstSeen ? Math.floor(b.firstSeen / HOUR) : end;
  return [Math.max(first, end - HISTORY_DAYS * 24), end];
}

function valuesByHour(b: Baseline, metric: Metric): Map<number, number> {
  const i = METRIC_INDEX[metric];
  return new Map(b.hours.map((h) => [h[0]!, h[i]!]));
}

/** The metric in the same hour of the week in earlier weeks of the learnt window (zero when quiet). */
export function sameHourOfWeek(b: Baseline, hour: number, metric: Metric): Expectation {
  const [start, end] = window(b, hour);
  const byHour = valuesByHour(b, metric);
  const values: number[] = [];
  for (let h = Math.floor(hour / HOUR) - WEEK_HOURS; h >= start; h -= WEEK_HOURS) if (h < end) values.push(byHour.get(h) ?? 0);
  return summarize(values);
}

/** The metric over the hours in which the identity was active. */
export function activeHours(b: Baseline, metric: Metric): Expectation {
  const i = METRIC_INDEX[metric];
  return summarize(b.hours.map((h) => h[i]!));
}

/** A metric's daily totals over a window, and their summary. */
interface Days {
  values: readonly number[];
  summary: Expectation;
}

/**
 * Daily totals already summed and summarised, per array of learnt hours, for the window's whole days.
 * Every hour judged asks for them several times, and they only change when a day ends: hours are
 * appended to the array (on or after the day being judged) and old ones dropped by replacing it,
 * never edited in place.
 */
const dailyCache = new WeakMap<readonly number[][], { firstDay: number; lastDay: number; length: number; values: Map<string, Days> }>();

/** Daily totals of the metric over the learnt window's whole days up to `asOf` (quiet days count as zero). */
export function dailyTotals(b: Baseline, metric: Metric, activeOnly = false, asOf?: number): Expectation {
  return days(b, metric, activeOnly, asOf).summary;
}

/** The daily totals dailyTotals summarises, oldest day first. */
export function dailyValues(b: Baseline, metric: Metric, activeOnly = false, asOf?: number): readonly number[] {
  return days(b, metric, activeOnly, asOf).values;
}

function days(b: Baseline, metric: Metric, activeOnly: boolean, asOf?: number): Days {
  const [start, end] = window(b, asOf);
  const firstDay = Math.ceil(start / 24);
  const lastDay = Math.floor(end / 24);
  let cached = dailyCache.get(b.hours);
  if (cached?.firstDay === firstDay && cached.lastDay === lastDay) {
    // An hour appended since counts only if it falls in the window's whole days (a late hour would).
    for (let k = cached.length; k < b.hours.length; k++) if (Math.floor(b.hours[k]![0]! / 24) < lastDay) cached.values.clear();
    cached.length = b.hours.length;
  } else dailyCache.set(b.hours, (cached = { firstDay, lastDay, length: b.hours.length, values: new Map() }));
  const key = `${metric}|${activeOnly}`;
  let value = cached.values.get(key);
  if (!value) {
    const values = Object.freeze(computeDailyTotals(b, metric, activeOnly, firstDay, lastDay));
    cached.values.set(key, (value = { values, summary: Object.freeze(summarize(values)) }));
  }
  return value;
}

function computeDailyTotals(b: Baseline, metric: Metric, activeOnly: boolean, firstDay: number, lastDay: number): number[] {
  const i = METRIC_INDEX[metric];
  if (lastDay <= firstDay) return [];
  const totals = new Array<number>(lastDay - firstDay).fill(0);
  const active = new Array<boolean>(lastDay - firstDay).fill(false);
  for (const h of b.hours) {
    const d = Math.floor(h[0]! / 24) - firstDay;
    if (d >= 0 && d < totals.length) {
      totals[d]! += h[i]!;
      active[d] = true;
    }
  }
  return activeOnly ? totals.filter((_, d) => active[d]) : totals;
}

/**
 * How usual a UTC hour is for the identity: the largest share of active days among it and its two
 * neighbours, so a day that starts or ends an hour off (a daylight-saving change, a late evening) is not an odd hour.
 */
export function usualHourShare(shares: readonly number[], utcHour: number): number {
  return Math.max(shares[(utcHour + 23) % 24] ?? 0, shares[utcHour] ?? 0, shares[(utcHour + 1) % 24] ?? 0);
}

/** Hours from the UTC hour to the nearest hour of the day the identity has ever been active in (24 when never active). */
export function hoursFromActive(shares: readonly number[], utcHour: number): number {
  for (let d = 0; d <= 12; d++) if ((shares[(utcHour + d) % 24] ?? 0) > 0 || (shares[(utcHour + 24 - d) % 24] ?? 0) > 0) return d;
  return 24;
}

/** For each UTC hour of the day, the share of active days on which the identity was active then (only hours before `before`, when given). */
export function hourOfDayShare(b: Baseline, before = Infinity): number[] {
  const days = new Map<number, Set<number>>();
  const hours = before === Infinity ? b.hours : b.hours.filter((h) => h[0]! * HOUR < before);
  for (const h of hours) {
    const hourOfDay = h[0]! % 24;
    const set = days.get(hourOfDay) ?? new Set<number>();
    set.add(Math.floor(h[0]! / 24));
    days.set(hourOfDay, set);
  }
  const activeDays = new Set(hours.map((h) => Math.floor(h[0]! / 24))).size || 1;
  return Array.from({ length: 24 }, (_, i) => (days.get(i)?.size ?? 0) / activeDays);
}
