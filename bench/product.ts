/**
 * Product-path benchmark: runs `storage-watch scan --input DIR --json` (the CLI itself, in a child
 * process with a fresh PGlite directory, or a fresh PostgreSQL schema when DATABASE_URL is set) on
 * each generated shape, and prints records/s, the bare decode rate of the same files measured in the
 * same run (gunzip + JSON.parse on one core), their ratio, peak RSS of the scan process, findings by
 * severity and the ingest and detection wall times. The old in-memory replay figure follows as a
 * secondary line.
 * Last, the `/storage-who <identity> last 24h` answer time for an identity with 1 M events in that
 * window (bench/who-lookup.ts; `--who-events N` to change the count, 0 to leave it out).
 * Usage: npm run bench [-- --shapes month,dense-200k,dense-1m] [--engines pglite,postgres] [--out DIR] [--replay] [--from-source] [--who-events N]
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { listInputFiles } from '../src/sources/files/read-files.js';
import { generateDense, generateMonth } from './generate-shapes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHAPES: Record<string, { describe: string; make: (dir: string) => Promise<unknown> }> = {
  month: { describe: 'a month, ~100 identities, three clouds', make: (dir) => generateMonth({ outDir: dir }) },
  'dense-200k': { describe: 'identity-dense, 2,000 IAM users, 200 k events, 12 days', make: (dir) => Promise.resolve(generateDense({ outDir: dir, events: 200_000 })) },
  'dense-1m': { describe: 'identity-dense, 2,000 IAM users, 1 M events, 12 days', make: (dir) => Promise.resolve(generateDense({ outDir: dir, events: 1_000_000 })) },
};

async function ensureShape(out: string, shape: string): Promise<string> {
  const dir = join(out, shape);
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`generating ${shape} under ${dir} ...\n`);
  await SHAPES[shape]!.make(dir);
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}

/** Bare decode of every file on one core: gunzip and JSON.parse each document or line. */
function bareDecode(dir: string): { records: number; seconds: number } {
  const started = performance.now();
  let records = 0;
  for (const file of listInputFiles([dir])) {
    if (file.endsWith('manifest.json')) continue;
    const raw = readFileSync(file);
    const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
    if (text.startsWith('{"Records"') || text.startsWith('[')) {
      const doc = JSON.parse(text) as { Records?: unknown[] } | unknown[];
      records += Array.isArray(doc) ? doc.length : (doc.Records?.length ?? 1);
    } else {
      for (const line of text.split('\n')) {
        if (!line) continue;
        JSON.parse(line);
        records++;
      }
    }
  }
  return { records, seconds: (performance.now() - started) / 1000 };
}

interface ScanResult {
  wallSeconds: number;
  summary: { records: number; events: number; rejected: number; ingestSeconds: number; detectSeconds: number; maxRssMb: number; findings: number };
  bySeverity: Record<string, number>;
}

