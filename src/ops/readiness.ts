import type { Redis } from 'ioredis';
import type { Sql } from '../store/sql.js';
import type { DependencyHealth } from './dependency-health.js';

/** The outcome of one readiness check, as /readyz reports it. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** What readiness looks at. */
export interface ReadinessDeps {
  sql: Sql;
  redis: Redis;
  health: DependencyHealth;
  /** Migrations the code expects (the highest version); the database must have applied it. */
  expectedMigration: number;
  /** Whether this role's workers are running (undefined: the role runs none). */
  workersRunning?: () => boolean;
  /** How long one dependency may take to answer (ms). */
  timeoutMs?: number;
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Readiness of one process: dependencies answer, migrations are applied, workers run, and no shutdown has begun. */
export class Readiness {
  private stopping = false;
  private up = false;

  constructor(private readonly deps: ReadinessDeps) {}

  /** Start-up is over: checks may run (before, connections are still opening and a failure is no outage). */
  started(): void {
    this.up = true;
  }

  /** From now on the process is not ready (SIGTERM): load balancers stop sending it requests. */
  shutdownStarted(): void {
    this.stopping = true;
  }

  /** Whether shutdown has begun. */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** Runs every check (in parallel, each bounded in time) and records dependency outages. */
  async check(): Promise<ReadinessReport> {
    if (!this.up) return { ready: false, checks: { startup: { ok: false, detail: 'starting' } } };
    const { sql, redis, health, timeoutMs = 2_000 } = this.deps;
    const checks: ReadinessReport['checks'] = { shutdown: this.stopping ? { ok: false, detail: 'shutting down' } : { ok: true } };
    const [redisResult, pgResult] = await Promise.allSettled([
      // A command sent while ioredis reconnects waits in its offline queue: only a ready connection is asked.
      redis.status === 'ready' ? within(redis.ping().then((r: string) => (r === 'PONG' ? r : Promise.reject(new Error(`redis answered ${r}`)))), timeoutMs, 'redis') : Promise.reject(new Error(`redis connection ${redis.status}`)),
      within(sql.query<{ version: number }>('select max(version)::int as version from schema_migrations'), timeoutMs, 'postgres'),
    ]);
    if (redisResult.status === 'fulfilled') {
      health.answered('redis');
      checks.redis = { ok: true };
    } else {
      health.failed('redis', redisResult.reason);
      checks.redis = { ok: false, detail: (redisResult.reason as Error).message };
    }
    if (pgResult.status === 'fulfilled') {
      if (sql.engine === 'postgres') health.answered('postgres');
      checks.database = { ok: true };
      const applied = pgResult.value[0]?.version ?? 0;
      checks.migrations = applied >= this.deps.expectedMigration ? { ok: true } : { ok: false, detail: `schema at ${applied}, code expects ${this.deps.expectedMigration}` };
    } else {
      if (sql.engine === 'postgres') health.failed('postgres', pgResult.reason);
      checks.database = { ok: false, detail: (pgResult.reason as Error).message };
    }
    if (this.deps.workersRunning) checks.workers = this.deps.workersRunning() ? { ok: true } : { ok: false, detail: 'workers not running' };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }
}
