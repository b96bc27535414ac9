import { webApi } from '@slack/bolt';
import { NotSentError, RateLimitedError } from '../messenger.js';

/** Codes of a connection that failed before a request was sent: Slack cannot have acted on it. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** How long one Web API request may take before it is abandoned (ms). */
export const SLACK_REQUEST_TIMEOUT_MS = 10_000;

function codesOf(err: unknown): string[] {
  if (!err || typeof err !== 'object') return [];
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown[]; original?: unknown };
  return [
    ...(typeof e.code === 'string' ? [e.code] : []),
    ...codesOf(e.original), ...codesOf(e.cause), ...(Array.isArray(e.errors) ? e.errors.flatMap(codesOf) : []),
  ];
}

/** Whether a Web API error means the request never reached Slack (no connection could be made). */
export function neverConnected(err: unknown): boolean {
  return err instanceof Error && (err as { code?: string }).code === webApi.ErrorCode.RequestError && codesOf(err).some((c) => NOT_CONNECTED.has(c));
}

/**
 * The error a messenger call rethrows: RateLimitedError for a 429 (the wait is Retry-After, exactly),
 * NotSentError when Slack certainly did nothing (refused with ok:false, or never connected), the
 * original error otherwise (a timeout: the request may have been acted on).
 */
export function slackCallError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as { code?: string }).code;
  if (code === webApi.ErrorCode.RateLimitedError) return new RateLimitedError('slack', (err as webApi.WebAPIRateLimitedError).retryAfter * 1000);
  if (code === webApi.ErrorCode.PlatformError || neverConnected(err)) return new NotSentError(`Slack did not act on the call: ${err.message}`, { cause: err });
  return err;
}

// p-retry (inside the client) stops retrying when onFailedAttempt throws; the typings only know the `retry` options.
const retryPolicy: webApi.RetryOptions = Object.assign({ retries: 3, factor: 2, minTimeout: 250, maxTimeout: 1_000, randomize: true }, {
  onFailedAttempt: (err: Error): void => {
    if (!neverConnected(err)) throw err;
  },
});

/**
 * Web API client options for a service: a request gives up after SLACK_REQUEST_TIMEOUT_MS; only a
 * request that never reached Slack is retried, three times within about 2 s (a retried post that
 * Slack had received would be a second card); a 429 is not waited out inside the client (that paused
 * every call for Retry-After plus the client's own backoff) but thrown, so the caller reschedules
 * exactly Retry-After later while other work goes on.
 */
export function slackClientOptions(): Pick<webApi.WebClientOptions, 'timeout' | 'retryConfig' | 'rejectRateLimitedCalls'> {
  return {
    timeout: SLACK_REQUEST_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    retryConfig: retryPolicy,
  };
}
