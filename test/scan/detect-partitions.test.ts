import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { generateDataset } from '../../src/demo/generate-dataset.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { DETECTORS } from '../../src/detectors/index.js';
import { detectPending } from '../../src/scan/detect-pending.js';
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
});
