import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { blockProblems, viewProblems } from './block-kit-limits.js';

/** One Web API call as the fake received it. */
export interface SlackCall {
  method: string;
  /** Form fields, with JSON-looking values (blocks, view, metadata) decoded. */
  body: Record<string, unknown>;
  token?: string;
  at: number;
  /** HTTP status the fake answered (0: carried out, never answered). */
  status: number;
}

/** A message the fake holds, as conversations.history returns it. */
export interface SlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  user: string;
  bot_id: string;
  type: 'message';
}

/** Options of the fake workspace. */
export interface FakeSlackOptions {
  token?: string;
  users?: Record<string, { name: string; email?: string }>;
  groups?: Record<string, string[]>;
}

type Json = Record<string, unknown>;

function decode(raw: string, type: string | undefined): Json {
  if (type?.includes('application/json')) return JSON.parse(raw || '{}') as Json;
  const out: Json = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? (() => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return v;
      }
    })() : v;
  }
  return out;
}

/**
 * A local stand-in for the Slack Web API (https://slack.com/api/<method>): records every call, answers the
 * methods storage-watch uses the way Slack does (HTTP 200 with ok:false for errors), rejects blocks that
 * break Block Kit limits with invalid_blocks, and can answer 429 with Retry-After.
 */
export class FakeSlackWebApi {
  readonly calls: SlackCall[] = [];
  readonly messages: SlackMessage[] = [];
  private seq = 0;
  private readonly limited = new Map<string, { retryAfter: number; times: number }>();
  private server?: Server;
  private readonly storms = new Map<string, number[]>();
  private readonly held = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private port = 0;
  /** Base URL to give the WebClient as slackApiUrl. */
  url = '';

  constructor(private readonly opts: FakeSlackOptions = {}) {}

