import { App, HTTPReceiver, LogLevel, type BlockAction, type Logger as BoltLogger, type webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { helpCard } from '../answer-lookup.js';
import type { ChatInbound, ChatPlatform } from '../platform.js';
import type { ReplayGuard } from '../replay-guard.js';
import { parseClick, parseSlash, parseSubmission } from './parse.js';
import { refuseReplays } from './refuse-replays.js';
import { ACTION_IDS, renderCard, renderForm, VIEW_IDS } from './render.js';
import type { SlackConfig } from './slack-config.js';
import { slackClientOptions } from './slack-client-options.js';
import { respondToUrl, SlackMessenger } from './slack-messenger.js';
import { slackEmailOf, slackResponders } from './slack-responders.js';

/** How long a slash command's trigger id is remembered: beyond the 5 minutes its signature stays valid. */
const COMMAND_MEMORY_MS = 6 * 60_000;

/** Path of the Slack events endpoint (HTTP mode). */
export const SLACK_EVENTS_PATH = '/slack/events';

/** What the Slack platform needs besides its configuration. */
export interface SlackPlatformOptions {
  logger?: Logger;
  /** HTTP client for response_url (default: global fetch). */
  fetch?: typeof fetch;
  /** Web API client options on top of slackClientOptions() (tests shorten retries); slackApiUrl always comes from the config. */
  clientOptions?: Omit<webApi.WebClientOptions, 'slackApiUrl'>;
  /** Remembers accepted request signatures (HTTP mode) so that a replayed request is refused; none: not checked. */
  replayGuard?: ReplayGuard;
}

/** The Slack platform: the ChatPlatform port plus the Bolt app and its Web API client. */
export interface SlackPlatform extends ChatPlatform {
  app: App;
  client: webApi.WebClient;
  messenger: SlackMessenger;
}

function boltLogger(l: Logger): BoltLogger {
  const join = (msgs: unknown[]): string => msgs.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...m: unknown[]) => l.debug({ component: 'slack' }, join(m)), info: (...m: unknown[]) => l.info({ component: 'slack' }, join(m)),
    warn: (...m: unknown[]) => l.warn({ component: 'slack' }, join(m)), error: (...m: unknown[]) => l.error({ component: 'slack' }, join(m)),
    setLevel: () => undefined, getLevel: () => LogLevel.INFO, setName: () => undefined,
  };
}

