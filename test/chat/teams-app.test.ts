import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LookupRequest } from '../../src/chat/answer-lookup.js';
import { createChatService, type ChatService } from '../../src/chat/chat-service.js';
import { createTeamsPlatform } from '../../src/chat/teams/index.js';
import { parseTeamsConfig } from '../../src/chat/teams/teams-config.js';
import type { Finding } from '../../src/core/finding.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { recentAudit } from '../../src/store/audit-log.js';
import { getFinding, getFindingDecision } from '../../src/store/findings.js';
import { getMessage } from '../../src/store/messages.js';
import { listSuppressions } from '../../src/store/suppressions.js';
import { cardOf, FakeBotConnector } from '../fakes/bot-connector.js';
import { startRecorder, type HttpRecorder } from '../fakes/http-recorder.js';
import { executeInvoke, messageActivity, sendActivity, type TeamsUser } from '../fakes/teams-activities.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { eventually, person, seedFinding } from './chat-fixtures.js';

const ALERTS = '19:alerts0000000000000000000000000@thread.tacv2';
const ESCALATIONS = '19:escalate000000000000000000000000@thread.tacv2';
const RITA: TeamsUser = { id: '29:1rita', aadObjectId: 'aaaaaaaa-1111-4111-8111-111111111111', name: 'Rita Responder' };
const OSCAR: TeamsUser = { id: '29:1oscar', aadObjectId: 'bbbbbbbb-2222-4222-8222-222222222222', name: 'Oscar Outsider' };
const ALICE: TeamsUser = { id: '29:1alice', aadObjectId: 'cccccccc-3333-4333-8333-333333333333', name: 'Alice' };
const alice = person('alice@corp.com');

