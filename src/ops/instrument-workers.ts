import type { Job, Worker } from 'bullmq';
import type { Logger } from '../logger.js';
import { QUEUE_NAMES, type JobKind } from '../queue/job-queues.js';
import { jobDuration, jobsStalled, notificationsFailed, notificationsSent } from './metrics.js';

const KIND_OF: Record<string, JobKind> = Object.fromEntries(Object.entries(QUEUE_NAMES).map(([kind, name]) => [name, kind as JobKind]));

function seconds(job: Job): number | undefined {
  return job.processedOn && job.finishedOn ? (job.finishedOn - job.processedOn) / 1000 : undefined;
}

/** A notify job names its platform once there are several; until then every card goes to Slack. */
function platformOf(job: Job): string {
  const p = (job.data as { platform?: unknown }).platform;
  return typeof p === 'string' ? p : 'slack';
}

/** Logs each job's outcome and feeds the job metrics (duration by outcome, stalled jobs, notifications sent and failed). */
export function instrumentWorkers(workers: readonly Worker[], log: Logger): void {
  for (const w of workers) {
    const queue = KIND_OF[w.name] ?? w.name;
    w.on('completed', (job, result: unknown) => {
      log.info({ queue, job: job.id, result }, 'job done');
      const s = seconds(job);
      if (s !== undefined) jobDuration.observe({ queue, outcome: 'completed' }, s);
      if (queue === 'notify' && (result as { action?: string } | undefined)?.action !== 'skipped') notificationsSent.inc({ platform: platformOf(job) });
    });
    w.on('failed', (job, err) => {
      log.warn({ queue, job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed');
      const s = job && seconds(job);
      if (s) jobDuration.observe({ queue, outcome: 'failed' }, s);
      if (queue === 'notify' && job) notificationsFailed.inc({ platform: platformOf(job) });
    });
    w.on('stalled', (jobId) => {
      log.warn({ queue, job: jobId }, 'job stalled (its worker died or blocked); running it again');
      jobsStalled.inc({ queue });
    });
  }
}
