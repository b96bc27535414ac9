import type { Job } from 'bullmq';
import type { NotifyResult } from '../src/chat/notify-finding.js';

/** Payload of a notify job. */
export interface NotifyPayload {
  findingId: string;
}

/** Posts or updates the card of one finding; safe to retry (notifyFinding never posts twice). */
export function notifyJob(platform: { notifyFinding(id: string): Promise<NotifyResult> }): (job: Job<NotifyPayload>) => Promise<NotifyResult> {
  return (job) => platform.notifyFinding(job.data.findingId);
}
