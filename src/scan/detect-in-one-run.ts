import { DetectionRun, type Detection } from '../detection/detection-run.js';
import { slimRollup } from '../detection/slim-rollup.js';
import { pageBaselines, saveBaselines } from '../store/baselines.js';
import { getIdentities } from '../store/identities.js';
import { recordFindings, type FindingUpdate } from '../store/record-findings.js';
import { dirtyHours, dirtyIdentities, dirtyRollups, judgedRollupsOf, markJudged } from '../store/rollups.js';
import type { Sql } from '../store/sql.js';
import { judgeByHour } from './judge-by-hour.js';
import { loadIdentities } from './load-identities.js';
import { listSuppressions } from '../store/suppressions.js';
import type { DetectOptions } from './detect-pending.js';

const DAY = 86_400_000;

/**
 * Judges every stored hour not yet judged in this process, oldest first, one day per transaction: findings,
 * baselines and the "judged" marks commit together, so a crash re-judges at most one day. Each day
 * costs a fixed number of queries, whatever the number of identities; only the baselines of
 * identities with hours to judge are held in memory (peers contribute their norms, not their baselines).
 */
export async function detectInOneRun(sql: Sql, opts: DetectOptions): Promise<FindingUpdate[]> {
  const hours = await dirtyHours(sql);
  if (!hours.length) return [];
  const now = (opts.now ?? Date.now)();
  const run = new DetectionRun({ detectors: opts.detectors, settings: opts.settings, suppressions: await listSuppressions(sql, now), now });
  const active = new Set(await dirtyIdentities(sql));
  // Peer norms need every learnt identity, not only those active in this run: read them a page at a time.
  for await (const page of pageBaselines(sql)) {
    const identities = await getIdentities(sql, page.map((b) => b.identity));
    for (const b of page) {
      const identity = identities.get(b.identity);
      if (!identity) continue;
      run.peers.update(identity, b);
      if (active.has(b.identity)) {
        run.identities.set(b.identity, identity);
        run.baselines.set(b.identity, b);
      }
    }
  }
  const updates: FindingUpdate[] = [];
  let done = 0;
  while (done < hours.length) {
    const from = hours[done]! - (hours[done]! % DAY);
    const to = from + DAY;
    const { rollups, readAt } = await dirtyRollups(sql, from, to);
    const keys = await loadIdentities(sql, run, rollups);
    // The day before and what of this day earlier runs judged, as a partition reads them.
    const fresh = keys.filter((k) => !run.recent.has(k));
    const before = await judgedRollupsOf(sql, fresh, from - DAY, to);
    for (const k of fresh) run.recent.set(k, (before.get(k) ?? []).map(slimRollup));
    const detections: Detection[] = [];
    await judgeByHour(run, rollups, (_, judged) => detections.push(...judged));
    run.learnPeers();
    const recorded = await sql.transaction(async (tx) => {
      const out = await recordFindings(tx, detections, { stormLimit: opts.settings.stormLimit });
      await saveBaselines(tx, run.takeTouched());
      await markJudged(tx, from, to, readAt);
      return out;
    });
    updates.push(...recorded);
    run.forgetIdle(from);
    while (done < hours.length && hours[done]! < to) done++;
    opts.onProgress?.(done, hours.length);
  }
  return updates;
}
