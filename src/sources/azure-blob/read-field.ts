/** A non-empty trimmed string from a raw value (numbers are stringified); undefined for empty, null or other types. */
export function readString(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A byte or item count from a number or numeric string; 0 when absent or unreadable. */
export function readCount(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(readString(value) ?? Number.NaN);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
}

/** A plain object from a raw value, also accepting a JSON-encoded object (some pipelines stringify nested fields). */
export function readObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string' && value.trim().startsWith('{')) {
    try {
      return readObject(JSON.parse(value) as unknown);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