  /** Starts listening on 127.0.0.1 on a random port. */
  static async start(opts: FakeSlackOptions = {}): Promise<FakeSlackWebApi> {
    const fake = new FakeSlackWebApi(opts);
    await fake.listen();
    fake.url = `http://127.0.0.1:${fake.port}/api/`;
    return fake;
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops the server. */
  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /** Slack goes away: open connections are cut and new ones refused, until reachable(). Messages stay. */
  unreachable(): Promise<void> {
    return this.close();
  }

  /** Slack answers again, at the same URL. */
  async reachable(): Promise<void> {
    if (!this.server) await this.listen();
  }

  /** The next `times` calls of a method get HTTP 429 with `Retry-After: retryAfter`. */
  rateLimit(method: string, retryAfter: number, times = 1): void {
    this.limited.set(method, { retryAfter, times });
  }

  /** A storm: the next calls of a method get HTTP 429, one per entry, with the entry as `Retry-After` (seconds). */
  rateLimitStorm(method: string, retryAfters: number[]): void {
    this.storms.set(method, [...retryAfters]);
  }

  /**
   * The next `times` calls of a method are carried out (a post is stored) but never answered: the
   * caller cannot know whether it happened, as when it dies between the call and its answer.
   */
  actWithoutAnswer(method: string, times = 1): void {
    this.held.set(method, times);
  }

  /** Successful calls of one method (429 answers left out), oldest first. */
  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200);
  }

  /** Top-level cards posted per finding (by the finding id in their metadata), however often each was posted. */
  cardsByFinding(): Map<string, number> {
    const out = new Map<string, number>();
    for (const m of this.messages) {
      const p = m.metadata?.event_payload;
      if (m.thread_ts || p?.kind !== 'card' || typeof p.finding_id !== 'string') continue;
      out.set(p.finding_id, (out.get(p.finding_id) ?? 0) + 1);
    }
    return out;
  }

  /** Forgets every call (messages stay). */
  clearCalls(): void {
    this.calls.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const body = decode(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (body.token as string | undefined);
    const limit = this.limited.get(method);
    const call: SlackCall = { method, body, token, at: Date.now(), status: 200 };
    this.calls.push(call);
    const storm = this.storms.get(method)?.shift();
    if ((limit && limit.times > 0) || storm !== undefined) {
      if (storm === undefined) limit!.times--;
      call.status = 429;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(storm ?? limit!.retryAfter) });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const answer = this.opts.token && token !== this.opts.token && method !== 'api.test' ? { ok: false, error: 'invalid_auth' } : this.answer(method, body);
    const held = this.held.get(method) ?? 0;
    if (held > 0) {
      this.held.set(method, held - 1);
      call.status = 0;
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  }

  private nextTs(): string {
    this.seq++;
    return `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}`;
  }

  private find(channel: unknown, ts: unknown): SlackMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  private view(m: SlackMessage, withMetadata: boolean): Json {
    const { metadata, ...rest } = m;
    return withMetadata && metadata ? { ...rest, metadata } : rest;
  }

  private page(list: SlackMessage[], body: Json): Json {
    const oldest = body.oldest === undefined ? 0 : Number(body.oldest);
    const limit = Number(body.limit ?? 100);
    const start = Number(body.cursor ?? 0);
    const visible = list.filter((m) => Number(m.ts) > oldest);
    const slice = visible.slice(start, start + limit);
    const more = start + limit < visible.length;
    return {
      ok: true, messages: slice.map((m) => this.view(m, body.include_all_metadata === 'true' || body.include_all_metadata === true)), has_more: more,
      response_metadata: { next_cursor: more ? String(start + limit) : '' },
    };
  }

  private answer(method: string, b: Json): Json {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'storage-watch', team_id: 'T0TEST', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'chat.postMessage':
      case 'chat.update': {
        const problems = [...blockProblems(b.blocks, 50), ...(typeof b.text === 'string' && b.text.length > 40_000 ? ['text too long'] : [])];
        if (problems.length) return { ok: false, error: 'invalid_blocks', errors: problems };
        if (method === 'chat.update') {
          const m = this.find(b.channel, b.ts);
          if (!m) return { ok: false, error: 'message_not_found' };
          Object.assign(m, { text: b.text, blocks: b.blocks, ...(b.metadata ? { metadata: b.metadata } : {}) });
          return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
        }
        if (typeof b.channel !== 'string' || !b.channel) return { ok: false, error: 'channel_not_found' };
        const m: SlackMessage = {
          type: 'message', channel: b.channel, ts: this.nextTs(), text: typeof b.text === 'string' ? b.text : '', blocks: b.blocks as unknown[] | undefined, user: 'U0BOT', bot_id: 'B0BOT',
          ...(typeof b.thread_ts === 'string' ? { thread_ts: b.thread_ts } : {}), ...(b.metadata ? { metadata: b.metadata as SlackMessage['metadata'] } : {}),
        };
        this.messages.push(m);
        return { ok: true, channel: m.channel, ts: m.ts, message: this.view(m, true) };
      }
      case 'chat.postEphemeral':
        return blockProblems(b.blocks, 50).length ? { ok: false, error: 'invalid_blocks' } : { ok: true, message_ts: this.nextTs() };
      case 'chat.getPermalink':
        return this.find(b.channel, b.message_ts)
          ? { ok: true, channel: b.channel, permalink: `https://acme.slack.com/archives/${String(b.channel)}/p${String(b.message_ts).replace('.', '')}` }
          : { ok: false, error: 'message_not_found' };
      case 'views.open': {
        if (!b.trigger_id) return { ok: false, error: 'invalid_trigger_id' };
        const problems = viewProblems(b.view);
        return problems.length ? { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } } : { ok: true, view: { id: `V${this.seq++}`, ...(b.view as Json) } };
      }
      case 'users.info': {
        const u = this.opts.users?.[String(b.user)];
        return u ? { ok: true, user: { id: b.user, name: u.name, profile: { email: u.email, real_name: u.name } } } : { ok: false, error: 'user_not_found' };
      }
      case 'usergroups.users.list': {
        const g = this.opts.groups?.[String(b.usergroup)];
        return g ? { ok: true, users: g } : { ok: false, error: 'no_such_subteam' };
      }
      case 'conversations.history':
        return this.page(this.messages.filter((m) => m.channel === b.channel && (!m.thread_ts || m.thread_ts === m.ts)).reverse(), b);
      case 'conversations.replies': {
        if (!this.find(b.channel, b.ts)) return { ok: false, error: 'thread_not_found' };
        return this.page(this.messages.filter((m) => m.channel === b.channel && (m.ts === b.ts || m.thread_ts === b.ts)), b);
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}
