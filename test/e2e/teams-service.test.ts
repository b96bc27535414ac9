import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/main.js';
import { recentAudit } from '../../src/store/audit-log.js';
import { getFindingDecision } from '../../src/store/findings.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { Sql } from '../../src/store/sql.js';
import { eventually } from '../chat/chat-fixtures.js';
import { cardOf, FakeBotConnector, type ConnectorCall } from '../fakes/bot-connector.js';
import { FakeSlackWebApi } from '../fakes/slack-web-api.js';
import { executeInvoke, messageActivity, sendActivity, type TeamsUser } from '../fakes/teams-activities.js';
import { createSchema, dropSchema, schemaUrl } from '../helpers/databases.js';
import { NEW_IP, writeNewIpDataset } from '../helpers/new-ip-dataset.js';
import { freePort, QueueObserver } from './service-harness.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const TEAMS_ALERTS = '19:e2ealerts000000000000000000000000@thread.tacv2';
const RITA: TeamsUser = { id: '29:1rita', aadObjectId: 'aaaaaaaa-1111-4111-8111-111111111111', name: 'Rita Responder' };
const OSCAR: TeamsUser = { id: '29:1oscar', aadObjectId: 'bbbbbbbb-2222-4222-8222-222222222222', name: 'Oscar Outsider' };
const WAIT = 20_000;
const text = (v: unknown): string => JSON.stringify(v);

