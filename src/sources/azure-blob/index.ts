import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { KnownMonitorLogsQueryAudience, LogsQueryClient, type LogsQueryClientOptions } from '@azure/monitor-query-logs';
import type { SourcesConfig } from '../../config.js';
import type { EventSource } from '../../core/ports.js';
import type { Logger } from '../../logger.js';
import { DEFAULT_SLICE_TUNING, pullWorkspace, type SliceTuning, type WorkspaceReader } from './pull.js';

/** What tests (and the composition root) may hand the Azure source instead of the defaults. */
export interface AzureSourceDeps {
  /** Credential for Log Analytics; DefaultAzureCredential when absent. */
  credential?: TokenCredential;
  /** Extra LogsQueryClient options (an https agent trusting a test server, faster SDK retries). */
  clientOptions?: LogsQueryClientOptions;
  /** Slicing of the ingestion timeline. */
  tuning?: Partial<SliceTuning>;
  /** Our retries on top of the SDK's: tries and backoff (ms). */
  retry?: Partial<WorkspaceReader['retry']>;
  log?: Logger;
}

const PUBLIC_ENDPOINT = 'https://api.loganalytics.io';

type PipelinePolicy = NonNullable<LogsQueryClientOptions['additionalPolicies']>[number]['policy'];

/**
 * Counts the bytes of every response, retries included. The SDK's own `onDownloadProgress` is not
 * usable: a connection cut mid-body then leaves the request hanging forever (1.0.0).
 */
function countBytes(counter: { bytes: number }): PipelinePolicy {
  return {
    name: 'storageWatchCountBytes',
    sendRequest: async (request, next) => {
      const response = await next(request);
      const length = Number(response.headers.get('content-length'));
      counter.bytes += Number.isFinite(length) && length > 0 ? length : Buffer.byteLength(response.bodyAsText ?? '');
      return response;
    },
  };
}

/**
 * The token audience of a Log Analytics endpoint. monitor-query-logs 1.0.0 ignores its `audience`
 * option and asks for the public cloud's scope unless `credentials.scopes` is given, which fails
 * in Azure Government and China.
 */
function audienceOf(base: string): string {
  const host = new URL(base).hostname.toLowerCase();
  if (host.endsWith('.us')) return KnownMonitorLogsQueryAudience.AzureGovernment;
  if (host.endsWith('.azure.cn')) return KnownMonitorLogsQueryAudience.AzureChina;
  if (host.endsWith('loganalytics.io') || host.endsWith('.azure.com')) return KnownMonitorLogsQueryAudience.AzurePublicCloud;
  return new URL(base).origin;
}

/**
 * The Azure Blob Storage source: StorageBlobLogs rows of each Log Analytics workspace in
 * AZURE_WORKSPACE_IDS, read by ingestion time through @azure/monitor-query-logs.
 */
export function createAzureSource(cfg: NonNullable<SourcesConfig['azure']>, deps: AzureSourceDeps = {}): EventSource {
  // The SDK appends no API version to a custom endpoint: it must end in /v1 like the default one.
  const base = (cfg.endpoint ?? PUBLIC_ENDPOINT).replace(/\/+$/, '').replace(/\/v1$/i, '');
  const downloaded = { bytes: 0 };
  let reader: WorkspaceReader | undefined;
  // Built on first pull, so that listing scopes needs no credential.
  const getReader = (): WorkspaceReader => {
    reader ??= {
      client: new LogsQueryClient(deps.credential ?? new DefaultAzureCredential(), {
        retryOptions: { maxRetries: 3, retryDelayInMs: 1000, maxRetryDelayInMs: 30_000 },
        ...deps.clientOptions,
        endpoint: `${base}/v1`,
        credentials: { scopes: [`${audienceOf(base)}/.default`] },
        additionalPolicies: [...(deps.clientOptions?.additionalPolicies ?? []), { policy: countBytes(downloaded), position: 'perRetry' }],
      }),
      downloaded,
      endpoint: base,
      tuning: { ...DEFAULT_SLICE_TUNING, ...deps.tuning },
      retry: { attempts: 3, baseMs: 1000, maxMs: 30_000, ...deps.retry },
      log: deps.log,
    };
    return reader;
  };
  return {
    name: 'azure-blob',
    provider: 'azure',
    scopes: () => Promise.resolve([...cfg.workspaceIds]),
    pull: (scope, cursor, opts) => pullWorkspace(getReader(), scope, cursor, opts),
  };
}

export { DEFAULT_SLICE_TUNING, type SliceTuning } from './pull.js';
