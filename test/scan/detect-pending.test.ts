import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEVERITIES, type Finding } from '../../src/core/finding.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { DETECTORS } from '../../src/detectors/index.js';
import { detectPending } from '../../src/scan/detect-pending.js';
import { ingestFiles } from '../../src/scan/ingest-files.js';
import { getBaselines } from '../../src/store/baselines.js';
import { findIdentities, type IdentityRecord } from '../../src/store/identities.js';
import { listFindings } from '../../src/store/findings.js';
import { dirtyHours } from '../../src/store/rollups.js';
import { addSuppression } from '../../src/store/suppressions.js';
import { createTestDatabase, ENGINES, type Engine, type TestDatabase } from '../helpers/databases.js';
import { HOUR } from '../helpers/store-fixtures.js';
import { ATTACK_DAY, DATASET_EVENTS, DATASET_FILES, KNOWN_IP, NEW_IP, RCLONE, writeNewIpDataset } from '../helpers/new-ip-dataset.js';

const tmp = mkdtempSync(join(tmpdir(), 'sw-detect-'));
const dataset = join(tmp, 'logs');
mkdirSync(dataset);
writeNewIpDataset(dataset);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const options = { detectors: DETECTORS, settings: detectionSettings() };
const newSourceIp = (findings: readonly Finding[]): Finding[] => findings.filter((f) => f.detector === 'new-source-ip');
const mentions = (f: Finding, ip: string): boolean => f.scope.includes(ip) || f.evidence.ips.includes(ip) || f.title.includes(ip);

describe.each(ENGINES)('detectPending on %s', (engine: Engine) => {
  let db: TestDatabase;
  let alice: IdentityRecord;
  beforeAll(async () => {
    db = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    await db.reset();
    const read = await ingestFiles(db.sql, [dataset]);
    expect(read).toMatchObject({ files: DATASET_FILES, events: DATASET_EVENTS, rejected: 0 });
    const found = await findIdentities(db.sql, 'alice');
    expect(found).toHaveLength(1);
    alice = found[0]!;
  });

  it('finds the new address, at medium or above, and nothing for the usual one', async () => {
    const updates = await detectPending(db.sql, options);
    expect(updates.every((u) => u.change === 'new')).toBe(true);
    const findings = newSourceIp(updates.map((u) => u.finding));
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(SEVERITIES.indexOf(f!.severity)).toBeGreaterThanOrEqual(SEVERITIES.indexOf('medium'));
    expect(f).toMatchObject({
      status: 'open', identity: alice.key, cloud: 'aws', account: '111122223333', scope: `ip:${NEW_IP}`,
      principal: { id: 'arn:aws:iam::111122223333:user/alice', type: 'user' },
      start: ATTACK_DAY + 10 * HOUR, end: ATTACK_DAY + 10 * HOUR + 25 * 60_000,
    });
    expect(f!.title).toContain(NEW_IP);
    expect(f!.evidence.firstSeen.ips).toEqual([NEW_IP]);
    expect(f!.evidence.firstSeen.clients).toContain(RCLONE);
    expect(f!.evidence.baseline).toMatchObject({ days: 11, learning: false });
    expect(updates.map((u) => u.finding).filter((x) => mentions(x, KNOWN_IP))).toEqual([]);

    expect(await dirtyHours(db.sql)).toEqual([]);
    const byId = (a: { id: string }, b: { id: string }): number => a.id.localeCompare(b.id);
    expect((await listFindings(db.sql)).sort(byId)).toEqual(updates.map((u) => u.finding).sort(byId));
    // The flagged address is not learnt as normal until someone says it is.
    const baseline = (await getBaselines(db.sql, [alice.key])).get(alice.key)!;
    expect(Object.keys(baseline.ips)).toEqual([KNOWN_IP]);
    expect(baseline.through).toBe(ATTACK_DAY + 11 * HOUR);
  });

  it('creates nothing new when run again', async () => {
    const first = await detectPending(db.sql, options);
    expect(first.length).toBeGreaterThan(0);
    expect(await detectPending(db.sql, options)).toEqual([]);
    expect(await listFindings(db.sql)).toHaveLength(first.length);
  });

  it('does not judge again when the same files are scanned again', async () => {
    await detectPending(db.sql, options);
    await ingestFiles(db.sql, [dataset]);
    expect(await detectPending(db.sql, options)).toEqual([]);
  });

  it('stores the detection as suppressed when a suppression for that identity, detector and address exists', async () => {
    const s = await addSuppression(db.sql, { identity: alice.key, detector: 'new-source-ip', ip: NEW_IP, reason: 'travel VPN', author: 'U123' });
    const findings = newSourceIp((await detectPending(db.sql, options)).map((u) => u.finding));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'suppressed', suppressedBy: s.id, scope: `ip:${NEW_IP}` });
    expect(newSourceIp(await listFindings(db.sql, { status: 'open' }))).toEqual([]);
  });

  it('learns an address as normal once everything it raised is suppressed', async () => {
    const s = await addSuppression(db.sql, { identity: alice.key, ip: NEW_IP, reason: 'new office', author: 'U123' });
    const findings = (await detectPending(db.sql, options)).map((u) => u.finding);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.status === 'suppressed' && f.suppressedBy === s.id)).toBe(true);
    expect(Object.keys((await getBaselines(db.sql, [alice.key])).get(alice.key)!.ips).sort()).toEqual([KNOWN_IP, NEW_IP]);
  });

  it('ignores an expired suppression, one for another address and one for another identity', async () => {
    await addSuppression(db.sql, { identity: alice.key, detector: 'new-source-ip', ip: NEW_IP, reason: 'old', author: 'U1', expiresAt: Date.now() - HOUR });
    await addSuppression(db.sql, { identity: alice.key, detector: 'new-source-ip', ip: '192.0.2.1', reason: 'other ip', author: 'U1' });
    await addSuppression(db.sql, { identity: 'aws|111122223333|arn:aws:iam::111122223333:user/bob', reason: 'bob', author: 'U1' });
    const findings = newSourceIp((await detectPending(db.sql, options)).map((u) => u.finding));
    expect(findings.map((f) => [f.scope, f.status])).toEqual([[`ip:${NEW_IP}`, 'open']]);
  });
});
