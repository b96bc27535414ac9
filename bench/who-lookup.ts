/**
 * The `/storage-who <identity> last 24h` figure: one IAM user with N CloudTrail S3 events (default
 * 1,000,000) in the last 24 hours, each from its own 10.x address, ingested into a fresh store, then
 * the lookup timed through whoReports, the code behind `/storage-who` in Slack and Teams and
 * `storage-watch who`. Prints one JSON line. PostgreSQL when DATABASE_URL is set, else PGlite.
 * Usage: tsx bench/who-lookup.ts DIR [--events N]   (DIR is generated on first use and kept)
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { detectionSettings } from '../src/detection/detection-settings.js';
import { whoReports } from '../src/lookup/who-report.js';
import { ingestFiles } from '../src/scan/ingest-files.js';
import { openDatabase } from '../src/store/open-database.js';
import { generateDense } from './generate-shapes.js';

const END = new Date('2026-11-28T00:00:00Z');
const { values, positionals } = parseArgs({ allowPositionals: true, options: { events: { type: 'string', default: '1000000' } } });
const dir = positionals[0];
if (!dir) throw new Error('usage: tsx bench/who-lookup.ts DIR [--events N]');
const events = Number(values.events);
if (!existsSync(join(dir, '.complete'))) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  generateDense({ outDir: dir, events, identities: 1, days: 1, end: END });
  writeFileSync(join(dir, '.complete'), '');
}

const pgliteDir = mkdtempSync(join(tmpdir(), 'sw-bench-who-'));
const sql = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { pgliteDir });
try {
  const started = performance.now();
  const ingest = await ingestFiles(sql, [dir]);
  const ingestSeconds = (performance.now() - started) / 1000;
  const to = END.getTime();
  const from = to - 24 * 3_600_000;
  const timeLookup = async (): Promise<{ ms: number; ops: number }> => {
    const t = performance.now();
    const { reports } = await whoReports(sql, 'svc-fleet-0000', from, to, detectionSettings().learningDays);
    return { ms: performance.now() - t, ops: reports[0]?.ops ?? 0 };
  };
  // The first lookup meets a cold cache, as a chat command after a quiet night would.
  const first = await timeLookup();
  const again = await timeLookup();
  console.log(JSON.stringify({ events: ingest.events, ingestSeconds, opsInWindow: first.ops, firstLookupMs: first.ms, secondLookupMs: again.ms }));
} finally {
  await sql.close();
  rmSync(pgliteDir, { recursive: true, force: true });
}
