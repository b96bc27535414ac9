import type { Job } from 'bullmq';
import type { LookupRequest } from '../src/chat/answer-lookup.js';
import type { Card } from '../src/core/card.js';

/** Answers a slash command (who, baseline, findings) through its response URL: the slow half of the 3-second ack. */
export function lookupJob(platform: { answerLookup(r: LookupRequest): Promise<Card> }): (job: Job<LookupRequest>) => Promise<{ title: string }> {
  return async (job) => {
    const card = await platform.answerLookup(job.data);
    return { title: card.title };
  };
}
