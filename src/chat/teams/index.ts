import { Activity, type ConversationParameters } from '@microsoft/agents-activity';
import { HttpError, type ConnectorClient, type TurnContext } from '@microsoft/agents-hosting';
import type { Card } from '../../core/card.js';
import type { Logger } from '../../logger.js';
import { helpCard } from '../answer-lookup.js';
import { LINE_USAGE, type PrincipalRef } from '../commands.js';
import type { ChatAction } from '../handle-action.js';
import type { ChatInbound, ChatPlatform, UserPlace } from '../platform.js';
import { ChannelHistory } from './channel-history.js';
import { GraphTokens } from './graph-token.js';
import { parseInvoke, parseMessage, teamsActor, tenantOf, type InboundActivity } from './parse.js';
import { renderAdaptiveCard, renderForm } from './render.js';
import { messagesEndpoint, TeamsAdapter, withRetryAfter } from './teams-adapter.js';
import type { TeamsConfig } from './teams-config.js';
import { cardActivity, TeamsMessenger } from './teams-messenger.js';

/** Path of the Bot Framework messaging endpoint. */
export const TEAMS_MESSAGES_PATH = '/api/messages';

/** What the Teams platform needs besides its configuration. */
export interface TeamsPlatformOptions {
  logger?: Logger;
}

/** The Teams platform: the ChatPlatform port plus the Agents SDK adapter. */
export interface TeamsPlatform extends ChatPlatform {
  adapter: TeamsAdapter;
  messenger: TeamsMessenger;
}

/** After Teams refused a personal chat with someone, answer them in the thread this long before asking again. */
const PERSONAL_RETRY_MS = 10 * 60_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Graph reading for crash recovery: with the app's credentials, or tokenless against a stand-in (TEAMS_GRAPH_URL) in local testing. */
function channelHistory(cfg: TeamsConfig): ChannelHistory | undefined {
  if (cfg.appId && cfg.appPassword && cfg.tenantId) {
    const tokens = new GraphTokens({ appId: cfg.appId, appPassword: cfg.appPassword, tenantId: cfg.tenantId, loginUrl: cfg.graph.loginUrl, graphUrl: cfg.graph.url });
    return new ChannelHistory({ graphUrl: cfg.graph.url, tokens, appId: cfg.appId });
  }
  return !cfg.appId && cfg.graph.standIn ? new ChannelHistory({ graphUrl: cfg.graph.url }) : undefined;
}

type InvokeBody = { statusCode: number; type: string; value: unknown };

/** Teams refused the request for good (4xx other than throttling), as opposed to failing for now. */
const refused = (err: unknown): boolean => err instanceof HttpError && err.status >= 400 && err.status < 500 && err.status !== 429;

