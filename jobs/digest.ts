import type { Job } from 'bullmq';
import type { ChatService } from '../src/chat/chat-service.js';

/** Posts the managers' daily digest to every platform. */
export function digestJob(chat: Pick<ChatService, 'postDigest'>): (job: Job) => Promise<Record<string, string>> {
  return async () => {
    const refs = await chat.postDigest();
    return Object.fromEntries(Object.entries(refs).map(([platform, ref]) => [platform, ref.ts]));
  };
}
