import { randomBytes } from 'node:crypto';
import type { Finding } from '../core/finding.js';
import type { DetectionSettings } from '../detection/detection-settings.js';
import type { Detector } from '../detection/detector.js';
import { PeerIndex } from '../detection/peer-index.js';
import { pageBaselines } from '../store/baselines.js';
import { anyStaged, dropStaged, LAST_DAY, pendingByGroup, pendingByPartition, readStaged, type StagedRead } from '../store/detection-stage.js';
import { getIdentities } from '../store/identities.js';
import { recordFindings, type FindingUpdate } from '../store/record-findings.js';
import { dirtyHours } from '../store/rollups.js';
import type { Sql } from '../store/sql.js';
import { listSuppressions } from '../store/suppressions.js';
import { detectInOneRun } from './detect-in-one-run.js';
import { placeGroups } from '../store/identity-partition.js';
import { judgePartition, PartitionCache, type PartitionTask, type RunContext } from './judge-partition.js';

export type { FindingUpdate } from '../store/record-findings.js';
export type { PartitionTask, RunContext } from './judge-partition.js';

const DAY = 86_400_000;

/** Each finding a run touched, once, as it stood at the end of the run. */
export function latestFindings(updates: readonly FindingUpdate[]): Finding[] {
  return [...new Map(updates.map((u) => [u.finding.id, u.finding])).values()];
}

/** Runs the partitions of one day (each task once), and resolves when every one of them has committed. */
export type DispatchDay = (tasks: PartitionTask[], ctx: RunContext) => Promise<void>;

/** Options of a detection run. */
export interface DetectOptions {
  detectors: readonly Detector[];
  settings: DetectionSettings;
  /** Called after each day of hours is judged. */
  onProgress?: (judgedHours: number, totalHours: number) => void;
  now?: () => number;
  /** Disjoint parts (whole peer groups, placed by the run to balance the work) the identities are judged in, each day (default 1). Any number stores the same findings. */
  partitions?: number;
  /**
   * Runs a day's partitions, for example as jobs on several workers; by default one after another in
   * this process. Without it and with one partition, the run judges in one pass (detectInOneRun), as fast as before partitions.
   */
  dispatch?: DispatchDay;
  /** Names the run; a recovered run given the same id finds its partition jobs again. */
  runId?: string;
  /** Filled with where a partitioned run's time went, for benchmarks and the job's result. */
  stats?: RunStats;
}

/** Where a partitioned run's time went (ms): reading peers, waiting for each day's partitions, recording findings (its share not overlapped with the next day). */
export interface RunStats {
  days: number;
  prepare: number;
  dispatch: number;
  record: number;
}

/**
 * Judges every stored hour not yet judged, a day at a time, oldest first. Each day, the identities
 * are split into partitions judged independently (in this process or on several workers), all against
 * the same peer norms, computed once per day by this run; each partition commits its baselines, its
 * detections (staged) and the consumption of its pending hours together. Then this run records the
 * day's findings at once, in the order of a single run (so the storm guard counts across partitions),
 * and folds the judged identities into the peers for the next day. A crash re-judges at most a day of
 * one partition; detections staged by a crashed run are recorded by the next one.
 */
export async function detectPending(sql: Sql, opts: DetectOptions): Promise<FindingUpdate[]> {
  const of = Math.max(1, opts.partitions ?? 1);
  if (of === 1 && !opts.dispatch && !(await anyStaged(sql))) return detectInOneRun(sql, opts);
  const started = performance.now();
  const stats = opts.stats ?? { days: 0, prepare: 0, dispatch: 0, record: 0 };
  const hours = await dirtyHours(sql);
  const updates: FindingUpdate[] = [];
  const ctx: RunContext = { peers: new PeerIndex(opts.settings.learningDays), suppressions: [], now: (opts.now ?? Date.now)() };
  // Findings are recorded day after day, in order; the staged rows go in the same transaction.
  const record = async (staged: StagedRead): Promise<void> => {
    if (!staged.ids.length) return;
    updates.push(...await sql.transaction(async (tx) => {
      await dropStaged(tx, staged.ids);
      return recordFindings(tx, staged.detections, { stormLimit: opts.settings.stormLimit });
    }));
  };
  if (hours.length) {
    ctx.suppressions = await listSuppressions(sql, ctx.now);
    // Peer norms need every learnt identity, not only those active in this run: read them a page at a time.
    for await (const page of pageBaselines(sql)) {
      const identities = await getIdentities(sql, page.map((b) => b.identity));
      for (const b of page) {
        const identity = identities.get(b.identity);
        if (identity) ctx.peers.update(identity, b);
      }
    }
  }
  const runId = opts.runId ?? randomBytes(6).toString('hex');
  // Whole peer groups per partition, balanced by the run's work; groups that appear during the run go by hash.
  const groups = of > 1 && hours.length ? placeGroups(await pendingByGroup(sql), of) : {};
  const cache = new PartitionCache();
  const dispatch: DispatchDay = opts.dispatch ?? (async (tasks, c) => {
    for (const task of tasks) await judgePartition(sql, task, c, opts, cache);
  });
  const lastDay = new Map<number, number>();
  stats.prepare += performance.now() - started;
  // On PostgreSQL a day's findings are recorded while the partitions judge the next day (judging never reads findings).
  const overlap = sql.engine === 'postgres';
  let recording: Promise<void> = Promise.resolve();
  let done = 0;
  while (done < hours.length) {
    const from = hours[done]! - (hours[done]! % DAY);
    const to = from + DAY;
    const t0 = performance.now();
    const parts = [...(await pendingByPartition(sql, from, to, of, groups)).keys()];
    try {
      await dispatch(parts.map((partition) => ({ runId, day: from, partition, of, groups, ...(lastDay.has(partition) ? { prevDay: lastDay.get(partition)! } : {}) })), ctx);
    } catch (err) {
      // What was judged stays staged or recorded; the day's partitions left are judged by the next run.
      await recording.catch(() => undefined);
      throw err;
    }
    for (const p of parts) lastDay.set(p, from);
    const t1 = performance.now();
    await recording;
    const staged = await readStaged(sql, from);
    for (const c of staged.contributions) ctx.peers.apply(c);
    recording = record(staged);
    if (!overlap) await recording;
    stats.days++;
    stats.dispatch += t1 - t0;
    stats.record += performance.now() - t1;
    while (done < hours.length && hours[done]! < to) done++;
    opts.onProgress?.(done, hours.length);
  }
  const t2 = performance.now();
  await recording;
  // Whatever a crashed run staged after its last recorded day.
  await record(await readStaged(sql, LAST_DAY));
  stats.record += performance.now() - t2;
  return updates;
}
