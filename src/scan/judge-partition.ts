import type { Rollup } from '../core/rollup.js';
import type { Suppression } from '../core/suppression.js';
import { DetectionRun } from '../detection/detection-run.js';
import type { DetectionSettings } from '../detection/detection-settings.js';
import type { Detector } from '../detection/detector.js';
import type { PeerIndex } from '../detection/peer-index.js';
import { slimRollup } from '../detection/slim-rollup.js';
import { saveBaselines } from '../store/baselines.js';
import { AlreadyJudged, claimPending, stageDay, type StagedDetection } from '../store/detection-stage.js';
import { dirtyRollups, judgedRollupsOf, markJudged } from '../store/rollups.js';
import type { Sql } from '../store/sql.js';
import { judgeByHour } from './judge-by-hour.js';
import { loadIdentities } from './load-identities.js';

const DAY = 86_400_000;

/** One partition of the identities on one day of a detection run. */
export interface PartitionTask {
  runId: string;
  /** Start of the day (epoch ms, UTC midnight). */
  day: number;
  partition: number;
  of: number;
  /** Partition of each peer group, as the run placed them; groups not placed go by hash. */
  groups?: Record<string, number>;
  /** The day this run last judged this partition, if it did. */
  prevDay?: number;
}

/** What every partition of a run judges against, computed once per day by the run: peers, suppressions, the run's clock. */
export interface RunContext {
  peers: PeerIndex;
  suppressions: Suppression[];
  now: number;
}

/** What judging a partition did. */
export interface PartitionResult {
  judgedHours: number;
  detections: number;
  /** Another worker had judged this partition's day already (a stalled job that was still running). */
  alreadyJudged?: boolean;
  /** Whether the partition's state of the day before was still in this process (only the new day was read). */
  cached?: boolean;
  /** Where the time went (ms): reading the day, judging it (wall and this process's CPU), committing. */
  ms?: { load: number; judge: number; judgeCpu: number; commit: number };
}

/**
 * A process's partition state between the days of one run (identities, baselines, the last day of
 * hours), so that a partition's next day on the same process reads only what is new. State is used
 * only if this process judged the partition's previous day of the same run: no other worker can have
 * changed those baselines since.
 */
export class PartitionCache {
  private kept = new Map<string, { day: number; run: DetectionRun }>();

  private static key(task: PartitionTask): string {
    return `${task.runId}|${task.partition}|${task.of}`;
  }

  /** Whether take(task) would give state back. */
  holds(task: PartitionTask): boolean {
    return task.prevDay !== undefined && this.kept.get(PartitionCache.key(task))?.day === task.prevDay;
  }

  take(task: PartitionTask): DetectionRun | undefined {
    for (const key of this.kept.keys()) if (!key.startsWith(`${task.runId}|`)) this.kept.delete(key);
    const key = PartitionCache.key(task);
    const hit = this.kept.get(key);
    this.kept.delete(key);
    return hit && task.prevDay !== undefined && hit.day === task.prevDay ? hit.run : undefined;
  }

  keep(task: PartitionTask, run: DetectionRun): void {
    this.kept.set(PartitionCache.key(task), { day: task.day, run });
  }
}

/** Options of judging a partition. */
export interface JudgeOptions {
  detectors: readonly Detector[];
  settings: DetectionSettings;
}

const byHour = (a: Rollup, b: Rollup): number => a.hour - b.hour;

/**
 * Judges the pending hours of one partition's identities on one day against the run's peers, then in
 * one transaction: claims the pending rows (a duplicate worker stores nothing), stores the baselines,
 * stages the detections and peer contributions for the run to record, and marks the hours judged.
 * The hours before each judged hour are the stored ones of the 24 hours before it, whichever worker
 * judged them, so any split of the identities judges each hour alike.
 */
export async function judgePartition(sql: Sql, task: PartitionTask, ctx: RunContext, opts: JudgeOptions, cache?: PartitionCache): Promise<PartitionResult> {
  const from = task.day;
  const to = from + DAY;
  const part = { index: task.partition, of: task.of, ...(task.groups ? { groups: task.groups } : {}) };
  const t0 = performance.now();
  const kept = cache?.take(task);
  const run = kept ?? new DetectionRun({ detectors: opts.detectors, settings: opts.settings, suppressions: ctx.suppressions, now: ctx.now, peers: ctx.peers });
  run.usePeers(ctx.peers);
  const { rollups, readAt } = await dirtyRollups(sql, from, to, part);
  if (!rollups.length) return { judgedHours: 0, detections: 0 };
  const keys = await loadIdentities(sql, run, rollups);
  // New to this state: the day before and what of this day was judged earlier; otherwise only the latter.
  const fresh = keys.filter((k) => !run.recent.has(k));
  const known = keys.filter((k) => run.recent.has(k));
  const before = await judgedRollupsOf(sql, fresh, from - DAY, to);
  const earlier = await judgedRollupsOf(sql, known, from, to);
  for (const k of keys) {
    const loaded = (before.get(k) ?? earlier.get(k) ?? []).map(slimRollup);
    run.recent.set(k, loaded.length ? [...(run.recent.get(k) ?? []), ...loaded].sort(byHour) : (run.recent.get(k) ?? []));
  }
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const detections: StagedDetection[] = [];
  await judgeByHour(run, rollups, (hour, judged) => {
    for (const d of judged) detections.push({ ...d, hour, seq: detections.length });
  });
  const touched = run.takeTouched();
  const contributions = touched.map((b) => ctx.peers.contribution(run.identities.get(b.identity)!, b));
  const { user, system } = process.cpuUsage(cpu);
  const t2 = performance.now();
  try {
    await sql.transaction(async (tx) => {
      await claimPending(tx, rollups, from, to, part);
      await saveBaselines(tx, touched);
      await stageDay(tx, from, { detections, contributions });
      await markJudged(tx, from, to, readAt, part);
    });
  } catch (err) {
    if (err instanceof AlreadyJudged) return { judgedHours: 0, detections: 0, alreadyJudged: true };
    throw err;
  }
  run.forgetIdle(from);
  cache?.keep(task, run);
  const ms = { load: t1 - t0, judge: t2 - t1, judgeCpu: (user + system) / 1000, commit: performance.now() - t2 };
  return { judgedHours: rollups.length, detections: detections.length, cached: kept !== undefined, ms };
}
