import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Card } from '../core/card.js';
import type { DetectionSettings } from '../detection/detection-settings.js';
import type { Logger } from '../logger.js';
import { findingCard } from '../cards/finding-card.js';
import { getChatState, setChatState } from '../store/chat-state.js';
import { getFinding } from '../store/findings.js';
import { getMessage } from '../store/messages.js';
import type { Sql } from '../store/sql.js';
import { answerLookup, helpCard, lookupCard, type LookupDeps, type LookupRequest } from './answer-lookup.js';
import type { ChatDeps } from './chat-deps.js';
import { findingView } from './finding-view.js';
import type { ConsoleLinkOptions } from './console-links.js';
import { escalate, type EscalationTargets } from './escalate.js';
import { handleAction, type ActionDeps, type ActionOutcome, type ChatAction } from './handle-action.js';
import type { MessageRef } from './messenger.js';
import { notifyFinding, type NotifyResult } from './notify-finding.js';
import type { ChatInbound, ChatPlatform } from './platform.js';
import { postDigest, postDigestOnce } from './post-digest.js';

/** What the chat service needs from the rest of storage-watch. */
export interface ChatServiceDeps {
  sql: Sql;
  settings: DetectionSettings;
  /** Where escalations go besides the platforms' escalation channels. */
  escalation?: EscalationTargets;
  /** Hands a command's lookup to the job queue (the lookup job calls answerLookup). */
  enqueueLookup(request: LookupRequest): Promise<void>;
  links?: ConsoleLinkOptions;
  logger?: Logger;
  now?: () => number;
  /** HTTP client for webhooks and PagerDuty (default: global fetch). */
  fetch?: typeof fetch;
  /** See ChatDeps.claimTimeoutMs. */
  claimTimeoutMs?: number;
}

/** The platform-neutral chat side: every configured platform, fed the same findings, decisions, answers and digests. */
export interface ChatService {
  readonly platforms: readonly ChatPlatform[];
  /** Shows a finding on every platform (post once, then update in place); results by platform name. */
  notifyFinding(findingId: string): Promise<Record<string, NotifyResult>>;
  /**
   * Posts the daily digest to every platform's digest channel; message references by platform name.
   * With a day, a platform that already has that day's digest is left alone (a retried job posts only where it failed).
   */
  postDigest(opts?: { now?: number; day?: string }): Promise<Record<string, MessageRef>>;
  /** Runs a lookup and delivers it on the platform it came from (the lookup job calls this). */
  answerLookup(request: LookupRequest): Promise<Card>;
  /** Starts the platforms and one HTTP server for all their endpoints (port 0 picks a free one); resolves to the port. */
  start(listen?: { port?: number; host?: string }): Promise<{ port?: number }>;
  stop(): Promise<void>;
}

/** Builds the chat service over the given platforms and attaches their inbound handlers. */
export function createChatService(platforms: readonly ChatPlatform[], deps: ChatServiceDeps): ChatService {
  const byName = new Map(platforms.map((p) => [p.name, p]));
  const chatDeps = (p: ChatPlatform): ChatDeps => ({
    sql: deps.sql, messenger: p.messenger, settings: deps.settings, channels: p.channels, links: deps.links, now: deps.now, claimTimeoutMs: deps.claimTimeoutMs,
  });
  const perPlatform = platforms.map(chatDeps);
  const actionDeps: ActionDeps = {
    sql: deps.sql, settings: deps.settings, links: deps.links, now: deps.now,
    // An actor is `<platform>:<user id>`: only the platform it came from can say whether it is a responder.
    responders: { isResponder: (actor) => byName.get(actor.slice(0, actor.indexOf(':')))?.isResponder(actor) ?? Promise.resolve(false) },
  };
  const warn = (msg: string, err: unknown): void => deps.logger?.warn({ err }, msg);
  const lookupDeps = (name: string): LookupDeps => {
    const p = byName.get(name);
    if (!p) throw new Error(`chat platform ${name} is not configured`);
    return { sql: deps.sql, settings: deps.settings, platform: p.name, now: deps.now, respond: (to, card) => p.answer(to, card), emailOf: (id) => p.emailOf(id) };
  };

  async function notifyAll(findingId: string): Promise<Record<string, NotifyResult>> {
    const results: Record<string, NotifyResult> = {};
    let failure: Error | undefined;
    // Every platform gets its chance even when another one fails; the job retries the failed ones (the others only update).
    for (const [i, p] of platforms.entries()) {
      try {
        results[p.name] = await notifyFinding(perPlatform[i]!, findingId);
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    if (failure) throw failure;
    return results;
  }

  const inbound = (platform: string): ChatInbound => ({
    act: (action: ChatAction): Promise<ActionOutcome> => handleAction(actionDeps, action),
    async afterDecision(a) {
      await notifyAll(a.findingId).catch((err: unknown) => warn('could not refresh the card', err));
      if (a.action !== 'escalate') return undefined;
      const results = await escalate({ ...actionDeps, platforms: perPlatform, escalation: deps.escalation ?? {}, fetch: deps.fetch }, a.findingId, a.actor);
      const failed = results.filter((r) => !r.ok);
      return failed.length ? `Escalated, but these targets failed: ${failed.map((r) => `${r.platform ? `${r.platform} ` : ''}${r.target} (${r.detail ?? 'error'})`).join(', ')}` : undefined;
    },
    async findingCard(findingId) {
      const f = await getFinding(deps.sql, findingId);
      return f && findingCard(await findingView(deps, f));
    },
    async messageOf(platform, findingId) {
      const m = await getMessage(deps.sql, { findingId, platform });
      return m?.ts ? { channel: m.channel, ts: m.ts, threadTs: m.threadTs } : undefined;
    },
    lookup: (request) => deps.enqueueLookup(request),
    answerNow: (request) => (request.command.name === 'help' ? Promise.resolve(helpCard()) : lookupCard(lookupDeps(request.platform ?? platform), request.command)),
    recall: (key) => getChatState(deps.sql, platform, key),
    remember: (key, value) => setChatState(deps.sql, platform, key, value),
  });
  for (const p of platforms) p.attach(inbound(p.name));

  let server: Server | undefined;
  return {
    platforms,
    notifyFinding: notifyAll,
    async postDigest(opts = {}) {
      const refs: Record<string, MessageRef> = {};
      let failure: Error | undefined;
      // Every platform gets its digest even when another one fails; the job's retry posts only the missing ones.
      for (const [i, p] of platforms.entries()) {
        try {
          const deps = perPlatform[i]!;
          refs[p.name] = opts.day === undefined ? (await postDigest(deps, opts)).ref : (await postDigestOnce(deps, opts.day, opts)).ref;
        } catch (err) {
          failure ??= err instanceof Error ? err : new Error(String(err));
        }
      }
      if (failure) throw failure;
      return refs;
    },
    answerLookup: (request) => answerLookup(lookupDeps(request.platform ?? 'slack'), request),
    async start(listen = {}) {
      for (const p of platforms) await p.start();
      const routes = new Map(platforms.flatMap((p) => Object.entries(p.routes)));
      if (!routes.size) return {};
      server = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0]!;
        const route = routes.get(path);
        if (route) return void route(req, res);
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      });
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(listen.port ?? 3000, listen.host, () => resolve());
      });
      return { port: (s.address() as AddressInfo).port };
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      for (const p of platforms) await p.stop();
    },
  };
}
