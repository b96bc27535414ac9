import { UnrecoverableError, type Job } from 'bullmq';
import { eventsIngested, recordsRejected, scopeFailures, unknownFiles } from '../src/ops/metrics.js';
import { scopeDedupId } from '../src/queue/job-queues.js';
import { configuredScopes, scanConfiguredScope } from '../src/scan/scan-configured.js';
import { recordScanReport } from '../src/store/scan-reports.js';
import type { Provider } from '../src/sources/index.js';
import type { JobDeps } from './job-deps.js';

/** Payload of a scan job: a provider (fans out one job per scope), or one scope of one of its sources. */
export interface ScanPayload {
  provider: Provider;
  source?: string;
  scope?: string;
}

const PROVIDERS: readonly string[] = ['aws', 'gcp', 'azure', 'files'];

/**
 * A provider's scan (what the scheduler queues) lists its scopes and queues one scan per scope, which
 * any worker may take; a scope already queued or being scanned is not queued again. A scope's scan
 * reads it from its cursor, then asks for a detection run.
 */
export function scanJob(deps: JobDeps): (job: Job<ScanPayload>) => Promise<Record<string, unknown>> {
  return async (job) => {
    const { provider, source, scope } = job.data;
    if (!PROVIDERS.includes(provider)) throw new UnrecoverableError(`unknown provider ${String(provider)}`);
    if (source === undefined || scope === undefined) {
      const { targets, failed } = await configuredScopes(deps.config, provider, deps.log);
      scopeFailures.inc({ provider }, failed.length);
      for (const t of targets) await deps.queues.addOnce('scan', { ...t }, scopeDedupId(t.source, t.scope));
      return { scopes: targets.length, failedSources: failed.length };
    }
    const result = await scanConfiguredScope(deps.sql, deps.config, { provider, source, scope }, { log: deps.log });
    const events = (result.files?.events ?? 0) + result.scopes.reduce((n, s) => n + s.events, 0);
    const failed = result.scopes.filter((s) => s.error);
    for (const s of failed) deps.log.warn({ source: s.source, scope: s.scope, error: s.error }, 'source scope failed');
    const rejections = [...(result.files?.rejections ?? []), ...result.scopes.flatMap((s) => s.rejections)];
    const rejected = (result.files?.rejected ?? 0) + result.scopes.reduce((n, s) => n + s.rejected, 0);
    const unknown = result.files?.unknownFiles ?? [];
    eventsIngested.inc({ provider }, events);
    recordsRejected.inc({ provider }, rejected);
    unknownFiles.inc(unknown.length);
    scopeFailures.inc({ provider }, failed.length);
    if (rejected) deps.log.warn({ provider, scope, rejected, first: rejections.slice(0, 20) }, 'records could not be read');
    if (unknown.length) deps.log.warn({ provider, scope, unknownFiles: unknown.slice(0, 20), count: unknown.length }, 'files in no known log format');
    // For the daily digest, which may run in another process; the scan itself is already stored.
    await recordScanReport(deps.sql, { provider, scope: `${source}:${scope}`, rejected, rejections, unknownFiles: unknown })
      .catch((err: unknown) => deps.log.warn({ provider, scope, err }, 'could not store what the scan could not read'));
    // One detection run at a time judges what every scope brought; requests fold into one.
    await deps.queues.request('detect', {}, 'detect-pending');
    return { source, scope, events, rejected, unknownFiles: unknown.length, failed: failed.length > 0 };
  };
}
