const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds in a duration such as `30m`, `6h`, `2d`, `1w`; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+)\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const ms = UNIT_MS[m[2]![0]!.toLowerCase()]!;
  return n > 0 ? n * ms : undefined;
}

/** A duration in the largest whole unit: `6h`, `2d`, `90m`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['w', UNIT_MS.w!], ['d', UNIT_MS.d!], ['h', UNIT_MS.h!]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms / 60_000)}m`;
}
