/** First day of the simulated month: Monday 2026-10-12 00:00 UTC (both DST changes fall inside 30 days). */
export const START_MS = Date.UTC(2026, 9, 12);
/** One hour in milliseconds. */
export const HOUR = 3_600_000;
/** One day in milliseconds. */
export const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

/** Minutes east of UTC of a time zone at a UTC instant. */
function offsetAt(tz: string, utcMs: number): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((local - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** The UTC instant of a local hour (fractional, may exceed 24) on simulated day `day` in `tz`. */
export function localToUtc(tz: string, day: number, localHour: number): number {
  const key = `${tz}|${day}`;
  let off = offsets.get(key);
  if (off === undefined) {
    // Offset at local noon: working hours never straddle the 01:00-02:00 switch.
    off = offsetAt(tz, START_MS + day * DAY + 12 * HOUR);
    offsets.set(key, off);
  }
  return START_MS + day * DAY + localHour * HOUR - off * 60_000;
}

/** Day of the week of a simulated day: 0 Monday ... 6 Sunday. */
export function weekday(day: number): number {
  return ((day % 7) + 7) % 7;
}

/** True for Saturday and Sunday. */
export function isWeekend(day: number): boolean {
  return weekday(day) >= 5;
}

/** First simulated day on which the zone's UTC offset differs from day 0's, or undefined. */
export function dstChangeDay(tz: string, days: number): number | undefined {
  const first = localToUtc(tz, 0, 12) - START_MS;
  for (let d = 1; d < days; d++) if (localToUtc(tz, d, 12) - START_MS - d * DAY !== first) return d;
  return undefined;
}

/** ISO-8601 UTC with seconds (`2026-10-12T09:13:22Z`), as CloudTrail writes it. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}
