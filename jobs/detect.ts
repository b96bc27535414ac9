import type { Job } from 'bullmq';
import { SEVERITIES } from '../src/core/finding.js';
import { findingsCreated } from '../src/ops/metrics.js';
import { detectPending, type DispatchDay, type RunStats } from '../src/scan/detect-pending.js';
import { unnotifiedFindings } from '../src/store/messages.js';
import type { JobDeps } from './job-deps.js';

const MEDIUM = SEVERITIES.indexOf('medium');
const ALERTING = SEVERITIES.slice(MEDIUM);
/** Unnotified findings queued per run at most; the next run queues the rest. */
export const SWEEP_LIMIT = 500;

/** Partitions of a run when the workers cannot be counted (a Redis that refuses CLIENT LIST). */
export const DEFAULT_PARTITIONS = 2;

/**
 * Partitions of the identities a detection run spreads over the workers, each day: DETECT_PARTITIONS,
 * or one per detectPart worker connected when the run starts (any number stores the same findings).
 */
export async function partitionsFor(deps: Pick<JobDeps, 'config' | 'queues'>): Promise<number> {
  if (deps.config.detectPartitions) return deps.config.detectPartitions;
  return Math.max(1, await deps.queues.queues.detectPart.getWorkersCount().catch(() => DEFAULT_PARTITIONS));
}

/**
 * A day's partitions as detectPart jobs on any worker, one job per partition: each job claims a
 * partition when it starts, preferring one its worker judged the day before (so it reads only what
 * is new). The run's context (peers of the day, suppressions, clock) is shared once through Redis;
 * the jobs' ids name the run and the day, so a run recovered after a crash waits for the jobs it had
 * queued instead of adding more.
 */
export function queuedDispatch(deps: Pick<JobDeps, 'queues' | 'signal'>): DispatchDay {
  return async (tasks, ctx) => {
    const { runId, day, of } = tasks[0] ?? { runId: '', day: 0, of: 0 };
    if (!tasks.length) return;
    const context = `detect-${runId}-${day}`;
    await deps.queues.share(context, JSON.stringify({ peers: ctx.peers.toJSON(), suppressions: ctx.suppressions, now: ctx.now }));
    // When this process shuts down, the run stops here and is retried; the day's jobs stay queued for it.
    await deps.queues.runAll('detectPart', tasks.map((_, slot) => ({ data: { context, tasks }, jobId: `${context}-${slot}-of-${of}` })), deps.signal);
    await deps.queues.unshare(context, ...tasks.map((t) => claimKey(context, t.partition)));
  };
}

/** Where the job that judges one partition of a day is named. */
export function claimKey(context: string, partition: number): string {
  return `${context}-partition-${partition}`;
}

/**
 * Judges every stored hour not yet judged, its identities partitioned over the workers, then queues a
 * notification per new or changed alerting finding and per open alerting finding that has no recorded
 * card on a configured platform (saved by a run that crashed, or whose notification failed for good).
 * One pending notify job per finding: a request while one waits folds into it, one while it runs queues
 * one more (a repeat arrived).
 */
export function detectJob(deps: JobDeps, platforms: readonly string[] = []): (job: Job) => Promise<Record<string, unknown>> {
  return async (job) => {
    const stats: RunStats = { days: 0, prepare: 0, dispatch: 0, record: 0 };
    const updates = await detectPending(deps.sql, {
      detectors: deps.detectors, settings: deps.settings, stats,
      partitions: await partitionsFor(deps),
      dispatch: queuedDispatch(deps),
      // The same id when the job is retried or taken over after a crash: it finds the partition jobs it had queued.
      runId: String(job.id ?? 'run').replace(/:/g, '-'),
    });
    for (const u of updates) if (u.change === 'new') findingsCreated.inc({ detector: u.finding.detector, severity: u.finding.severity });
    // Where the run's time went (ms), in its result for benchmarks and operators.
    const ms = { days: stats.days, prepare: Math.round(stats.prepare), dispatch: Math.round(stats.dispatch), record: Math.round(stats.record) };
    if (!deps.chat) return { findings: updates.length, notified: 0, ms };
    const alerting = updates.filter((u) => u.finding.status === 'open' && SEVERITIES.indexOf(u.finding.severity) >= MEDIUM).map((u) => u.finding.id);
    const unnotified = await unnotifiedFindings(deps.sql, platforms, ALERTING, SWEEP_LIMIT);
    const ids = [...new Set([...alerting, ...unnotified])];
    for (const id of ids) await deps.queues.request('notify', { findingId: id }, `notify-${id}`);
    return { findings: updates.length, notified: alerting.length, unnotified: ids.length - alerting.length, ms };
  };
}
