import { describe, expect, it } from 'vitest';
import { audit, recentAudit } from '../../src/store/audit-log.js';
import { advanceCursor, getCursor, setCursor } from '../../src/store/cursors.js';
import { ENGINES, type Engine, useTestDatabase } from '../helpers/databases.js';

type FilePosition = { size: number; mtimeMs: number; records: number; complete: boolean };

describe.each(ENGINES)('cursors and the audit log on %s', (engine: Engine) => {
  const t = useTestDatabase(engine);

  describe('cursors', () => {
    it('has no position for a scope never read', async () => {
      expect(await getCursor(t.db.sql, 'files', '/logs/a.json')).toBeUndefined();
    });

    it('stores a position, returns it as it was given and overwrites it on the next set', async () => {
      const first: FilePosition = { size: 1234, mtimeMs: 1741000000123.5, records: 10, complete: false };
      await setCursor(t.db.sql, 'files', '/logs/a.json', first);
      expect(await getCursor<FilePosition>(t.db.sql, 'files', '/logs/a.json')).toEqual(first);

      const second: FilePosition = { ...first, records: 25, complete: true };
      await setCursor(t.db.sql, 'files', '/logs/a.json', second);
      expect(await getCursor<FilePosition>(t.db.sql, 'files', '/logs/a.json')).toEqual(second);
      expect(await t.db.sql.query('select 1 from cursors')).toHaveLength(1);
    });

    it('keeps sources and scopes apart', async () => {
      await setCursor(t.db.sql, 'files', 'x', { records: 1 });
      await setCursor(t.db.sql, 'files', 'y', { records: 2 });
      await setCursor(t.db.sql, 'gcp', 'x', { arrivedAt: '2025-03-04T09:00:00Z' });
      expect(await getCursor(t.db.sql, 'files', 'x')).toEqual({ records: 1 });
      expect(await getCursor(t.db.sql, 'files', 'y')).toEqual({ records: 2 });
      expect(await getCursor(t.db.sql, 'gcp', 'x')).toEqual({ arrivedAt: '2025-03-04T09:00:00Z' });
      expect(await getCursor(t.db.sql, 'gcp', 'y')).toBeUndefined();
    });

    it('moves only when the transaction that set it commits', async () => {
      await setCursor(t.db.sql, 'files', 'a', { records: 1 });
      await expect(t.db.sql.transaction(async (tx) => {
        await setCursor(tx, 'files', 'a', { records: 99 });
        throw new Error('crash before commit');
      })).rejects.toThrow('crash before commit');
      expect(await getCursor(t.db.sql, 'files', 'a')).toEqual({ records: 1 });
    });

    it('advances only from the position a scan started from, so two scans of one scope cannot both count a page', async () => {
      await advanceCursor(t.db.sql, 'aws-trail', '1/eu', undefined, { key: 'k1' });
      await advanceCursor(t.db.sql, 'aws-trail', '1/eu', { key: 'k1' }, { key: 'k2' });
      // A second scan that also started at k1 (or at nothing) lost the race: its transaction must fail.
      await expect(advanceCursor(t.db.sql, 'aws-trail', '1/eu', { key: 'k1' }, { key: 'k2' })).rejects.toThrow(/moved by another scan/);
      await expect(advanceCursor(t.db.sql, 'aws-trail', '1/eu', undefined, { key: 'k1' })).rejects.toThrow(/moved by another scan/);
      expect(await getCursor(t.db.sql, 'aws-trail', '1/eu')).toEqual({ key: 'k2' });
    });
  });

  describe('audit log', () => {
    it('records who tried what, newest first, with the detail as an object', async () => {
      const before = Date.now();
      await audit(t.db.sql, { actor: 'slack:U1', action: 'mark-benign', target: 'finding:abc', result: 'allowed', detail: { reason: 'VPN', expires: '7d' } });
      await audit(t.db.sql, { actor: 'teams:00000000-aaaa', action: 'escalate', target: 'finding:abc', result: 'refused' });
      await audit(t.db.sql, { actor: 'cli', action: 'scan', result: 'done' });

      const entries = await recentAudit(t.db.sql);
      expect(entries.map((e) => [e.actor, e.action, e.result])).toEqual([
        ['cli', 'scan', 'done'], ['teams:00000000-aaaa', 'escalate', 'refused'], ['slack:U1', 'mark-benign', 'allowed'],
      ]);
      expect(entries[2]).toMatchObject({ target: 'finding:abc', detail: { reason: 'VPN', expires: '7d' } });
      expect(entries[1]!.detail).toEqual({});
      expect(entries[0]!.target ?? undefined).toBeUndefined();
      expect(entries[0]!.at).toBeInstanceOf(Date);
      expect(Math.abs(entries[0]!.at.getTime() - before)).toBeLessThan(60_000);
    });

    it('returns at most `limit` lines', async () => {
      for (let i = 0; i < 5; i++) await audit(t.db.sql, { actor: `U${i}`, action: 'who', result: 'done' });
      expect((await recentAudit(t.db.sql, 2)).map((e) => e.actor)).toEqual(['U4', 'U3']);
    });
  });
});
