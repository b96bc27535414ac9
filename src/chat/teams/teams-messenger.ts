import { Activity } from '@microsoft/agents-activity';
import type { ConnectorClient } from '@microsoft/agents-hosting';
import type { Card } from '../../core/card.js';
import type { MessageMarker, MessageRef, Messenger } from '../messenger.js';
import { renderAdaptiveCard } from './render.js';
import { withRetryAfter } from './teams-adapter.js';

/** The content type of an Adaptive Card attachment. */
export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** What the Teams messenger needs: a Bot Connector client for the tenant's service URL, the tenant, and display names it has seen. */
export interface TeamsMessengerDeps {
  connector(): Promise<ConnectorClient>;
  tenantId?: string;
  names: ReadonlyMap<string, string>;
}

/** A card as a Teams message activity (the finding id travels in channelData, for people and tools reading the raw message). */
export function cardActivity(card: Card, names: ReadonlyMap<string, string>, marker?: MessageMarker): Activity {
  return Activity.fromObject({
    type: 'message', summary: card.summary.slice(0, 200),
    attachments: [{ contentType: ADAPTIVE_CARD, content: renderAdaptiveCard(card, names) }],
    ...(marker ? { channelData: { storageWatch: { findingId: marker.findingId, kind: marker.kind, occurrences: marker.occurrences } } } : {}),
  });
}

/** The conversation id of a channel thread: Teams threads by conversation id (`<channel>;messageid=<root>`), not by replyToId. */
export function threadConversation(channel: string, rootId: string): string {
  return `${channel};messageid=${rootId}`;
}

/**
 * Posts and edits cards in Teams channels through the Bot Connector: a card starts a new thread
 * (createConversation with the channel id), replies go into the thread's conversation, updates are PUTs.
 */
export class TeamsMessenger implements Messenger {
  /** Stored with message references. */
  readonly platform = 'teams';

  constructor(private readonly deps: TeamsMessengerDeps) {}

  /** Posts a card as a new thread in a channel, or into the thread when threadTs (the root activity id) is given. */
  async post(channel: string, card: Card, opts: { threadTs?: string; marker?: MessageMarker } = {}): Promise<MessageRef> {
    const client = await this.deps.connector();
    const activity = cardActivity(card, this.deps.names, opts.marker);
    if (opts.threadTs) {
      const res = await withRetryAfter(() => client.sendToConversation(threadConversation(channel, opts.threadTs!), activity));
      return { channel, ts: res.id, threadTs: opts.threadTs };
    }
    const res = await withRetryAfter(() => client.createConversation({
      isGroup: true, activity, channelData: { channel: { id: channel }, ...(this.deps.tenantId ? { tenant: { id: this.deps.tenantId } } : {}) },
      ...(this.deps.tenantId ? { tenantId: this.deps.tenantId } : {}),
    }));
    const ts = res.activityId ?? /;messageid=(\d+)$/.exec(res.id ?? '')?.[1];
    if (!ts) throw new Error('Teams created the thread but did not return its message id');
    return { channel, ts, threadTs: ts };
  }

  /** Replaces a posted card for everyone in the channel (PUT of the activity). */
  async update(ref: MessageRef, card: Card, marker?: MessageMarker): Promise<void> {
    const client = await this.deps.connector();
    const activity = cardActivity(card, this.deps.names, marker);
    activity.id = ref.ts;
    await withRetryAfter(() => client.updateActivity(threadConversation(ref.channel, ref.threadTs ?? ref.ts), ref.ts, activity));
  }

  /**
   * The Bot Connector cannot list a channel's messages, so an interrupted post cannot be found again here:
   * returns undefined, and notifyFinding posts again only after the claim went stale (see README, Teams).
   */
  findPosted(): Promise<MessageRef | undefined> {
    return Promise.resolve(undefined);
  }

  /** A deep link that opens the message in Teams. */
  permalink(ref: MessageRef): Promise<string | undefined> {
    const parent = ref.threadTs ?? ref.ts;
    const tenant = this.deps.tenantId ? `&tenantId=${encodeURIComponent(this.deps.tenantId)}` : '';
    return Promise.resolve(`https://teams.microsoft.com/l/message/${encodeURIComponent(ref.channel)}/${encodeURIComponent(ref.ts)}?parentMessageId=${encodeURIComponent(parent)}${tenant}`);
  }
}
