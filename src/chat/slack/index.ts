import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, LogLevel, type BlockAction, type Logger as BoltLogger, type webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { Card } from '../../core/card.js';
import type { DetectionSettings } from '../../detection/detection-settings.js';
import { getMessage } from '../../store/messages.js';
import type { Sql } from '../../store/sql.js';
import { answerLookup, helpCard, type LookupDeps, type LookupRequest } from '../answer-lookup.js';
import type { ChatDeps } from '../chat-deps.js';
import type { ConsoleLinkOptions } from '../console-links.js';
import { escalate, type EscalationDeps, type EscalationResult } from '../escalate.js';
import { handleAction, type ActionDeps, type ChatAction } from '../handle-action.js';
import { notifyFinding, type NotifyResult } from '../notify-finding.js';
import { postDigest } from '../post-digest.js';
import { parseClick, parseSlash, parseSubmission } from './parse.js';
import { ACTION_IDS, renderCard, renderForm, VIEW_IDS } from './render.js';
import type { SlackConfig } from './slack-config.js';
import { respondToUrl, SlackMessenger } from './slack-messenger.js';
import { slackEmailOf, slackResponders } from './slack-responders.js';

/** What the Slack platform needs from the rest of storage-watch. */
export interface SlackPlatformDeps {
  sql: Sql;
  settings: DetectionSettings;
  /** Hands a slash-command lookup to the job queue; called right after the 3-second ack. */
  enqueueLookup(request: LookupRequest): Promise<void>;
  links?: ConsoleLinkOptions;
  logger?: Logger;
  now?: () => number;
  /** HTTP client for webhooks, PagerDuty and response_url (default: global fetch). */
  fetch?: typeof fetch;
  /** See ChatDeps.claimTimeoutMs. */
  claimTimeoutMs?: number;
  /** Extra Web API client options (tests shorten retries); slackApiUrl always comes from the config. */
  clientOptions?: Omit<webApi.WebClientOptions, 'slackApiUrl'>;
}

/** The running Slack side: the Bolt app and the functions the job workers call. */
export interface SlackPlatform {
  app: App;
  client: webApi.WebClient;
  messenger: SlackMessenger;
  chatDeps: ChatDeps;
  lookupDeps: LookupDeps;
  /** Verifies the token, then listens for HTTP requests (port from the config unless given) or connects in Socket Mode. */
  start(listen?: { port?: number; host?: string }): Promise<{ port?: number }>;
  stop(): Promise<void>;
  /** notifyFinding with this platform's deps. */
  notifyFinding(findingId: string): Promise<NotifyResult>;
  /** postDigest with this platform's deps. */
  postDigest(opts?: { now?: number }): ReturnType<typeof postDigest>;
  /** answerLookup with this platform's deps (the lookup job calls it). */
  answerLookup(request: LookupRequest): Promise<Card>;
}

function boltLogger(l: Logger): BoltLogger {
  const join = (msgs: unknown[]): string => msgs.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...m: unknown[]) => l.debug({ component: 'slack' }, join(m)), info: (...m: unknown[]) => l.info({ component: 'slack' }, join(m)),
    warn: (...m: unknown[]) => l.warn({ component: 'slack' }, join(m)), error: (...m: unknown[]) => l.error({ component: 'slack' }, join(m)),
    setLevel: () => undefined, getLevel: () => LogLevel.INFO, setName: () => undefined,
  };
}

