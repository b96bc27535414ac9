import { UnrecoverableError, type Job } from 'bullmq';
import { scanConfigured } from '../src/scan/scan-configured.js';
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
    // One detection run at a time judges what every source brought; requests fold into one.
    await deps.queues.request('detect', {}, 'detect-pending');
    return { events, scopes: result.scopes.length, failedScopes: failed.length };
  };
}
