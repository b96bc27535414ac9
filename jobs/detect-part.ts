import { UnrecoverableError, type Job } from 'bullmq';
import type { Suppression } from '../src/core/suppression.js';
import { PeerIndex, type PeerSnapshot } from '../src/detection/peer-index.js';
import { judgePartition, PartitionCache, type PartitionResult, type PartitionTask, type RunContext } from '../src/scan/judge-partition.js';
import type { JobDeps } from './job-deps.js';

/** Payload of a detectPart job: one partition of one day of a run, and where the run shared its context. */
export interface DetectPartPayload extends PartitionTask {
  context: string;
}

/** Judges one partition of the identities on one day of a detection run (see detectPending). */
export function detectPartJob(deps: JobDeps): (job: Job<DetectPartPayload>) => Promise<PartitionResult> {
  // This worker's partition state between days of a run, and the last context it read.
  const cache = new PartitionCache();
  let last: { key: string; ctx: RunContext } | undefined;
  return async (job) => {
    const { context, ...task } = job.data;
    if (last?.key !== context) {
      const raw = await deps.queues.shared(context);
      if (!raw) throw new UnrecoverableError(`the context of detection run ${task.runId} has lapsed`);
      const c = JSON.parse(raw) as { peers: PeerSnapshot; suppressions: Suppression[]; now: number };
      last = { key: context, ctx: { peers: PeerIndex.fromJSON(deps.settings.learningDays, c.peers), suppressions: c.suppressions, now: c.now } };
    }
    return judgePartition(deps.sql, task, last.ctx, { detectors: deps.detectors, settings: deps.settings }, cache);
  };
}
