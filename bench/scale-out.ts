/**
 * Scale-out benchmark: the month shape scanned and judged by 1 and by 2 `storage-watch worker`
 * processes sharing one Redis and one PostgreSQL database, the way a deployment adds workers. Each
 * run gets a fresh schema of its own database and a queue prefix of its own; the bench queues the
 * scheduler's files scan (which fans out one scan job per scope) and waits until every scan and
 * detection job has finished and nothing waits for judgement; detection is held until the scans are
 * done. It prints the wall time of scan+detect for each, of the scans alone, and whether the stored
 * findings are identical.
 * Rounds alternate the worker counts (--repeat, default 3) and the medians are compared.
 * --scan-concurrency sets SCAN_CONCURRENCY (scopes one process reads at once, default 2) of every process.
 * --cpu-prof DIR writes a CPU profile of each worker process under DIR/N-workers (node --cpu-prof).
 * Usage: npm run bench:workers [-- --out DIR] [--workers 1,2] [--repeat 3] [--scan-concurrency 2] [--database-url postgres://...] [--redis-url redis://...]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { QUEUE_NAMES, type JobKind } from '../src/queue/job-queues.js';
import { generateMonth } from './generate-shapes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KINDS: readonly JobKind[] = ['scan', 'detect', 'detectPart'];

interface RunResult {
  workers: number;
  seconds: number;
  scansDoneAt: number;
  scanJobs: number;
  partitionJobs: number;
  findings: Map<string, string>;
  bySeverity: Record<string, number>;
  /** CPU seconds of the worker processes during the scans and during detection. */
  cpuScan: number;
  cpuDetect: number;
  /** The detection run's own time (s): peers read, waiting on each day's partitions, recording findings. */
  run: { prepare: number; dispatch: number; record: number; days: number };
  /** Summed over partition jobs (s): reading, judging (wall, CPU), committing; and how many found their state of the day before. */
  parts: { load: number; judge: number; judgeCpu: number; commit: number; cached: number; pickup: number; span: number };
  load: string;
}

