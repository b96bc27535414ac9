import { Writable } from 'node:stream';
import { ConnectorClient } from '@microsoft/agents-hosting';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatDeps } from '../../src/chat/chat-deps.js';
import { createChatService, type ChatService } from '../../src/chat/chat-service.js';
import type { Messenger } from '../../src/chat/messenger.js';
import { NotifyBusyError, notifyFinding } from '../../src/chat/notify-finding.js';
import { ChannelHistory } from '../../src/chat/teams/channel-history.js';
import { GraphError, GraphTokens } from '../../src/chat/teams/graph-token.js';
import { markerId } from '../../src/chat/teams/render.js';
import { createTeamsPlatform, type TeamsPlatform } from '../../src/chat/teams/index.js';
import { parseTeamsConfig } from '../../src/chat/teams/teams-config.js';
import { TeamsMessenger } from '../../src/chat/teams/teams-messenger.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { createLogger } from '../../src/logger.js';
import { getMessage } from '../../src/store/messages.js';
import { recordFinding } from '../../src/store/record-findings.js';
import { cardOf, FakeBotConnector } from '../fakes/bot-connector.js';
import { FakeGraph } from '../fakes/graph.js';
import { messageActivity, sendActivity, TEAM_GROUP } from '../fakes/teams-activities.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { bulkDraft, person, seedFinding } from './chat-fixtures.js';

const ALERTS = '19:alerts0000000000000000000000000@thread.tacv2';
const APP_ID = '0b7a9c3e-1111-4222-8333-944455556666';
const OTHER_APP = 'ffffffff-0000-4000-8000-000000000000';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const TEAM = '5a1c3e4f-7d2b-4c8a-9e6f-0123456789ab';
const SECRET = 'client-secret';
const alice = person('alice@corp.com');

/** A messenger that dies right after Teams accepted a post: the crash between posting and recording it. */
function crashingAfterPost(inner: Messenger): Messenger {
  return {
    platform: inner.platform, update: (r, c, m) => inner.update(r, c, m), findPosted: (c, m, o) => inner.findPosted(c, m, o), permalink: (r) => inner.permalink(r),
    post: async (channel, card, opts) => {
      await inner.post(channel, card, opts);
      throw new Error('worker killed');
    },
  };
}

/** A messenger that dies before the post reaches Teams. */
function crashingBeforePost(inner: Messenger): Messenger {
  return { ...crashingAfterPost(inner), post: () => Promise.reject(new Error('worker killed')) };
}

