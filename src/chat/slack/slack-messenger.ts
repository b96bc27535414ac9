import type { webApi } from '@slack/bolt';
import type { Card } from '../../core/card.js';
import type { MessageMarker, MessageRef, Messenger } from '../messenger.js';
import { renderCard } from './render.js';
import { slackCallError } from './slack-client-options.js';

/** Event type of the message metadata that marks storage-watch messages with their finding. */
export const METADATA_EVENT = 'storage_watch_finding';

const MAX_PAGES = 20;

type Metadata = { event_type?: string; event_payload?: Record<string, unknown> };

function metadata(marker: MessageMarker | undefined): { event_type: string; event_payload: Record<string, string | number> } | undefined {
  return marker && { event_type: METADATA_EVENT, event_payload: { finding_id: marker.findingId, kind: marker.kind, occurrences: marker.occurrences } };
}

function matches(m: { metadata?: Metadata }, marker: MessageMarker): boolean {
  const p = m.metadata?.event_type === METADATA_EVENT ? m.metadata.event_payload : undefined;
  if (!p || p.finding_id !== marker.findingId || p.kind !== marker.kind) return false;
  return marker.kind === 'card' || Number(p.occurrences) === marker.occurrences;
}

/** Runs a Web API call, rethrowing a 429 as RateLimitedError and a call Slack certainly did not act on as NotSentError. */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw slackCallError(err);
  }
}

/** Posts and edits cards in Slack through the Web API; finds its own messages again by their metadata. */
export class SlackMessenger implements Messenger {
  /** Stored with message references. */
  readonly platform = 'slack';

  constructor(private readonly client: webApi.WebClient) {}

  /** Posts a card (into a thread when threadTs is given), marked with the finding it shows. */
  async post(channel: string, card: Card, opts: { threadTs?: string; marker?: MessageMarker } = {}): Promise<MessageRef> {
    const { text, blocks } = renderCard(card);
    const res = await call(() => this.client.chat.postMessage({
      channel, text, blocks, unfurl_links: false, unfurl_media: false,
      ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}), ...(opts.marker ? { metadata: metadata(opts.marker) } : {}),
    }));
    return { channel: res.channel ?? channel, ts: res.ts!, threadTs: opts.threadTs };
  }

  /** Replaces a posted card for everyone in the channel. */
  async update(ref: MessageRef, card: Card, marker?: MessageMarker): Promise<void> {
    const { text, blocks } = renderCard(card);
    await call(() => this.client.chat.update({ channel: ref.channel, ts: ref.ts, text, blocks, ...(marker ? { metadata: metadata(marker) } : {}) }));
  }

  /**
   * Searches the channel history (or a thread) since `since` for a message carrying the marker (needs
   * channels:history / groups:history). Undefined only when the whole history since then was read:
   * a search cut short cannot prove there is no such message, so it throws.
   */
  async findPosted(channel: string, marker: MessageMarker, opts: { since: number; threadTs?: string }): Promise<MessageRef | undefined> {
    const oldest = (Math.max(0, opts.since) / 1000).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const args = { channel, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
      const res = await call(() => (opts.threadTs ? this.client.conversations.replies({ ...args, ts: opts.threadTs }) : this.client.conversations.history(args)));
      const hit = (res.messages ?? []).find((m) => matches(m as { metadata?: Metadata }, marker));
      if (hit?.ts) return { channel, ts: hit.ts, threadTs: opts.threadTs };
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!res.has_more || !cursor) return undefined;
    }
    throw new Error(`could not read the whole history of ${channel} since ${oldest} in ${MAX_PAGES} pages; cannot tell whether the message was posted`);
  }

  /** A link that opens the message in Slack. */
  async permalink(ref: MessageRef): Promise<string | undefined> {
    const res = await this.client.chat.getPermalink({ channel: ref.channel, message_ts: ref.ts });
    return res.permalink;
  }
}

/** Sends a card as the answer to a slash command through its response_url (visible to the asker only). */
export async function respondToUrl(responseUrl: string, card: Card, doFetch: typeof fetch = fetch): Promise<void> {
  if (!/^https?:\/\//.test(responseUrl)) throw new Error('response_url is not an http(s) URL');
  const { text, blocks } = renderCard(card);
  const res = await doFetch(responseUrl, {
    method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000),
    body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text, blocks }),
  });
  if (!res.ok) throw new Error(`response_url answered HTTP ${res.status}`);
}