/** CPU seconds (user + system, every thread) of a process so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function ensureMonth(out: string): Promise<string> {
  const dir = join(out, 'month');
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`generating month under ${dir} ...\n`);
  await generateMonth({ outDir: dir });
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The bench's own database on the server of `serverUrl` (created when missing), so nobody else's tables are touched. */
async function benchDatabase(serverUrl: string, name: string): Promise<string> {
  const exists = await admin(serverUrl, async (c) => (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount);
  if (!exists) await admin(serverUrl, (c) => c.query(`create database ${name}`));
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * What a finding says, for comparing runs: a role's display name is its latest session name, which
 * depends on the order log files happened to be read in, so the name is left out of the title and
 * summary (and storm summaries, which list names, are left out); everything else (id, detector,
 * severity, identity, scope, span, occurrences, evidence, the rest of the text) is compared.
 */
function comparable(row: Record<string, unknown>): string {
  const storm = String(row.principal_id) === 'storm-guard';
  const unnamed = (text: unknown): string => String(text).split(String(row.principal_name)).join('<name>');
  return JSON.stringify({
    ...row, principal_name: undefined, title: unnamed(row.title), summary: storm ? undefined : unnamed(row.summary), created_at: undefined, updated_at: undefined,
  });
}

function startWorkers(n: number, env: NodeJS.ProcessEnv, profileDir?: string): ChildProcess[] {
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  return Array.from({ length: n }, () => spawn(process.execPath, [...profile, '--import', 'tsx', 'src/cli.ts', 'worker'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] }));
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  })));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function run(n: number, dir: string, dbUrl: string, redisUrl: string, scanConcurrency: string): Promise<RunResult> {
  const schema = `sw_scaleout_${randomBytes(4).toString('hex')}`;
  const prefix = `sw-scaleout-${randomBytes(4).toString('hex')}`;
  await admin(dbUrl, (c) => c.query(`create schema ${schema}`));
  const url = `${dbUrl}${dbUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const env = { ...process.env, DATABASE_URL: url, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, FILES_SOURCE_DIR: dir, OPS_PORT: '0', LOG_LEVEL: 'warn', SCAN_CONCURRENCY: scanConcurrency };
  const queues = Object.fromEntries(KINDS.map((k) => [k, new Queue(QUEUE_NAMES[k], { connection: { url: redisUrl }, prefix })])) as Record<JobKind, Queue>;
  const db = new pg.Client({ connectionString: url });
  const children = startWorkers(n, env, values['cpu-prof'] ? join(values['cpu-prof'], `${n}-workers`) : undefined);
  try {
    // Timing starts once every process has its workers connected (start-up and migrations are not scan work).
    for (;;) {
      if ((await queues.detectPart.getWorkers()).length >= n && (await queues.scan.getWorkers()).length >= n) break;
      if (children.some((c) => c.exitCode !== null)) throw new Error('a worker process exited during start-up');
      await sleep(100);
    }
    await db.connect();
    // Detection waits for the scans: a run judging a month while its scopes are still being written
    // judges hours twice (again when more of them arrives), and where each run falls would decide the findings.
    await queues.detect.pause();
    const started = performance.now();
    await queues.scan.add('scan', { provider: 'files' }, { jobId: 'bench-scan-files' });
    const idle = async (kinds: readonly JobKind[]): Promise<boolean> => {
      const counts = await Promise.all(kinds.map((k) => queues[k].getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed')));
      if (counts.some((c) => c.failed)) throw new Error('a job failed; see the worker logs');
      return counts.every((c) => c.waiting! + c.active! + c.delayed! + c.prioritized! === 0);
    };
    while (!(await idle(['scan'])) || !(await queues.scan.getCompletedCount())) await sleep(50);
    const scansDoneAt = (performance.now() - started) / 1000;
    const cpuAt = (): number => children.reduce((t, c) => t + cpuSeconds(c.pid), 0);
    const cpuScan = cpuAt();
    await queues.detect.resume();
    for (;;) {
      await sleep(50);
      if (!(await idle(KINDS)) || !(await queues.detect.getCompletedCount())) continue;
      const [{ n: pending }] = (await db.query<{ n: number }>('select count(*)::int as n from rollups_pending')).rows as [{ n: number }];
      if (pending === 0) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuDetect = cpuAt() - cpuScan;
    const [detectJob] = await queues.detect.getCompleted();
    const run = { prepare: 0, dispatch: 0, record: 0, days: 0, ...((detectJob?.returnvalue as { ms?: Record<string, number> } | undefined)?.ms ?? {}) };
    const parts = { load: 0, judge: 0, judgeCpu: 0, commit: 0, cached: 0, pickup: 0, span: 0 };
    const done = await queues.detectPart.getCompleted(0, -1);
    // Per day (the context a job names): from the first job queued to the last one finished, the least the run can wait.
    const days = new Map<string, { from: number; to: number }>();
    for (const j of done) {
      const day = String((j.data as { context?: string }).context);
      const d = days.get(day) ?? { from: Infinity, to: 0 };
      days.set(day, { from: Math.min(d.from, j.timestamp), to: Math.max(d.to, j.finishedOn ?? 0) });
      parts.pickup += ((j.processedOn ?? j.timestamp) - j.timestamp) / 1000;
    }
    for (const d of days.values()) parts.span += (d.to - d.from) / 1000;
    for (const j of done) {
      const r = j.returnvalue as { cached?: boolean; ms?: { load: number; judge: number; judgeCpu: number; commit: number } } | undefined;
      if (r?.cached) parts.cached++;
      for (const k of ['load', 'judge', 'judgeCpu', 'commit'] as const) parts[k] += (r?.ms?.[k] ?? 0) / 1000;
    }
    const rows = (await db.query<Record<string, unknown>>('select * from findings order by id')).rows;
    const bySeverity: Record<string, number> = {};
    for (const r of rows) bySeverity[String(r.severity)] = (bySeverity[String(r.severity)] ?? 0) + 1;
    return {
      workers: n, seconds, scansDoneAt, bySeverity, cpuScan, cpuDetect, parts, load: loadavg().map((l) => l.toFixed(1)).join(' '),
      run: { prepare: run.prepare / 1000, dispatch: run.dispatch / 1000, record: run.record / 1000, days: run.days },
      scanJobs: await queues.scan.getCompletedCount(),
      partitionJobs: await queues.detectPart.getCompletedCount(),
      findings: new Map(rows.map((r) => [String(r.id), comparable(r)])),
    };
  } finally {
    await stop(children);
    await db.end().catch(() => undefined);
    for (const q of Object.values(queues)) await q.close();
    // Every key of this run's prefix (the workers' other queues, shared values), whatever state the run ended in.
    const redis = new Redis(redisUrl);
    for (;;) {
      const keys = await redis.keys(`${prefix}:*`);
      if (!keys.length) break;
      await redis.del(...keys);
    }
    redis.disconnect();
    await admin(dbUrl, (c) => c.query(`drop schema ${schema} cascade`));
  }
}

function same(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([id, f]) => b.get(id) === f);
}

/** The first few differences between two runs' findings, field by field. */
function differences(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const id of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(id);
    const y = b.get(id);
    if (x === y) continue;
    if (!x || !y) out.push(`${id}: only in ${x ? 'the first' : 'the second'} run`);
    else {
      const fx = JSON.parse(x) as Record<string, unknown>;
      const fy = JSON.parse(y) as Record<string, unknown>;
      const keys = Object.keys(fx).filter((k) => JSON.stringify(fx[k]) !== JSON.stringify(fy[k]));
      out.push(`${id} (${String(fx.detector)}): ${keys.map((k) => `${k}: ${JSON.stringify(fx[k]).slice(0, 300)} vs ${JSON.stringify(fy[k]).slice(0, 300)}`).join('; ')}`);
    }
  }
  return out.slice(0, 5);
}

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(ROOT, 'bench', 'out') },
    workers: { type: 'string', default: '1,2' },
    repeat: { type: 'string', default: '3' },
    'scan-concurrency': { type: 'string', default: '2' },
    'cpu-prof': { type: 'string' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const dir = await ensureMonth(values.out);
const dbUrl = await benchDatabase(values['database-url'], 'scaleout_bench');
const counts = values.workers.split(',').map(Number);
const results: RunResult[] = [];
// Rounds alternate the worker counts, so that a busy spell of a shared machine hits both alike.
for (let round = 1; round <= Number(values.repeat); round++) {
  for (const n of counts) {
    process.stderr.write(`round ${round}: month shape, ${n} worker process${n > 1 ? 'es' : ''} ...\n`);
    results.push(await run(n, dir, dbUrl, values['redis-url'], values['scan-concurrency']));
  }
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const first = results[0]!;
console.log(`Scale-out: month shape (${dir}), PostgreSQL, one Redis, SCAN_CONCURRENCY ${values['scan-concurrency']}, ${cpus().length} cores, ${new Date().toISOString().slice(0, 16)}Z`);
console.log('workers | scan+detect s | scans s | detection s | scan jobs | partition jobs | findings (by severity) | identical to the first run');
for (const r of results) {
  const sev = Object.entries(r.bySeverity).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`${r.workers} | ${r.seconds.toFixed(1)} | ${r.scansDoneAt.toFixed(1)} | ${(r.seconds - r.scansDoneAt).toFixed(1)} | ${r.scanJobs} | ${r.partitionJobs} | ${r.findings.size} (${sev}) | ${r === first ? '-' : same(first.findings, r.findings) ? 'yes' : 'NO'}`);
}
console.log('workers | CPU s scans / detection | run: peers s, waiting on partitions s, recording s (days) | partition jobs: queued to started s, days queued to done s, read s, judge s (CPU s), commit s, state kept | load average (1, 5, 15 min) at the end');
for (const r of results) {
  const p = r.parts;
  console.log(`${r.workers} | ${r.cpuScan.toFixed(1)} / ${r.cpuDetect.toFixed(1)} | ${r.run.prepare.toFixed(1)}, ${r.run.dispatch.toFixed(1)}, ${r.run.record.toFixed(1)} (${r.run.days}) | ${p.pickup.toFixed(1)}, ${p.span.toFixed(1)}, ${p.load.toFixed(1)}, ${p.judge.toFixed(1)} (${p.judgeCpu.toFixed(1)}), ${p.commit.toFixed(1)}, ${p.cached}/${r.partitionJobs} | ${r.load}`);
}
for (const r of results.slice(1)) for (const d of differences(first.findings, r.findings)) console.log(`  ${r.workers} workers differ: ${d}`);
const of = (n: number): RunResult[] => results.filter((r) => r.workers === n);
for (const n of counts) {
  console.log(`median of ${of(n).length} with ${n} worker process${n > 1 ? 'es' : ''}: scan+detect ${median(of(n).map((r) => r.seconds)).toFixed(1)} s (scans ${median(of(n).map((r) => r.scansDoneAt)).toFixed(1)} s, detection ${median(of(n).map((r) => r.seconds - r.scansDoneAt)).toFixed(1)} s)`);
}
if (counts.length > 1) {
  const [a, b] = [counts[0]!, counts.at(-1)!];
  console.log(`speed-up of ${b} over ${a} (medians): ${(median(of(a).map((r) => r.seconds)) / median(of(b).map((r) => r.seconds))).toFixed(2)}x; findings identical in every run: ${results.every((r) => same(first.findings, r.findings)) ? 'yes' : 'NO'}`);
}
