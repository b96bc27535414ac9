import { LogLevel } from '@slack/bolt';
import type { LookupRequest } from '../../src/chat/answer-lookup.js';
import { createChatService, type ChatService } from '../../src/chat/chat-service.js';
import type { ChatPlatform } from '../../src/chat/platform.js';
import { createSlackPlatform } from '../../src/chat/slack/index.js';
import { parseSlackConfig } from '../../src/chat/slack/slack-config.js';
import { createTeamsPlatform } from '../../src/chat/teams/index.js';
import { parseTeamsConfig } from '../../src/chat/teams/teams-config.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import type { Sql } from '../../src/store/sql.js';
import { eventually } from '../chat/chat-fixtures.js';
import { cardOf, FakeBotConnector } from '../fakes/bot-connector.js';
import { startRecorder, type HttpRecorder } from '../fakes/http-recorder.js';
import { interaction, sendSigned } from '../fakes/slack-signing.js';
import { FakeSlackWebApi } from '../fakes/slack-web-api.js';
import { executeInvoke, messageActivity, sendActivity, type TeamsUser } from '../fakes/teams-activities.js';

/** Who acts in a contract test: a configured responder, or someone who is not. */
export type Person = 'responder' | 'outsider';

/** One chat platform, running for real over HTTP against its fake, driven the way its users drive it. */
export interface ChatHarness {
  name: string;
  service: ChatService;
  /** The platform reference of a person, as the audit trail stores it. */
  actor(who: Person): string;
  /** Every top-level message in the alert channel that shows this finding, as it reads now. */
  cards(findingId: string): string[];
  /** Presses Benign on the finding's card; resolves to what the person was told privately ('' when a form opened). */
  pressBenign(who: Person, findingId: string): Promise<string>;
  /** A responder's whole benign decision: the button, the form, the confirmation. */
  decideBenign(findingId: string, reason: string): Promise<void>;
  /** Types a command (`who alice@corp.com last 6h`) the platform's way; resolves to the answer as text. */
  command(line: string): Promise<string>;
  /** Messages in the digest channel, as text. */
  digests(): string[];
  /** Forgets every message and call (between tests: finding ids repeat once the database is reset). */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a service with one platform on a free port; `enqueueLookup` runs lookups at once, like a worker would. */
async function serve(sql: Sql, platform: ChatPlatform): Promise<{ service: ChatService; port: number; lookups: Promise<unknown>[] }> {
  const lookups: Promise<unknown>[] = [];
  const service: ChatService = createChatService([platform], {
    sql, settings: detectionSettings(),
    enqueueLookup: (req: LookupRequest) => {
      lookups.push(service.answerLookup(req));
      return Promise.resolve();
    },
  });
  const { port } = await service.start({ port: 0, host: '127.0.0.1' });
  return { service, port: port!, lookups };
}

/** Slack: the Bolt app, signed requests in, the fake Web API out. */
export async function slackHarness(sql: Sql): Promise<ChatHarness> {
  const SECRET = 'contract-secret';
  const ALERTS = 'C0CONTRACT';
  const DIGEST = 'C0DIGEST01';
  const users = { responder: 'U0RESP1', outsider: 'U0OTHER' } as const;
  const fake = await FakeSlackWebApi.start({ token: 'xoxb-contract', users: { U0ALICE: { name: 'alice', email: 'alice@corp.com' } } });
  const responses: HttpRecorder = await startRecorder();
  const cfg = parseSlackConfig({
    SLACK_BOT_TOKEN: 'xoxb-contract', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, SLACK_ALERT_CHANNEL: ALERTS, SLACK_DIGEST_CHANNEL: DIGEST, SLACK_RESPONDERS: users.responder,
  })!;
  const { service, port, lookups } = await serve(sql, createSlackPlatform(cfg, { clientOptions: { logLevel: LogLevel.ERROR, retryConfig: { retries: 0 } } }));
  const events = `http://127.0.0.1:${port}/slack/events`;
  const cardTs = (findingId: string): string => fake.messages.find((m) => m.channel === ALERTS && !m.thread_ts && JSON.stringify(m.blocks).includes(findingId))!.ts;
  const click = (who: Person, findingId: string): Record<string, string> => interaction({
    type: 'block_actions', user: { id: users[who], username: who, team_id: 'T0TEST' }, api_app_id: 'A0APP', token: 'legacy', team: { id: 'T0TEST', domain: 'acme' },
    trigger_id: `trigger-${who}-${Date.now()}`, response_url: `${responses.url}/actions`,
    container: { type: 'message', message_ts: cardTs(findingId), channel_id: ALERTS, is_ephemeral: false }, channel: { id: ALERTS, name: 'alerts' },
    message: { type: 'message', ts: cardTs(findingId), text: 'card' },
    actions: [{ action_id: 'storage_watch_benign', block_id: 'b1', type: 'button', value: findingId, action_ts: '1.1' }],
  });
  return {
    name: 'slack', service,
    actor: (who) => `slack:${users[who]}`,
    cards: (findingId) => fake.messages.filter((m) => m.channel === ALERTS && !m.thread_ts && JSON.stringify(m.blocks).includes(findingId)).map((m) => JSON.stringify(m.blocks)),
    async pressBenign(who, findingId) {
      const before = fake.calls.length;
      await sendSigned(events, SECRET, click(who, findingId));
      const seen = await eventually(() => fake.calls.slice(before).find((c) => c.method === 'chat.postEphemeral' || c.method === 'views.open'));
      return seen.method === 'views.open' ? '' : String(seen.body.text);
    },
    async decideBenign(findingId, reason) {
      await sendSigned(events, SECRET, click('responder', findingId));
      const open = await eventually(() => fake.callsTo('views.open').at(-1));
      const view = open.body.view as { callback_id: string };
      await sendSigned(events, SECRET, interaction({
        type: 'view_submission', team: { id: 'T0TEST', domain: 'acme' }, user: { id: users.responder, username: 'responder', team_id: 'T0TEST' }, api_app_id: 'A0APP', token: 'legacy', trigger_id: 't2',
        view: {
          id: 'V0MODAL', team_id: 'T0TEST', type: 'modal', callback_id: view.callback_id, private_metadata: JSON.stringify({ findingId, channel: ALERTS, ts: cardTs(findingId) }), hash: 'h',
          title: { type: 'plain_text', text: 'x' }, blocks: [],
          state: { values: { reason: { value: { type: 'plain_text_input', value: reason } }, scope: { value: { type: 'radio_buttons', selected_option: { value: 'detector' } } }, expiry: { value: { type: 'static_select', selected_option: { value: '7d' } } } } },
        },
      }));
    },
    async command(line) {
      const [verb = '', ...rest] = line.split(' ');
      const before = responses.requests.length;
      await sendSigned(events, SECRET, { team_id: 'T0TEST', user_id: users.outsider, command: `/storage-${verb}`, text: rest.join(' '), response_url: `${responses.url}/c`, channel_id: ALERTS });
      await Promise.all(lookups.splice(0));
      return JSON.stringify((await responses.waitFor(before + 1)).at(-1)!.json);
    },
    digests: () => fake.messages.filter((m) => m.channel === DIGEST).map((m) => JSON.stringify(m.blocks)),
    reset() {
      fake.messages.length = 0;
      fake.clearCalls();
      responses.requests.length = 0;
    },
    async close() {
      await service.stop();
      await Promise.all([fake.close(), responses.close()]);
    },
  };
}

/** Teams: the Agents SDK on /api/messages, activities in as Teams sends them, the fake Bot Connector out. */
export async function teamsHarness(sql: Sql): Promise<ChatHarness> {
  const ALERTS = '19:contract0000000000000000000000000@thread.tacv2';
  const DIGEST = '19:digest000000000000000000000000000@thread.tacv2';
  const users: Record<Person, TeamsUser> = {
    responder: { id: '29:1rita', aadObjectId: 'aaaaaaaa-1111-4111-8111-111111111111', name: 'Rita' },
    outsider: { id: '29:1oscar', aadObjectId: 'bbbbbbbb-2222-4222-8222-222222222222', name: 'Oscar' },
  };
  const connector = await FakeBotConnector.start();
  const cfg = parseTeamsConfig({ TEAMS_ALERT_CHANNEL: ALERTS, TEAMS_DIGEST_CHANNEL: DIGEST, TEAMS_RESPONDERS: users.responder.aadObjectId, TEAMS_SERVICE_URL: connector.url })!;
  const { service, port, lookups } = await serve(sql, createTeamsPlatform(cfg));
  const endpoint = `http://127.0.0.1:${port}/api/messages`;
  const roots = (findingId: string) => connector.messages.filter((m) => m.conversationId === `${ALERTS};messageid=${m.id}` && JSON.stringify(m.activity).includes(findingId));
  const invoke = (who: Person, findingId: string, verb: string, data: Record<string, unknown> = {}): Promise<{ body: unknown }> =>
    sendActivity(endpoint, executeInvoke({ serviceUrl: connector.url, channel: ALERTS, messageId: roots(findingId)[0]!.id, from: users[who], verb, data: { findingId, ...data } }));
  return {
    name: 'teams', service,
    actor: (who) => `teams:${users[who].aadObjectId}`,
    cards: (findingId) => roots(findingId).map((m) => JSON.stringify(cardOf(m.activity))),
    async pressBenign(who, findingId) {
      const { body } = await invoke(who, findingId, 'storage_watch_benign');
      const b = body as { type: string; value: unknown };
      return b.type === 'application/vnd.microsoft.card.adaptive' ? '' : String(b.value);
    },
    async decideBenign(findingId, reason) {
      await invoke('responder', findingId, 'storage_watch_benign');
      await invoke('responder', findingId, 'storage_watch_benign_confirm', { reason, scope: 'detector', expiry: '7d' });
    },
    async command(line) {
      const before = connector.calls.length;
      await sendActivity(endpoint, messageActivity({ serviceUrl: connector.url, from: users.outsider, channel: ALERTS, text: line }));
      await Promise.all(lookups.splice(0));
      const answer = await eventually(() => connector.calls.slice(before).find((c) => c.kind === 'send' && cardOf(c.body)));
      return JSON.stringify(cardOf(answer.body));
    },
    digests: () => connector.messages.filter((m) => m.conversationId.startsWith(`${DIGEST};`)).map((m) => JSON.stringify(cardOf(m.activity))),
    reset: () => connector.clear(),
    async close() {
      await service.stop();
      await connector.close();
    },
  };
}
