import type { Server } from 'node:http';
import { startJsonServer, type JsonReply } from './json-server.js';

/** One Bot Connector request the fake received, with the status it answered. */
export interface ConnectorCall {
  method: string;
  /** Decoded path, such as /v3/conversations/19:abc@thread.tacv2;messageid=1/activities. */
  path: string;
  /** What kind of call: create (new thread), send (into a conversation), update (PUT), reply (POST to an activity), member. */
  kind: 'create' | 'send' | 'update' | 'reply' | 'member' | 'other';
  conversationId?: string;
  activityId?: string;
  body: Record<string, unknown>;
  authorization?: string;
  status: number;
  at: number;
}

/** A message as the channel now shows it (after updates). */
export interface ConnectorMessage {
  conversationId: string;
  id: string;
  activity: Record<string, unknown>;
  /** When it was posted and last updated (epoch ms). */
  createdAt: number;
  updatedAt: number;
}

/** The Adaptive Card inside an activity sent to the fake, if any. */
export function cardOf(activity: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const a = activity?.attachments as { contentType?: string; content?: Record<string, unknown> }[] | undefined;
  return a?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/**
 * A Bot Connector stand-in on 127.0.0.1 speaking the v3 REST API the Agents SDK calls: create conversation
 * (a new channel thread), send to a conversation, reply to and update (PUT) an activity, get a member.
 * It records every call, keeps the current state of every message, and can answer 429 with Retry-After.
 */
export class FakeBotConnector {
  readonly calls: ConnectorCall[] = [];
  readonly messages: ConnectorMessage[] = [];
  private limits = new Map<ConnectorCall['kind'], { left: number; retryAfter: number }>();
  /** Users (29: ids) who installed the app personally: the bot may open a 1:1 chat with them. */
  private readonly personal = new Set<string>();
  private nextId = 1_700_000_000_000;

  private constructor(private readonly server: Server, readonly url: string, private readonly members: Record<string, Record<string, string>>) {}

  /** Starts the fake; `members` are the users getConversationMember knows, by id. */
  static async start(opts: { members?: Record<string, Record<string, string>> } = {}): Promise<FakeBotConnector> {
    const ref: { fake?: FakeBotConnector } = {};
    const { server, url } = await startJsonServer((...request) => ref.fake!.handle(...request));
    const fake = new FakeBotConnector(server, url, opts.members ?? {});
    ref.fake = fake;
    return fake;
  }

  /** The next `times` calls of a kind are answered 429 with Retry-After `seconds`. */
  rateLimit(kind: ConnectorCall['kind'], times: number, seconds = 1): void {
    this.limits.set(kind, { left: times, retryAfter: seconds });
  }

  /** The user installs the app in their personal scope, so that the bot can open a chat with them. */
  installPersonally(userId: string): void {
    this.personal.add(userId);
  }

  /** Calls of one kind that succeeded. */
  callsOf(kind: ConnectorCall['kind']): ConnectorCall[] {
    return this.calls.filter((c) => c.kind === kind && c.status < 300);
  }

  /** The message with this id as it stands now. */
  message(id: string): ConnectorMessage | undefined {
    return this.messages.find((m) => m.id === id);
  }

  clear(): void {
    this.calls.length = 0;
    this.messages.length = 0;
    this.limits.clear();
    this.personal.clear();
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(method: string, rawUrl: string, authorization: string | undefined, text: string, send: JsonReply): void {
    const path = decodeURIComponent(rawUrl.split('?')[0]!);
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return send(400, { error: { code: 'BadArgument', message: 'body is not JSON' } });
    }
    const m = /^\/v3\/conversations(?:\/([^/]+)(?:\/(activities|members)(?:\/([^/]+))?)?)?$/.exec(path);
    const [, conversationId, what, id] = m ?? [];
    const kind: ConnectorCall['kind'] = !m ? 'other'
      : !conversationId && method === 'POST' ? 'create'
      : what === 'activities' && !id && method === 'POST' ? 'send'
      : what === 'activities' && id && method === 'PUT' ? 'update'
      : what === 'activities' && id && method === 'POST' ? 'reply'
      : what === 'members' && id && method === 'GET' ? 'member' : 'other';
    const call: ConnectorCall = { method, path, kind, conversationId, activityId: id, body, authorization, status: 200, at: Date.now() };
    this.calls.push(call);
    const limit = this.limits.get(kind);
    if (limit && limit.left > 0) {
      limit.left--;
      call.status = 429;
      return send(429, { error: { code: 'Throttled', message: 'slow down' } }, { 'retry-after': String(limit.retryAfter) });
    }
    const newId = (): string => String(this.nextId++);
    switch (kind) {
      case 'create': {
        const channel = (body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
        const members = (body.members as { id?: string }[] | undefined) ?? [];
        if (!channel && body.isGroup === false && members.length === 1 && members[0]!.id) {
          // A 1:1 chat with the bot exists only for users who installed the app personally (Teams answers 403 otherwise).
          if (!this.personal.has(members[0]!.id)) return fail(403, 'Bot is not installed in user\'s personal scope');
          return send(201, { id: `a:1dm-${members[0]!.id}` });
        }
        if (!channel) return fail(400, 'channelData.channel.id is required');
        const activityId = newId();
        const conversation = `${channel};messageid=${activityId}`;
        this.messages.push({ conversationId: conversation, id: activityId, activity: body.activity as Record<string, unknown>, createdAt: call.at, updatedAt: call.at });
        return send(201, { id: conversation, activityId });
      }
      case 'send':
      case 'reply': {
        // A 1:1 chat the bot opened stays usable only while the app is installed for the user.
        const dm = /^a:1dm-(.+)$/.exec(conversationId ?? '');
        if (dm && !this.personal.has(dm[1]!)) return fail(403, 'Bot is not installed in user\'s personal scope');
        const activityId = newId();
        this.messages.push({ conversationId: conversationId!, id: activityId, activity: body, createdAt: call.at, updatedAt: call.at });
        return send(201, { id: activityId });
      }
      case 'update': {
        const msg = this.messages.find((x) => x.id === id && x.conversationId === conversationId);
        if (!msg) return fail(404, `no activity ${id} in ${conversationId}`);
        msg.activity = body;
        msg.updatedAt = call.at;
        return send(200, { id });
      }
      case 'member': {
        const member = this.members[id!];
        return member ? send(200, { id, ...member }) : fail(404, 'member not found');
      }
      default:
        return fail(404, `not a Bot Connector route: ${method} ${path}`);
    }
    function fail(status: number, message: string): void {
      call.status = status;
      send(status, { error: { code: 'BadArgument', message } });
    }
  }
}
