const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2}|\bGMT|\bUTC)$/i;
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
// The Azure portal's CSV export writes `TimeGenerated [UTC]` as e.g. `5/1/2024, 12:00:00.123 PM`.
const PORTAL = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),?\s+(\d{1,2}):(\d{2}):(\d{2})(\.\d+)?\s*([AP]M)?$/i;

/**
 * Epoch milliseconds from an Azure timestamp: ISO 8601 (any fraction length), a `Date` (as the
 * Log Analytics SDK returns), or the portal's CSV format; a timestamp without a zone is UTC.
 */
export function parseAzureTime(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (ISO_LOCAL.test(text)) return finite(Date.parse(`${text.replace(' ', 'T')}Z`));
  const portal = PORTAL.exec(text);
  if (portal) return fromPortal(portal);
  return HAS_ZONE.test(text) ? finite(Date.parse(text)) : undefined;
}

function fromPortal(m: RegExpExecArray): number | undefined {
  const [, month, day, year, hour, minute, second, fraction, meridiem] = m;
  let h = Number(hour);
  if (meridiem) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
  }
  const ms = fraction ? Math.round(Number(fraction) * 1000) : 0;
  const t = Date.UTC(Number(year), Number(month) - 1, Number(day), h, Number(minute), Number(second), ms);
  const check = new Date(t);
  return check.getUTCDate() === Number(day) && check.getUTCMonth() === Number(month) - 1 ? t : undefined;
}

function finite(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}
