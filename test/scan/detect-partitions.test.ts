import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { generateDataset } from '../../src/demo/generate-dataset.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { DETECTORS } from '../../src/detectors/index.js';
import { PeerIndex } from '../../src/detection/peer-index.js';
import { detectPending } from '../../src/scan/detect-pending.js';
import { judgePartition } from '../../src/scan/judge-partition.js';
import { openDatabase } from '../../src/store/open-database.js';
import { ingestFiles } from '../../src/scan/ingest-files.js';
import { listFindings } from '../../src/store/findings.js';
import { dirtyHours } from '../../src/store/rollups.js';
import type { Sql } from '../../src/store/sql.js';
import { fixNames, NOON_STORM, witness } from '../helpers/test-detectors.js';
import { createTestDatabase, ENGINES, type Engine, type TestDatabase } from '../helpers/databases.js';

const tmp = mkdtempSync(join(tmpdir(), 'sw-partitions-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let generated: Promise<unknown> | undefined;
const dataset = (): Promise<unknown> => (generated ??= generateDataset({ seed: 11, outDir: tmp, identities: 30, days: 21 }));


// A low storm limit, so that the storm guard folds findings of several identities (and so of several partitions).
const settings = detectionSettings({ stormLimit: 2 });
const byId = (a: Finding, b: Finding): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function judged(sql: Sql, partitions: number): Promise<{ findings: Finding[]; baselines: Map<string, string>; seen: string[]; returned: number }> {
  const seen: string[] = [];
  const updates = await detectPending(sql, { detectors: [...DETECTORS, NOON_STORM, witness(seen)], settings, partitions, now: () => Date.UTC(2026, 11, 1) });
  const rows = await sql.query<{ identity_key: string; data: unknown }>('select identity_key, data from baselines');
  return {
    findings: (await listFindings(sql, { limit: 100_000 })).sort(byId),
    baselines: new Map(rows.map((r) => [r.identity_key, JSON.stringify(r.data)])),
    seen, returned: updates.length,
  };
}

describe.each(ENGINES)('detection split into partitions on %s', (engine: Engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    await dataset();
    db = await createTestDatabase(engine);
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
  });

  it('stores the same findings and baselines with 3 partitions as with one, judging every identity-hour once', async () => {
    await ingestFiles(db.sql, [tmp]);
    await fixNames(db.sql);
    const pending = (await db.sql.query<{ n: string }>('select count(*) as n from rollups_pending'))[0]!.n;
    const single = await judged(db.sql, 1);
    expect(await dirtyHours(db.sql)).toEqual([]);

    await db.reset();
    await ingestFiles(db.sql, [tmp]);
    await fixNames(db.sql);
    const split = await judged(db.sql, 3);
    expect(await dirtyHours(db.sql)).toEqual([]);

    expect(single.seen).toHaveLength(Number(pending));
    expect(new Set(split.seen).size).toBe(split.seen.length);
    expect([...split.seen].sort()).toEqual([...single.seen].sort());
    expect(split.findings.length).toBeGreaterThan(10);
    expect(split.findings).toEqual(single.findings);
    expect(split.returned).toBe(single.returned);
    expect(split.baselines).toEqual(single.baselines);
    // The storm guard saw the detections of every partition: one storm finding per detector and hour at most.
    const storms = split.findings.filter((f) => f.principal.id === 'storm-guard');
    expect(storms.length).toBeGreaterThan(0);
    expect(new Set(storms.map((f) => `${f.detector} ${f.scope}`)).size).toBe(storms.length);
    // Nothing is left staged.
    expect(await db.sql.query('select id from detection_staged')).toEqual([]);
  }, 300_000);

  it('consumes a partition-day once when two workers run it at the same time', async () => {
    await db.reset();
    await ingestFiles(db.sql, [tmp]);
    const [first] = await dirtyHours(db.sql);
    const day = first! - (first! % 86_400_000);
    const task = { runId: 'twice', day, partition: 0, of: 1 };
    const ctx = { peers: new PeerIndex(settings.learningDays), suppressions: [], now: Date.UTC(2026, 11, 1) };
    const pending = async (): Promise<number> => Number((await db.sql.query<{ n: string }>('select count(*) as n from rollups_pending where hour >= $1 and hour < $2', [new Date(day), new Date(day + 86_400_000)]))[0]!.n);
    const before = await pending();
    expect(before).toBeGreaterThan(0);
    // A second connection on PostgreSQL; on embedded PGlite, two runs in one process (its transactions take turns).
    const other = engine === 'postgres' ? await openDatabase(db.target) : db.sql;
    try {
      const results = await Promise.all([db.sql, other].map((sql) => judgePartition(sql, task, ctx, { detectors: DETECTORS, settings })));
      expect(results.map((r) => r.judgedHours).sort((a, b) => a - b)).toEqual([0, before]);
    } finally {
      if (other !== db.sql) await other.close();
    }
    expect(await pending()).toBe(0);
    expect(await db.sql.query('select id from detection_staged')).toHaveLength(1);
  }, 120_000);
});
