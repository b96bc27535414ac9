import type { DetectionRun } from '../detection/detection-run.js';
import { getBaselines } from '../store/baselines.js';
import { getIdentities } from '../store/identities.js';
import type { Sql } from '../store/sql.js';

/** Loads into the run the identities and baselines of a day's rollups that it does not hold yet; returns their keys. */
export async function loadIdentities(sql: Sql, run: DetectionRun, rollups: readonly { identity: string }[]): Promise<string[]> {
  const keys = [...new Set(rollups.map((r) => r.identity))];
  const unknown = keys.filter((k) => !run.identities.has(k));
  for (const [k, v] of await getIdentities(sql, unknown)) run.identities.set(k, v);
  const unloaded = keys.filter((k) => !run.baselines.has(k));
  for (const [k, v] of await getBaselines(sql, unloaded)) run.baselines.set(k, v);
  return keys;
}
