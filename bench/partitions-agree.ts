/**
 * Checks that a detection run split into partitions stores the findings of a single run: the files
 * under --input are ingested into a fresh store for each partition count and judged by detectPending
 * (partitions judged one after another in this process, staged and recorded as the workers' jobs do);
 * the findings (detector, identity, severity, start hour, scope, occurrences) are compared with those
 * of the first count. Prints the detection time of each count too.
 * Usage: tsx bench/partitions-agree.ts --input DIR [--input DIR2] [--partitions 1,2,3] [--database-url postgres://...] [--dump PREFIX]
 * --dump writes each count's findings to PREFIX-N.txt, one a line.
 * Without --database-url (or DATABASE_URL) the store is embedded PGlite in memory.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { detectionSettings } from '../src/detection/detection-settings.js';
import { DETECTORS } from '../src/detectors/index.js';
import { detectPending } from '../src/scan/detect-pending.js';
import { ingestFiles } from '../src/scan/ingest-files.js';
import { openDatabase } from '../src/store/open-database.js';

const { values } = parseArgs({
  options: {
    input: { type: 'string', multiple: true },
    partitions: { type: 'string', default: '1,2,3' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL },
    dump: { type: 'string' },
  },
});
if (!values.input?.length) throw new Error('--input DIR is required');
const settings = detectionSettings({});
const dbUrl = values['database-url'];

async function admin(sqlText: string): Promise<void> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    await c.query(sqlText);
  } finally {
    await c.end();
  }
}

/** One finding as compared across partition counts. */
function tuple(r: { detector: string; identity_key: string; severity: string; start_at: Date; scope: string; occurrences: number }): string {
  return [r.detector, r.identity_key, r.severity, r.start_at.toISOString(), r.scope, r.occurrences].join(' | ');
}

async function judged(partitions: number): Promise<{ findings: string[]; seconds: number }> {
  const schema = `sw_agree_${randomBytes(4).toString('hex')}`;
  if (dbUrl) await admin(`create schema ${schema}`);
  const sql = await openDatabase(dbUrl ? { url: `${dbUrl}${dbUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` } : { pgliteDir: 'memory://' });
  try {
    await ingestFiles(sql, values.input!);
    const started = performance.now();
    // A fixed clock: suppression expiry is the only use of it.
    await detectPending(sql, { detectors: DETECTORS, settings, partitions, now: () => Date.UTC(2027, 0, 1) });
    const seconds = (performance.now() - started) / 1000;
    const rows = await sql.query<Parameters<typeof tuple>[0]>('select detector, identity_key, severity, start_at, scope, occurrences from findings');
    return { findings: rows.map(tuple).sort(), seconds };
  } finally {
    await sql.close();
    if (dbUrl) await admin(`drop schema ${schema} cascade`);
  }
}

const counts = values.partitions.split(',').map(Number);
const results = [];
for (const n of counts) {
  const r = await judged(n);
  results.push({ n, ...r });
  if (values.dump) writeFileSync(`${values.dump}-${n}.txt`, r.findings.join('\n') + '\n');
  process.stderr.write(`${n} partition(s): ${r.findings.length} findings, detection ${r.seconds.toFixed(1)} s\n`);
}
const first = results[0]!;
console.log(`Partitions agree: ${values.input.join(', ')} on ${dbUrl ? 'PostgreSQL' : 'PGlite'}`);
let ok = true;
for (const r of results) {
  const a = new Set(first.findings);
  const b = new Set(r.findings);
  const onlyFirst = first.findings.filter((f) => !b.has(f));
  const onlyThis = r.findings.filter((f) => !a.has(f));
  const same = !onlyFirst.length && !onlyThis.length && first.findings.length === r.findings.length;
  ok &&= same;
  console.log(`${r.n} partition(s): ${r.findings.length} findings, detection ${r.seconds.toFixed(1)} s, same as ${first.n}: ${same ? 'yes' : 'NO'}`);
  for (const f of onlyFirst.slice(0, 5)) console.log(`  only with ${first.n}: ${f}`);
  for (const f of onlyThis.slice(0, 5)) console.log(`  only with ${r.n}: ${f}`);
}
process.exitCode = ok ? 0 : 1;
