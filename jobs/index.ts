import type { ChatService } from '../src/chat/chat-service.js';
import type { JobHandlers } from '../src/queue/job-queues.js';
import { detectJob } from './detect.js';
import { detectPartJob } from './detect-part.js';
import { digestJob } from './digest.js';
import type { JobDeps } from './job-deps.js';
import { lookupJob } from './lookup.js';
import { notifyJob } from './notify.js';
import { scanJob } from './scan.js';

/** Every job handler; the chat jobs only when a chat platform is configured. */
export function jobHandlers(deps: JobDeps, chat?: Pick<ChatService, 'notifyFinding' | 'answerLookup' | 'postDigest' | 'platforms'>): JobHandlers {
  return {
    scan: scanJob(deps) as JobHandlers['scan'],
    detect: detectJob(deps, chat?.platforms.map((p) => p.name)),
    detectPart: detectPartJob(deps) as JobHandlers['detectPart'],
    ...(chat
      ? { notify: notifyJob(chat) as JobHandlers['notify'], lookup: lookupJob(chat) as JobHandlers['lookup'], digest: digestJob(chat, deps.config.chat.digest.timeZone) }
      : {}),
  };
}
