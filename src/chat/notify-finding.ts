import { findingCard, repeatCard } from '../cards/finding-card.js';
import { getFinding } from '../store/findings.js';
import { claimPost, claimRepeat, getMessage, recordPosted, recordRepeat, type MessageKey, type MessageRecord } from '../store/messages.js';
import type { ChatDeps } from './chat-deps.js';
import { findingView } from './finding-view.js';
import type { MessageMarker, MessageRef } from './messenger.js';

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

/** Another worker is posting this finding right now; try again later (transient, safe to retry). */
export class NotifyBusyError extends Error {
  constructor(findingId: string) {
    super(`another worker is posting finding ${findingId}; retry later`);
    this.name = 'NotifyBusyError';
  }
}

const DEFAULT_CLAIM_TIMEOUT_MS = 60_000;
/** Slack and Teams clocks are not ours: look a little before the recorded intent for the interrupted post. */
const SEARCH_SLACK_MS = 5 * 60_000;

async function postCard(deps: ChatDeps, key: MessageKey): Promise<{ done: NotifyResult } | { record: MessageRecord }> {
  const f = (await getFinding(deps.sql, key.findingId))!;
  const timeout = deps.claimTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;
  const { claim, record } = await claimPost(deps.sql, key, deps.channels.alert, timeout);
  if (claim === 'busy') throw new NotifyBusyError(key.findingId);
  if (claim === 'none') return { record };
  const marker: MessageMarker = { findingId: f.id, kind: 'card', occurrences: f.occurrences };
  const card = findingCard(await findingView(deps, f));
  const found = claim === 'stale' ? await deps.messenger.findPosted(record.channel, marker, { since: record.createdAt - SEARCH_SLACK_MS }) : undefined;
  const ref = found ?? await deps.messenger.post(record.channel, card, { marker });
  if (found) await deps.messenger.update(found, card, marker);
  await recordPosted(deps.sql, key, ref, f.occurrences);
  return { done: { action: found ? 'recovered' : 'posted', ref } };
}

/**
 * Shows a finding in the alert channel: posts its card the first time, and afterwards updates the card
 * in place, announcing new occurrences of a grouped finding in the card's thread. Idempotent: the intent
 * to post is recorded before posting, and a retry after a crash looks for the already-posted message
 * (by the finding id the message carries) before posting, so a finding never gets two cards.
 * Suppressed findings are not shown. Throws NotifyBusyError while another worker holds the finding.
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
    const { claim } = await claimRepeat(deps.sql, key, f.occurrences, timeout);
    if (claim === 'busy') throw new NotifyBusyError(findingId);
    if (claim === 'new' || claim === 'stale') {
      const thread = record.threadTs ?? record.ts!;
      const repeat: MessageMarker = { findingId, kind: 'repeat', occurrences: f.occurrences };
      const found = claim === 'stale' ? await deps.messenger.findPosted(record.channel, repeat, { since: record.createdAt - SEARCH_SLACK_MS, threadTs: thread }) : undefined;
      if (!found) await deps.messenger.post(record.channel, repeatCard(view, record.occurrences), { threadTs: thread, marker: repeat });
      await deps.messenger.update(ref, findingCard(view), marker);
      await recordRepeat(deps.sql, key, f.occurrences);
      return { action: 'repeat', ref };
    }
  }
  await deps.messenger.update(ref, findingCard(view), marker);
  return { action: 'updated', ref };
}
