import { GraphError, type GraphTokens } from './graph-token.js';

/** The parts of a Microsoft Graph chatMessage that storage-watch reads. */
export interface GraphChatMessage {
  id: string;
  replyToId?: string | null;
  createdDateTime?: string;
  lastModifiedDateTime?: string | null;
  from?: { application?: { id?: string; applicationIdentityType?: string } | null } | null;
  attachments?: { contentType?: string; content?: string | null }[];
}

/** Where and how channel messages are read back. */
export interface ChannelHistoryOptions {
  /** Graph base URL with its version, such as https://graph.microsoft.com/v1.0/. */
  graphUrl: string;
  /** App-only tokens; without them requests carry no token (a Graph stand-in in local testing). */
  tokens?: GraphTokens;
  /** Our app (client) id: only messages our bot posted can match. Without it, any bot's message can. */
  appId?: string;
  fetch?: typeof fetch;
  /** Messages per page (Graph allows at most 50). */
  pageSize?: number;
  /** Pages read at most before giving up without an answer. */
  maxPages?: number;
  /** Attempts per page when Graph is throttled or failing (429, 5xx, network). */
  attempts?: number;
}

const TIMEOUT_MS = 15_000;
/** Longest Retry-After honoured within one lookup; a longer outage fails the lookup and the job retries later. */
const MAX_WAIT_S = 10;

/**
 * Reads a Teams channel's root messages (newest first) or one thread's replies through Microsoft Graph
 * (`GET /teams/{team}/channels/{channel}/messages[/{id}/replies]`), page by page, to find a message our
 * app posted. Needs the `ChannelMessage.Read.Group` resource-specific permission on the team.
 */
export class ChannelHistory {
  private readonly base: URL;

  constructor(private readonly opts: ChannelHistoryOptions) {
    this.base = new URL(opts.graphUrl.endsWith('/') ? opts.graphUrl : `${opts.graphUrl}/`);
  }

  /**
   * The newest message from our app in the channel (or in the thread of `rootId`) that `matches`, among those
   * created since `since` (epoch ms). Undefined when Graph shows there is none: paging stops after the first
   * page that reaches back before `since` (a message neither created nor changed since), or at the last page.
   * Throws GraphError: `denied` when the app may not read the channel (consent not granted, unknown team or
   * channel, bad credentials), `unavailable` when Graph is down, or when more than maxPages pages are newer
   * than `since`, so that nothing can be said yet.
   */
  async find(teamId: string, channelId: string, matches: (m: GraphChatMessage) => boolean, opts: { since: number; rootId?: string }): Promise<GraphChatMessage | undefined> {
    const path = `teams/${encodeURIComponent(teamId)}/channels/${encodeURIComponent(channelId)}/messages${opts.rootId ? `/${encodeURIComponent(opts.rootId)}/replies` : ''}`;
    const first = new URL(path, this.base);
    first.searchParams.set('$top', String(Math.min(50, this.opts.pageSize ?? 50)));
    const maxPages = this.opts.maxPages ?? 20;
    let next: string | undefined = first.toString();
    for (let page = 0; next; page++) {
      if (page >= maxPages) throw new GraphError('unavailable', `more than ${maxPages} pages of messages since ${new Date(opts.since).toISOString()} in ${channelId}; cannot tell yet whether the card was posted`);
      const body = await this.get(next);
      let older = false;
      for (const m of body.value ?? []) {
        if (this.ours(m) && matches(m)) return m;
        // Graph does not document whether it orders by creation or by last change: a message neither created nor
        // changed since `since` proves, under either order, that everything after it is older than the card.
        const latest = Math.max(Date.parse(m.createdDateTime ?? ''), Date.parse(m.lastModifiedDateTime ?? '') || 0);
        if (Number.isFinite(latest) && latest < opts.since) older = true;
      }
      if (older) return undefined;
      next = body['@odata.nextLink'];
      // The token goes only to the Graph host we were configured with.
      if (next && new URL(next).origin !== this.base.origin) throw new GraphError('unavailable', `Graph sent a next page on another host: ${new URL(next).origin}`);
    }
    return undefined;
  }

  private ours(m: GraphChatMessage): boolean {
    const app = m.from?.application;
    if (!app?.id) return false;
    return this.opts.appId ? app.id.toLowerCase() === this.opts.appId.toLowerCase() : app.applicationIdentityType === 'bot';
  }

  private async get(url: string): Promise<{ value?: GraphChatMessage[]; '@odata.nextLink'?: string }> {
    const attempts = this.opts.attempts ?? 3;
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      const token = this.opts.tokens ? await this.opts.tokens.token() : undefined;
      let res: Response | undefined;
      let failure: string;
      try {
        res = await (this.opts.fetch ?? fetch)(url, { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(TIMEOUT_MS) });
      } catch (err) {
        failure = `could not reach Graph: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (res?.ok) return (await res.json()) as { value?: GraphChatMessage[]; '@odata.nextLink'?: string };
      if (res) {
        const j = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
        const detail = `${j.error?.code ?? ''} ${j.error?.message ?? ''}`.trim();
        failure = `Graph answered ${res.status}${detail ? ` (${detail})` : ''} for ${new URL(url).pathname}`;
        if (res.status === 401 && this.opts.tokens && !renewed) {
          renewed = true;
          this.opts.tokens.reset();
          attempt--;
          continue;
        }
        if (res.status !== 429 && res.status < 500) throw new GraphError('denied', failure, res.status);
      }
      if (attempt >= attempts) throw new GraphError('unavailable', failure!, res?.status);
      const retryAfter = Number(res?.headers.get('retry-after') ?? NaN);
      const seconds = Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(retryAfter, MAX_WAIT_S) : attempt;
      await new Promise((r) => setTimeout(r, seconds * 1000));
    }
  }
}
