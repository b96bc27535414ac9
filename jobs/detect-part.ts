import { UnrecoverableError, type Job } from 'bullmq';
import type { Suppression } from '../src/core/suppression.js';
import { PeerIndex, type PeerSnapshot } from '../src/detection/peer-index.js';
import { judgePartition, PartitionCache, type PartitionResult, type PartitionTask, type RunContext } from '../src/scan/judge-partition.js';
import { claimKey } from './detect.js';
import type { JobDeps } from './job-deps.js';

/** Payload of a detectPart job: the partitions of one day of a run (the job judges one of them), and where the run shared its context. */
export interface DetectPartPayload {
  context: string;
  tasks: PartitionTask[];
}

/** Judges one partition of the identities on one day of a detection run (see detectPending). */
export function detectPartJob(deps: JobDeps): (job: Job<DetectPartPayload>) => Promise<PartitionResult> {
  // This worker's partition state between days of a run, and the last context it read.
  const cache = new PartitionCache();
  let last: { key: string; ctx: RunContext } | undefined;
  return async (job) => {
    const { context, tasks } = job.data;
    const owner = String(job.id);
    // A job run again after its worker died judges the partition it had claimed; otherwise it claims
    // one, first those this worker judged the day before.
    let task: PartitionTask | undefined;
    for (const t of tasks) if ((await deps.queues.shared(claimKey(context, t.partition))) === owner) task = t;
    const order = [...tasks.filter((t) => cache.holds(t)), ...tasks.filter((t) => !cache.holds(t))];
    for (const t of order) {
      if (task) break;
      if ((await deps.queues.claim(claimKey(context, t.partition), owner)) === owner) task = t;
    }
    if (!task) throw new UnrecoverableError(`every partition of ${context} was claimed by other jobs`);
    if (last?.key !== context) {
      const raw = await deps.queues.shared(context);
      if (!raw) throw new UnrecoverableError(`the context of detection run ${task.runId} has lapsed`);
      const c = JSON.parse(raw) as { peers: PeerSnapshot; suppressions: Suppression[]; now: number };
      last = { key: context, ctx: { peers: PeerIndex.fromJSON(deps.settings.learningDays, c.peers), suppressions: c.suppressions, now: c.now } };
    }
    return judgePartition(deps.sql, task, last.ctx, { detectors: deps.detectors, settings: deps.settings }, cache);
  };
}
