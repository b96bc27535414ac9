import { findingCard, repeatCard } from '../cards/finding-card.js';
import { getFinding } from '../store/findings.js';
import { claimPost, claimRepeat, getMessage, recordPosted, recordRepeat, releaseClaim, renewClaim, type MessageKey, type MessageRecord } from '../store/messages.js';
import type { ChatDeps } from './chat-deps.js';
import { findingView } from './finding-view.js';
import { NotSentError, type MessageMarker, type MessageRef } from './messenger.js';

/** What notifyFinding did. */
export interface NotifyResult {
  /**
   * posted: a new card; recovered: the card of an interrupted earlier attempt was found and recorded instead of posting
   * again; repeat: a thread reply for new occurrences and the card updated; updated: the card refreshed; skipped: nothing to show.
   */
  action: 'posted' | 'recovered' | 'repeat' | 'updated' | 'skipped';
  ref?: MessageRef;
  reason?: string;
}

/**
 * Another worker is posting this finding right now, or was when it died: try again in retryAfterMs,
 * when its claim will have been completed or may be taken over. Not a failure: nothing was tried.
 */
export class NotifyBusyError extends Error {
  constructor(findingId: string, readonly retryAfterMs: number) {
    super(`another worker is posting finding ${findingId}; retry in ${retryAfterMs} ms`);
    this.name = 'NotifyBusyError';
  }
}

/**
 * How long an unfinished post holds a finding. Longer than one attempt can take between claiming and
 * recording (a Slack request gives up after 10 s, see slackClientOptions), so a live worker's claim is
 * never taken over; short enough that a dead worker's claim is taken over well within the notify job's
 * retries (and a busy job waits for it rather than spending an attempt).
 */
export const DEFAULT_CLAIM_TIMEOUT_MS = 30_000;
/** A busy job comes back a moment after the other claim may be taken over. */
const BUSY_SLACK_MS = 1_000;
/** Slack and Teams clocks are not ours: look a little before the recorded intent for the interrupted post. */
const SEARCH_SLACK_MS = 5 * 60_000;

/** Runs the platform call a claim guards; when the platform certainly did not act on it, gives the claim up at once. */
async function guarded<T>(deps: ChatDeps, key: MessageKey, intentAt: number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof NotSentError) await releaseClaim(deps.sql, key, intentAt);
    throw err;
  }
}

async function postCard(deps: ChatDeps, key: MessageKey): Promise<{ done: NotifyResult } | { record: MessageRecord }> {
  const f = (await getFinding(deps.sql, key.findingId))!;
  const timeout = deps.claimTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;
  const { claim, record, staleInMs } = await claimPost(deps.sql, key, deps.channels.alert, timeout);
  if (claim === 'busy') throw new NotifyBusyError(key.findingId, (staleInMs ?? timeout) + BUSY_SLACK_MS);
  if (claim === 'none') return { record };
  let intentAt = record.intentAt!;
  const marker: MessageMarker = { findingId: f.id, kind: 'card', occurrences: f.occurrences };
  const card = findingCard(await findingView(deps, f));
  // A claim taken over: the earlier attempt may have posted. Post only when the platform shows no such card (findPosted throws when it cannot tell).
  const found = claim === 'stale' ? await guarded(deps, key, intentAt, () => deps.messenger.findPosted(record.channel, marker, { since: record.createdAt - SEARCH_SLACK_MS })) : undefined;
  if (!found) {
    // The search may have been slow: post only while the claim is still ours, and stamp it afresh for the post.
    const renewed = await renewClaim(deps.sql, key, intentAt);
    if (renewed === undefined) throw new NotifyBusyError(key.findingId, timeout + BUSY_SLACK_MS);
    intentAt = renewed;
  }
  const ref = found ?? await guarded(deps, key, intentAt, () => deps.messenger.post(record.channel, card, { marker }));
  if (found) await deps.messenger.update(found, card, marker);
  await recordPosted(deps.sql, key, ref, f.occurrences);
  return { done: { action: found ? 'recovered' : 'posted', ref } };
}

/**
 * Shows a finding in the alert channel: posts its card the first time, and afterwards updates the card
 * in place, announcing new occurrences of a grouped finding in the card's thread. Idempotent: the intent
 * to post is recorded before posting, and a retry after a crash looks for the already-posted message
 * (by the finding id the message carries) before posting, so a finding never gets two cards.
 * Suppressed findings are not shown. Throws NotifyBusyError while another worker holds the finding,
 * RateLimitedError (from the messenger) when the platform asks to wait, NotSentError when it certainly
 * did not post (the claim is then given up at once, so a retry need not wait for it).
 */
export async function notifyFinding(deps: ChatDeps, findingId: string): Promise<NotifyResult> {
  const f = await getFinding(deps.sql, findingId);
  if (!f) return { action: 'skipped', reason: `no finding ${findingId}` };
  const key: MessageKey = { findingId, platform: deps.messenger.platform };
  let record = await getMessage(deps.sql, key);
  if (!record || record.state === 'posting') {
    if (f.status === 'suppressed') return { action: 'skipped', reason: `finding ${findingId} is suppressed` };
    const posted = await postCard(deps, key);
    if ('done' in posted) return posted.done;
    record = posted.record;
  }
  const ref: MessageRef = { channel: record.channel, ts: record.ts! };
  const view = await findingView(deps, f);
  const marker: MessageMarker = { findingId, kind: 'card', occurrences: f.occurrences };
  if (f.occurrences > record.occurrences) {
    const timeout = deps.claimTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;
    const { claim, intentAt, staleInMs } = await claimRepeat(deps.sql, key, f.occurrences, timeout);
    if (claim === 'busy') throw new NotifyBusyError(findingId, (staleInMs ?? timeout) + BUSY_SLACK_MS);
    if (claim === 'new' || claim === 'stale') {
      const thread = record.threadTs ?? record.ts!;
      const repeat: MessageMarker = { findingId, kind: 'repeat', occurrences: f.occurrences };
      // Not guarded: a released repeat claim counts as new (no search), and the earlier intent may have posted its reply.
      const found = claim === 'stale' ? await deps.messenger.findPosted(record.channel, repeat, { since: record.createdAt - SEARCH_SLACK_MS, threadTs: thread }) : undefined;
      if (!found) {
        const renewed = await renewClaim(deps.sql, key, intentAt!);
        if (renewed === undefined) throw new NotifyBusyError(findingId, timeout + BUSY_SLACK_MS);
        await guarded(deps, key, renewed, () => deps.messenger.post(record.channel, repeatCard(view, record.occurrences), { threadTs: thread, marker: repeat }));
      }
      await deps.messenger.update(ref, findingCard(view), marker);
      await recordRepeat(deps.sql, key, f.occurrences);
      return { action: 'repeat', ref };
    }
  }
  await deps.messenger.update(ref, findingCard(view), marker);
  return { action: 'updated', ref };
}
