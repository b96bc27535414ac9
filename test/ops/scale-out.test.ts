import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobHandlers } from '../../jobs/index.js';
import type { Config } from '../../src/config.js';
import type { Finding } from '../../src/core/finding.js';
import { generateDataset } from '../../src/demo/generate-dataset.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { DETECTORS } from '../../src/detectors/index.js';
import { createLogger } from '../../src/logger.js';
import { JobQueues, redisConnection, startWorkers, type JobHandlers } from '../../src/queue/job-queues.js';
import { detectPending } from '../../src/scan/detect-pending.js';
import { ingestFiles } from '../../src/scan/ingest-files.js';
import { listFindings } from '../../src/store/findings.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { Sql } from '../../src/store/sql.js';
import { eventually } from '../chat/chat-fixtures.js';
import { QueueObserver } from '../e2e/service-harness.js';
import { fixNames, NOON_STORM, witness } from '../helpers/test-detectors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REDIS_URL = 'redis://127.0.0.1:6379';
const tmp = mkdtempSync(join(tmpdir(), 'sw-scale-out-'));
const settings = detectionSettings({ stormLimit: 2 });
const byId = (a: Finding, b: Finding): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);


/** A worker "process": its own database connection and Redis connection, running the given kinds of job. */
async function workerSet(name: string, db: TestDatabase, prefix: string, kinds: readonly (keyof JobHandlers)[], seen: string[], took: Map<string, string>, filesDir?: string) {
  const sql = await openDatabase(db.target);
  const connection = redisConnection(REDIS_URL);
  const queues = new JobQueues(connection, prefix);
  const config = { queuePrefix: prefix, detectPartitions: 4, sources: { filesDir }, scan: { interval: 60_000, lookback: 86_400_000 } } as unknown as Config;
  const all = jobHandlers({ sql, config, log: createLogger('silent'), queues, detectors: [...DETECTORS, NOON_STORM, witness(seen)], settings, chat: false });
  const handlers: JobHandlers = {};
  for (const kind of kinds) handlers[kind] = (job: Job) => (took.set(String(job.id), name), all[kind]!(job));
  const workers = startWorkers(connection, handlers, { prefix, concurrency: { scan: 2 } });
  return {
    queues, handlers: all,
    close: async (): Promise<void> => {
      await Promise.all(workers.map((w: Worker) => w.close()));
      await queues.close();
      connection.disconnect();
      await sql.close();
    },
  };
}

async function stored(sql: Sql): Promise<{ findings: Finding[]; baselines: Map<string, string> }> {
  const rows = await sql.query<{ identity_key: string; data: unknown }>('select identity_key, data from baselines');
  return { findings: (await listFindings(sql, { limit: 100_000 })).sort(byId), baselines: new Map(rows.map((r) => [r.identity_key, JSON.stringify(r.data)])) };
}

/** What the rollups add up to, and how many identity-hours wait for detection. */
async function totals(sql: Sql): Promise<Record<string, unknown>> {
  const [r] = await sql.query('select count(*)::int as hours, sum(ops)::bigint::text as ops, sum(bytes_out)::bigint::text as bytes, (select count(*)::int from rollups_pending) as pending, (select count(*)::int from identities) as identities from rollups');
  return r!;
}

