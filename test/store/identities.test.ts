import { beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/core/identity.js';
import { findIdentities, getIdentities, upsertIdentities } from '../../src/store/identities.js';
import { ENGINES, type Engine, useTestDatabase } from '../helpers/databases.js';
import { awsUser, DAY, HOUR, T0 } from '../helpers/store-fixtures.js';

const alice: Identity = {
  key: 'aws|111122223333|arn:aws:iam::111122223333:role/DataEngineer',
  cloud: 'aws', account: '111122223333',
  principal: { id: 'arn:aws:iam::111122223333:role/DataEngineer', name: 'DataEngineer/alice@corp.com', type: 'role' },
};
const gcpSa: Identity = {
  key: 'gcp|analytics-prod|etl@analytics-prod.iam.gserviceaccount.com',
  cloud: 'gcp', account: 'analytics-prod',
  principal: { id: 'etl@analytics-prod.iam.gserviceaccount.com', name: 'etl@analytics-prod.iam.gserviceaccount.com', type: 'service' },
};
const percent: Identity = awsUser('promo_100%_off');
const bob: Identity = awsUser('bob');
const boxb: Identity = awsUser('boxb');

describe.each(ENGINES)('identities on %s', (engine: Engine) => {
  const t = useTestDatabase(engine);

  it('stores an identity with its principal and activity span', async () => {
    await upsertIdentities(t.db.sql, [{ ...alice, first: T0 + HOUR, last: T0 + 2 * HOUR }]);
    const got = (await getIdentities(t.db.sql, [alice.key])).get(alice.key);
    expect(got).toEqual({ ...alice, firstSeen: T0 + HOUR, lastSeen: T0 + 2 * HOUR });
  });

  it('widens first and last seen on a later batch, never narrows them, and takes the display name of the last batch', async () => {
    const renamed = { ...alice, principal: { ...alice.principal, name: 'DataEngineer/alice' } };
    await upsertIdentities(t.db.sql, [{ ...alice, first: T0 + DAY, last: T0 + 2 * DAY }]);
    await upsertIdentities(t.db.sql, [{ ...alice, first: T0, last: T0 + DAY }]);
    await upsertIdentities(t.db.sql, [{ ...alice, first: T0 + DAY + HOUR, last: T0 + 5 * DAY }]);
    await upsertIdentities(t.db.sql, [{ ...renamed, first: T0 + 2 * DAY, last: T0 + 3 * DAY }]);
    const got = (await getIdentities(t.db.sql, [alice.key])).get(alice.key)!;
    expect(got.firstSeen).toBe(T0);
    expect(got.lastSeen).toBe(T0 + 5 * DAY);
    expect(got.principal).toEqual(renamed.principal);
    expect(await getIdentities(t.db.sql, [alice.key, 'aws|1|nobody'])).toHaveProperty('size', 1);
  });

  describe('findIdentities', () => {
    beforeEach(async () => {
      await upsertIdentities(t.db.sql, [alice, gcpSa, percent, bob, boxb].map((i, n) => ({ ...i, first: T0, last: T0 + n * HOUR })));
    });

    it('finds an identity by its exact principal id, whatever the case', async () => {
      expect((await findIdentities(t.db.sql, 'ARN:AWS:IAM::111122223333:ROLE/DATAENGINEER')).map((i) => i.key)).toEqual([alice.key]);
    });

    it('finds an identity by its exact display name and by its key', async () => {
      expect((await findIdentities(t.db.sql, '  dataengineer/alice@corp.com ')).map((i) => i.key)).toEqual([alice.key]);
      expect((await findIdentities(t.db.sql, gcpSa.key)).map((i) => i.key)).toEqual([gcpSa.key]);
    });

    it('prefers an exact match over substring matches', async () => {
      // 'bob' is a substring of nothing else, but 'boxb' must not come back for an exact 'bob'.
      expect((await findIdentities(t.db.sql, 'bob')).map((i) => i.key)).toEqual([bob.key]);
    });

    it('falls back to a case-insensitive substring of the id or name, most recently active first', async () => {
      expect((await findIdentities(t.db.sql, 'ALICE@corp')).map((i) => i.key)).toEqual([alice.key]);
      expect((await findIdentities(t.db.sql, 'analytics-prod.iam')).map((i) => i.key)).toEqual([gcpSa.key]);
      expect((await findIdentities(t.db.sql, 'user/b')).map((i) => i.principal.name)).toEqual(['boxb', 'bob']);
    });

    it('treats % and _ in the query as literal characters', async () => {
      expect((await findIdentities(t.db.sql, '%')).map((i) => i.key)).toEqual([percent.key]);
      expect((await findIdentities(t.db.sql, '100%_')).map((i) => i.key)).toEqual([percent.key]);
      // '_' must not stand for any one character: 'b_b' would otherwise match 'bob'.
      expect(await findIdentities(t.db.sql, 'b_b')).toEqual([]);
      expect(await findIdentities(t.db.sql, 'o%b')).toEqual([]);
      expect(await findIdentities(t.db.sql, '\\')).toEqual([]);
    });

    it('finds nothing for a stranger', async () => {
      expect(await findIdentities(t.db.sql, 'mallory')).toEqual([]);
    });
  });
});
