import { findIdentities, type IdentityRecord } from '../store/identities.js';
import type { Sql } from '../store/sql.js';

/**
 * The identities a person means by a principal (email, ARN, user name, UPN): every exact match
 * (the same person may exist in several clouds, up to 5), else the single partial match.
 * When neither applies, `candidates` lists the partial matches to choose from.
 */
export async function resolvePrincipal(sql: Sql, query: string): Promise<{ chosen: IdentityRecord[]; candidates: IdentityRecord[] }> {
  const matches = await findIdentities(sql, query);
  const q = query.trim().toLowerCase();
  const exact = matches.filter((m) => [m.principal.id, m.principal.name, m.key].some((v) => v.toLowerCase() === q));
  const chosen = exact.length ? exact.slice(0, 5) : matches.length === 1 ? matches : [];
  return { chosen, candidates: chosen.length ? [] : matches };
}
