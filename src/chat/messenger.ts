import type { Card } from '../core/card.js';

/** Where a posted message is. */
export interface MessageRef {
  channel: string;
  /** Platform id of the message. */
  ts: string;
  /** Root of the thread it belongs to, when it is a reply. */
  threadTs?: string;
}

/** What a message is about, attached to it so that it can be found again after a crash. */
export interface MessageMarker {
  findingId: string;
  kind: 'card' | 'repeat';
  /** Occurrences of the finding the message shows. */
  occurrences: number;
}

/** How platform-neutral code posts and edits cards on one chat platform. */
export interface Messenger {
  /** Platform name stored with message references (`slack`, `teams`). */
  readonly platform: string;
  /** Posts a card to a channel, or into a thread when threadTs is given. */
  post(channel: string, card: Card, opts?: { threadTs?: string; marker?: MessageMarker }): Promise<MessageRef>;
  /** Replaces a posted card for everyone. */
  update(ref: MessageRef, card: Card, marker?: MessageMarker): Promise<void>;
  /** A message carrying this marker posted since `since` (epoch ms) in the channel, or in the thread when threadTs is given. */
  findPosted(channel: string, marker: MessageMarker, opts: { since: number; threadTs?: string }): Promise<MessageRef | undefined>;
  /** A link that opens the message, when the platform has one. */
  permalink(ref: MessageRef): Promise<string | undefined>;
}

/**
 * A call the platform certainly did not act on (refused, or never reached it): nothing was posted, so
 * posting again cannot double a card. Errors of any other kind (a timeout, a dropped answer) leave it open.
 */
export class NotSentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotSentError';
  }
}

/** The platform answered "too many requests" (HTTP 429): nothing was done; try again after retryAfterMs, no sooner. */
export class RateLimitedError extends NotSentError {
  constructor(readonly platform: string, readonly retryAfterMs: number) {
    super(`${platform} rate-limited the call; retry after ${retryAfterMs} ms`);
    this.name = 'RateLimitedError';
  }
}
