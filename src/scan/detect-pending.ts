import type { Finding } from '../core/finding.js';
import { DetectionRun } from '../detection/detection-run.js';
import type { DetectionSettings } from '../detection/detection-settings.js';
import type { Detector } from '../detection/detector.js';
import { getBaselines, saveBaselines } from '../store/baselines.js';
import { recordFinding, type FindingChange } from '../store/findings.js';
import { getIdentities } from '../store/identities.js';
import { dirtyHours, dirtyRollups, identityRollups, markJudged } from '../store/rollups.js';
import type { Sql } from '../store/sql.js';
import { listSuppressions } from '../store/suppressions.js';

const DAY = 86_400_000;

/** A finding created or updated by a detection run. */
export interface FindingUpdate {
  finding: Finding;
  change: FindingChange;
}

/** Each finding a run touched, once, as it stood at the end of the run. */
export function latestFindings(updates: readonly FindingUpdate[]): Finding[] {
  return [...new Map(updates.map((u) => [u.finding.id, u.finding])).values()];
}

/** Options of a detection run. */
export interface DetectOptions {
  detectors: readonly Detector[];
  settings: DetectionSettings;
  /** Called after each day of hours is judged. */
  onProgress?: (judgedHours: number, totalHours: number) => void;
  now?: () => number;
}

/**
 * Judges every stored hour not yet judged, oldest first, one day per transaction: findings,
 * baselines and the "judged" marks commit together, so a crash re-judges at most one day.
 */
export async function detectPending(sql: Sql, opts: DetectOptions): Promise<FindingUpdate[]> {
  const hours = await dirtyHours(sql);
  const now = (opts.now ?? Date.now)();
  const run = new DetectionRun({ detectors: opts.detectors, settings: opts.settings, suppressions: await listSuppressions(sql, now), now });
  // Peer norms need every learnt identity, not only those active in this run.
  const learnt = (await sql.query<{ identity_key: string }>('select identity_key from baselines')).map((r) => r.identity_key);
  for (const [k, v] of await getIdentities(sql, learnt)) run.identities.set(k, v);
  for (const [k, v] of await getBaselines(sql, learnt)) run.baselines.set(k, v);
  const updates: FindingUpdate[] = [];
  let done = 0;
  while (done < hours.length) {
    const from = hours[done]! - (hours[done]! % DAY);
    const to = from + DAY;
    const rollups = await dirtyRollups(sql, from, to);
    const keys = [...new Set(rollups.map((r) => r.identity))];
    const unknown = keys.filter((k) => !run.identities.has(k));
    for (const [k, v] of await getIdentities(sql, unknown)) run.identities.set(k, v);
    for (const [k, v] of await getBaselines(sql, unknown)) run.baselines.set(k, v);
    for (const k of keys.filter((k) => !run.recent.has(k))) run.recent.set(k, await identityRollups(sql, k, from - DAY, from));
    const detections = run.judge(rollups);
    const recorded = await sql.transaction(async (tx) => {
      const out: FindingUpdate[] = [];
      for (const d of detections) out.push(await recordFinding(tx, d.identity, d.draft, d.suppressedBy));
      await saveBaselines(tx, run.takeTouched());
      await markJudged(tx, from, to);
      return out;
    });
    updates.push(...recorded);
    while (done < hours.length && hours[done]! < to) done++;
    opts.onProgress?.(done, hours.length);
  }
  return updates;
}
