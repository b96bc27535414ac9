// CloudTrail writes `2018-11-28T23:02:56Z`; exports and SIEMs (Panther) rewrite it as
// `2024-11-25 22:00:58.000000000`, still UTC but with no zone, which Date.parse would read as local time.
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch milliseconds of a CloudTrail eventTime (ISO 8601, or space-separated UTC), or undefined when it is not a timestamp. */
export function parseCloudTrailTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIMESTAMP.exec(value.trim());
  if (!m) return undefined;
  const [, date, clock, fraction, zone] = m;
  const millis = (fraction ?? '').slice(0, 3).padEnd(3, '0');
  const offset = !zone || zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const time = Date.parse(`${date}T${clock}.${millis}${offset}`);
  return Number.isNaN(time) ? undefined : time;
}