/** Builds the Slack platform: a Bolt app (HTTP receiver at /slack/events, or Socket Mode with an app token) with the card, modal and command handlers registered. */
export function createSlackPlatform(cfg: SlackConfig, deps: SlackPlatformDeps): SlackPlatform {
  const app = new App({
    token: cfg.botToken,
    ...(cfg.mode === 'socket' ? { socketMode: true, appToken: cfg.appToken } : { signingSecret: cfg.signingSecret, port: cfg.port }),
    clientOptions: { ...deps.clientOptions, slackApiUrl: cfg.apiUrl },
    // auth.test runs in start() instead, where a bad token becomes a clear start-up error rather than an unhandled rejection.
    tokenVerificationEnabled: false,
    ...(deps.logger ? { logger: boltLogger(deps.logger) } : { logLevel: LogLevel.WARN }),
  });
  const client = app.client;
  const messenger = new SlackMessenger(client);
  const doFetch = deps.fetch ?? fetch;
  const chatDeps: ChatDeps = {
    sql: deps.sql, messenger, settings: deps.settings, links: deps.links, now: deps.now, claimTimeoutMs: deps.claimTimeoutMs,
    channels: { alert: cfg.channels.alert, escalation: cfg.channels.escalation, digest: cfg.channels.digest },
  };
  const actionDeps: ActionDeps = { ...chatDeps, responders: slackResponders(client, cfg.responders) };
  const escalationDeps: EscalationDeps = { ...chatDeps, escalation: cfg.escalation, fetch: doFetch };
  const lookupDeps: LookupDeps = {
    sql: deps.sql, settings: deps.settings, platform: 'slack', now: deps.now,
    respond: (url, card) => respondToUrl(url, card, doFetch),
    emailOf: (userId) => slackEmailOf(client, userId),
  };
  const warn = (msg: string, err: unknown): void => deps.logger?.warn({ err }, msg);

  async function tell(userId: string, channel: string | undefined, text: string, threadTs?: string): Promise<void> {
    if (!channel) return;
    const { text: safeText, blocks } = renderCard({ title: 'storage-watch', tone: 'info', summary: text, blocks: [{ kind: 'text', lines: [[text]] }] });
    await client.chat.postEphemeral({ channel, user: userId, text: safeText, blocks: blocks.slice(1), ...(threadTs ? { thread_ts: threadTs } : {}) });
  }

  async function afterDecision(a: ChatAction, userId: string, channel: string | undefined): Promise<void> {
    await notifyFinding(chatDeps, a.findingId).catch((err: unknown) => warn('could not refresh the card', err));
    if (a.action !== 'escalate') return;
    const results: EscalationResult[] = await escalate(escalationDeps, a.findingId, a.actor);
    const failed = results.filter((r) => !r.ok);
    if (failed.length) await tell(userId, channel, `Escalated, but these targets failed: ${failed.map((r) => `${r.target} (${r.detail ?? 'error'})`).join(', ')}`);
  }

  app.action<BlockAction>({ type: 'block_actions', action_id: new RegExp(`^(${Object.values(ACTION_IDS).join('|')})$`) }, async ({ ack, body }) => {
    await ack();
    const click = parseClick(body);
    if (!click) return;
    let outcome;
    try {
      outcome = await handleAction(actionDeps, click.action);
    } catch (err) {
      warn('could not handle a click', err);
      return tell(click.userId, click.channel, 'storage-watch could not process this click; try again in a minute.');
    }
    if (outcome.kind === 'form' && click.triggerId) {
      await client.views.open({ trigger_id: click.triggerId, view: renderForm(outcome.form, { findingId: click.action.findingId, channel: click.channel, ts: click.messageTs }) });
    } else if (outcome.kind === 'done') {
      const stored = await getMessage(deps.sql, { findingId: click.action.findingId, platform: 'slack' });
      const channel = stored?.channel ?? click.channel;
      const ts = stored?.ts ?? click.messageTs;
      for (const e of outcome.effects) if (e.kind === 'details' && channel) await messenger.post(channel, e.card, { threadTs: ts });
    } else if (outcome.kind !== 'form') {
      await tell(click.userId, click.channel, outcome.message);
    }
  });

  for (const callbackId of Object.values(VIEW_IDS)) {
    app.view(callbackId, async ({ ack, body, view }) => {
      const parsed = parseSubmission(view, body.user.id);
      if ('errors' in parsed) return ack({ response_action: 'errors', errors: parsed.errors });
      let outcome;
      try {
        outcome = await handleAction(actionDeps, parsed.action);
      } catch (err) {
        warn('could not store the decision', err);
        return ack({ response_action: 'errors', errors: { reason: 'storage-watch could not save this decision; try again.' } });
      }
      if (outcome.kind !== 'done') return ack({ response_action: 'errors', errors: { reason: outcome.kind === 'form' ? 'Unexpected form.' : outcome.message } });
      await ack();
      await afterDecision(parsed.action, body.user.id, parsed.meta.channel);
    });
  }

  app.command(/^\/storage-/, async ({ ack, command, respond }) => {
    const parsed = parseSlash(command);
    if (!parsed.ok || parsed.command.name === 'help') {
      const { text, blocks } = renderCard(parsed.ok ? helpCard() : helpCard(parsed.error));
      return ack({ response_type: 'ephemeral', text, blocks });
    }
    await ack({ response_type: 'ephemeral', text: 'Looking that up…' });
    try {
      await deps.enqueueLookup({ command: parsed.command, responseUrl: command.response_url, userId: command.user_id });
    } catch (err) {
      warn('could not queue a lookup', err);
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'storage-watch could not start this lookup; try again in a minute.' });
    }
  });

  app.error((err) => {
    warn('slack handler failed', err);
    return Promise.resolve();
  });

  return {
    app, client, messenger, chatDeps, lookupDeps,
    async start(listen = {}) {
      await client.auth.test().catch((err: unknown) => {
        throw new Error(`Slack rejected SLACK_BOT_TOKEN (auth.test): ${err instanceof Error ? err.message : String(err)}`);
      });
      if (cfg.mode === 'socket') {
        await app.start();
        return {};
      }
      const server = (await app.start({ port: listen.port ?? cfg.port, ...(listen.host ? { host: listen.host } : {}) })) as Server;
      return { port: (server.address() as AddressInfo).port };
    },
    stop: () => app.stop().then(() => undefined),
    notifyFinding: (id) => notifyFinding(chatDeps, id),
    postDigest: (opts) => postDigest(chatDeps, opts),
    answerLookup: (request) => answerLookup(lookupDeps, request),
  };
}
