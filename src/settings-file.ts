import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { StorageWatchError } from './core/errors.js';
import { DEFAULT_SETTINGS, type BusinessHours } from './detection/detection-settings.js';
import { isTimeZone } from './core/time-zone.js';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };


const timeZone = z.string().refine(isTimeZone, { message: 'not an IANA time zone such as Europe/London' });
const hour = z.number().int().min(0).max(24);
const hours = z
  .object({ start: hour, end: hour, days: z.array(z.enum(DAY_NAMES)).min(1).optional() })
  .refine((h) => h.start < h.end, { message: 'start must be before end' });
const cidr = z.string().refine((c) => ipaddr.isValidCIDR(c), { message: 'not a CIDR such as 10.0.0.0/8' });
const bytes = z.union([z.number().nonnegative(), z.string().regex(/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb|tb)\s*$/i, 'a size such as 500MB or 2GB')]).transform((v) => {
  if (typeof v === 'number') return v;
  const [, n, unit] = /^\s*(\d+(?:\.\d+)?)\s*(\w+)\s*$/.exec(v)!;
  return Number(n) * UNITS[unit!.toLowerCase()]!;
});

/** The organisation settings file (JSON): business hours, networks, allowlist, learning period, severity thresholds. */
export const settingsFileSchema = z
  .object({
    timeZone: timeZone.optional(),
    businessHours: hours.optional(),
    identities: z.array(z.object({ match: z.string().min(1), timeZone: timeZone.optional(), businessHours: hours.optional() }).strict()).optional(),
    knownNetworks: z.array(cidr).optional(),
    allowlist: z.array(z.string().min(1)).optional(),
    learningDays: z.number().int().min(0).max(365).optional(),
    stormLimit: z.number().int().min(1).optional(),
    thresholds: z
      .object({
        ratio: z.object({ medium: z.number().positive(), high: z.number().positive(), critical: z.number().positive() }).strict()
          .refine((r) => r.medium <= r.high && r.high <= r.critical, { message: 'must rise: medium <= high <= critical' }).optional(),
        bytes: z.object({ high: bytes, critical: bytes }).strict().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The settings file as read. */
export type SettingsFile = z.infer<typeof settingsFileSchema>;

function toHours(tz: string, h: z.infer<typeof hours> | undefined, fallback: BusinessHours): BusinessHours {
  return {
    timeZone: tz,
    start: h?.start ?? fallback.start,
    end: h?.end ?? fallback.end,
    days: h?.days ? h.days.map((d) => DAY_NAMES.indexOf(d)) : fallback.days,
  };
}

/** Detection settings from a parsed settings file, defaults filling what it leaves out. */
export function settingsFrom(file: SettingsFile): Partial<typeof DEFAULT_SETTINGS> {
  const base = toHours(file.timeZone ?? DEFAULT_SETTINGS.businessHours.timeZone, file.businessHours, DEFAULT_SETTINGS.businessHours);
  return {
    businessHours: base,
    identityHours: (file.identities ?? []).map((i) => ({ match: i.match, hours: toHours(i.timeZone ?? base.timeZone, i.businessHours, base) })),
    ...(file.knownNetworks ? { knownNetworks: file.knownNetworks } : {}),
    ...(file.allowlist ? { allowlist: file.allowlist } : {}),
    ...(file.learningDays !== undefined ? { learningDays: file.learningDays } : {}),
    ...(file.stormLimit !== undefined ? { stormLimit: file.stormLimit } : {}),
    thresholds: {
      ratio: file.thresholds?.ratio ?? DEFAULT_SETTINGS.thresholds.ratio,
      bytes: file.thresholds?.bytes ?? DEFAULT_SETTINGS.thresholds.bytes,
    },
  };
}

/** Reads and validates a settings file; every problem is reported at once with its path in the file. */
export function readSettingsFile(path: string): SettingsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new StorageWatchError('bad_config', `SETTINGS_FILE ${path}: ${(err as Error).message}`);
  }
  const parsed = settingsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new StorageWatchError('bad_config', `SETTINGS_FILE ${path} is not valid:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
