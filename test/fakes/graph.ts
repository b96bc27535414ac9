import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { FakeBotConnector } from './bot-connector.js';
import { startJsonServer, type JsonReply } from './json-server.js';

/** One request the fake Graph (or its sign-in endpoint) received, with the status it answered. */
export interface GraphCall {
  kind: 'token' | 'messages' | 'replies' | 'other';
  method: string;
  path: string;
  query: Record<string, string>;
  form?: Record<string, string>;
  authorization?: string;
  status: number;
  at: number;
}

/** A message someone else posted (a person, or another app), as Graph lists it. */
export interface ForeignMessage {
  channel: string;
  /** Root message id when it is a reply in a thread. */
  replyTo?: string;
  createdAt: number;
  from: { user: string } | { app: string };
  card?: Record<string, unknown>;
  text?: string;
}

type Listed = { id: string; channel: string; replyTo?: string; createdAt: number; updatedAt: number; from: ForeignMessage['from']; activity: Record<string, unknown> };

/**
 * A Microsoft Graph stand-in on 127.0.0.1 for what storage-watch reads: the Entra client-credentials token
 * endpoint (`/{tenant}/oauth2/v2.0/token`), and a team channel's root messages and a thread's replies
 * (`/v1.0/teams/{team}/channels/{channel}/messages[/{id}/replies]`, newest first, `$top` up to 50,
 * `@odata.nextLink` paging). It lists what the fake Bot Connector recorded (as posted by `appId`) plus
 * messages added by the test, and can answer 403 (consent not granted) or 5xx for a while.
 */
export class FakeGraph {
  readonly calls: GraphCall[] = [];
  private readonly foreign: (ForeignMessage & { id: string })[] = [];
  private readonly tokens = new Set<string>();
  private failure?: { kind: GraphCall['kind'] | 'graph'; status: number; left: number; retryAfter?: number };
  private nextId = 1_600_000_000_000;

  private constructor(
    private readonly server: Server,
    /** http://127.0.0.1:port/ : the sign-in host (TEAMS_LOGIN_URL). */
    readonly url: string,
    private readonly opts: { connector: FakeBotConnector; appId: string; teams?: Record<string, string[]>; credentials?: { tenantId: string; clientId: string; clientSecret: string } },
  ) {}

  /**
   * Starts the fake. `appId`: the app the Bot Connector's messages are from; `teams`: the channels of each
   * team (group id), others answer 404; `credentials`: when set, Graph wants a token issued for them.
   */
  static async start(opts: { connector: FakeBotConnector; appId?: string; teams?: Record<string, string[]>; credentials?: { tenantId: string; clientId: string; clientSecret: string } }): Promise<FakeGraph> {
    const ref: { fake?: FakeGraph } = {};
    const { server, url } = await startJsonServer((...request) => ref.fake!.handle(...request));
    const fake = new FakeGraph(server, url, { ...opts, appId: opts.appId ?? 'abcdef01-2345-4678-89ab-cdef01234567' });
    ref.fake = fake;
    return fake;
  }

  /** TEAMS_GRAPH_URL for this fake. */
  get graphUrl(): string {
    return `${this.url}v1.0/`;
  }

  /** The next `times` requests of a kind (`graph` = messages and replies) are answered `status`. */
  fail(kind: GraphCall['kind'] | 'graph', status: number, times = Number.POSITIVE_INFINITY, retryAfter?: number): void {
    this.failure = { kind, status, left: times, retryAfter };
  }

  /** Adds a message posted by someone else; returns its id. */
  add(m: ForeignMessage): string {
    const id = String(this.nextId++);
    this.foreign.push({ ...m, id });
    return id;
  }

  callsOf(kind: GraphCall['kind']): GraphCall[] {
    return this.calls.filter((c) => c.kind === kind);
  }

