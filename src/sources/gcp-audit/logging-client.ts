import { GoogleAuth, type AuthClient } from 'google-auth-library';
import { StorageWatchError } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import { parseRetryAfter, withRetry } from '../with-retry.js';
import { asRecord, asText } from './json-fields.js';

/** One entries.list request (Cloud Logging REST v2). */
export interface ListEntriesRequest {
  resourceNames: string[];
  filter: string;
  /** The only orders the service offers are by event time. */
  orderBy: 'timestamp asc';
  pageSize: number;
  pageToken?: string;
}

/** One page of entries.list, with what it cost. */
export interface ListEntriesPage {
  /** Raw LogEntry JSON, as the service sent it. */
  entries: unknown[];
  nextPageToken?: string;
  /** HTTP requests made for the page, retries included, and response bytes read. */
  apiCalls: number;
  bytes: number;
}

/** How throttling and transient failures are retried. */
export interface RetrySettings {
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
}

/** Options of a LoggingClient. */
export interface LoggingClientOptions {
  /** Credentials to use instead of Application Default Credentials. */
  authClient?: AuthClient;
  retry?: RetrySettings;
  log?: Logger;
}

const LOGGING_READ_SCOPE = 'https://www.googleapis.com/auth/logging.read';
const DEFAULT_ENDPOINT = 'https://logging.googleapis.com';
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);
// Cloud Logging allows 60 entries.list calls a minute per project by default: back off long enough to see the next minute.
const DEFAULT_RETRY: Required<RetrySettings> = { attempts: 7, baseMs: 1000, maxMs: 40_000 };

/** An HTTP error answer of the service. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

/** Base URL of the Cloud Logging API: GCP_LOGGING_ENDPOINT as a host (https assumed) or a URL, else the public endpoint. */
export function loggingBaseUrl(endpoint: string | undefined): string {
  const value = endpoint?.trim();
  if (!value) return DEFAULT_ENDPOINT;
  return (/^https?:\/\//i.test(value) ? value : `https://${value}`).replace(/\/+$/, '');
}

/**
 * Calls Cloud Logging's REST API with google-auth-library credentials. The REST transport of
 * @google-cloud/logging cannot be used for audit logs: it decodes protoPayload through a protobuf
 * registry that has no google.cloud.audit.AuditLog and fails the whole page.
 */
export class LoggingClient {
  private readonly auth: GoogleAuth;
  private readonly url: string;

  constructor(
    endpoint: string | undefined,
    private readonly options: LoggingClientOptions = {},
  ) {
    this.url = `${loggingBaseUrl(endpoint)}/v2/entries:list`;
    this.auth = new GoogleAuth({ scopes: [LOGGING_READ_SCOPE], ...(options.authClient ? { authClient: options.authClient } : {}) });
  }

  /** One page of entries; retries throttling and transient failures, and throws StorageWatchError otherwise. */
  async listEntries(request: ListEntriesRequest, signal?: AbortSignal): Promise<ListEntriesPage> {
    const resource = request.resourceNames.join(', ');
    const retry = { ...DEFAULT_RETRY, ...this.options.retry };
    let apiCalls = 0;
    try {
      const { text, doc } = await withRetry(
        async () => {
          const headers = await this.authHeaders();
          apiCalls++;
          const res = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify(request), signal });
          const text = await res.text();
          if (!res.ok) throw httpFailure(res.status, text, parseRetryAfter(res.headers.get('retry-after')));
          return { text, doc: parseBody(text, resource) };
        },
        {
          ...retry,
          signal,
          isTransient: (err) => (err instanceof HttpFailure ? TRANSIENT_STATUS.has(err.status) : isNetworkError(err)),
          retryAfterMs: (err) => (err instanceof HttpFailure ? err.retryAfterMs : undefined),
          onRetry: (err, attempt, waitMs) =>
            this.options.log?.warn({ resource, attempt, waitMs, err: err instanceof Error ? err.message : String(err) }, 'Cloud Logging call failed; retrying'),
        },
      );
      const entries: unknown = doc.entries ?? [];
      if (!Array.isArray(entries)) throw new StorageWatchError('source_bad_response', `Cloud Logging answered entries that are not a list for ${resource}`);
      const next = asText(doc.nextPageToken);
      return { entries, ...(next ? { nextPageToken: next } : {}), apiCalls, bytes: Buffer.byteLength(text) };
    } catch (err) {
      throw translate(err, resource, apiCalls, this.url);
    }
  }

  private async authHeaders(): Promise<Headers> {
    let headers: Headers;
    try {
      headers = await this.auth.getRequestHeaders(this.url);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new StorageWatchError(
        'source_credentials',
        `no usable Google credentials for Cloud Logging: ${why}. Use Application Default Credentials: workload identity or the VM's service account, GOOGLE_APPLICATION_CREDENTIALS, or gcloud auth application-default login`,
        { cause: err },
      );
    }
    headers.set('content-type', 'application/json');
    return headers;
  }
}

