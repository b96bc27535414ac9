import { DelayedError, type Job } from 'bullmq';
import type { ChatService } from '../src/chat/chat-service.js';
import { RateLimitedError } from '../src/chat/messenger.js';
import { NotifyBusyError, type NotifyResult } from '../src/chat/notify-finding.js';

/** Payload of a notify job. */
export interface NotifyPayload {
  findingId: string;
}

/** How long to put a job aside instead of failing it: a 429's Retry-After as given, or until a busy claim may be taken over. */
function waitFor(err: unknown): number | undefined {
  return err instanceof RateLimitedError || err instanceof NotifyBusyError ? err.retryAfterMs : undefined;
}

/**
 * Posts or updates the card of one finding on every platform; safe to retry (notifyFinding never posts
 * twice). A rate-limited or busy card is moved to the delayed set for exactly the wait it was given,
 * spending no attempt and releasing the worker for the cards of other findings, channels and platforms.
 */
export function notifyJob(chat: Pick<ChatService, 'notifyFinding'>): (job: Job<NotifyPayload>, token?: string) => Promise<Record<string, NotifyResult>> {
  return async (job, token) => {
    try {
      return await chat.notifyFinding(job.data.findingId);
    } catch (err) {
      const wait = waitFor(err);
      if (wait === undefined || !token) throw err;
      await job.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError();
    }
  };
}