/** Starts the whole service (scan, detect, notify, lookup jobs; one HTTP server) over a log directory, with the given chat variables. */
async function boot(chatEnv: (port: number) => Record<string, string>): Promise<{ service: Service; sql: Sql; port: number; cleanup: () => Promise<void> }> {
  const tmp = mkdtempSync(join(tmpdir(), 'sw-teams-e2e-'));
  writeNewIpDataset(tmp);
  const schema = await createSchema();
  const prefix = `sw-teams-e2e-${randomBytes(4).toString('hex')}`;
  const observer = new QueueObserver(REDIS_URL, prefix);
  const port = await freePort();
  const service = await startService({ chat: true, workers: true }, loadConfig({
    DATABASE_URL: schemaUrl(schema), REDIS_URL, QUEUE_PREFIX: prefix, FILES_SOURCE_DIR: tmp, LOG_LEVEL: 'silent', PORT: String(port), ...chatEnv(port),
  }));
  const sql = await openDatabase({ url: schemaUrl(schema) });
  return {
    service, sql, port,
    cleanup: async () => {
      await service.stop();
      await sql.close();
      await observer.removeAllAndClose();
      await dropSchema(schema);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

describe('end to end, Teams only: log files -> jobs -> Teams card -> refusal, triage, command', () => {
  let connector: FakeBotConnector;
  let run: Awaited<ReturnType<typeof boot>>;
  let endpoint: string;
  let card: ConnectorCall;
  let findingId: string;
  let cardId: string;

  beforeAll(async () => {
    connector = await FakeBotConnector.start();
    run = await boot(() => ({ TEAMS_ALERT_CHANNEL: TEAMS_ALERTS, TEAMS_SERVICE_URL: connector.url, TEAMS_RESPONDERS: RITA.aadObjectId }));
    endpoint = `http://127.0.0.1:${run.port}/api/messages`;
  });
  afterAll(async () => {
    await run?.cleanup();
    await connector?.close();
  });

  const click = (from: TeamsUser, verb: string, data: Record<string, unknown> = {}): Promise<{ status: number; body: unknown }> =>
    sendActivity(endpoint, executeInvoke({ serviceUrl: connector.url, channel: TEAMS_ALERTS, messageId: cardId, from, verb, data: { findingId, ...data } }));

  it('posts the new-address alert to the Teams channel as an Adaptive Card thread', async () => {
    card = await eventually(() => connector.callsOf('create').find((c) => text(c.body).includes(`New source IP ${NEW_IP}`)), WAIT);
    expect(card.body).toMatchObject({ channelData: { channel: { id: TEAMS_ALERTS } } });
    const adaptive = cardOf(card.body.activity as Record<string, unknown>)!;
    expect(adaptive.version).toBe('1.5');
    findingId = (adaptive.actions as { data: { findingId: string } }[])[0]!.data.findingId;
    cardId = connector.messages.find((m) => text(m.activity).includes(findingId))!.id;
  });

  it('refuses a non-responder with the card unchanged, then lets a responder mark it benign through the form; the card updates in place', async () => {
    const refused = await click(OSCAR, 'storage_watch_benign');
    expect(text(refused.body)).toMatch(/Only configured responders/);
    expect(connector.callsOf('update').filter((c) => c.activityId === cardId && text(c.body).includes('Marked benign'))).toEqual([]);

    const form = await click(RITA, 'storage_watch_benign');
    expect(text(form.body)).toContain('storage_watch_benign_confirm');
    await click(RITA, 'storage_watch_benign_confirm', { reason: 'Alice on the hotel wifi', scope: 'ip', expiry: '7d' });
    await eventually(() => text(cardOf(connector.message(cardId)!.activity)).includes('Marked benign') || undefined, WAIT);
    expect(await getFindingDecision(run.sql, findingId)).toMatchObject({ status: 'benign', by: `teams:${RITA.aadObjectId}` });
    const audit = (await recentAudit(run.sql)).filter((a) => a.target === findingId).map((a) => [a.actor, a.action, a.result]);
    expect(audit).toContainEqual([`teams:${OSCAR.aadObjectId}`, 'finding.benign.request', 'refused']);
  });

  it('answers "@storage-watch who alice last 24h" in the thread through the lookup job', async () => {
    const res = await sendActivity(endpoint, messageActivity({ serviceUrl: connector.url, from: OSCAR, channel: TEAMS_ALERTS, thread: cardId, text: 'who alice last 24h' }));
    expect(res.status).toBe(200);
    const answer = await eventually(() => connector.callsOf('send').find((c) => text(c.body).includes('Activity of alice')), WAIT);
    expect(answer.conversationId).toBe(`${TEAMS_ALERTS};messageid=${cardId}`);
  });
});

describe('end to end, Slack and Teams together: one finding, a card on each, a decision in Teams updates both', () => {
  const SLACK_ALERTS = 'C0E2EALERTS';
  let connector: FakeBotConnector;
  let slack: FakeSlackWebApi;
  let run: Awaited<ReturnType<typeof boot>>;

  beforeAll(async () => {
    connector = await FakeBotConnector.start();
    slack = await FakeSlackWebApi.start({ token: 'xoxb-e2e' });
    run = await boot(() => ({
      TEAMS_ALERT_CHANNEL: TEAMS_ALERTS, TEAMS_SERVICE_URL: connector.url, TEAMS_RESPONDERS: RITA.aadObjectId,
      SLACK_BOT_TOKEN: 'xoxb-e2e', SLACK_SIGNING_SECRET: 'e2e-secret', SLACK_API_URL: slack.url, SLACK_ALERT_CHANNEL: SLACK_ALERTS,
    }));
  });
  afterAll(async () => {
    await run?.cleanup();
    await Promise.all([connector?.close(), slack?.close()]);
  });

  it('posts the card to both platforms and a Teams decision updates the Slack card too', async () => {
    const teamsCard = await eventually(() => connector.callsOf('create').find((c) => text(c.body).includes(`New source IP ${NEW_IP}`)), WAIT);
    const slackCard = await eventually(() => slack.callsTo('chat.postMessage').find((c) => String(c.body.text).includes(`New source IP ${NEW_IP}`)), WAIT);
    const findingId = (cardOf(teamsCard.body.activity as Record<string, unknown>)!.actions as { data: { findingId: string } }[])[0]!.data.findingId;
    expect(text(slackCard.body.blocks)).toContain(findingId);
    const cardId = connector.messages.find((m) => text(m.activity).includes(findingId))!.id;
    const endpoint = `http://127.0.0.1:${run.port}/api/messages`;
    const invoke = (verb: string, data: Record<string, unknown> = {}): Promise<unknown> =>
      sendActivity(endpoint, executeInvoke({ serviceUrl: connector.url, channel: TEAMS_ALERTS, messageId: cardId, from: RITA, verb, data: { findingId, ...data } }));
    await invoke('storage_watch_benign');
    await invoke('storage_watch_benign_confirm', { reason: 'Known backup job', scope: 'detector', expiry: '30d' });
    const slackUpdate = await eventually(() => slack.callsTo('chat.update').find((c) => text(c.body.blocks).includes('Marked benign')), WAIT);
    expect(slackUpdate.body.channel).toBe(SLACK_ALERTS);
    expect(text(slackUpdate.body.blocks)).toContain('Known backup job');
    await eventually(() => text(cardOf(connector.message(cardId)!.activity)).includes('Marked benign') || undefined, WAIT);
  });
});