describe('the Teams app over HTTP (Agents SDK, fake Bot Connector)', () => {
  let db: TestDatabase;
  let connector: FakeBotConnector;
  let webhook: HttpRecorder;
  let service: ChatService;
  let endpoint: string;
  let finding: Finding;
  let cardId: string;
  const lookups: Promise<unknown>[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    connector = await FakeBotConnector.start({ members: { [ALICE.id]: { name: 'Alice', email: 'alice@corp.com', aadObjectId: ALICE.aadObjectId } } });
    webhook = await startRecorder();
    const cfg = parseTeamsConfig({ TEAMS_ALERT_CHANNEL: ALERTS, TEAMS_ESCALATION_CHANNEL: ESCALATIONS, TEAMS_RESPONDERS: RITA.aadObjectId, TEAMS_SERVICE_URL: connector.url })!;
    service = createChatService([createTeamsPlatform(cfg)], {
      sql: db.sql, settings: detectionSettings(), escalation: { webhookUrl: `${webhook.url}/hook` },
      enqueueLookup: (req: LookupRequest) => {
        lookups.push(service.answerLookup(req));
        return Promise.resolve();
      },
    });
    const { port } = await service.start({ port: 0, host: '127.0.0.1' });
    endpoint = `http://127.0.0.1:${port}/api/messages`;
  });
  afterAll(async () => {
    await service?.stop();
    await Promise.all([connector?.close(), webhook?.close()]);
    await db?.drop();
  });
  beforeEach(async () => {
    await db.reset();
    connector.clear();
    webhook.requests.length = 0;
    finding = await seedFinding(db.sql, alice, Date.now() - 15 * 60_000);
    cardId = (await service.notifyFinding(finding.id)).teams!.ref!.ts;
  });

  const click = (from: TeamsUser, verb: string, data: Record<string, unknown> = {}): Promise<{ status: number; body: unknown }> =>
    sendActivity(endpoint, executeInvoke({ serviceUrl: connector.url, channel: ALERTS, messageId: cardId, from, verb, data: { findingId: finding.id, ...data } }));
  const text = (v: unknown): string => JSON.stringify(v);

  it('posts the alert as a new thread in the channel: an Adaptive Card 1.5 with Action.Execute buttons, stored as the finding\'s Teams message', async () => {
    const [create] = connector.callsOf('create');
    expect(create!.body).toMatchObject({ isGroup: true, channelData: { channel: { id: ALERTS } } });
    const card = cardOf(create!.body.activity as Record<string, unknown>)!;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect((card.actions as { type: string; verb: string }[]).map((a) => [a.type, a.verb])).toEqual([
      ['Action.Execute', 'storage_watch_benign'], ['Action.Execute', 'storage_watch_escalate'], ['Action.Execute', 'storage_watch_details'],
    ]);
    expect(text(card)).toContain('Bulk download of 3.0 GB from a new address');
    expect(text(card)).toMatch(/Requests per hour, last 24 h: "},\{"type":"TextRun","text":"[▁-█]{24}","fontType":"Monospace"/);
    expect(await getMessage(db.sql, { findingId: finding.id, platform: 'teams' })).toMatchObject({ state: 'posted', channel: ALERTS, ts: cardId });
    expect((await service.notifyFinding(finding.id)).teams!.action).toBe('updated');
    expect(connector.callsOf('create')).toHaveLength(1);
    expect(connector.callsOf('update').map((c) => c.conversationId)).toEqual([`${ALERTS};messageid=${cardId}`]);
  });

  it('refuses a non-responder privately, leaves the card unchanged and audits the attempt', async () => {
    const res = await click(OSCAR, 'storage_watch_benign');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: expect.stringMatching(/Only configured responders can mark findings benign/) as unknown });
    expect(connector.callsOf('update')).toEqual([]);
    expect(await getFinding(db.sql, finding.id)).toMatchObject({ status: 'open' });
    const audit = (await recentAudit(db.sql)).filter((a) => a.target === finding.id);
    expect(audit.map((a) => [a.actor, a.action, a.result])).toEqual([[`teams:${OSCAR.aadObjectId}`, 'finding.benign.request', 'refused']]);
  });

  it('lets a responder mark benign through a form card; the decision updates the card in place for everyone', async () => {
    const form = await click(RITA, 'storage_watch_benign');
    const card = (form.body as { type: string; value: { body: { id?: string; choices?: { value: string }[] }[]; actions: { verb: string }[] } });
    expect(card.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.value.body.find((b) => b.id === 'scope')!.choices!.map((c) => c.value)).toEqual(['ip', 'detector', 'identity']);
    expect(card.value.actions[0]!.verb).toBe('storage_watch_benign_confirm');

    const done = await click(RITA, 'storage_watch_benign_confirm', { reason: 'Nightly backup to the DR site', scope: 'ip', expiry: '7d' });
    expect(text(done.body)).toContain('Marked benign');
    const update = await eventually(() => connector.callsOf('update').find((c) => text(c.body).includes('Marked benign')));
    expect(update.conversationId).toBe(`${ALERTS};messageid=${cardId}`);
    expect(update.activityId).toBe(cardId);
    const shown = text(cardOf(connector.message(cardId)!.activity));
    expect(shown).toContain('Rita Responder');
    expect(shown).toContain('Nightly backup to the DR site');
    expect(shown).not.toContain('Action.Execute');
    expect(await getFindingDecision(db.sql, finding.id)).toMatchObject({ status: 'benign', by: `teams:${RITA.aadObjectId}` });
    expect(await listSuppressions(db.sql)).toMatchObject([{ ip: '203.0.113.50', author: `teams:${RITA.aadObjectId}` }]);
    const audit = (await recentAudit(db.sql)).filter((a) => a.target === finding.id).reverse();
    expect(audit.map((a) => [a.action, a.result])).toEqual([['finding.benign.request', 'allowed'], ['finding.benign', 'done']]);
  });

  it('escalates to the Teams escalation channel and the webhook', async () => {
    await click(RITA, 'storage_watch_escalate');
    await click(RITA, 'storage_watch_escalate_confirm', { reason: 'Unknown VPS' });
    const notice = await eventually(() => connector.callsOf('create').find((c) => text(c.body).includes(ESCALATIONS)));
    expect(text(cardOf(notice.body.activity as Record<string, unknown>))).toContain('Escalated');
    const [hook] = await webhook.waitFor(1);
    expect(hook!.json).toMatchObject({ finding: { id: finding.id }, link: expect.stringContaining('https://teams.microsoft.com/l/message/') as unknown });
  });

  it('applies a click Teams delivers twice (same activity id) once: one escalation, one audit row', async () => {
    const confirm = executeInvoke({ serviceUrl: connector.url, channel: ALERTS, messageId: cardId, from: RITA, verb: 'storage_watch_escalate_confirm', data: { findingId: finding.id, reason: 'twice' } });
    await sendActivity(endpoint, confirm);
    const again = await sendActivity(endpoint, confirm);
    expect(text(again.body)).toContain('already handled');
    await webhook.waitFor(1);
    const escalations = (await recentAudit(db.sql)).filter((a) => a.target === finding.id && a.action === 'finding.escalate');
    expect(escalations).toHaveLength(1);
  });

  it('answers Details in the card\'s thread', async () => {
    const res = await click(OSCAR, 'storage_watch_details');
    expect(text(res.body)).toContain('in the thread');
    const [reply] = connector.callsOf('send');
    expect(reply!.conversationId).toBe(`${ALERTS};messageid=${cardId}`);
    expect(text(reply!.body)).toContain('Observed vs expected');
  });

  it('answers "@storage-watch who <principal> last 24h" in the thread it was asked in when the asker has no personal chat with the bot, and a mentioned person by their email', async () => {
    const res = await sendActivity(endpoint, messageActivity({ serviceUrl: connector.url, from: OSCAR, channel: ALERTS, text: 'who alice@corp.com last 24h' }));
    expect(res.status).toBe(200);
    await Promise.all(lookups.splice(0));
    const answer = connector.callsOf('send').find((c) => text(c.body).includes('Activity of alice@corp.com'));
    expect(answer!.conversationId).toBe(`${ALERTS};messageid=1700000000001`);
    expect(text(answer!.body)).toContain('55 requests');

    await sendActivity(endpoint, messageActivity({ serviceUrl: connector.url, from: OSCAR, text: 'baseline <at>Alice</at>', mentions: [ALICE] }));
    await Promise.all(lookups.splice(0));
    expect(connector.callsOf('member').map((c) => c.activityId)).toEqual([ALICE.id]);
    expect(text(connector.callsOf('send').at(-1)!.body)).toContain('Baseline of alice@corp.com');
  });

  it('answers a command typed in a channel privately, in the asker\'s personal chat with the bot when they installed it, with a one-line note in the thread', async () => {
    connector.installPersonally(RITA.id);
    const res = await sendActivity(endpoint, messageActivity({ serviceUrl: connector.url, from: RITA, channel: ALERTS, text: 'who alice@corp.com last 24h' }));
    expect(res.status).toBe(200);
    await Promise.all(lookups.splice(0));
    expect(connector.callsOf('create').at(-1)!.body).toMatchObject({ isGroup: false, members: [{ id: RITA.id }] });
    const sends = connector.callsOf('send');
    const answer = sends.find((c) => text(c.body).includes('Activity of alice@corp.com'));
    expect(answer!.conversationId).toBe(`a:1dm-${RITA.id}`);
    const inThread = sends.filter((c) => c.conversationId === `${ALERTS};messageid=1700000000001`);
    expect(inThread.map((c) => c.body.text)).toEqual(['Answered in your personal chat with storage-watch.']);

    // Uninstalled since: the chat is refused, and the answer goes to the thread.
    connector.clear();
    await sendActivity(endpoint, messageActivity({ serviceUrl: connector.url, from: RITA, channel: ALERTS, text: 'baseline alice@corp.com' }));
    await Promise.all(lookups.splice(0));
    expect(connector.calls.filter((c) => c.kind === 'send' && c.conversationId === `a:1dm-${RITA.id}`).map((c) => c.status)).toEqual([403]);
    expect(text(connector.callsOf('send').find((c) => c.conversationId === `${ALERTS};messageid=1700000000001`)!.body)).toContain('Baseline of alice@corp.com');
  });

  it('answers a bad command with the usage, and ignores channel messages that do not mention the bot', async () => {
    await sendActivity(endpoint, messageActivity({ serviceUrl: connector.url, from: OSCAR, channel: ALERTS, text: 'who' }));
    const usage = await eventually(() => connector.calls.find((c) => text(c.body).includes('needs a principal')));
    expect(usage.status).toBeLessThan(300);
    expect(text(usage.body)).toContain('baseline <principal>');
    expect(text(usage.body)).not.toContain('/storage-baseline');
    const before = connector.calls.length;
    const plain = messageActivity({ serviceUrl: connector.url, from: OSCAR, channel: ALERTS, text: 'who alice@corp.com' });
    plain.entities = [];
    plain.text = 'who alice@corp.com';
    expect((await sendActivity(endpoint, plain)).status).toBe(200);
    expect(connector.calls.length).toBe(before);
  });

  it('honours 429 with Retry-After from the Bot Connector', async () => {
    const other = await seedFinding(db.sql, person('bob@corp.com'), Date.now() - 20 * 60_000);
    connector.clear();
    connector.rateLimit('create', 1, 1);
    expect((await service.notifyFinding(other.id)).teams!.action).toBe('posted');
    const attempts = connector.calls.filter((c) => c.kind === 'create');
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(connector.messages).toHaveLength(1);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1000);
  });
});
