/** A JSON object as parsed from a raw record. */
export type JsonObject = Record<string, unknown>;

/** The value as a JSON object, or undefined when it is null, an array or a scalar. */
export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** The first of the named fields that holds a non-empty string (numbers are accepted as their decimal text). */
export function readString(obj: JsonObject | undefined, ...keys: string[]): string | undefined {
  if (!obj) return undefined;
  for (const key of keys) {
    const value = obj[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

/** The named field as a JSON object, or undefined. */
export function readObject(obj: JsonObject | undefined, key: string): JsonObject | undefined {
  return obj ? asObject(obj[key]) : undefined;
}

/** A byte count from a number or numeric string; 0 when absent, negative or not a number. */
export function readCount(obj: JsonObject | undefined, key: string): number {
  const value = obj?.[key];
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}
