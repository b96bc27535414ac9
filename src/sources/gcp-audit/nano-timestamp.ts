// RFC 3339 as Cloud Logging writes it: up to nine fraction digits, `Z` or an offset.
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9})\d*)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A LogEntry time as RFC 3339 UTC with exactly nine fraction digits, so that equal instants are
 * equal strings and string order is time order; undefined when the value is not such a time.
 */
export function nanoTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = RFC3339.exec(value.trim());
  if (!m) return undefined;
  const zone = !m[4] || m[4].toUpperCase() === 'Z' ? 'Z' : `${m[4].slice(0, 3)}:${m[4].slice(-2)}`;
  const whole = Date.parse(`${m[1]}T${m[2]}${zone}`);
  const [year, month, day] = m[1]!.split('-').map(Number) as [number, number, number];
  // Date.parse rolls 31 February over into March instead of refusing it.
  if (Number.isNaN(whole) || new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  return `${new Date(whole).toISOString().slice(0, 19)}.${(m[3] ?? '').padEnd(9, '0')}Z`;
}

/** An epoch-millisecond instant in the same nine-digit form. */
export function nanoTimestampOf(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}
