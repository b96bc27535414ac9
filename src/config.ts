import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { StorageWatchError } from './core/errors.js';
import type { DEFAULT_SETTINGS } from './detection/detection-settings.js';
import { readSettingsFile, settingsFrom } from './settings-file.js';
import type { DatabaseTarget } from './store/open-database.js';

const list = z.string().optional().transform((v) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean)));

const schema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  PGLITE_DIR: z.string().min(1).default('./data/pglite'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SETTINGS_FILE: z.string().min(1).optional(),
  KNOWN_NETWORKS: list.refine((l) => !l || l.every((c) => ipaddr.isValidCIDR(c)), 'must be comma-separated CIDRs such as 10.0.0.0/8,192.168.0.0/16'),
  ALLOWLIST: list,
  LEARNING_DAYS: z.coerce.number().int().min(0).max(365).optional(),
});

/** Settings read from the environment (the only place that reads process.env). */
export interface Config {
  /** Where state lives: PostgreSQL when DATABASE_URL is set, else embedded PGlite in PGLITE_DIR (`memory://` for none). */
  database: DatabaseTarget;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** Detection settings: the settings file's, with KNOWN_NETWORKS, ALLOWLIST and LEARNING_DAYS overriding it. */
  detection: Partial<typeof DEFAULT_SETTINGS>;
}

/** Reads and validates the configuration; every problem is reported at once, by variable name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new StorageWatchError('bad_config', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  const detection = c.SETTINGS_FILE ? settingsFrom(readSettingsFile(c.SETTINGS_FILE)) : {};
  if (c.KNOWN_NETWORKS) detection.knownNetworks = c.KNOWN_NETWORKS;
  if (c.ALLOWLIST) detection.allowlist = c.ALLOWLIST;
  if (c.LEARNING_DAYS !== undefined) detection.learningDays = c.LEARNING_DAYS;
  return {
    database: c.DATABASE_URL ? { url: c.DATABASE_URL } : { pgliteDir: c.PGLITE_DIR },
    logLevel: c.LOG_LEVEL,
    detection,
  };
}
