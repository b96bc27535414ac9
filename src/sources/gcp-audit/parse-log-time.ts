import { asCount, asRecord } from './json-fields.js';

// RFC 3339 as Cloud Logging writes it (nanosecond fractions), plus the `YYYY-MM-DD hh:mm:ss.fffffffff`
// form that re-exporters such as Panther write; a time without a zone is UTC, as all Cloud Logging times are.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Epoch milliseconds of a LogEntry time: an RFC 3339 string (zone optional, UTC assumed),
 * a Date, or a protobuf Timestamp `{seconds, nanos}`; undefined when absent or invalid.
 */
export function parseLogTime(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'string') return parseText(value.trim());
  const stamp = asRecord(value);
  if (stamp) {
    const seconds = asCount(stamp.seconds);
    if (seconds === undefined) return undefined;
    return seconds * 1000 + Math.floor((asCount(stamp.nanos) ?? 0) / 1e6);
  }
  return undefined;
}

function parseText(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const millis = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined; // 31 February and the like
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - zoneOffsetMinutes(m[8]) * 60_000;
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return zone.startsWith('-') ? -minutes : minutes;
}