describe('Teams: a card interrupted by a crash is found again through Microsoft Graph, never posted twice', () => {
  let db: TestDatabase;
  let connector: FakeBotConnector;
  let graph: FakeGraph;
  let deps: ChatDeps;
  let warnings: string[];
  let team: string | undefined;
  let secret: string;
  const end = Date.now() - 10 * 60_000;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    connector = await FakeBotConnector.start();
    graph = await FakeGraph.start({ connector, appId: APP_ID, teams: { [TEAM]: [ALERTS] }, credentials: { tenantId: TENANT, clientId: APP_ID, clientSecret: SECRET } });
  });
  afterAll(async () => {
    await Promise.all([connector?.close(), graph?.close()]);
    await db?.drop();
  });
  beforeEach(async () => {
    await db.reset();
    connector.clear();
    graph.clear();
    warnings = [];
    team = TEAM;
    secret = SECRET;
    // The Bot Connector stand-in takes no token; Graph and its sign-in endpoint want the app's credentials.
    const messenger = new TeamsMessenger({
      connector: () => Promise.resolve(ConnectorClient.createClientWithToken(connector.url, '')),
      names: new Map(),
      history: new ChannelHistory({
        graphUrl: graph.graphUrl, appId: APP_ID,
        tokens: new GraphTokens({ appId: APP_ID, get appPassword() { return secret; }, tenantId: TENANT, loginUrl: graph.url, graphUrl: graph.graphUrl }),
      }),
      teamOf: () => Promise.resolve(team),
      warn: (m) => warnings.push(m),
    });
    deps = { sql: db.sql, messenger, settings: detectionSettings(), channels: { alert: ALERTS } };
  });

  const creates = (): number => connector.callsOf('create').length;

  it('recovers the card posted before the crash: one card, found by its marker with an app-only token, updated in place and recorded', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await expect(notifyFinding({ ...deps, messenger: crashingAfterPost(deps.messenger) }, f.id)).rejects.toThrow('worker killed');
    expect(await getMessage(db.sql, { findingId: f.id, platform: 'teams' })).toMatchObject({ state: 'posting', ts: undefined });
    const [posted] = connector.messages;
    expect(JSON.stringify(cardOf(posted!.activity))).toContain(`"id":"${markerId({ findingId: f.id, kind: 'card', occurrences: 1 })}"`);
    // While the interrupted claim is fresh, another worker backs off instead of posting.
    await expect(notifyFinding(deps, f.id)).rejects.toBeInstanceOf(NotifyBusyError);

    const retry = await notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id);
    expect(retry).toMatchObject({ action: 'recovered', ref: { channel: ALERTS, ts: posted!.id } });
    expect(creates()).toBe(1);
    const [token] = graph.callsOf('token');
    expect(token!.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(token!.form).toMatchObject({ grant_type: 'client_credentials', client_id: APP_ID, scope: `${new URL(graph.url).origin}/.default` });
    const [list] = graph.callsOf('messages');
    expect(list).toMatchObject({ path: `/v1.0/teams/${TEAM}/channels/${ALERTS}/messages`, query: { $top: '50' }, status: 200, authorization: expect.stringMatching(/^Bearer \S+/) as unknown });
    expect(connector.callsOf('update').map((c) => c.activityId)).toEqual([posted!.id]);
    expect(await getMessage(db.sql, { findingId: f.id, platform: 'teams' })).toMatchObject({ state: 'posted', ts: posted!.id });
    expect((await notifyFinding(deps, f.id)).action).toBe('updated');
    expect(creates()).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('does not repeat a thread reply after a crash right after posting it: the thread\'s replies are read', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const { ref } = await notifyFinding(deps, f.id);
    await recordFinding(db.sql, alice, bulkDraft(end + 5 * 60_000));
    await expect(notifyFinding({ ...deps, messenger: crashingAfterPost(deps.messenger) }, f.id)).rejects.toThrow('worker killed');
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id)).action).toBe('repeat');
    expect(connector.callsOf('send').filter((c) => c.conversationId === `${ALERTS};messageid=${ref!.ts}`)).toHaveLength(1);
    expect(graph.callsOf('replies').map((c) => c.path)).toEqual([`/v1.0/teams/${TEAM}/channels/${ALERTS}/messages/${ref!.ts}/replies`]);
    expect(graph.callsOf('messages')).toEqual([]);
  });

  it('follows @odata.nextLink past newer messages to the card, and stops at the first page that reaches back before the claim', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await expect(notifyFinding({ ...deps, messenger: crashingAfterPost(deps.messenger) }, f.id)).rejects.toThrow('worker killed');
    for (let i = 0; i < 120; i++) graph.add({ channel: ALERTS, createdAt: Date.now() + 1000 + i, from: { user: 'u1' }, text: `chatter ${i}` });
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id)).action).toBe('recovered');
    const pages = graph.callsOf('messages');
    expect(pages).toHaveLength(3);
    expect(pages.slice(1).every((p) => p.query.$skiptoken && p.query.$top === '50')).toBe(true);
    expect(creates()).toBe(1);

    // The crash came before the post reached Teams: the first page already reaches back before the claim, so one page proves there is no card.
    graph.clear();
    const g = await seedFinding(db.sql, person('bob@corp.com'), end);
    for (let i = 0; i < 200; i++) graph.add({ channel: ALERTS, createdAt: Date.now() - 3_600_000 - i, from: { user: 'u1' }, text: `old ${i}` });
    for (let i = 0; i < 10; i++) graph.add({ channel: ALERTS, createdAt: Date.now() + i, from: { user: 'u1' }, text: `new ${i}` });
    await expect(notifyFinding({ ...deps, messenger: crashingBeforePost(deps.messenger) }, g.id)).rejects.toThrow('worker killed');
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, g.id)).action).toBe('posted');
    expect(graph.callsOf('messages')).toHaveLength(1);
    expect(creates()).toBe(2);
  });

  it('matches only cards our app posted, for this finding', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const forged = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Container', id: markerId({ findingId: f.id, kind: 'card', occurrences: 1 }), items: [] }] };
    graph.add({ channel: ALERTS, createdAt: Date.now(), from: { app: OTHER_APP }, card: forged });
    graph.add({ channel: ALERTS, createdAt: Date.now(), from: { user: 'u1' }, card: forged });
    await expect(notifyFinding({ ...deps, messenger: crashingBeforePost(deps.messenger) }, f.id)).rejects.toThrow('worker killed');
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id)).action).toBe('posted');
    expect(creates()).toBe(1);
  });

  it('while Graph is down, the retry fails instead of posting a second card; once Graph answers, the card is recovered', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await expect(notifyFinding({ ...deps, messenger: crashingAfterPost(deps.messenger) }, f.id)).rejects.toThrow('worker killed');
    graph.fail('graph', 503, 3, 0);
    const down = notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id);
    await expect(down).rejects.toBeInstanceOf(GraphError);
    await expect(down).rejects.toMatchObject({ kind: 'unavailable', status: 503 });
    expect(graph.callsOf('messages').map((c) => c.status)).toEqual([503, 503, 503]);
    graph.fail('token', 503, 1);
    // The cached token still works; sign-in being down matters only when a new token is needed.
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id)).action).toBe('recovered');
    expect(creates()).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('when Graph refuses (403: ChannelMessage.Read.Group not granted) or the team is unknown, posts the card and says once why a second one is possible', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await expect(notifyFinding({ ...deps, messenger: crashingAfterPost(deps.messenger) }, f.id)).rejects.toThrow('worker killed');
    graph.fail('graph', 403);
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id)).action).toBe('posted');
    expect(creates()).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ChannelMessage\.Read\.Group/);
    expect(graph.callsOf('messages').map((c) => c.status)).toEqual([403]);

    const g = await seedFinding(db.sql, person('bob@corp.com'), end);
    await expect(notifyFinding({ ...deps, messenger: crashingBeforePost(deps.messenger) }, g.id)).rejects.toThrow('worker killed');
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, g.id)).action).toBe('posted');
    expect(warnings).toHaveLength(1);

    team = undefined;
    const h = await seedFinding(db.sql, person('carol@corp.com'), end);
    await expect(notifyFinding({ ...deps, messenger: crashingBeforePost(deps.messenger) }, h.id)).rejects.toThrow('worker killed');
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, h.id)).action).toBe('posted');
    expect(warnings[1]).toMatch(/TEAMS_TEAM_ID/);
  });

  it('treats a rejected client secret like missing consent: the card is posted, and the cause is logged', async () => {
    secret = 'wrong';
    const f = await seedFinding(db.sql, alice, end);
    await expect(notifyFinding({ ...deps, messenger: crashingBeforePost(deps.messenger) }, f.id)).rejects.toThrow('worker killed');
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id)).action).toBe('posted');
    expect(graph.callsOf('token').map((c) => c.status)).toEqual([401]);
    expect(graph.callsOf('messages')).toEqual([]);
    expect(warnings[0]).toMatch(/invalid_client/);
  });
});

