import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handleAction, type ActionDeps, type ChatAction } from '../../src/chat/handle-action.js';
import { suppressionMatches } from '../../src/core/suppression.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { emptyBaseline } from '../../src/core/baseline.js';
import { recentAudit } from '../../src/store/audit-log.js';
import { getBaselines, saveBaselines } from '../../src/store/baselines.js';
import { getFinding } from '../../src/store/findings.js';
import { listSuppressions } from '../../src/store/suppressions.js';
import { createTestDatabase, ENGINES, type Engine, type TestDatabase } from '../helpers/databases.js';
import { bulkDraft, HOUR, person, seedFinding } from './chat-fixtures.js';

const alice = person('alice@corp.com');
const RESPONDERS = new Set(['slack:U0RESP1', 'slack:U0RESP2']);

describe.each(ENGINES)('handleAction on %s', (engine: Engine) => {
  let db: TestDatabase;
  let deps: ActionDeps;
  const now = Date.now();
  const end = now - HOUR;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    deps = { sql: db.sql, settings: detectionSettings(), now: () => now, responders: { isResponder: (a) => Promise.resolve(RESPONDERS.has(a)) } };
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    await db.reset();
  });

  const benign = (findingId: string, o: Partial<ChatAction> = {}): ChatAction => ({ findingId, action: 'benign', actor: 'slack:U0RESP1', reason: 'known job', scope: 'ip', expiry: '1d', ...o });

  it('turns "this IP" into a suppression of this identity, detector and IP that covers the next detection from it and not another address', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const out = await handleAction(deps, benign(f.id));
    expect(out).toMatchObject({ kind: 'done', decision: { status: 'benign', by: 'slack:U0RESP1', detail: { scope: 'ip:203.0.113.50', expiresAt: now + 86_400_000 } } });
    const [s] = await listSuppressions(db.sql);
    expect(s).toMatchObject({ identity: alice.key, detector: 'volume-exfiltration', ip: '203.0.113.50', bucket: undefined, expiresAt: now + 86_400_000 });
    expect(suppressionMatches(s!, alice.key, bulkDraft(now), now)).toBe(true);
    expect(suppressionMatches(s!, alice.key, bulkDraft(now, { scope: 'ip:198.51.100.77', evidence: { ...f.evidence, ips: ['198.51.100.77'] } }), now)).toBe(false);
    expect(suppressionMatches(s!, alice.key, bulkDraft(now), now + 2 * 86_400_000)).toBe(false);
  });

  it('teaches the baseline at once: the first-seen address and client of a benign finding are known from then on', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await saveBaselines(db.sql, [{ ...emptyBaseline(alice.key), through: end, firstSeen: end - 86_400_000, lastSeen: end, activeDays: [1] }]);
    await handleAction(deps, benign(f.id));
    const b = (await getBaselines(db.sql, [alice.key])).get(alice.key)!;
    expect(Object.keys(b.ips)).toContain('203.0.113.50');
    expect(Object.keys(b.networks)).toContain('203.0.113.0/24');
    // Clients are learnt by family, so the next rclone version is not new either.
    expect(Object.keys(b.clients)).toContain('rclone');
  });

  it('scopes "this detector" and "this identity" wider, and "never" does not expire', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await handleAction(deps, benign(f.id, { scope: 'detector', expiry: 'never' }));
    const g = await seedFinding(db.sql, alice, end, bulkDraft(end, { detector: 'new-source-ip', scope: '' }));
    await handleAction(deps, benign(g.id, { scope: 'identity', expiry: '30d' }));
    const byDetector = (await listSuppressions(db.sql)).sort((a, b) => (a.detector ?? '').localeCompare(b.detector ?? ''));
    expect(byDetector.map((s) => [s.identity, s.detector, s.ip, s.expiresAt])).toEqual([
      [alice.key, undefined, undefined, now + 30 * 86_400_000], [alice.key, 'volume-exfiltration', undefined, undefined],
    ]);
  });

  it('offers "this bucket" for a bucket finding and refuses a scope it did not offer', async () => {
    const f = await seedFinding(db.sql, alice, end, bulkDraft(end, { scope: 'bucket:finance', evidence: { ...bulkDraft(end).evidence, ips: ['203.0.113.50', '203.0.113.51'] } }));
    const form = await handleAction(deps, { findingId: f.id, action: 'benign', actor: 'slack:U0RESP1' });
    expect(form.kind === 'form' && form.form.scopes.map((s) => s.value)).toEqual(['bucket', 'detector', 'identity']);
    expect(await handleAction(deps, benign(f.id, { scope: 'ip' }))).toMatchObject({ kind: 'invalid' });
    expect(await handleAction(deps, benign(f.id, { reason: '   ' }))).toMatchObject({ kind: 'invalid', message: 'A reason is required.' });
    expect(await getFinding(db.sql, f.id)).toMatchObject({ status: 'open' });
    await handleAction(deps, benign(f.id, { scope: 'bucket' }));
    expect(await listSuppressions(db.sql)).toMatchObject([{ bucket: 'finance', ip: undefined, detector: 'volume-exfiltration' }]);
  });

  it('lets only one of two responders deciding at once win; the other is told, and both attempts are audited', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const results = await Promise.all([
      handleAction(deps, benign(f.id)),
      handleAction(deps, { findingId: f.id, action: 'escalate', actor: 'slack:U0RESP2', reason: 'looks bad' }),
    ]);
    expect(results.map((r) => r.kind).sort()).toEqual(['already', 'done']);
    const status = (await getFinding(db.sql, f.id))!.status;
    expect(await listSuppressions(db.sql)).toHaveLength(status === 'benign' ? 1 : 0);
    const rows = (await recentAudit(db.sql)).filter((a) => a.target === f.id);
    expect(rows.map((r) => r.result).sort()).toEqual(['done', 'failed']);
  });

  it('applies a delivery once: the same click or form delivered again (replay, retry, even at once) does nothing and is not audited', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const key = { deliveryKey: 'teams:activity-1' };
    const results = await Promise.all([handleAction(deps, benign(f.id, key)), handleAction(deps, benign(f.id, key))]);
    expect(results.map((r) => r.kind).sort()).toEqual(['done', 'duplicate']);
    expect(await handleAction(deps, { findingId: f.id, action: 'details', actor: 'slack:U0RESP2', ...key })).toMatchObject({ kind: 'duplicate' });
    expect(await listSuppressions(db.sql)).toHaveLength(1);
    expect((await recentAudit(db.sql)).filter((a) => a.target === f.id).map((a) => [a.action, a.result])).toEqual([['finding.benign', 'done']]);
    // Another delivery (another click) is judged on its own.
    expect(await handleAction(deps, benign(f.id, { deliveryKey: 'teams:activity-2' }))).toMatchObject({ kind: 'already' });
  });

  it('gives a delivery back when handling it failed, so that the platform\'s retry acts', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const failing = { ...deps, responders: { isResponder: () => Promise.reject(new Error('users.info timed out')) } };
    await expect(handleAction(failing, benign(f.id, { deliveryKey: 'slack:trigger-9' }))).rejects.toThrow('timed out');
    expect(await handleAction(deps, benign(f.id, { deliveryKey: 'slack:trigger-9' }))).toMatchObject({ kind: 'done' });
  });

  it('refuses non-responders whatever the action claims, but shows anyone the details', async () => {
    const f = await seedFinding(db.sql, alice, end);
    expect(await handleAction(deps, benign(f.id, { actor: 'slack:U0OTHER' }))).toMatchObject({ kind: 'refused' });
    expect(await handleAction(deps, { findingId: f.id, action: 'escalate', actor: 'slack:U0OTHER' })).toMatchObject({ kind: 'refused' });
    const details = await handleAction(deps, { findingId: f.id, action: 'details', actor: 'slack:U0OTHER' });
    expect(details.kind === 'done' && details.effects.map((e) => e.kind)).toEqual(['details']);
    expect((await recentAudit(db.sql)).map((a) => [a.action, a.result]).reverse()).toEqual([
      ['finding.benign', 'refused'], ['finding.escalate.request', 'refused'], ['finding.details', 'done'],
    ]);
    expect(await getFinding(db.sql, f.id)).toMatchObject({ status: 'open' });
  });
});
