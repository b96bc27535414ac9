import { z } from 'zod';
import { StorageWatchError } from './core/errors.js';
import type { DatabaseTarget } from './store/open-database.js';

const list = z.string().optional().transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().min(1).default('./data/pglite'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KNOWN_NETWORKS: list,
  ALLOWLIST: list,
  LEARNING_DAYS: z.coerce.number().int().min(0).max(365).default(7),
});

/** Settings read from the environment (the only place that reads process.env). */
export interface Config {
  /** Where state lives: PostgreSQL when DATABASE_URL is set, else embedded PGlite in PGLITE_DIR. */
  database: DatabaseTarget;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** Corporate CIDRs whose addresses are never "new". */
  knownNetworks: string[];
  /** Identities never alerted on. */
  allowlist: string[];
  /** Days of history before an identity's baseline stops learning. */
  learningDays: number;
}

/** Reads and validates the configuration; every problem is reported at once, by variable name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new StorageWatchError('bad_config', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  return {
    database: c.DATABASE_URL ? { url: c.DATABASE_URL } : { pgliteDir: c.PGLITE_DIR },
    logLevel: c.LOG_LEVEL,
    knownNetworks: c.KNOWN_NETWORKS,
    allowlist: c.ALLOWLIST,
    learningDays: c.LEARNING_DAYS,
  };
}