describe('the Teams platform learns the team to read from inbound activities and remembers it', () => {
  let db: TestDatabase;
  let connector: FakeBotConnector;
  let graph: FakeGraph;
  let logs: string[];
  const end = Date.now() - 10 * 60_000;
  const OSCAR = { id: '29:1oscar', aadObjectId: 'bbbbbbbb-2222-4222-8222-222222222222', name: 'Oscar Outsider' };

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    connector = await FakeBotConnector.start();
    // Unauthenticated local mode: a Graph stand-in named by TEAMS_GRAPH_URL is read without a token.
    graph = await FakeGraph.start({ connector, teams: { [TEAM_GROUP]: [ALERTS] } });
  });
  afterAll(async () => {
    await Promise.all([connector?.close(), graph?.close()]);
    await db?.drop();
  });

  /** Starts the Teams platform and its chat service, as the bot does; stale claims are taken over at once. */
  async function boot(env: Record<string, string> = {}): Promise<{ platform: TeamsPlatform; service: ChatService; endpoint: string }> {
    logs = [];
    const logger = createLogger('warn', new Writable({ write: (chunk: Buffer, _enc, done) => void (logs.push(chunk.toString('utf8')), done()) }));
    const cfg = parseTeamsConfig({ TEAMS_ALERT_CHANNEL: ALERTS, TEAMS_SERVICE_URL: connector.url, TEAMS_GRAPH_URL: graph.graphUrl, ...env })!;
    const platform = createTeamsPlatform(cfg, { logger });
    const service = createChatService([platform], { sql: db.sql, settings: detectionSettings(), enqueueLookup: () => Promise.resolve(), claimTimeoutMs: 0 });
    const { port } = await service.start({ port: 0, host: '127.0.0.1' });
    return { platform, service, endpoint: `http://127.0.0.1:${port}/api/messages` };
  }

  async function crashThenRetry(platform: TeamsPlatform, service: ChatService, who: string): Promise<string | undefined> {
    const f = await seedFinding(db.sql, person(who), end);
    const interrupted = { sql: db.sql, messenger: crashingAfterPost(platform.messenger), settings: detectionSettings(), channels: platform.channels };
    await expect(notifyFinding(interrupted, f.id)).rejects.toThrow('worker killed');
    return (await service.notifyFinding(f.id)).teams?.action;
  }

  it('warns at start while the team is unknown, learns its group id from the first @mention, and recovers interrupted cards from then on, also after a restart', async () => {
    await db.reset();
    const first = await boot();
    expect(logs.join('')).toMatch(/TEAMS_TEAM_ID is not set/);
    await sendActivity(first.endpoint, messageActivity({ serviceUrl: connector.url, from: OSCAR, channel: ALERTS, text: 'help' }));
    expect(await crashThenRetry(first.platform, first.service, 'alice@corp.com')).toBe('recovered');
    expect(graph.callsOf('messages').map((c) => c.path)).toEqual([`/v1.0/teams/${TEAM_GROUP}/channels/${ALERTS}/messages`]);
    expect(connector.callsOf('create')).toHaveLength(1);
    await first.service.stop();

    const again = await boot();
    expect(logs.join('')).not.toMatch(/TEAMS_TEAM_ID/);
    expect(await crashThenRetry(again.platform, again.service, 'bob@corp.com')).toBe('recovered');
    expect(connector.callsOf('create')).toHaveLength(2);
    await again.service.stop();
  });

  it('uses TEAMS_TEAM_ID before any activity has arrived', async () => {
    await db.reset();
    connector.clear();
    graph.clear();
    const { platform, service } = await boot({ TEAMS_TEAM_ID: TEAM_GROUP });
    expect(logs.join('')).not.toMatch(/TEAMS_TEAM_ID/);
    expect(await crashThenRetry(platform, service, 'carol@corp.com')).toBe('recovered');
    expect(connector.callsOf('create')).toHaveLength(1);
    await service.stop();
  });
});