function parseBody(text: string, resource: string): Record<string, unknown> {
  try {
    const doc = asRecord(JSON.parse(text || '{}'));
    if (doc) return doc;
  } catch {
    // reported below
  }
  throw new StorageWatchError('source_bad_response', `Cloud Logging answered something that is not a JSON object for ${resource}: ${text.slice(0, 120)}`);
}

function httpFailure(status: number, text: string, retryAfterMs: number | undefined): HttpFailure {
  let reason = '';
  let message = text.slice(0, 300);
  try {
    const error = asRecord(asRecord(JSON.parse(text))?.error);
    const details: unknown = error?.details;
    const infoReason = Array.isArray(details) ? details.map((d) => asText(asRecord(d)?.reason)).find(Boolean) : undefined;
    reason = [asText(error?.status), infoReason].filter(Boolean).join(' ');
    message = asText(error?.message) ?? message;
  } catch {
    // not a Google error body (a proxy's page): keep the text
  }
  return new HttpFailure(status, reason, message, retryAfterMs);
}

function isNetworkError(err: unknown): boolean {
  // fetch reports refused or reset connections and bodies cut short as TypeError ("fetch failed", "terminated").
  return err instanceof TypeError || (err instanceof Error && /ECONNRESET|ETIMEDOUT|EPIPE|socket hang up/i.test(err.message));
}

function translate(err: unknown, resource: string, apiCalls: number, url: string): unknown {
  if (err instanceof StorageWatchError || (err instanceof Error && err.name === 'AbortError')) return err;
  if (!(err instanceof HttpFailure)) {
    const why = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
    return new StorageWatchError('source_unavailable', `could not read Cloud Logging at ${url} for ${resource} after ${apiCalls} tries: ${why}`, { cause: err });
  }
  const said = `${err.status}${err.reason ? ` ${err.reason}` : ''}: ${err.message}`;
  if (err.status === 401) {
    return new StorageWatchError('source_credentials', `Cloud Logging rejected the credentials for ${resource} (${said}); check Application Default Credentials`, { cause: err });
  }
  if (err.status === 403 && /SERVICE_DISABLED|has not been used|is disabled/i.test(`${err.reason} ${err.message}`)) {
    return new StorageWatchError('source_permission', `the Cloud Logging API (logging.googleapis.com) is disabled for the calling project: enable it (gcloud services enable logging.googleapis.com). ${said}`, { cause: err });
  }
  if (err.status === 403) {
    return new StorageWatchError(
      'source_permission',
      `missing roles/logging.privateLogViewer (logging.privateLogEntries.list) on ${resource}: grant it to the identity storage-watch runs as. Cloud Logging said ${said}`,
      { cause: err },
    );
  }
  if (err.status === 404) return new StorageWatchError('source_not_found', `${resource} not found by Cloud Logging (${said})`, { cause: err });
  if (TRANSIENT_STATUS.has(err.status)) {
    return new StorageWatchError('source_unavailable', `Cloud Logging kept failing for ${resource} after ${apiCalls} tries (${said})`, { cause: err });
  }
  return new StorageWatchError('source_bad_response', `Cloud Logging refused the query for ${resource} (${said})`, { cause: err });
}
