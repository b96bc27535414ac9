import type { Job } from 'bullmq';
import type { ChatService } from '../src/chat/chat-service.js';

/** The date (`2026-12-06`) of an instant in a time zone. */
export function dayIn(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * Posts the managers' daily digest to every platform, once per platform and day: the day is the date,
 * in DIGEST_TIME_ZONE, of the run the scheduler planned, so a retried job (or a second one for the same
 * run) does not post again where the digest already is.
 */
export function digestJob(chat: Pick<ChatService, 'postDigest'>, timeZone = 'UTC'): (job: Job) => Promise<Record<string, string>> {
  return async (job) => {
    // A scheduler's job carries the instant it was planned for; any other job counts from when it was added.
    const planned = (job.opts as { prevMillis?: number }).prevMillis ?? job.timestamp + (job.opts.delay ?? 0);
    const refs = await chat.postDigest({ day: dayIn(planned, timeZone) });
    return Object.fromEntries(Object.entries(refs).map(([platform, ref]) => [platform, ref.ts]));
  };
}
