import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { DETECTORS } from '../../src/detectors/index.js';
import { detectPending } from '../../src/scan/detect-pending.js';
import { ingestFiles } from '../../src/scan/ingest-files.js';
import { getBaselines } from '../../src/store/baselines.js';
import { findIdentities } from '../../src/store/identities.js';
import { dirtyHours } from '../../src/store/rollups.js';
import { cloudTrailRecord, ndjson } from '../helpers/cloud-trail-records.js';
import { createTestDatabase, ENGINES, type Engine, type TestDatabase } from '../helpers/databases.js';
import { DAY, HOUR, T0 } from '../helpers/store-fixtures.js';

const DAYS = 21;
const tmp = mkdtempSync(join(tmpdir(), 'sw-commits-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Three weeks of a backfill: bob works every day; alice every other day, always from her office
 * address. Whichever days a run commits together, some commit falls on a day alice is away, between
 * two days she worked.
 */
function writeBackfill(dir: string): void {
  for (let day = 0; day < DAYS; day++) {
    const records = [];
    for (let h = 9; h <= 17; h++) {
      records.push(cloudTrailRecord({ time: T0 + day * DAY + h * HOUR, user: 'bob', ip: '198.51.100.20', key: `ops/b-${day}-${h}.csv` }));
      if (day % 2 === 0) records.push(cloudTrailRecord({ time: T0 + day * DAY + h * HOUR + 60_000, user: 'alice', ip: '198.51.100.10', key: `reports/a-${day}-${h}.csv` }));
    }
    writeFileSync(join(dir, `trail-${String(day).padStart(2, '0')}.ndjson`), ndjson(records));
  }
}
writeBackfill(tmp);

describe.each(ENGINES)('a backfill judged in one run on %s', (engine: Engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(engine);
    await ingestFiles(db.sql, [tmp], { workers: 0 });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('learns every day of an identity that works every other day, and finds nothing in its routine', async () => {
    const updates = await detectPending(db.sql, { detectors: DETECTORS, settings: detectionSettings() });
    expect(await dirtyHours(db.sql)).toEqual([]);
    const [alice] = await findIdentities(db.sql, 'alice');
    const baseline = (await getBaselines(db.sql, [alice!.key])).get(alice!.key)!;
    // A commit that forgot her before it was written made the next day start her from an empty baseline.
    expect(baseline.activeDays).toHaveLength(Math.ceil(DAYS / 2));
    expect(baseline.firstSeen).toBe(T0 + 9 * HOUR + 60_000);
    expect(updates.filter((u) => u.finding.identity === alice!.key).map((u) => u.finding.title)).toEqual([]);
  });
});
