import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../src/core/finding.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { RollupAccumulator } from '../../src/detection/rollup-accumulator.js';
import { DETECTORS } from '../../src/detectors/index.js';
import { detectPending } from '../../src/scan/detect-pending.js';
import { upsertIdentities } from '../../src/store/identities.js';
import { saveRollups } from '../../src/store/rollups.js';
import type { Sql } from '../../src/store/sql.js';
import type { Scenario } from '../helpers/scenario.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import * as anonymous from '../detectors/fixtures/anonymous-access-burst.js';
import * as secrets from '../detectors/fixtures/secret-object-read.js';
import * as volume from '../detectors/fixtures/volume-exfiltration.js';

/**
 * The detector fixtures in which peers decide (a team's heavy day, the team's routine secrets, how
 * long the account has been watched), judged through the store as one run and split into partitions.
 */
const PEER_RULES = /team|heavy|watch|colleague|first day|new hire|first anonymous|routine|peers/i;
const cases = [
  ...[volume, secrets, anonymous].flatMap((f, i) => {
    const detector = ['volume-exfiltration', 'secret-object-read', 'anonymous-access-burst'][i]!;
    return [...f.fires.map((s) => ({ s, detector, fires: true })), ...f.quiet.map((s) => ({ s, detector, fires: false }))];
  }),
].filter((c) => PEER_RULES.test(c.s.name));

type Stored = {
  detector: string;
  identity_key: string;
  severity: string;
  start_at: Date;
  end_at: Date;
  scope: string;
  occurrences: number;
};

async function store(sql: Sql, s: Scenario): Promise<void> {
  const acc = new RollupAccumulator();
  for (const e of s.events().sort((a, b) => a.time - b.time)) acc.add(e);
  const { rollups, identities } = acc.drain();
  await upsertIdentities(sql, identities);
  await saveRollups(sql, rollups);
}

async function judged(db: TestDatabase, s: Scenario, partitions: number): Promise<Stored[]> {
  await db.reset();
  await store(db.sql, s);
  await detectPending(db.sql, { detectors: DETECTORS, settings: detectionSettings(s.settings), partitions, now: () => Date.UTC(2027, 0, 1) });
  return db.sql.query<Stored>('select detector, identity_key, severity, start_at, end_at, scope, occurrences from findings order by detector, identity_key, start_at, scope');
}

describe('detector fixtures where peers decide, judged in partitions', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('covers the team heavy day, routine secrets and the account watch time', () => {
    expect(cases.filter((c) => c.detector === 'volume-exfiltration').length).toBeGreaterThanOrEqual(4);
    expect(cases.filter((c) => c.detector === 'secret-object-read').length).toBeGreaterThanOrEqual(3);
    expect(cases.filter((c) => c.detector === 'anonymous-access-burst').length).toBeGreaterThanOrEqual(1);
  });

  for (const c of cases) {
    it(`${c.detector} ${c.fires ? 'fires' : 'stays quiet'} alike in 1, 2 and 3 partitions: ${c.s.name}`, async () => {
      const single = await judged(db, c.s, 1);
      for (const partitions of [2, 3]) expect(await judged(db, c.s, partitions), `${partitions} partitions`).toEqual(single);
      // And the fixture's expectation holds through the store, as it does in memory.
      const min = SEVERITIES.indexOf(c.s.severity ?? 'medium');
      const hits = single.filter((f) => f.detector === c.detector && SEVERITIES.indexOf(f.severity as (typeof SEVERITIES)[number]) >= min && f.end_at.getTime() >= (c.s.from ?? 0));
      if (c.fires) expect(hits.length).toBeGreaterThan(0);
      else expect(hits).toEqual([]);
    }, 120_000);
  }
});
