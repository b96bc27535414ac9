/**
 * The ingest half of a scan alone (files -> rollups in a fresh store, no detection), for profiling:
 * node --cpu-prof --import tsx bench/ingest-only.ts DIR   (PostgreSQL when DATABASE_URL is set)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestFiles } from '../src/scan/ingest-files.js';
import { openDatabase } from '../src/store/open-database.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-ingest-'));
const sql = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { pgliteDir: dir });
const started = performance.now();
const cpu = process.cpuUsage();
const s = await ingestFiles(sql, [process.argv[2]!]);
const seconds = (performance.now() - started) / 1000;
// CPU of all threads: on a shared machine a steadier figure than wall time.
const used = process.cpuUsage(cpu);
const n = (await sql.query<{ n: number }>('select count(*)::int as n from rollups'))[0]?.n;
await sql.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ records: s.records, events: s.events, rejected: s.rejected, rollups: n, seconds, cpuSeconds: (used.user + used.system) / 1e6, perSecond: Math.round(s.records / seconds), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
