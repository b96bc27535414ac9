/** The value as a plain JSON object, or undefined when it is anything else. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The value as a trimmed non-empty string (finite numbers as their decimal text), or undefined. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

/** The value as a non-negative safe integer (numbers or numeric strings), or undefined. */
export function asCount(value: unknown): number | undefined {
  const text = asText(value);
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