async function freshDatabase(engine: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'sw-bench-pglite-'));
    return { env: { PGLITE_DIR: dir }, drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
  }
  const base = process.env.DATABASE_URL!;
  const schema = `sw_bench_${randomBytes(5).toString('hex')}`;
  const admin = async (text: string): Promise<void> => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema ${schema}`);
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return { env: { DATABASE_URL: url }, drop: () => admin(`drop schema ${schema} cascade`) };
}

/** Runs the CLI's scan on `dir` in a child process and collects its summary line and findings. */
async function runScan(dir: string, engine: string, extraArgs: readonly string[]): Promise<ScanResult> {
  const db = await freshDatabase(engine);
  const env: Record<string, string | undefined> = { ...process.env, ...db.env, LOG_LEVEL: 'warn' };
  if (engine === 'pglite') delete env.DATABASE_URL;
  const started = performance.now();
  const cli = values['from-source'] ? ['--import', 'tsx', join(ROOT, 'src/cli.ts')] : [join(ROOT, 'dist/src/cli.js')];
  const child = spawn(process.execPath, [...extraArgs, ...cli, 'scan', '--input', dir, '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const bySeverity: Record<string, number> = {};
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-1_000_000);
  });
  for await (const line of createInterface({ input: child.stdout })) {
    const sev = (JSON.parse(line) as { severity: string }).severity;
    bySeverity[sev] = (bySeverity[sev] ?? 0) + 1;
  }
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('close', resolve)));
  const wallSeconds = (performance.now() - started) / 1000;
  await db.drop();
  if (code !== 0) throw new Error(`scan failed (${code}): ${stderr.slice(-4000)}`);
  const last = stderr.trim().split('\n').at(-1)!;
  return { wallSeconds, summary: JSON.parse(last) as ScanResult['summary'], bySeverity };
}

/** `/storage-who` for one identity with `events` events in the last 24 hours, in a child process on a fresh store. */
async function whoFigure(out: string, engine: string, events: number): Promise<{ events: number; ingestSeconds: number; firstLookupMs: number; secondLookupMs: number }> {
  const db = await freshDatabase(engine);
  const env: Record<string, string | undefined> = { ...process.env, ...db.env, LOG_LEVEL: 'warn' };
  if (engine === 'pglite') delete env.DATABASE_URL;
  const script = fileURLToPath(new URL('./who-lookup.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, join(out, `who-${events}`), '--events', String(events)], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 24 });
  await db.drop();
  if (r.status !== 0) throw new Error(`who-lookup failed (${r.status}): ${r.stderr.slice(-4000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { events: number; ingestSeconds: number; firstLookupMs: number; secondLookupMs: number };
}

/** The old in-memory replay (no store) of the same files, in a child process. */
function replayFigure(dir: string): { events: number; seconds: number } | undefined {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./replay-files.ts', import.meta.url)), dir], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { events: number; seconds: number };
}

const { values } = parseArgs({
  options: {
    shapes: { type: 'string', default: 'month,dense-200k,dense-1m' },
    engines: { type: 'string', default: process.env.DATABASE_URL ? 'pglite,postgres' : 'pglite' },
    out: { type: 'string', default: fileURLToPath(new URL('./out/', import.meta.url)) },
    replay: { type: 'boolean', default: false },
    'node-args': { type: 'string', default: '' },
    'from-source': { type: 'boolean', default: false },
    'who-events': { type: 'string', default: '1000000' },
  },
});
// The compiled CLI is what `storage-watch` runs; from source, tsx's start-up would count as scan time.
if (!values['from-source']) {
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stdout}${build.stderr}`);
}
const fmt = (v: number): string => Math.round(v).toLocaleString('en-US');
const nodeArgs = values['node-args'] ? values['node-args'].split(' ') : [];
console.log(`storage-watch product-path benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), Node ${process.version}`);
console.log('The machine is shared: figures are noisy, run twice before comparing.');
for (const shape of values.shapes.split(',')) {
  if (!SHAPES[shape]) throw new Error(`unknown shape ${shape}; expected one of ${Object.keys(SHAPES).join(', ')}`);
  const dir = await ensureShape(values.out, shape);
  for (const engine of values.engines.split(',')) {
    const bare = bareDecode(dir);
    const scan = await runScan(dir, engine, nodeArgs);
    const s = scan.summary;
    // The scan's own work; creating a fresh database and starting Node are shown apart (a one-off per store).
    const work = s.ingestSeconds + s.detectSeconds;
    const rate = s.records / work;
    const bareRate = bare.records / bare.seconds;
    const sev = ['critical', 'high', 'medium', 'low'].map((k) => `${scan.bySeverity[k] ?? 0} ${k}`).join(', ');
    console.log(`\n${shape} (${SHAPES[shape].describe}) on ${engine}: ${fmt(s.records)} records`);
    console.log(`  scan --input (ingest + detection): ${fmt(rate)} records/s (ingest ${s.ingestSeconds.toFixed(1)} s, detection ${s.detectSeconds.toFixed(1)} s)`);
    console.log(`  process wall time:                 ${scan.wallSeconds.toFixed(1)} s (${(scan.wallSeconds - work).toFixed(1)} s of it start-up, opening a fresh database, shutdown)`);
    console.log(`  bare decode, one core:             ${fmt(bareRate)} records/s (${bare.seconds.toFixed(1)} s, ${fmt(bare.records)} records)`);
    console.log(`  ratio:                             ${(rate / bareRate).toFixed(2)} (ingest alone: ${(s.records / s.ingestSeconds / bareRate).toFixed(2)}; whole process wall: ${(s.records / scan.wallSeconds / bareRate).toFixed(2)})`);
    console.log(`  peak RSS of the scan process:      ${fmt(s.maxRssMb)} MB`);
    console.log(`  findings:                          ${s.findings} (${sev})`);
  }
  if (values.replay) {
    const r = replayFigure(dir);
    if (r) console.log(`  secondary: in-memory replay (no store, old bench): ${fmt(r.events / r.seconds)} events/s`);
  }
}
const whoEvents = Number(values['who-events']);
if (whoEvents > 0) {
  console.log(`\n/storage-who <identity> last 24h, one IAM user with ${fmt(whoEvents)} events in those 24 hours (bench/who-lookup.ts):`);
  for (const engine of values.engines.split(',')) {
    const w = await whoFigure(values.out, engine, whoEvents);
    console.log(`  ${engine}: answered in ${fmt(w.firstLookupMs)} ms (again: ${fmt(w.secondLookupMs)} ms), from rollups of ${fmt(w.events)} events ingested in ${w.ingestSeconds.toFixed(1)} s`);
  }
}