/** A plain-text message (no Markdown, no HTML, so no mention can be smuggled in). */
const plainText = (text: string): Activity => Activity.fromObject({ type: 'message', text: text.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`), textFormat: 'plain' });

const message = (text: string): InvokeBody => ({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text });
const cardBody = (card: Record<string, unknown>): InvokeBody => ({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });

/**
 * Where a command's answer goes: the conversation (channel thread or personal chat) it was typed in, and for a
 * command typed in a channel, the asker (29: id) and our bot, to answer privately in their personal chat instead.
 */
interface ReplyTo {
  conversationId: string;
  serviceUrl?: string;
  user?: string;
  bot?: string;
}

/** Builds the Teams platform on the Microsoft 365 Agents SDK: /api/messages for Action.Execute invokes and commands, proactive posts through the Bot Connector. */
export function createTeamsPlatform(cfg: TeamsConfig, opts: TeamsPlatformOptions = {}): TeamsPlatform {
  const adapter = new TeamsAdapter(cfg);
  const log = opts.logger;
  if (!cfg.appId) {
    log?.warn('TEAMS_APP_ID is not set: /api/messages accepts UNAUTHENTICATED requests and cards are posted without a token. Use this for local testing only.');
  }
  const names = new Map<string, string>();
  const personalChats = new Map<string, string>();
  /** Users Teams refused a personal chat with (app not installed for them), and until when not to ask again. */
  const noPersonalChat = new Map<string, number>();
  const serviceUrls = new Map<string, string>();
  const tenantKey = `serviceUrl:${cfg.tenantId ?? 'default'}`;
  let inbound: ChatInbound | undefined;
  const service = (): ChatInbound => {
    if (!inbound) throw new Error('the Teams platform is not attached to a chat service');
    return inbound;
  };
  const pending = new Set<Promise<unknown>>();
  const background = (work: Promise<unknown>): void => {
    const p = work.catch((err: unknown) => log?.warn({ err }, 'teams background work failed')).finally(() => pending.delete(p));
    pending.add(p);
  };

  /** The tenant's Bot Connector URL: learned from inbound activities (and stored), else TEAMS_SERVICE_URL. */
  async function serviceUrl(): Promise<string> {
    const known = serviceUrls.get(tenantKey) ?? (await service().recall(tenantKey).catch(() => undefined));
    if (known) serviceUrls.set(tenantKey, known);
    return known ?? cfg.serviceUrl;
  }
  const history = channelHistory(cfg);
  const teams = new Map<string, string>();
  /** The team (group id) of a channel: TEAMS_TEAM_ID, else learned from an activity in that channel, else from any activity in a team. */
  async function teamOf(channel: string): Promise<string | undefined> {
    if (cfg.teamId) return cfg.teamId;
    for (const key of [`team:${channel}`, 'team:*']) {
      const known = teams.get(key) ?? (await service().recall(key).catch(() => undefined));
      if (known) {
        teams.set(key, known);
        return known;
      }
    }
    return undefined;
  }
  const messenger = new TeamsMessenger({
    connector: async () => adapter.connector(await serviceUrl()), tenantId: cfg.tenantId, names, history, teamOf, warn: (msg) => log?.warn(msg),
  });

  async function learn(a: InboundActivity): Promise<void> {
    if (a.from?.aadObjectId && a.from.name) names.set(teamsActor(a.from.aadObjectId), a.from.name);
    const tenant = tenantOf(a);
    if (cfg.tenantId && tenant !== cfg.tenantId) return;
    const group = a.channelData?.team?.aadGroupId?.toLowerCase();
    if (group && GUID.test(group)) {
      const channel = a.channelData?.channel?.id;
      for (const k of channel ? [`team:${channel}`, 'team:*'] : ['team:*']) {
        if (teams.get(k) === group) continue;
        teams.set(k, group);
        await service().remember(k, group);
      }
    }
    if (!a.serviceUrl || !/^https?:\/\//.test(a.serviceUrl)) return;
    const key = cfg.tenantId ? tenantKey : `serviceUrl:${tenant ?? 'default'}`;
    for (const k of new Set([key, tenantKey])) {
      if (serviceUrls.get(k) === a.serviceUrl) continue;
      serviceUrls.set(k, a.serviceUrl);
      await service().remember(k, a.serviceUrl);
    }
  }

  async function onInvoke(a: InboundActivity): Promise<InvokeBody> {
    const parsed = parseInvoke(a);
    if (!parsed) return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Not supported.' };
    if (parsed.kind === 'invalid') return message(parsed.message);
    if (parsed.kind === 'cancel') {
      const card = await service().findingCard(parsed.findingId);
      return card ? cardBody(renderAdaptiveCard(card, names)) : message('This finding no longer exists.');
    }
    const outcome = await service().act(parsed.action);
    switch (outcome.kind) {
      case 'form':
        return cardBody(renderForm(outcome.form));
      case 'done': {
        const details = outcome.effects.find((e) => e.kind === 'details');
        if (details && details.kind === 'details') {
          const ref = await service().messageOf('teams', parsed.action.findingId);
          if (!ref) return message('The alert card of this finding is not on record; details cannot be posted.');
          await messenger.post(ref.channel, details.card, { threadTs: ref.threadTs ?? ref.ts });
          return message('The full evidence is in the thread.');
        }
        // Everyone's card is updated in place (PUT) after the answer; the person who decided sees it at once.
        background(afterDecision(parsed.action, a));
        return cardBody(renderAdaptiveCard(outcome.card, names));
      }
      default:
        return message(outcome.message);
    }
  }

  async function afterDecision(action: ChatAction, a: InboundActivity): Promise<void> {
    const note = await service().afterDecision(action);
    if (note && a.conversation?.id) await tell({ userId: a.from?.id ?? '', channel: a.conversation.id }, note);
  }

  async function onMessage(context: TurnContext, a: InboundActivity): Promise<void> {
    const personal = a.conversation?.conversationType === 'personal';
    const { command, mentioned } = parseMessage(a);
    if (!personal && !mentioned) return;
    if (!command.ok || command.command.name === 'help') {
      await context.sendActivity(cardActivity(command.ok ? helpCard(undefined, LINE_USAGE) : helpCard(command.error, LINE_USAGE), names));
      return;
    }
    const replyTo: ReplyTo = {
      conversationId: a.conversation!.id!, serviceUrl: a.serviceUrl,
      ...(!personal && a.from?.id ? { user: a.from.id, bot: a.recipient?.id } : {}),
    };
    const c = command.command;
    // A mentioned person is resolved in the conversation they were mentioned in.
    const withPlace = (p: PrincipalRef): PrincipalRef =>
      p.kind === 'mention' ? { ...p, userId: JSON.stringify({ member: p.userId, conversationId: replyTo.conversationId }) } : p;
    const cmd = c.name === 'who' || c.name === 'baseline' ? { ...c, principal: withPlace(c.principal) }
      : c.name === 'findings' && c.filter.kind === 'principal' ? { ...c, filter: { kind: 'principal' as const, principal: withPlace(c.filter.principal) } } : c;
    await context.sendActivity(Activity.fromObject({ type: 'typing' }));
    await service().lookup({ command: cmd, responseUrl: JSON.stringify(replyTo), userId: a.from?.aadObjectId ? a.from.aadObjectId.toLowerCase() : (a.from?.id ?? 'unknown'), platform: 'teams' });
  }

  async function logic(context: TurnContext): Promise<void> {
    const a = context.activity as unknown as InboundActivity;
    await learn(a);
    if (a.type === 'invoke') {
      let body: InvokeBody;
      try {
        body = await onInvoke(a);
      } catch (err) {
        log?.warn({ err }, 'could not handle a Teams card action');
        body = message('storage-watch could not process this click; try again in a minute.');
      }
      await context.sendActivity(Activity.fromObject({ type: 'invokeResponse', value: { status: 200, body } }));
    } else if (a.type === 'message') {
      await onMessage(context, a);
    }
  }

  /**
   * Answers a command. Teams has no ephemeral channel messages: a command typed in a channel is answered in the
   * asker's personal chat with the bot (with a one-line note in the thread) when the app is installed for them,
   * and in the thread otherwise (Teams refuses the personal chat with a 4xx then).
   */
  async function answer(replyTo: string, card: Card): Promise<void> {
    const to = JSON.parse(replyTo) as ReplyTo;
    const client = await adapter.connector(to.serviceUrl ?? (await serviceUrl()));
    const chat = to.user ? await personalChat(client, to.user, to.bot) : undefined;
    const sentPrivately = chat && await withRetryAfter(() => client.sendToConversation(chat, cardActivity(card, names))).then(() => true, (err: unknown) => {
      // The app was uninstalled since: forget the chat and answer in the thread.
      if (!refused(err)) throw err;
      personalChats.delete(to.user!);
      return false;
    });
    if (sentPrivately) {
      await withRetryAfter(() => client.sendToConversation(to.conversationId, plainText('Answered in your personal chat with storage-watch.')));
      return;
    }
    await withRetryAfter(() => client.sendToConversation(to.conversationId, cardActivity(card, names)));
  }

  /** The user's 1:1 chat with the bot, or undefined when the app is not installed for them personally. */
  async function personalChat(client: ConnectorClient, user: string, bot?: string): Promise<string | undefined> {
    const known = personalChats.get(user);
    if (known) return known;
    if ((noPersonalChat.get(user) ?? 0) > Date.now()) return undefined;
    const tenant = cfg.tenantId;
    const params = {
      isGroup: false, members: [{ id: user }], ...(bot ? { bot: { id: bot } } : {}),
      ...(tenant ? { tenantId: tenant, channelData: { tenant: { id: tenant } } } : { channelData: {} }),
    } as unknown as ConversationParameters;
    try {
      const res = await withRetryAfter(() => client.createConversation(params));
      if (res.id) personalChats.set(user, res.id);
      return res.id || undefined;
    } catch (err) {
      if (!refused(err)) throw err;
      noPersonalChat.set(user, Date.now() + PERSONAL_RETRY_MS);
      return undefined;
    }
  }

  async function tell(place: UserPlace, text: string): Promise<void> {
    if (!place.channel) return;
    const client = await adapter.connector(await serviceUrl());
    await withRetryAfter(() => client.sendToConversation(place.channel!, plainText(text)));
  }

  return {
    name: 'teams', adapter, messenger, channels: cfg.channels,
    routes: { [TEAMS_MESSAGES_PATH]: messagesEndpoint(adapter, logic, (err) => log?.warn({ err }, 'teams request failed')) },
    isResponder: (actor) => Promise.resolve(cfg.responders.some((id) => teamsActor(id) === actor.toLowerCase())),
    answer,
    tell,
    async emailOf(userId) {
      const { member, conversationId } = JSON.parse(userId) as { member: string; conversationId: string };
      const client = await adapter.connector(await serviceUrl());
      const account = await withRetryAfter(() => client.getConversationMember(member, conversationId)) as { email?: string; userPrincipalName?: string };
      return account.email ?? account.userPrincipalName ?? undefined;
    },
    attach(i) {
      inbound = i;
    },
    async start() {
      // Said once at start: what a crash between posting a card and recording it can lead to, until it is fixed.
      if (!history) log?.warn('Teams: without TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID storage-watch cannot read the alert channel back, so a crash between posting a card and recording it may leave a second card.');
      else if (!(await teamOf(cfg.channels.alert))) {
        log?.warn('Teams: TEAMS_TEAM_ID is not set and no activity from the team has arrived yet: until one does (any @mention or card click), a crash between posting a card and recording it may leave a second card. Grant ChannelMessage.Read.Group by installing the app in the team.');
      }
    },
    async stop() {
      await Promise.all([...pending]);
    },
  };
}
