import type { Job } from 'bullmq';
import type { ChatService } from '../src/chat/chat-service.js';
import type { NotifyResult } from '../src/chat/notify-finding.js';

/** Payload of a notify job. */
export interface NotifyPayload {
  findingId: string;
}

/** Posts or updates the card of one finding on every platform; safe to retry (notifyFinding never posts twice). */
export function notifyJob(chat: Pick<ChatService, 'notifyFinding'>): (job: Job<NotifyPayload>) => Promise<Record<string, NotifyResult>> {
  return (job) => chat.notifyFinding(job.data.findingId);
}
