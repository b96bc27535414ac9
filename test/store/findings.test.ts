import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { groupNovelty } from '../../src/core/novelty-day.js';
import { GROUP_WINDOW_MS, getFinding, listFindings, setFindingStatus } from '../../src/store/findings.js';
import { recordFinding, recordFindings } from '../../src/store/record-findings.js';
import { addSuppression, listSuppressions } from '../../src/store/suppressions.js';
import { ENGINES, type Engine, useTestDatabase } from '../helpers/databases.js';
import { awsUser, DAY, draft, HOUR, storeIdentities, T0 } from '../helpers/store-fixtures.js';

const alice = awsUser('alice');
const bob = awsUser('bob');
const H9 = T0 + 9 * HOUR;
const MIN = 60_000;

describe.each(ENGINES)('findings and suppressions on %s', (engine: Engine) => {
  const t = useTestDatabase(engine, async (db) => {
      await storeIdentities(db.sql, [alice, bob]);
  });

  it('records a new finding with the identity, the draft and status open', async () => {
    const d = draft(H9, H9 + 40 * MIN);
    const { finding, change } = await recordFinding(t.db.sql, alice, d);
    expect(change).toBe('new');
    expect(finding).toMatchObject({
      detector: 'new-source-ip', severity: 'medium', status: 'open', occurrences: 1, identity: alice.key, cloud: 'aws', account: '111122223333',
      principal: { id: 'arn:aws:iam::111122223333:user/alice', name: 'alice', type: 'user' }, scope: 'ip:203.0.113.50',
      start: H9, end: H9 + 40 * MIN, title: d.title, summary: d.summary, evidence: d.evidence,
    });
    expect(finding.id).toMatch(/^[0-9a-f]{12}$/);
    expect(finding.suppressedBy).toBeUndefined();
    expect(await getFinding(t.db.sql, finding.id)).toEqual(finding);
  });

  it('groups a repeat within 24 h into the same finding: count 2, end extended, the higher severity kept', async () => {
    const first = await recordFinding(t.db.sql, alice, draft(H9, H9 + 40 * MIN, { severity: 'high' }));
    const repeat = await recordFinding(t.db.sql, alice, draft(H9 + 20 * HOUR, H9 + 20 * HOUR + 5 * MIN, { severity: 'medium', title: 'again' }));
    expect(repeat.change).toBe('updated');
    expect(repeat.finding).toMatchObject({ id: first.finding.id, occurrences: 2, start: H9, end: H9 + 20 * HOUR + 5 * MIN, severity: 'high', title: 'again' });

    const worse = await recordFinding(t.db.sql, alice, draft(H9 + 30 * HOUR, H9 + 30 * HOUR + MIN, { severity: 'critical' }));
    expect(worse.finding).toMatchObject({ id: first.finding.id, occurrences: 3, end: H9 + 30 * HOUR + MIN, severity: 'critical' });
    expect(await listFindings(t.db.sql)).toHaveLength(1);
    expect(await getFinding(t.db.sql, first.finding.id)).toEqual(worse.finding);
  });

  it('an open finding absorbs its repeats for as long as it stays undecided, days later too', async () => {
    const end = H9 + 40 * MIN;
    const first = await recordFinding(t.db.sql, alice, draft(H9, end));
    const later = await recordFinding(t.db.sql, alice, draft(H9 + 5 * DAY, H9 + 5 * DAY + MIN));
    expect(later.change).toBe('updated');
    expect(later.finding).toMatchObject({ id: first.finding.id, occurrences: 2, start: H9, end: H9 + 5 * DAY + MIN });
    expect(await listFindings(t.db.sql)).toHaveLength(1);
  });

  it('opens a new finding for a repeat more than 24 h after a decided one ended', async () => {
    const end = H9 + 40 * MIN;
    const first = await recordFinding(t.db.sql, alice, draft(H9, end));
    await setFindingStatus(t.db.sql, first.finding.id, { status: 'benign', by: 'slack:U1', reason: 'known', detail: {} });
    const later = await recordFinding(t.db.sql, alice, draft(end + GROUP_WINDOW_MS + MIN, end + GROUP_WINDOW_MS + 2 * MIN));
    expect(later.change).toBe('new');
    expect(later.finding.id).not.toBe(first.finding.id);
    expect(later.finding.occurrences).toBe(1);
    expect((await getFinding(t.db.sql, first.finding.id))!.end).toBe(end);
  });

  it('groups low novelty of one identity and day into one finding that lists what was new', async () => {
    const low = (t0: number, ip: string) => {
      const d = draft(t0, t0 + MIN, { severity: 'low', scope: `ip:${ip}` });
      return groupNovelty({ ...d, evidence: { ...d.evidence, firstSeen: { ips: [ip], networks: ['10.0.0.0/8'] } } });
    };
    const ips = ['10.1.2.3', '10.9.8.7', '10.4.4.4'];
    const [a, b, c] = [await recordFinding(t.db.sql, alice, low(H9, ips[0]!)), await recordFinding(t.db.sql, alice, low(H9 + HOUR, ips[1]!)), await recordFinding(t.db.sql, alice, low(H9 + 2 * HOUR, ips[2]!))];
    expect([a.change, b.change, c.change]).toEqual(['new', 'updated', 'updated']);
    expect(c.finding).toMatchObject({ id: a.finding.id, occurrences: 3, scope: `day:${new Date(H9).toISOString().slice(0, 10)}` });
    expect(c.finding.evidence.firstSeen.ips).toEqual(ips);
    expect(c.finding.title).toBe(`3 new source addresses for alice on ${new Date(H9).toISOString().slice(0, 10)}, all in 10.0.0.0/8`);
    const nextDay = await recordFinding(t.db.sql, alice, low(H9 + DAY, '10.7.7.7'));
    expect(nextDay.change).toBe('new');
  });

  it('folds the findings one detector opens beyond the storm limit in one hour into one storm finding', async () => {
    const people = Array.from({ length: 8 }, (_, i) => awsUser(`user${i}`));
    await storeIdentities(t.db.sql, people);
    const first = await recordFindings(t.db.sql, people.slice(0, 6).map((p, i) => ({ identity: p, draft: draft(H9 + i * MIN, H9 + i * MIN + MIN) })), { stormLimit: 3 });
    expect(first.filter((u) => u.change === 'new')).toHaveLength(4);
    const storm = first.find((u) => u.finding.principal.id === 'storm-guard')!.finding;
    expect(storm).toMatchObject({ detector: 'new-source-ip', severity: 'medium', status: 'open', evidence: { observed: { foldedFindings: 3, identities: 3 } } });
    expect(storm.title).toContain('3 more new-source-ip findings for 3 identities');
    // A later scan in the same hour folds into the same storm finding.
    const second = await recordFindings(t.db.sql, people.slice(6).map((p) => ({ identity: p, draft: draft(H9 + 30 * MIN, H9 + 31 * MIN, { severity: 'high' }) })), { stormLimit: 1 });
    expect(second.filter((u) => u.change === 'new')).toHaveLength(1);
    const again = second.find((u) => u.finding.principal.id === 'storm-guard')!;
    expect(again).toMatchObject({ change: 'updated', finding: { id: storm.id, severity: 'high', evidence: { observed: { foldedFindings: 4 } } } });
    // Three opened and the storm, then one more opened: the storm took four.
    expect(await listFindings(t.db.sql)).toHaveLength(5);
  });

  it('keeps detections of another scope, detector or identity apart', async () => {
    await recordFinding(t.db.sql, alice, draft(H9, H9 + MIN));
    const changes = [
      await recordFinding(t.db.sql, alice, draft(H9 + HOUR, H9 + HOUR + MIN, { scope: 'ip:192.0.2.9' })),
      await recordFinding(t.db.sql, alice, draft(H9 + HOUR, H9 + HOUR + MIN, { detector: 'bulk-download' })),
      await recordFinding(t.db.sql, bob, draft(H9 + HOUR, H9 + HOUR + MIN)),
    ].map((r) => r.change);
    expect(changes).toEqual(['new', 'new', 'new']);
    expect(await listFindings(t.db.sql)).toHaveLength(4);
  });

  it('stores a suppressed detection with status suppressed and the suppression that matched', async () => {
    const { finding } = await recordFinding(t.db.sql, alice, draft(H9, H9 + MIN), 's-1234abcd');
    expect(finding).toMatchObject({ status: 'suppressed', suppressedBy: 's-1234abcd' });
    expect(await getFinding(t.db.sql, finding.id)).toMatchObject({ status: 'suppressed', suppressedBy: 's-1234abcd' });
  });

  it('does not fold a detection that no suppression covers into a suppressed finding', async () => {
    // The suppression has expired (or was lifted); the same activity goes on four hours later.
    const quiet = await recordFinding(t.db.sql, alice, draft(H9, H9 + MIN), 's-expired');
    const { finding } = await recordFinding(t.db.sql, alice, draft(H9 + 4 * HOUR, H9 + 4 * HOUR + MIN, { severity: 'high' }));
    expect(finding.status).toBe('open');
    expect(finding.suppressedBy).toBeUndefined();
    expect((await listFindings(t.db.sql, { status: 'open' })).map((f) => f.start)).toEqual([H9 + 4 * HOUR]);
    expect((await getFinding(t.db.sql, quiet.finding.id))!.status).toBe('suppressed');
  });

  it('lists findings by status, identity, end time and count, most recent activity first', async () => {
    const a1 = (await recordFinding(t.db.sql, alice, draft(H9, H9 + MIN))).finding;
    const a2 = (await recordFinding(t.db.sql, alice, draft(H9 + 3 * DAY, H9 + 3 * DAY + MIN), 's-1')).finding;
    const b1 = (await recordFinding(t.db.sql, bob, draft(H9 + DAY, H9 + DAY + MIN))).finding;
    const ids = async (f: Parameters<typeof listFindings>[1]): Promise<string[]> => (await listFindings(t.db.sql, f)).map((x) => x.id);

    expect(await ids({})).toEqual([a2.id, b1.id, a1.id]);
    expect(await ids({ status: 'open' })).toEqual([b1.id, a1.id]);
    expect(await ids({ status: 'suppressed' })).toEqual([a2.id]);
    expect(await ids({ status: 'benign' })).toEqual([]);
    expect(await ids({ identity: alice.key })).toEqual([a2.id, a1.id]);
    expect(await ids({ since: H9 + DAY + MIN })).toEqual([a2.id, b1.id]);
    expect(await ids({ since: H9 + DAY + MIN + 1 })).toEqual([a2.id]);
    expect(await ids({ identity: alice.key, status: 'open', since: H9 })).toEqual([a1.id]);
    expect(await ids({ limit: 2 })).toEqual([a2.id, b1.id]);
    expect(await getFinding(t.db.sql, 'nope')).toBeUndefined();
  });

  describe('suppressions', () => {
    it('adds a suppression and returns it with an id and its creation time', async () => {
      const before = Date.now();
      const s = await addSuppression(t.db.sql, { identity: alice.key, detector: 'new-source-ip', ip: '203.0.113.50', reason: 'VPN exit', author: 'U123' });
      expect(s.id).toMatch(/^s-[0-9a-f]{8}$/);
      expect(s).toMatchObject({ identity: alice.key, detector: 'new-source-ip', ip: '203.0.113.50', reason: 'VPN exit', author: 'U123' });
      expect(s.bucket).toBeUndefined();
      expect(s.expiresAt).toBeUndefined();
      // Database clocks and ours may differ by a little.
      expect(Math.abs(s.createdAt - before)).toBeLessThan(60_000);
      expect(await listSuppressions(t.db.sql)).toEqual([s]);
    });

    it('lists only the suppressions in force at a time, newest first', async () => {
      const now = Date.now();
      // A few milliseconds apart, so that "newest first" has an order to keep (PGlite's clock ticks in milliseconds).
      const forever = await addSuppression(t.db.sql, { bucket: 'public-assets', reason: 'public website', author: 'U1' });
      await sleep(5);
      const expired = await addSuppression(t.db.sql, { identity: bob.key, reason: 'migration', author: 'U2', expiresAt: now - HOUR });
      await sleep(5);
      const week = await addSuppression(t.db.sql, { identity: alice.key, reason: 'pentest', author: 'U3', expiresAt: now + 7 * DAY });

      expect((await listSuppressions(t.db.sql)).map((s) => s.id)).toEqual([week.id, expired.id, forever.id]);
      expect((await listSuppressions(t.db.sql, now)).map((s) => s.id)).toEqual([week.id, forever.id]);
      expect((await listSuppressions(t.db.sql, now - 2 * HOUR)).map((s) => s.id)).toEqual([week.id, expired.id, forever.id]);
      // A suppression expiring exactly at `at` is no longer in force.
      expect((await listSuppressions(t.db.sql, now + 7 * DAY)).map((s) => s.id)).toEqual([forever.id]);
      expect(week.expiresAt).toBe(now + 7 * DAY);
    });
  });
});
