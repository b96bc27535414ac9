import type { Job } from 'bullmq';
import { SEVERITIES } from '../src/core/finding.js';
import { findingsCreated } from '../src/ops/metrics.js';
import { detectPending } from '../src/scan/detect-pending.js';
import { unnotifiedFindings } from '../src/store/messages.js';
import type { JobDeps } from './job-deps.js';

const MEDIUM = SEVERITIES.indexOf('medium');
const ALERTING = SEVERITIES.slice(MEDIUM);
/** Unnotified findings queued per run at most; the next run queues the rest. */
export const SWEEP_LIMIT = 500;

/**
 * Judges every stored hour not yet judged, then queues a notification per new or changed alerting
 * finding and per open alerting finding that has no recorded card on a configured platform (saved by
 * a run that crashed, or whose notification failed for good). One pending notify job per finding:
 * a request while one waits folds into it, one while it runs queues one more (a repeat arrived).
 */
export function detectJob(deps: JobDeps, platforms: readonly string[] = []): (job: Job) => Promise<Record<string, unknown>> {
  return async () => {
    const updates = await detectPending(deps.sql, { detectors: deps.detectors, settings: deps.settings });
    for (const u of updates) if (u.change === 'new') findingsCreated.inc({ detector: u.finding.detector, severity: u.finding.severity });
    if (!deps.chat) return { findings: updates.length, notified: 0 };
    const alerting = updates.filter((u) => u.finding.status === 'open' && SEVERITIES.indexOf(u.finding.severity) >= MEDIUM).map((u) => u.finding.id);
    const unnotified = await unnotifiedFindings(deps.sql, platforms, ALERTING, SWEEP_LIMIT);
    const ids = [...new Set([...alerting, ...unnotified])];
    for (const id of ids) await deps.queues.request('notify', { findingId: id }, `notify-${id}`);
    return { findings: updates.length, notified: alerting.length, unnotified: ids.length - alerting.length };
  };
}
