import type { Job } from 'bullmq';
import { SEVERITIES } from '../src/core/finding.js';
import { findingsCreated } from '../src/ops/metrics.js';
import { detectPending } from '../src/scan/detect-pending.js';
import type { JobDeps } from './job-deps.js';

const MEDIUM = SEVERITIES.indexOf('medium');

/** Judges every stored hour not yet judged, then queues a notification per new or changed alerting finding. */
export function detectJob(deps: JobDeps): (job: Job) => Promise<Record<string, unknown>> {
  return async () => {
    const updates = await detectPending(deps.sql, { detectors: deps.detectors, settings: deps.settings });
    for (const u of updates) if (u.change === 'new') findingsCreated.inc({ detector: u.finding.detector, severity: u.finding.severity });
    const alerting = deps.chat ? updates.filter((u) => u.finding.status === 'open' && SEVERITIES.indexOf(u.finding.severity) >= MEDIUM) : [];
    for (const { finding } of alerting) {
      // One notification per version of a finding: a repeat bumps occurrences and so gets its own job.
      await deps.queues.add('notify', { findingId: finding.id }, `notify-${finding.id}-${finding.occurrences}`);
    }
    return { findings: updates.length, notified: alerting.length };
  };
}
