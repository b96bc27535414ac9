import type { Baseline } from '../core/baseline.js';
import type { Finding, FindingDraft } from '../core/finding.js';
import type { Rollup } from '../core/rollup.js';
import type { DetectionSettings } from '../detection/detection-settings.js';
import type { Detector } from '../detection/detector.js';
import { judgeHour } from '../detection/judge-hour.js';
import { getBaselines, saveBaselines } from '../store/baselines.js';
import { recordFinding, type FindingChange } from '../store/findings.js';
import { getIdentities, type IdentityRecord } from '../store/identities.js';
import { dirtyHours, dirtyRollups, identityRollups, markJudged } from '../store/rollups.js';
import type { Sql } from '../store/sql.js';
import { listSuppressions } from '../store/suppressions.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A finding created or updated by a detection run. */
export interface FindingUpdate {
  finding: Finding;
  change: FindingChange;
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
  const updates: FindingUpdate[] = [];
  const identities = new Map<string, IdentityRecord>();
  const baselines = new Map<string, Baseline>();
  const recent = new Map<string, Rollup[]>();
  const suppressions = await listSuppressions(sql, (opts.now ?? Date.now)());
  let done = 0;
  while (done < hours.length) {
    const from = hours[done]! - (hours[done]! % DAY);
    const to = from + DAY;
    const rollups = await dirtyRollups(sql, from, to);
    const keys = [...new Set(rollups.map((r) => r.identity))];
    const missing = keys.filter((k) => !identities.has(k));
    for (const [k, v] of await getIdentities(sql, missing)) identities.set(k, v);
    for (const [k, v] of await getBaselines(sql, keys.filter((k) => !baselines.has(k)))) baselines.set(k, v);
    for (const k of keys.filter((k) => !recent.has(k))) recent.set(k, await identityRollups(sql, k, from - DAY, from));
    const touched = new Set<string>();
    const detections: { identity: IdentityRecord; draft: FindingDraft; suppressedBy?: string }[] = [];
    for (const rollup of rollups) {
      const identity = identities.get(rollup.identity)!;
      const window = recent.get(rollup.identity)!.filter((r) => r.hour >= rollup.hour - DAY && r.hour < rollup.hour);
      const { judgements, baseline } = judgeHour({
        identity, rollup, recent: window, baseline: baselines.get(rollup.identity)!, settings: opts.settings,
        detectors: opts.detectors, suppressions, now: (opts.now ?? Date.now)(),
      });
      baselines.set(rollup.identity, baseline);
      recent.set(rollup.identity, [...window, rollup]);
      touched.add(rollup.identity);
      for (const j of judgements) detections.push({ identity, ...j });
    }
    const recorded = await sql.transaction(async (tx) => {
      const out: FindingUpdate[] = [];
      for (const d of detections) out.push(await recordFinding(tx, d.identity, d.draft, d.suppressedBy));
      await saveBaselines(tx, [...touched].map((k) => baselines.get(k)!));
      await markJudged(tx, from, to);
      return out;
    });
    updates.push(...recorded);
    while (done < hours.length && hours[done]! < to) done++;
    opts.onProgress?.(done, hours.length);
  }
  return updates;
}
