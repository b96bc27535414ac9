import type { Rollup } from '../core/rollup.js';
import { DetectionRun, type Detection } from '../detection/detection-run.js';
import { slimRollup } from '../detection/slim-rollup.js';
import { pageBaselines, saveBaselineTexts } from '../store/baselines.js';
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
 * Days judged before one commit: at most this many identity-hours or days. Committing every day
 * rewrote every judged identity's baseline (its hours of the learning window) each day, the larger
 * part of detection's database work on a month's backfill; a crash re-judges no more than this.
 */
const COMMIT_HOURS = 40_000;
const COMMIT_DAYS = 7;

/** A day's rollups waiting for detection, read and ready to judge. */
interface PendingDay {
  from: number;
  to: number;
  rollups: Rollup[];
  readAt: Date;
}

/**
 * Judges every stored hour not yet judged in this process, oldest first, a day at a time, and commits
 * every few days (COMMIT_HOURS, COMMIT_DAYS): findings, baselines and the "judged" marks commit
 * together, so a crash re-judges at most those days. Each day costs a fixed number of queries,
 * whatever the number of identities; only the baselines of identities with hours to judge (or judged
 * since the last commit) are held in memory (peers contribute their norms, not their baselines).
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
  // The next day is read while a day is judged and stored (the database works in another process or
  // thread meanwhile). Nothing that reading a day reads is written by the days it overlaps: their
  // pending hours are other days', and the baselines they save are of identities the run holds
  // (judged since the last commit written), which are not read again.
  const readDay = async (at: number): Promise<PendingDay> => {
    const from = at - (at % DAY);
    const to = from + DAY;
    const { rollups, readAt } = await dirtyRollups(sql, from, to);
    const keys = await loadIdentities(sql, run, rollups);
    // The day before and what of this day earlier runs judged, as a partition reads them.
    const fresh = keys.filter((k) => !run.recent.has(k));
    const before = await judgedRollupsOf(sql, fresh, from - DAY, to);
    for (const k of fresh) run.recent.set(k, (before.get(k) ?? []).map(slimRollup));
    return { from, to, rollups, readAt };
  };
  const updates: FindingUpdate[] = [];
  let storing: Promise<void> = Promise.resolve();
  // Judged since the last commit.
  let days: { from: number; to: number; readAt: Date }[] = [];
  let detections: Detection[] = [];
  let judgedHours = 0;
  let idleBefore: number | undefined;
  try {
    let next: Promise<PendingDay> | undefined = readDay(hours[0]!);
    while (next) {
      const { from, to, rollups, readAt }: PendingDay = await next;
      // Idle identities are forgotten only now, and never one of the day just read: that read found it
      // held. Identities judged since the last commit stay held (touched); those forgotten here are in
      // commits that are written (awaited below) before the next read can load them again.
      if (idleBefore !== undefined) run.forgetIdle(idleBefore, new Set(rollups.map((r) => r.identity)));
      await storing;
      const later: number | undefined = hours.find((h) => h >= to);
      next = later === undefined ? undefined : readDay(later);
      await judgeByHour(run, rollups, (_, judged) => detections.push(...judged));
      run.learnPeers();
      idleBefore = from;
      days.push({ from, to, readAt });
      judgedHours += rollups.length;
      if (later !== undefined && judgedHours < COMMIT_HOURS && days.length < COMMIT_DAYS) continue;
      // Serialised now: judging the next day changes the baselines in place.
      const baselines = run.takeTouched().map((b) => ({ identity: b.identity, through: b.through, json: JSON.stringify(b) }));
      const span = { days, detections, through: to };
      days = [];
      detections = [];
      judgedHours = 0;
      storing = sql
        .transaction(async (tx) => {
          const out = await recordFindings(tx, span.detections, { stormLimit: opts.settings.stormLimit });
          await saveBaselineTexts(tx, baselines);
          for (const d of span.days) await markJudged(tx, d.from, d.to, d.readAt);
          return out;
        })
        .then((recorded) => {
          updates.push(...recorded);
          opts.onProgress?.(hours.filter((h) => h < span.through).length, hours.length);
        });
      // Awaited before the next read or at the end; a failure meanwhile is not left unhandled.
      storing.catch(() => undefined);
    }
    await storing;
  } catch (err) {
    await storing.catch(() => undefined);
    throw err;
  }
  return updates;
}
