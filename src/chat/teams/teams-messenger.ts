import { Activity } from '@microsoft/agents-activity';
import type { ConnectorClient } from '@microsoft/agents-hosting';
import type { Card } from '../../core/card.js';
import type { MessageMarker, MessageRef, Messenger } from '../messenger.js';
import type { ChannelHistory, GraphChatMessage } from './channel-history.js';
import { GraphError } from './graph-token.js';
import { markerId, renderAdaptiveCard } from './render.js';
import { withRetryAfter } from './teams-adapter.js';

/** The content type of an Adaptive Card attachment. */
export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/**
 * What the Teams messenger needs: a Bot Connector client for the tenant's service URL, the tenant, display names
 * it has seen, and for finding a card again after a crash, Graph (history) and the team a channel belongs to.
 */
export interface TeamsMessengerDeps {
  connector(): Promise<ConnectorClient>;
  tenantId?: string;
  names: ReadonlyMap<string, string>;
  /** Reads channel messages back through Graph; absent when there are no credentials to read with. */
  history?: ChannelHistory;
  /** The team (its Microsoft 365 group id) a channel belongs to, when configured or learned. */
  teamOf?(channel: string): Promise<string | undefined>;
  /** Told (once per cause) when a lookup cannot decide and the card is posted anyway. */
  warn?(message: string): void;
}

/** A card as a Teams message activity: the marker is the card's header id (Graph returns it) and also in channelData. */
export function cardActivity(card: Card, names: ReadonlyMap<string, string>, marker?: MessageMarker): Activity {
  return Activity.fromObject({
    type: 'message', summary: card.summary.slice(0, 200),
    attachments: [{ contentType: ADAPTIVE_CARD, content: renderAdaptiveCard(card, names, marker) }],
    ...(marker ? { channelData: { storageWatch: { findingId: marker.findingId, kind: marker.kind, occurrences: marker.occurrences } } } : {}),
  });
}

/** The conversation id of a channel thread: Teams threads by conversation id (`<channel>;messageid=<root>`), not by replyToId. */
export function threadConversation(channel: string, rootId: string): string {
  return `${channel};messageid=${rootId}`;
}

/** True when a Graph message carries the marker in one of its Adaptive Cards (a first card matches whatever its count). */
export function carriesMarker(m: GraphChatMessage, marker: MessageMarker): boolean {
  const want = markerId(marker);
  const prefix = marker.kind === 'card' ? want.slice(0, want.lastIndexOf(':') + 1) : undefined;
  return (m.attachments ?? []).some((a) => {
    if (a.contentType !== ADAPTIVE_CARD || typeof a.content !== 'string') return false;
    let card: { body?: { id?: unknown }[] };
    try {
      card = JSON.parse(a.content) as typeof card;
    } catch {
      return false;
    }
    return (card.body ?? []).some((e) => typeof e?.id === 'string' && (prefix ? e.id.startsWith(prefix) && /^\d+$/.test(e.id.slice(prefix.length)) : e.id === want));
  });
}

/**
 * Posts and edits cards in Teams channels through the Bot Connector: a card starts a new thread
 * (createConversation with the channel id), replies go into the thread's conversation, updates are PUTs.
 */
export class TeamsMessenger implements Messenger {
  /** Stored with message references. */
  readonly platform = 'teams';
  private readonly warned = new Set<string>();

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
   * The message carrying this marker, posted since `since`, read back through Graph (the Bot Connector cannot
   * list messages): the channel's root messages, or the thread's replies when threadTs is given. Undefined when
   * Graph shows there is none, and also when it cannot be asked (no credentials, no team id, consent not granted):
   * then the card is posted, because a finding must not stay without one, and the cause is logged once.
   * Throws when Graph is unavailable, so the notify job retries later instead of risking a second card.
   */
  async findPosted(channel: string, marker: MessageMarker, opts: { since: number; threadTs?: string }): Promise<MessageRef | undefined> {
    const history = this.deps.history;
    if (!history) return this.undecided('graph', 'Teams has no app credentials to read the channel with (TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID)');
    const team = await this.deps.teamOf?.(channel);
    if (!team) return this.undecided('team', `the team of channel ${channel} is not known yet: set TEAMS_TEAM_ID, or it is learned from the first @mention or click in the team`);
    try {
      const m = await history.find(team, channel, (msg) => carriesMarker(msg, marker), { since: opts.since, rootId: opts.threadTs });
      return m ? { channel, ts: m.id, threadTs: opts.threadTs ?? m.id } : undefined;
    } catch (err) {
      if (err instanceof GraphError && err.kind === 'denied') return this.undecided('denied', `Graph refused to list the channel's messages: ${err.message}. Grant ChannelMessage.Read.Group (reinstall the app in the team) and check TEAMS_TEAM_ID`);
      throw err;
    }
  }

  private undecided(cause: string, why: string): undefined {
    if (!this.warned.has(cause)) {
      this.warned.add(cause);
      this.deps.warn?.(`cannot look for a card interrupted by a crash, so it is posted again and may show twice: ${why}`);
    }
    return undefined;
  }

  /** A deep link that opens the message in Teams. */
  permalink(ref: MessageRef): Promise<string | undefined> {
    const parent = ref.threadTs ?? ref.ts;
    const tenant = this.deps.tenantId ? `&tenantId=${encodeURIComponent(this.deps.tenantId)}` : '';
    return Promise.resolve(`https://teams.microsoft.com/l/message/${encodeURIComponent(ref.channel)}/${encodeURIComponent(ref.ts)}?parentMessageId=${encodeURIComponent(parent)}${tenant}`);
  }
}
