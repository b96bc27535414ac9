import type { Job } from 'bullmq';
import type { postDigest } from '../src/chat/post-digest.js';

/** Posts the managers' daily digest. */
export function digestJob(platform: { postDigest(): ReturnType<typeof postDigest> }): (job: Job) => Promise<{ ts: string }> {
  return async () => {
    const { ref } = await platform.postDigest();
    return { ts: ref.ts };
  };
}
