/**
 * The detection half of a scan alone, for profiling: ingests DIR once into a PGlite snapshot
 * directory (kept, so later runs start from a copy of it), then times detectPending on a fresh copy
 * and prints wall and CPU seconds, findings and the time spent per kind of statement.
 * node --cpu-prof --import tsx bench/detect-only.ts DIR [SNAPSHOT_DIR]
 * With DATABASE_URL set it ingests into that database instead (no snapshot; use a fresh schema).
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectionSettings } from '../src/detection/detection-settings.js';
import { DETECTORS } from '../src/detectors/index.js';
import { detectPending, latestFindings } from '../src/scan/detect-pending.js';
import { ingestFiles } from '../src/scan/ingest-files.js';
import { openDatabase } from '../src/store/open-database.js';
import type { Sql } from '../src/store/sql.js';

/** Sums the wall time of each statement, by its first words. */
function timed(sql: Sql, totals: Map<string, { n: number; ms: number }>): Sql {
  const note = (text: string, ms: number): void => {
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 60);
    const t = totals.get(key) ?? { n: 0, ms: 0 };
    t.n++;
    t.ms += ms;
    totals.set(key, t);
  };
  const time = async <T>(text: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      note(text, performance.now() - started);
    }
  };
  return {
    engine: sql.engine,
    query: (text, params) => time(text, () => sql.query(text, params)),
    exec: (text) => time(text, () => sql.exec(text)),
    copyFrom: (table, columns, text) => time(`copy ${table}`, () => sql.copyFrom(table, columns, text)),
    transaction: (fn) => time('(transaction, all of it)', () => sql.transaction((tx) => fn(timed(tx, totals)))),
    close: () => sql.close(),
  };
}

const [input, snapshotArg] = process.argv.slice(2);
if (!input) throw new Error('usage: detect-only.ts DIR [SNAPSHOT_DIR]');
let sql: Sql;
let work: string | undefined;
if (process.env.DATABASE_URL) {
  sql = await openDatabase({ url: process.env.DATABASE_URL });
  await ingestFiles(sql, [input]);
} else {
  const snapshot = snapshotArg ?? join(tmpdir(), `sw-detect-snapshot-${input.replace(/\W+/g, '_')}`);
  if (!existsSync(join(snapshot, '.complete'))) {
    rmSync(snapshot, { recursive: true, force: true });
    const db = await openDatabase({ pgliteDir: snapshot });
    await ingestFiles(db, [input]);
    await db.close();
    writeFileSync(join(snapshot, '.complete'), '');
  }
  work = mkdtempSync(join(tmpdir(), 'sw-detect-'));
  cpSync(snapshot, work, { recursive: true });
  sql = await openDatabase({ pgliteDir: work });
}
const totals = new Map<string, { n: number; ms: number }>();
const started = performance.now();
const cpu = process.cpuUsage();
const updates = await detectPending(timed(sql, totals), { detectors: DETECTORS, settings: detectionSettings({}) });
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
await sql.close();
if (work) rmSync(work, { recursive: true, force: true });
for (const [k, t] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(`${(t.ms / 1000).toFixed(2).padStart(7)} s ${String(t.n).padStart(6)}x  ${k}`);
console.log(JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6, findings: latestFindings(updates).length, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
