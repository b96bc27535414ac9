import { setTimeout as sleep } from 'node:timers/promises';

/** How to retry an operation. */
export interface RetryOptions {
  /** True for failures worth another try (throttling, 5xx, connection resets). */
  isTransient(err: unknown): boolean;
  /** Milliseconds the service asked us to wait (Retry-After), if it said. */
  retryAfterMs?(err: unknown): number | undefined;
  /** Total tries, the first included (default 5). */
  attempts?: number;
  /** First backoff and its cap, in ms (defaults 200 and 20,000). */
  baseMs?: number;
  maxMs?: number;
  signal?: AbortSignal;
  /** Told about each retry, for logs. */
  onRetry?(err: unknown, attempt: number, waitMs: number): void;
}

/** Seconds or an HTTP date in a Retry-After header value, as milliseconds. */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Runs fn, retrying transient failures with exponential backoff and full jitter, honouring Retry-After. */
export async function withRetry<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const attempts = o.attempts ?? 5;
  const base = o.baseMs ?? 200;
  const cap = o.maxMs ?? 20_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !o.isTransient(err) || o.signal?.aborted) throw err;
      const backoff = Math.random() * Math.min(cap, base * 2 ** (attempt - 1));
      const wait = Math.min(cap, Math.max(o.retryAfterMs?.(err) ?? 0, backoff));
      o.onRetry?.(err, attempt, wait);
      await sleep(wait, undefined, { signal: o.signal });
    }
  }
}
