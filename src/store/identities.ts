import type { Identity } from '../core/identity.js';
import type { PrincipalType } from '../core/event.js';
import type { Sql } from './sql.js';

type IdentityRow = {
  key: string; cloud: Identity['cloud']; account: string; principal_id: string; display_name: string; principal_type: PrincipalType;
  first_seen: Date; last_seen: Date;
};

/** An identity with when it was first and last active. */
export type IdentityRecord = Identity & { firstSeen: number; lastSeen: number };

function fromRow(r: IdentityRow): IdentityRecord {
  return {
    key: r.key, cloud: r.cloud, account: r.account,
    principal: { id: r.principal_id, name: r.display_name, type: r.principal_type },
    firstSeen: r.first_seen.getTime(), lastSeen: r.last_seen.getTime(),
  };
}

/** Records identities seen in a batch, widening their first/last seen: one statement per thousand identities. */
export async function upsertIdentities(sql: Sql, identities: readonly (Identity & { first: number; last: number })[]): Promise<void> {
  // One statement may not touch a row twice: fold repeats of a key first.
  const byKey = new Map<string, Identity & { first: number; last: number }>();
  for (const i of identities) {
    const old = byKey.get(i.key);
    byKey.set(i.key, old ? { ...i, first: Math.min(old.first, i.first), last: Math.max(old.last, i.last) } : i);
  }
  const all = [...byKey.values()];
  for (let at = 0; at < all.length; at += 1000) {
    const rows = all.slice(at, at + 1000).map((i) => ({
      key: i.key, cloud: i.cloud, account: i.account, principal_id: i.principal.id, display_name: i.principal.name, principal_type: i.principal.type, first: i.first, last: i.last,
    }));
    await sql.query(
      `insert into identities (key, cloud, account, principal_id, display_name, principal_type, first_seen, last_seen)
       select key, cloud, account, principal_id, display_name, principal_type, to_timestamp(first / 1000), to_timestamp(last / 1000)
       from jsonb_to_recordset($1::jsonb) as x(key text, cloud text, account text, principal_id text, display_name text, principal_type text, first float8, last float8)
       on conflict (key) do update set display_name = excluded.display_name,
         first_seen = least(identities.first_seen, excluded.first_seen), last_seen = greatest(identities.last_seen, excluded.last_seen)`,
      [JSON.stringify(rows)],
    );
  }
}

/** Identities by key. */
export async function getIdentities(sql: Sql, keys: readonly string[]): Promise<Map<string, IdentityRecord>> {
  const rows = await sql.query<IdentityRow>('select * from identities where key = any($1)', [keys]);
  return new Map(rows.map((r) => [r.key, fromRow(r)]));
}

/**
 * Identities a person may mean by `query`: an exact id, display name or key first, then a
 * case-insensitive match on the id or name (so `alice@corp.com` finds an SSO role session).
 */
export async function findIdentities(sql: Sql, query: string): Promise<IdentityRecord[]> {
  const q = query.trim().toLowerCase();
  const exact = await sql.query<IdentityRow>(
    'select * from identities where lower(principal_id) = $1 or lower(display_name) = $1 or lower(key) = $1 order by last_seen desc',
    [q],
  );
  if (exact.length) return exact.map(fromRow);
  const like = `%${q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  const rows = await sql.query<IdentityRow>(
    'select * from identities where lower(principal_id) like $1 or lower(display_name) like $1 order by last_seen desc limit 20',
    [like],
  );
  return rows.map(fromRow);
}
