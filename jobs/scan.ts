import { UnrecoverableError, type Job } from 'bullmq';
import { eventsIngested, recordsRejected, scopeFailures, unknownFiles } from '../src/ops/metrics.js';
import { scanConfigured } from '../src/scan/scan-configured.js';
import { recordScanReport } from '../src/store/scan-reports.js';
import type { Provider } from '../src/sources/index.js';
import type { JobDeps } from './job-deps.js';

/** Payload of a scan job: which provider's sources to read. */
export interface ScanPayload {
  provider: Provider;
}

const PROVIDERS: readonly string[] = ['aws', 'gcp', 'azure', 'files'];

/** Reads one provider's sources from their cursors, then asks for a detection run. */
export function scanJob(deps: JobDeps): (job: Job<ScanPayload>) => Promise<Record<string, unknown>> {
  return async (job) => {
    if (!PROVIDERS.includes(job.data.provider)) throw new UnrecoverableError(`unknown provider ${String(job.data.provider)}`);
    const result = await scanConfigured(deps.sql, deps.config, { provider: job.data.provider, log: deps.log });
    const events = (result.files?.events ?? 0) + result.scopes.reduce((n, s) => n + s.events, 0);
    const failed = result.scopes.filter((s) => s.error);
    for (const s of failed) deps.log.warn({ source: s.source, scope: s.scope, error: s.error }, 'source scope failed');
    const provider = job.data.provider;
    const rejections = [...(result.files?.rejections ?? []), ...result.scopes.flatMap((s) => s.rejections)];
    const rejected = (result.files?.rejected ?? 0) + result.scopes.reduce((n, s) => n + s.rejected, 0);
    const unknown = result.files?.unknownFiles ?? [];
    eventsIngested.inc({ provider }, events);
    recordsRejected.inc({ provider }, rejected);
    unknownFiles.inc(unknown.length);
    scopeFailures.inc({ provider }, failed.length);
    if (rejected) deps.log.warn({ provider, rejected, first: rejections.slice(0, 20) }, 'records could not be read');
    if (unknown.length) deps.log.warn({ provider, unknownFiles: unknown.slice(0, 20), count: unknown.length }, 'files in no known log format');
    // For the daily digest, which may run in another process; the scan itself is already stored.
    await recordScanReport(deps.sql, { provider, rejected, rejections, unknownFiles: unknown })
      .catch((err: unknown) => deps.log.warn({ provider, err }, 'could not store what the scan could not read'));
    // One detection run at a time judges what every source brought; requests fold into one.
    await deps.queues.request('detect', {}, 'detect-pending');
    return { events, rejected, unknownFiles: unknown.length, scopes: result.scopes.length, failedScopes: failed.length };
  };
}