/** Builds the Slack platform: a Bolt app (HTTP endpoint at /slack/events, or Socket Mode with an app token) with the card, modal and command handlers registered. */
export function createSlackPlatform(cfg: SlackConfig, opts: SlackPlatformOptions = {}): SlackPlatform {
  const receiver = cfg.mode === 'http' ? new HTTPReceiver({ signingSecret: cfg.signingSecret!, endpoints: SLACK_EVENTS_PATH, ...(opts.logger ? { logger: boltLogger(opts.logger) } : { logLevel: LogLevel.WARN }) }) : undefined;
  const app = new App({
    token: cfg.botToken,
    ...(receiver ? { receiver } : { socketMode: true, appToken: cfg.appToken }),
    // Bounded: a request timeout, quick retries only of what never reached Slack, 429s thrown (see slackClientOptions).
    clientOptions: { ...slackClientOptions(), ...opts.clientOptions, slackApiUrl: cfg.apiUrl },
    // auth.test runs once, in start() (app.init), where a bad token becomes a clear start-up error; its result is
    // kept. Without it Bolt calls auth.test again before every request it handles, ahead of the 3-second ack.
    deferInitialization: true,
    // No conversation store: nothing here uses it, and it is one more step before every ack.
    convoStore: false,
    ...(opts.logger ? { logger: boltLogger(opts.logger) } : { logLevel: LogLevel.WARN }),
  });
  const client = app.client;
  const messenger = new SlackMessenger(client);
  const doFetch = opts.fetch ?? fetch;
  const responders = slackResponders(client, cfg.responders);
  let inbound: ChatInbound | undefined;
  const service = (): ChatInbound => {
    if (!inbound) throw new Error('the Slack platform is not attached to a chat service');
    return inbound;
  };
  const warn = (msg: string, err: unknown): void => opts.logger?.warn({ err }, msg);

  async function tell(place: { userId: string; channel?: string; threadTs?: string }, text: string): Promise<void> {
    if (!place.channel) return;
    const { text: safeText, blocks } = renderCard({ title: 'storage-watch', tone: 'info', summary: text, blocks: [{ kind: 'text', lines: [[text]] }] });
    await client.chat.postEphemeral({ channel: place.channel, user: place.userId, text: safeText, blocks: blocks.slice(1), ...(place.threadTs ? { thread_ts: place.threadTs } : {}) });
  }

  app.action<BlockAction>({ type: 'block_actions', action_id: new RegExp(`^(${Object.values(ACTION_IDS).join('|')})$`) }, async ({ ack, body }) => {
    await ack();
    const click = parseClick(body);
    if (!click) return;
    let outcome;
    try {
      outcome = await service().act(click.action);
    } catch (err) {
      warn('could not handle a click', err);
      return tell({ userId: click.userId, channel: click.channel }, 'storage-watch could not process this click; try again in a minute.');
    }
    if (outcome.kind === 'duplicate') return;
    if (outcome.kind === 'form' && click.triggerId) {
      await client.views.open({ trigger_id: click.triggerId, view: renderForm(outcome.form, { findingId: click.action.findingId, channel: click.channel, ts: click.messageTs }) });
    } else if (outcome.kind === 'done') {
      const stored = await service().messageOf('slack', click.action.findingId);
      const channel = stored?.channel ?? click.channel;
      const ts = stored?.ts ?? click.messageTs;
      for (const e of outcome.effects) if (e.kind === 'details' && channel) await messenger.post(channel, e.card, { threadTs: ts });
    } else if (outcome.kind !== 'form') {
      await tell({ userId: click.userId, channel: click.channel }, outcome.message);
    }
  });

  for (const callbackId of Object.values(VIEW_IDS)) {
    app.view(callbackId, async ({ ack, body, view }) => {
      const parsed = parseSubmission(view, body.user.id, 'trigger_id' in body ? body.trigger_id : undefined);
      if ('errors' in parsed) return ack({ response_action: 'errors', errors: parsed.errors });
      let outcome;
      try {
        outcome = await service().act(parsed.action);
      } catch (err) {
        warn('could not store the decision', err);
        return ack({ response_action: 'errors', errors: { reason: 'storage-watch could not save this decision; try again.' } });
      }
      // The same submission delivered again: it was applied (and answered) the first time.
      if (outcome.kind === 'duplicate') return ack();
      if (outcome.kind !== 'done') return ack({ response_action: 'errors', errors: { reason: outcome.kind === 'form' ? 'Unexpected form.' : outcome.message } });
      await ack();
      const note = await service().afterDecision(parsed.action);
      if (note) await tell({ userId: body.user.id, channel: parsed.meta.channel }, note);
    });
  }

  app.command(/^\/storage-/, async ({ ack, command, respond }) => {
    const parsed = parseSlash(command);
    if (!parsed.ok || parsed.command.name === 'help') {
      const { text, blocks } = renderCard(parsed.ok ? helpCard() : helpCard(parsed.error));
      return ack({ response_type: 'ephemeral', text, blocks });
    }
    await ack({ response_type: 'ephemeral', text: 'Looking that up…' });
    // The ack is on the wire; requests that arrived meanwhile get theirs before this one queues its lookup.
    await new Promise((resolve) => setImmediate(resolve));
    // A command delivered again under a new signature (a retry) carries the same trigger id: look it up once.
    if (opts.replayGuard && command.trigger_id && !(await opts.replayGuard.firstSeen(`slack:command:${command.trigger_id}`, COMMAND_MEMORY_MS))) return;
    try {
      await service().lookup({ command: parsed.command, responseUrl: command.response_url, userId: command.user_id, platform: 'slack' });
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
    name: 'slack', app, client, messenger, channels: cfg.channels,
    routes: receiver
      ? { [SLACK_EVENTS_PATH]: opts.replayGuard ? refuseReplays(receiver.requestListener, { signingSecret: cfg.signingSecret!, guard: opts.replayGuard, logger: opts.logger }) : receiver.requestListener }
      : {},
    isResponder: (actor) => responders.isResponder(actor),
    answer: (responseUrl, card) => respondToUrl(responseUrl, card, doFetch),
    tell,
    emailOf: (userId) => slackEmailOf(client, userId),
    attach(i) {
      inbound = i;
    },
    async start() {
      await app.init().catch((err: unknown) => {
        throw new Error(`Slack rejected SLACK_BOT_TOKEN (auth.test): ${err instanceof Error ? err.message : String(err)}`);
      });
      if (cfg.mode === 'socket') await app.start();
    },
    async stop() {
      if (cfg.mode === 'socket') await app.stop();
    },
  };
}