describe('past one machine: scans by scope and detection by partition over several workers, real Redis and PostgreSQL', () => {
  let single: { findings: Finding[]; baselines: Map<string, string> };
  let singleSeen: string[];
  let referenceTotals: Record<string, unknown>;
  const dbs: TestDatabase[] = [];
  const closers: (() => Promise<void>)[] = [];
  const observers: QueueObserver[] = [];

  beforeAll(async () => {
    await generateDataset({ seed: 5, outDir: tmp, identities: 24, days: 18 });
    const reference = await createTestDatabase('postgres');
    dbs.push(reference);
    // Read on one thread, here and in freshRun: which ingest thread finishes first decides a rollup's few sample
    // keys (and so a finding's examples), and this suite compares partitions, not ingest threads.
    await ingestFiles(reference.sql, [tmp], { workers: 0 });
    referenceTotals = await totals(reference.sql);
    await fixNames(reference.sql);
    singleSeen = [];
    await detectPending(reference.sql, { detectors: [...DETECTORS, NOON_STORM, witness(singleSeen)], settings });
    single = await stored(reference.sql);
  }, 180_000);

  /** A queue prefix of its own with its observer and a fresh PostgreSQL database, both cleaned up after the suite; `ingested`: the dataset read in, names fixed. */
  async function freshRun(ingested: boolean): Promise<{ prefix: string; observer: QueueObserver; db: TestDatabase }> {
    const prefix = `sw-scale-${randomBytes(4).toString('hex')}`;
    const observer = new QueueObserver(REDIS_URL, prefix);
    observers.push(observer);
    const db = await createTestDatabase('postgres');
    dbs.push(db);
    if (ingested) {
      await ingestFiles(db.sql, [tmp], { workers: 0 });
      await fixNames(db.sql);
    }
    return { prefix, observer, db };
  }

  afterAll(async () => {
    for (const close of closers) await close();
    for (const o of observers) await o.removeAllAndClose();
    for (const db of dbs) await db.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('scans every scope of the directory as its own job, on both workers, each once, counting every event once', async () => {
    const { prefix, observer, db } = await freshRun(false);
    const took = new Map<string, string>();
    const scheduler = await workerSet('scheduler', db, prefix, [], [], took, tmp);
    closers.push(scheduler.close);
    // The scheduler's scan runs twice before any worker is up: each scope is queued once.
    const fanOut = { data: { provider: 'files' } } as Job;
    const first = await scheduler.handlers.scan!(fanOut) as { scopes: number };
    expect(await scheduler.handlers.scan!(fanOut)).toEqual(first);
    expect(first.scopes).toBeGreaterThanOrEqual(4);
    expect(await scheduler.queues.queues.scan.getWaitingCount()).toBe(first.scopes);

    const a = await workerSet('a', db, prefix, ['scan'], [], took, tmp);
    const b = await workerSet('b', db, prefix, ['scan'], [], took, tmp);
    closers.push(a.close, b.close);
    const scopes = await eventually(async () => {
      const done = await observer.completed('scan');
      return done.length === first.scopes ? done : undefined;
    }, 60_000);
    expect(await observer.failed('scan')).toEqual([]);
    expect(new Set(scopes.map((j) => (j.data as { scope: string }).scope)).size).toBe(scopes.length);
    expect(new Set(scopes.map((j) => took.get(String(j.id))))).toEqual(new Set(['a', 'b']));
    expect(await totals(db.sql)).toEqual(referenceTotals);
    // Each scope asked for a detection run; the requests folded into one waiting run.
    expect(await scheduler.queues.queues.detect.getWaitingCount()).toBe(1);
  }, 120_000);

  it('two workers judge a dataset to the findings and baselines of a single worker, every identity-hour once', async () => {
    const { prefix, observer, db } = await freshRun(true);
    const seen: string[] = [];
    const took = new Map<string, string>();
    const a = await workerSet('a', db, prefix, ['detect', 'detectPart'], seen, took);
    const b = await workerSet('b', db, prefix, ['detect', 'detectPart'], seen, took);
    closers.push(a.close, b.close);
    await a.queues.queues.detect.setGlobalConcurrency(1);
    await a.queues.request('detect', {}, 'detect-pending');
    await eventually(async () => ((await observer.completed('detect')).length ? true : undefined), 120_000);
    expect(await db.sql.query('select 1 from rollups_pending limit 1')).toEqual([]);
    const parts = await observer.completed('detectPart');
    expect(new Set(parts.map((j) => took.get(String(j.id))))).toEqual(new Set(['a', 'b']));
    expect(await observer.failed('detectPart')).toEqual([]);

    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...singleSeen].sort());
    const split = await stored(db.sql);
    expect(split.findings.length).toBeGreaterThan(10);
    expect(split.findings).toEqual(single.findings);
    expect(split.baselines).toEqual(single.baselines);
  }, 240_000);

  it('runs again the partition of a worker killed with -9, and the run still ends with the findings of a single worker', async () => {
    const { prefix, observer, db } = await freshRun(true);
    const seen: string[] = [];
    const took = new Map<string, string>();
    // The doomed worker is the only one judging partitions when the run starts: it takes one and hangs.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/ops/hanging-worker.ts', REDIS_URL, prefix, 'detectPart'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const coordinator = await workerSet('coordinator', db, prefix, ['detect'], seen, took);
    closers.push(coordinator.close);
    await coordinator.queues.request('detect', {}, 'detect-pending');
    await eventually(() => out.includes('taken') || undefined, 30_000);
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
    const a = await workerSet('a', db, prefix, ['detectPart'], seen, took);
    const b = await workerSet('b', db, prefix, ['detectPart'], seen, took);
    closers.push(a.close, b.close);

    await eventually(async () => ((await observer.completed('detect')).length ? true : undefined), 180_000);
    const recovered = (await observer.completed('detectPart')).filter((j) => j.stalledCounter > 0);
    expect(recovered).toHaveLength(1);
    expect(await db.sql.query('select 1 from rollups_pending limit 1')).toEqual([]);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...singleSeen].sort());
    const split = await stored(db.sql);
    expect(split.findings).toEqual(single.findings);
    expect(split.baselines).toEqual(single.baselines);
  }, 240_000);
});