  clear(): void {
    this.calls.length = 0;
    this.foreign.length = 0;
    this.failure = undefined;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Root messages of a channel, or replies of a thread, newest first. */
  private list(channel: string, root?: string): Listed[] {
    const all: Listed[] = [];
    for (const m of this.opts.connector.messages) {
      const [conv, rootId] = m.conversationId.split(';messageid=');
      if (conv !== channel || !rootId) continue;
      all.push({ id: m.id, channel, replyTo: m.id === rootId ? undefined : rootId, createdAt: m.createdAt, updatedAt: m.updatedAt, from: { app: this.opts.appId }, activity: m.activity });
    }
    for (const f of this.foreign) {
      if (f.channel !== channel) continue;
      const activity = { text: f.text, attachments: f.card ? [{ contentType: 'application/vnd.microsoft.card.adaptive', content: f.card }] : [] };
      all.push({ id: f.id, channel, replyTo: f.replyTo, createdAt: f.createdAt, updatedAt: f.createdAt, from: f.from, activity });
    }
    return all.filter((m) => (root ? m.replyTo === root : !m.replyTo)).sort((a, b) => b.createdAt - a.createdAt || Number(b.id) - Number(a.id));
  }

  /** A message as Graph's chatMessage: cards come back as serialized JSON in attachments[].content. */
  private chatMessage(m: Listed, teamId: string): Record<string, unknown> {
    const attachments = ((m.activity.attachments as { contentType: string; content: unknown }[] | undefined) ?? []).map((a) => ({
      id: randomBytes(16).toString('hex'), contentType: a.contentType, contentUrl: null,
      content: JSON.stringify(a.content, null, 2).replace(/\n/g, '\r\n'), name: null, thumbnailUrl: null,
    }));
    const from = 'app' in m.from
      ? { application: { '@odata.type': '#microsoft.graph.teamworkApplicationIdentity', id: m.from.app, displayName: m.from.app === this.opts.appId ? 'storage-watch' : 'Other bot', applicationIdentityType: 'bot' }, device: null, user: null }
      : { application: null, device: null, user: { id: m.from.user, displayName: 'Someone', userIdentityType: 'aadUser' } };
    return {
      id: m.id, replyToId: m.replyTo ?? null, etag: m.id, messageType: 'message',
      createdDateTime: new Date(m.createdAt).toISOString(), lastModifiedDateTime: new Date(m.updatedAt).toISOString(), lastEditedDateTime: null, deletedDateTime: null,
      subject: null, summary: null, chatId: null, importance: 'normal', locale: 'en-us', from,
      body: attachments.length ? { contentType: 'html', content: attachments.map((a) => `<attachment id="${a.id}"></attachment>`).join('') } : { contentType: 'text', content: typeof m.activity.text === 'string' ? m.activity.text : '' },
      channelIdentity: { teamId, channelId: m.channel }, attachments, mentions: [], reactions: [],
    };
  }

  private handle(method: string, rawUrl: string, authorization: string | undefined, text: string, send: JsonReply): void {
    const url = new URL(rawUrl, this.url);
    const path = decodeURIComponent(url.pathname);
    const query = Object.fromEntries(url.searchParams);
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    const graph = /^\/v1\.0\/teams\/([^/]+)\/channels\/([^/]+)\/messages(?:\/([^/]+)\/(replies))?$/.exec(path);
    const kind: GraphCall['kind'] = token && method === 'POST' ? 'token' : graph && method === 'GET' ? (graph[4] ? 'replies' : 'messages') : 'other';
    const call: GraphCall = { kind, method, path, query, authorization, status: 200, at: Date.now() };
    this.calls.push(call);
    const answer = (status: number, body: unknown, headers?: Record<string, string>): void => {
      call.status = status;
      send(status, body, headers);
    };
    const f = this.failure;
    if (f && f.left > 0 && (f.kind === kind || (f.kind === 'graph' && (kind === 'messages' || kind === 'replies')))) {
      f.left--;
      const code = f.status === 403 ? 'Forbidden' : f.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable';
      const message = f.status === 403 ? 'Missing role permissions on the request. API requires one of \'ChannelMessage.Read.All, ChannelMessage.Read.Group\'.' : 'try again later';
      return answer(f.status, kind === 'token' ? { error: 'temporarily_unavailable' } : { error: { code, message } }, f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
    }
    if (kind === 'token') {
      const form = Object.fromEntries(new URLSearchParams(text));
      call.form = form;
      const c = this.opts.credentials;
      if (form.grant_type !== 'client_credentials') return answer(400, { error: 'unsupported_grant_type' });
      if (c && (token![1] !== c.tenantId || form.client_id !== c.clientId || form.client_secret !== c.clientSecret)) {
        return answer(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      }
      if (form.scope !== `${url.origin}/.default`) return answer(400, { error: 'invalid_scope', error_description: `AADSTS70011: scope ${form.scope} is not valid` });
      const issued = randomBytes(24).toString('base64url');
      this.tokens.add(issued);
      return answer(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: issued });
    }
    if (!graph) return answer(404, { error: { code: 'NotFound', message: `not a route of this fake: ${method} ${path}` } });
    if (this.opts.credentials && !this.tokens.has((authorization ?? '').replace(/^Bearer /, ''))) {
      return answer(401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty or invalid.' } });
    }
    const [, teamId, channel, root] = graph as unknown as [string, string, string, string | undefined];
    const known = this.opts.teams;
    if (known && !known[teamId]?.includes(channel)) return answer(404, { error: { code: 'NotFound', message: `no channel ${channel} in team ${teamId}` } });
    const top = Math.min(50, Number(query.$top ?? 20) || 20);
    if (Number(query.$top) > 50) return answer(400, { error: { code: 'BadRequest', message: '$top may be at most 50' } });
    const offset = query.$skiptoken ? Number(Buffer.from(query.$skiptoken, 'base64url').toString('utf8')) : 0;
    const all = this.list(channel, root);
    const page = all.slice(offset, offset + top).map((m) => this.chatMessage(m, teamId));
    const more = offset + top < all.length;
    const next = new URL(url.pathname, this.url);
    next.searchParams.set('$top', String(top));
    next.searchParams.set('$skiptoken', Buffer.from(String(offset + top)).toString('base64url'));
    return answer(200, { '@odata.context': `${this.url}v1.0/$metadata#chatMessages`, '@odata.count': page.length, ...(more ? { '@odata.nextLink': next.toString() } : {}), value: page });
  }
}
