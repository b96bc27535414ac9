import { describe, expect, it } from 'vitest';
import { emptyBaseline, type Baseline } from '../../src/core/baseline.js';
import { distinctObjects, totalOps } from '../../src/core/rollup.js';
import { getBaselines, saveBaselines } from '../../src/store/baselines.js';
import { dirtyHours, dirtyRollups, identityRollups, markJudged, saveRollups } from '../../src/store/rollups.js';
import { ENGINES, type Engine, useTestDatabase } from '../helpers/databases.js';
import { accessEvent, awsUser, DAY, HOUR, rollupOf, storeIdentities, T0 } from '../helpers/store-fixtures.js';

const alice = awsUser('alice');
const bob = awsUser('bob');
const H9 = T0 + 9 * HOUR;

describe.each(ENGINES)('rollups and baselines on %s', (engine: Engine) => {
  const t = useTestDatabase(engine, async (db) => {
      await storeIdentities(db.sql, [alice, bob]);
  });

  it('merges a second batch for the same identity-hour instead of replacing it', async () => {
    const first = rollupOf([
      accessEvent(alice, H9 + 60_000, { key: 'a.csv', bytesOut: 100 }),
      accessEvent(alice, H9 + 120_000, { key: 'b.csv', bytesOut: 200 }),
      accessEvent(alice, H9 + 180_000, { key: 'c.csv', bytesOut: 300 }),
    ]);
    const second = rollupOf([
      accessEvent(alice, H9 + 30_000, { key: 'c.csv', bytesOut: 300, ip: '203.0.113.50', client: 'rclone/v1.66.0' }),
      accessEvent(alice, H9 + 40 * 60_000, { key: 'd.csv', bytesOut: 400, ip: '203.0.113.50', client: 'rclone/v1.66.0' }),
      accessEvent(alice, H9 + 41 * 60_000, { cls: 'list', key: 'e.csv' }),
    ]);
    await saveRollups(t.db.sql, [first]);
    await saveRollups(t.db.sql, [second]);

    const [stored, ...more] = await identityRollups(t.db.sql, alice.key, T0, T0 + DAY);
    expect(more).toEqual([]);
    expect(stored!.hour).toBe(H9);
    expect(stored!.ops).toEqual({ read: 5, list: 1 });
    expect(totalOps(stored!)).toBe(6);
    expect(stored!.bytesOut).toBe(100 + 200 + 300 + 300 + 400 + 1024);
    expect(stored!.first).toBe(H9 + 30_000);
    expect(stored!.last).toBe(H9 + 41 * 60_000);
    // c.csv was read in both batches: the distinct sketches unite, they do not add.
    expect(distinctObjects(stored!)).toEqual({ objects: 5, readObjects: 4 });
    expect(stored!.ips).toEqual({ '198.51.100.10': 4, '203.0.113.50': 2 });
    // Seconds into the hour of each address's first and last use, united across the batches.
    expect(stored!.ipSpans).toEqual({ '198.51.100.10': [60, 41 * 60], '203.0.113.50': [30, 40 * 60] });
    expect(stored!.clients).toEqual({ 'aws-cli/2.15.0': 4, 'rclone/v1.66.0': 2 });
    expect(stored!.actions).toEqual({ GetObject: 5, ListObjects: 1 });
    expect(stored!.buckets).toEqual({ finance: 6 });
    expect(stored!.slots.reduce((a, b) => a + b, 0)).toBe(6);
    expect(stored!.slots[0]).toBe(4);
    expect(stored!.slots[8]).toBe(2);

    const [row] = await t.db.sql.query<{ ops: number; bytes_out: number }>('select ops, bytes_out from rollups');
    expect(row).toEqual({ ops: 6, bytes_out: 2324 });
  });

  it('keeps object keys, clients and principals with tabs, backslashes and line breaks as they were', async () => {
    // Attacker-chosen text must reach the evidence unchanged, whatever the bulk load's escaping.
    const odd = awsUser('odd\tname\\with\nbreaks');
    await storeIdentities(t.db.sql, [odd]);
    const key = 'dir\\sub\tkey\r\nline.csv';
    const client = 'curl\\8.0\t"quoted"';
    await saveRollups(t.db.sql, [rollupOf([accessEvent(odd, H9 + 1000, { key, client }), accessEvent(odd, H9 + 2000, { key, client })])]);
    const [stored] = await identityRollups(t.db.sql, odd.key, T0, T0 + DAY);
    expect(stored!.identity).toBe(odd.key);
    expect(stored!.sampleKeys).toEqual([`finance/${key}`]);
    expect(stored!.clients).toEqual({ [client]: 2 });
  });

  it('keeps rollups of different identities and hours apart', async () => {
    await saveRollups(t.db.sql, [
      rollupOf([accessEvent(alice, H9 + 1000)]),
      rollupOf([accessEvent(alice, H9 + HOUR + 1000), accessEvent(alice, H9 + HOUR + 2000)]),
      rollupOf([accessEvent(bob, H9 + 1000)]),
    ]);
    expect((await identityRollups(t.db.sql, alice.key, T0, T0 + DAY)).map((r) => [r.hour, totalOps(r)])).toEqual([[H9, 1], [H9 + HOUR, 2]]);
    expect((await identityRollups(t.db.sql, bob.key, T0, T0 + DAY)).map((r) => [r.hour, totalOps(r)])).toEqual([[H9, 1]]);
    expect(await identityRollups(t.db.sql, alice.key, H9 + HOUR, H9 + HOUR)).toEqual([]);
  });

  it('marks saved hours dirty until they are judged, and dirty again when more arrives', async () => {
    await saveRollups(t.db.sql, [
      rollupOf([accessEvent(bob, H9 + DAY)]),
      rollupOf([accessEvent(alice, H9)]),
      rollupOf([accessEvent(bob, H9)]),
      rollupOf([accessEvent(alice, H9 + 2 * HOUR)]),
    ]);
    expect(await dirtyHours(t.db.sql)).toEqual([H9, H9 + 2 * HOUR, H9 + DAY]);
    const { rollups: firstDay } = await dirtyRollups(t.db.sql, T0, T0 + DAY);
    expect(firstDay.map((r) => [r.hour, r.identity])).toEqual([[H9, alice.key], [H9, bob.key], [H9 + 2 * HOUR, alice.key]]);
    // [from, to): the rollup at `to` is not part of the range.
    expect((await dirtyRollups(t.db.sql, H9, H9 + 2 * HOUR)).rollups.map((r) => r.hour)).toEqual([H9, H9]);

    await markJudged(t.db.sql, T0, T0 + DAY);
    expect(await dirtyHours(t.db.sql)).toEqual([H9 + DAY]);
    expect((await dirtyRollups(t.db.sql, T0, T0 + DAY)).rollups).toEqual([]);
    // Judged rollups are still there for history.
    expect(await identityRollups(t.db.sql, alice.key, T0, T0 + DAY)).toHaveLength(2);

    await saveRollups(t.db.sql, [rollupOf([accessEvent(alice, H9 + 30 * 60_000)])]);
    expect(await dirtyHours(t.db.sql)).toEqual([H9, H9 + DAY]);
    const [again] = (await dirtyRollups(t.db.sql, T0, T0 + DAY)).rollups;
    expect(totalOps(again!)).toBe(2);
  });

  it('leaves for the next run a rollup that a scan saved after the run read it', async () => {
    await saveRollups(t.db.sql, [rollupOf([accessEvent(alice, H9)])]);
    const { readAt } = await dirtyRollups(t.db.sql, T0, T0 + DAY);
    await saveRollups(t.db.sql, [rollupOf([accessEvent(alice, H9 + 60_000)])]);
    await markJudged(t.db.sql, T0, T0 + DAY, readAt);
    const [again] = (await dirtyRollups(t.db.sql, T0, T0 + DAY)).rollups;
    expect(totalOps(again!)).toBe(2);
  });

  it('saves more rollups than one statement chunk', async () => {
    const many = Array.from({ length: 1100 }, (_, i) => rollupOf([accessEvent(alice, T0 + i * HOUR + 1)]));
    await saveRollups(t.db.sql, many);
    await saveRollups(t.db.sql, many);
    const stored = await identityRollups(t.db.sql, alice.key, T0, T0 + 1100 * HOUR);
    expect(stored).toHaveLength(1100);
    expect(stored.every((r) => totalOps(r) === 2)).toBe(true);
  });

  describe('baselines', () => {
    const learnt: Baseline = {
      identity: alice.key, through: H9 + HOUR, firstSeen: T0 + 60_000, lastSeen: H9 + 59 * 60_000, activeDays: [20150, 20151],
      ips: { '198.51.100.10': { first: T0 + 60_000, last: H9, count: 12 } },
      networks: { '198.51.100.0/24': { first: T0 + 60_000, last: H9, count: 12 } },
      clients: { 'aws-cli/2.15.0': { first: T0 + 60_000, last: H9, count: 12 } },
      buckets: { finance: { first: T0 + 60_000, last: H9, count: 12 } },
      secretReads: { 'finance/keys/id_rsa': { first: H9, last: H9, count: 1 } },
      hours: [[Math.floor(H9 / HOUR), 12, 12, 0, 0, 0, 24_576, 12, 12, 0, 0, 3]],
    };

    it('gives an empty baseline to an identity never learnt', async () => {
      expect((await getBaselines(t.db.sql, [bob.key])).get(bob.key)).toEqual(emptyBaseline(bob.key));
    });

    it('round-trips a baseline and overwrites it on the next save', async () => {
      await saveBaselines(t.db.sql, [learnt]);
      const got = await getBaselines(t.db.sql, [alice.key, bob.key]);
      expect(got.get(alice.key)).toEqual(learnt);
      expect(got.get(bob.key)).toEqual(emptyBaseline(bob.key));
      const [row] = await t.db.sql.query<{ through: Date }>('select through from baselines where identity_key = $1', [alice.key]);
      expect(row!.through.getTime()).toBe(H9 + HOUR);

      const later: Baseline = { ...learnt, through: H9 + 2 * HOUR, activeDays: [20150, 20151, 20152] };
      await saveBaselines(t.db.sql, [later]);
      expect((await getBaselines(t.db.sql, [alice.key])).get(alice.key)).toEqual(later);
      expect(await t.db.sql.query('select 1 from baselines')).toHaveLength(1);
    });
  });
});
