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

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * Identity-hours a read aims at. A day is read and judged a slice of hours at a time, each slice sized
 * by the density of the one before: what detection holds grows with a slice's identity-hours, not a
 * day's (the identity-dense 1 M shape has 39,000 a day), twice over since a slice is read while the one
 * before is judged; a day that holds fewer is read whole (a read costs a few statements, whatever its size).
 */
const READ_TARGET = 8_000;
const FIRST_SLICE = 6 * HOUR;

/**
 * Days judged before one commit: at most this many identity-hours or days. Committing every day
 * rewrote every judged identity's baseline (its hours of the learning window) each day, the larger
 * part of detection's database work on a month's backfill; a crash re-judges no more than this.
 */
const COMMIT_HOURS = 40_000;
const COMMIT_DAYS = 7;

/** The length of the next slice: READ_TARGET identity-hours at the density of the one read, an hour to a day. */
function sliceAfter(identityHours: number, length: number): number {
  const perHour = identityHours / (length / HOUR);
  return Math.min(DAY, Math.max(HOUR, Math.floor(READ_TARGET / Math.max(perHour, 1)) * HOUR));
}

/** A slice's rollups waiting for detection, read and ready to judge. */
interface PendingSlice {
  from: number;
  to: number;
  rollups: Rollup[];
  readAt: Date;
}

/**
 * Judges every stored hour not yet judged in this process, oldest first, a slice of hours at a time
 * (peers learnt once a day), and commits every few days (COMMIT_HOURS, COMMIT_DAYS): findings,
 * baselines and the "judged" marks commit together, so a crash re-judges at most those days. Each
 * slice costs a fixed number of queries, whatever the number of identities; only the baselines of
 * identities with hours to judge (or judged since the last commit) are held in memory (peers
 * contribute their norms, not their baselines).
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
  // The next slice is read while a slice is judged and stored (the database works in another process or
  // thread meanwhile). Nothing that reading a slice reads is written by the slices it overlaps: their
  // pending hours are other slices', and the baselines they save are of identities the run holds
  // (judged since the last commit written), which are not read again.
  const readSlice = async (from: number, length: number): Promise<PendingSlice> => {
    const to = Math.min(from - (from % DAY) + DAY, from + length);
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
  let slices: { from: number; to: number; readAt: Date }[] = [];
  let detections: Detection[] = [];
  let judgedHours = 0;
  let days = 0;
  let lastDay: number | undefined;
  try {
    let next: Promise<PendingSlice> | undefined = readSlice(hours[0]!, FIRST_SLICE);
    while (next) {
      const { from, to, rollups, readAt }: PendingSlice = await next;
      const day = from - (from % DAY);
      // Identities idle all of the day before are forgotten when a day begins, and never one of the
      // slice just read: that read found it held. Identities judged since the last commit stay held
      // (touched); those forgotten here are in commits that are written (awaited below) before the
      // next read can load them again.
      if (lastDay !== undefined && day !== lastDay) run.forgetIdle(lastDay, new Set(rollups.map((r) => r.identity)));
      if (day !== lastDay) days++;
      lastDay = day;
      await storing;
      const later: number | undefined = hours.find((h) => h >= to);
      next = later === undefined ? undefined : readSlice(later, sliceAfter(rollups.length, to - from));
      await judgeByHour(run, rollups, (_, judged) => detections.push(...judged));
      if (later === undefined || later - (later % DAY) !== day) run.learnPeers();
      slices.push({ from, to, readAt });
      judgedHours += rollups.length;
      const dayEnds = later === undefined || later >= day + DAY;
      if (later !== undefined && !(dayEnds && (judgedHours >= COMMIT_HOURS || days >= COMMIT_DAYS))) continue;
      // Serialised now: judging the next slice changes the baselines in place.
      const baselines = run.takeTouched().map((b) => ({ identity: b.identity, through: b.through, json: JSON.stringify(b) }));
      const span = { slices, detections, through: to };
      slices = [];
      detections = [];
      judgedHours = 0;
      days = 0;
      storing = sql
        .transaction(async (tx) => {
          const out = await recordFindings(tx, span.detections, { stormLimit: opts.settings.stormLimit });
          await saveBaselineTexts(tx, baselines);
          for (const x of span.slices) await markJudged(tx, x.from, x.to, x.readAt);
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
