import { LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LookupRequest } from '../../src/chat/answer-lookup.js';
import { createChatService, type ChatService } from '../../src/chat/chat-service.js';
import { createSlackPlatform } from '../../src/chat/slack/index.js';
import { parseSlackConfig } from '../../src/chat/slack/slack-config.js';
import type { Finding } from '../../src/core/finding.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { recentAudit } from '../../src/store/audit-log.js';
import { getFinding, getFindingDecision } from '../../src/store/findings.js';
import { listSuppressions } from '../../src/store/suppressions.js';
import { startRecorder, type HttpRecorder } from '../fakes/http-recorder.js';
import { interaction, sendSigned } from '../fakes/slack-signing.js';
import { FakeSlackWebApi } from '../fakes/slack-web-api.js';
import { createTestDatabase, ENGINES, type Engine, type TestDatabase } from '../helpers/databases.js';
import { eventually, person, seedFinding } from './chat-fixtures.js';

const SECRET = 'test-signing-secret';
const ALERTS = 'C0ALERTS1';
const ESCALATIONS = 'C0ESCALATE';
const RESPONDER = 'U0RESP1';
const OUTSIDER = 'U0OTHER';
const GROUPIE = 'U0GROUPIE';
const alice = person('alice@corp.com');

describe.each(ENGINES)('the Slack app over HTTP on %s', (engine: Engine) => {
  let db: TestDatabase;
  let fake: FakeSlackWebApi;
  let webhook: HttpRecorder;
  let pagerDuty: HttpRecorder;
  let responses: HttpRecorder;
  let platform: ChatService;
  let events: string;
  let finding: Finding;
  let cardTs: string;
  const lookups: Promise<unknown>[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    fake = await FakeSlackWebApi.start({
      token: 'xoxb-test',
      users: { U0ALICE: { name: 'alice', email: 'alice@corp.com' }, [RESPONDER]: { name: 'rita' } },
      groups: { S0ONCALL: [GROUPIE] },
    });
    [webhook, pagerDuty, responses] = await Promise.all([startRecorder(), startRecorder(202, { status: 'success', dedup_key: 'x' }), startRecorder()]);
    const cfg = parseSlackConfig({
      SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, SLACK_ALERT_CHANNEL: ALERTS, SLACK_ESCALATION_CHANNEL: ESCALATIONS,
      SLACK_RESPONDERS: `${RESPONDER},S0ONCALL`, ESCALATION_WEBHOOK_URL: `${webhook.url}/hook`, PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0123456789',
      PAGERDUTY_EVENTS_URL: `${pagerDuty.url}/v2/enqueue`,
    })!;
    const slack = createSlackPlatform(cfg, { clientOptions: { logLevel: LogLevel.ERROR, retryConfig: { retries: 2, minTimeout: 20, maxTimeout: 50 } } });
    platform = createChatService([slack], {
      sql: db.sql, settings: detectionSettings(), escalation: cfg.escalation,
      // The lead wires this to BullMQ; here the lookup runs right away, after the ack, like a worker would.
      enqueueLookup: (req: LookupRequest) => {
        lookups.push(platform.answerLookup(req));
        return Promise.resolve();
      },
    });
    const { port } = await platform.start({ port: 0, host: '127.0.0.1' });
    events = `http://127.0.0.1:${port}/slack/events`;
  });
  afterAll(async () => {
    await platform?.stop();
    await Promise.all([fake?.close(), webhook?.close(), pagerDuty?.close(), responses?.close()]);
    await db?.drop();
  });
  beforeEach(async () => {
    await db.reset();
    fake.clearCalls();
    webhook.requests.length = 0;
    pagerDuty.requests.length = 0;
    responses.requests.length = 0;
    finding = await seedFinding(db.sql, alice, Date.now() - 15 * 60_000);
    cardTs = (await platform.notifyFinding(finding.id)).slack!.ref!.ts;
  });

  const click = (user: string, actionId: string, findingId = finding.id): Record<string, string> => interaction({
    type: 'block_actions', user: { id: user, username: user.toLowerCase(), team_id: 'T0TEST' }, api_app_id: 'A0APP', token: 'legacy',
    team: { id: 'T0TEST', domain: 'acme' }, trigger_id: `trigger-${user}`, response_url: `${responses.url}/actions`,
    container: { type: 'message', message_ts: cardTs, channel_id: ALERTS, is_ephemeral: false }, channel: { id: ALERTS, name: 'alerts' },
    message: { type: 'message', ts: cardTs, text: 'card' },
    actions: [{ action_id: actionId, block_id: 'b1', type: 'button', value: findingId, action_ts: '1.1' }],
  });

  const submit = (user: string, callbackId: string, values: Record<string, unknown>, findingId = finding.id): Record<string, string> => interaction({
    type: 'view_submission', team: { id: 'T0TEST', domain: 'acme' }, user: { id: user, username: user.toLowerCase(), team_id: 'T0TEST' }, api_app_id: 'A0APP',
    token: 'legacy', trigger_id: 't2',
    view: {
      id: 'V0MODAL', team_id: 'T0TEST', type: 'modal', callback_id: callbackId, private_metadata: JSON.stringify({ findingId, channel: ALERTS, ts: cardTs }),
      state: { values }, hash: 'h', title: { type: 'plain_text', text: 'x' }, blocks: [],
    },
  });

  const reason = (text: string): Record<string, unknown> => ({ reason: { value: { type: 'plain_text_input', value: text } } });

  it('accepts correctly signed requests and rejects forged and stale ones with 401', async () => {
    const ok = await sendSigned(events, SECRET, { command: '/storage-help', text: '', user_id: RESPONDER, team_id: 'T0TEST', response_url: `${responses.url}/r` });
    expect(ok.status).toBe(200);
    const forged = await sendSigned(events, 'wrong-secret', click(OUTSIDER, 'storage_watch_benign'));
    expect(forged.status).toBe(401);
    const stale = await sendSigned(events, SECRET, click(OUTSIDER, 'storage_watch_benign'), Math.floor(Date.now() / 1000) - 6 * 60);
    expect(stale.status).toBe(401);
    expect((await recentAudit(db.sql)).filter((a) => a.action.startsWith('finding.'))).toEqual([]);
    expect(fake.callsTo('chat.postEphemeral')).toEqual([]);
  });

  it('lets a responder mark a finding benign: modal, decision, suppression, audit, card updated for everyone', async () => {
    expect((await sendSigned(events, SECRET, click(RESPONDER, 'storage_watch_benign'))).status).toBe(200);
    const open = await eventually(() => fake.callsTo('views.open')[0]);
    const view = open.body.view as { callback_id: string; blocks: { block_id?: string; element?: { options?: { value: string }[] } }[] };
    expect(open.body.trigger_id).toBe(`trigger-${RESPONDER}`);
    expect(view.blocks.find((b) => b.block_id === 'scope')!.element!.options!.map((o) => o.value)).toEqual(['ip', 'detector', 'identity']);
    expect(view.blocks.find((b) => b.block_id === 'expiry')!.element!.options!.map((o) => o.value)).toEqual(['1d', '7d', '30d', 'never']);

    const before = Date.now();
    const res = await sendSigned(events, SECRET, submit(RESPONDER, view.callback_id, {
      ...reason('Nightly backup to the DR site'), scope: { value: { type: 'radio_buttons', selected_option: { value: 'ip' } } },
      expiry: { value: { type: 'static_select', selected_option: { value: '7d' } } },
    }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const update = await eventually(() => fake.callsTo('chat.update').find((c) => JSON.stringify(c.body.blocks).includes('Marked benign')));
    expect(update.body).toMatchObject({ channel: ALERTS, ts: cardTs });
    const blocks = JSON.stringify(update.body.blocks);
    expect(blocks).toContain(`Marked benign* by <@${RESPONDER}>`);
    expect(blocks).toContain('_Nightly backup to the DR site_');
    expect(blocks).toContain('suppressed for this IP 203.0.113.50 (volume-exfiltration) until');
    expect(blocks).not.toContain('storage_watch_benign');

    expect(await getFinding(db.sql, finding.id)).toMatchObject({ status: 'benign' });
    expect(await getFindingDecision(db.sql, finding.id)).toMatchObject({ status: 'benign', by: `slack:${RESPONDER}`, reason: 'Nightly backup to the DR site' });
    const [s] = await listSuppressions(db.sql);
    expect(s).toMatchObject({ identity: alice.key, detector: 'volume-exfiltration', ip: '203.0.113.50', author: `slack:${RESPONDER}`, reason: 'Nightly backup to the DR site' });
    expect(s!.expiresAt! - before).toBeGreaterThanOrEqual(7 * 86_400_000 - 60_000);
    expect(s!.expiresAt! - before).toBeLessThanOrEqual(7 * 86_400_000 + 60_000);
    const audit = (await recentAudit(db.sql)).filter((a) => a.target === finding.id).reverse();
    expect(audit.map((a) => [a.actor, a.action, a.result])).toEqual([
      [`slack:${RESPONDER}`, 'finding.benign.request', 'allowed'], [`slack:${RESPONDER}`, 'finding.benign', 'done'],
    ]);
    expect(audit[1]!.detail).toMatchObject({ reason: 'Nightly backup to the DR site', suppression: s!.id, scope: 'ip:203.0.113.50' });
  });

  it('refuses a non-responder with an ephemeral message and audits the attempt; a forged submission changes nothing', async () => {
    expect((await sendSigned(events, SECRET, click(OUTSIDER, 'storage_watch_benign'))).status).toBe(200);
    const ephemeral = await eventually(() => fake.callsTo('chat.postEphemeral')[0]);
    expect(ephemeral.body).toMatchObject({ channel: ALERTS, user: OUTSIDER });
    expect(String(ephemeral.body.text)).toMatch(/Only configured responders can mark findings benign/);
    expect(fake.callsTo('views.open')).toEqual([]);

    const res = await sendSigned(events, SECRET, submit(OUTSIDER, 'storage_watch_escalate_form', reason('let me in')));
    expect(await res.json()).toEqual({ response_action: 'errors', errors: { reason: expect.stringMatching(/Only configured responders can escalate/) as unknown } });
    expect(await getFinding(db.sql, finding.id)).toMatchObject({ status: 'open' });
    expect(await listSuppressions(db.sql)).toEqual([]);
    const audit = (await recentAudit(db.sql)).filter((a) => a.target === finding.id).reverse();
    expect(audit.map((a) => [a.actor, a.action, a.result])).toEqual([
      [`slack:${OUTSIDER}`, 'finding.benign.request', 'refused'], [`slack:${OUTSIDER}`, 'finding.escalate', 'refused'],
    ]);
  });

  it('lets a member of a responder user group escalate: card updated, escalation channel, webhook and PagerDuty notified', async () => {
    await sendSigned(events, SECRET, click(GROUPIE, 'storage_watch_escalate'));
    const open = await eventually(() => fake.callsTo('views.open')[0]);
    const view = open.body.view as { callback_id: string; blocks: { block_id?: string }[] };
    expect(view.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(['reason']);

    expect((await sendSigned(events, SECRET, submit(GROUPIE, view.callback_id, reason('Not a known job; 3 GB to an unknown VPS')))).status).toBe(200);
    const [hook] = await webhook.waitFor(1);
    const [page] = await pagerDuty.waitFor(1);
    expect(hook!.path).toBe('/hook');
    expect(hook!.json).toMatchObject({
      event: 'storage_watch.finding.escalated', finding: { id: finding.id, severity: 'high', principal: { id: 'alice@corp.com' } },
      decision: { by: `slack:${GROUPIE}`, reason: 'Not a known job; 3 GB to an unknown VPS' }, link: `https://acme.slack.com/archives/${ALERTS}/p${cardTs.replace('.', '')}`,
    });
    expect(page!.path).toBe('/v2/enqueue');
    expect(page!.json).toMatchObject({
      routing_key: 'R0UTINGKEY0123456789', event_action: 'trigger', dedup_key: `storage-watch-${finding.id}`,
      payload: { severity: 'error', source: 'aws:111122223333', class: 'volume-exfiltration', summary: expect.stringContaining('alice@corp.com') as unknown },
    });
    const notice = await eventually(() => fake.callsTo('chat.postMessage').find((c) => c.body.channel === ESCALATIONS));
    expect(JSON.stringify(notice.body.blocks)).toContain(`Escalated* by <@${GROUPIE}>`);
    const update = await eventually(() => fake.callsTo('chat.update').find((c) => JSON.stringify(c.body.blocks).includes('Escalated')));
    expect(update.body.ts).toBe(cardTs);
    expect(await getFinding(db.sql, finding.id)).toMatchObject({ status: 'escalated' });
    const notified = await eventually(async () => {
      const rows = (await recentAudit(db.sql)).filter((a) => a.action === 'finding.escalate.notify');
      return rows.length === 3 ? rows : undefined;
    });
    expect(notified.map((a) => [a.result, (a.detail as { to: string }).to]).sort()).toEqual([['done', 'channel'], ['done', 'pagerduty'], ['done', 'webhook']]);
    expect(await listSuppressions(db.sql)).toEqual([]);

    // A stale card clicked again says who decided instead of opening a second form.
    await sendSigned(events, SECRET, click(RESPONDER, 'storage_watch_benign'));
    const again = await eventually(() => fake.callsTo('chat.postEphemeral')[0]);
    expect(String(again.body.text)).toContain(`already escalated by slack:${GROUPIE}`);
    expect(fake.callsTo('views.open')).toHaveLength(1);
  });

  it('answers Details with the full evidence in the card\'s thread', async () => {
    await sendSigned(events, SECRET, click(OUTSIDER, 'storage_watch_details'));
    const reply = await eventually(() => fake.callsTo('chat.postMessage').find((c) => c.body.thread_ts === cardTs));
    expect(reply.body.channel).toBe(ALERTS);
    const text = JSON.stringify(reply.body.blocks);
    expect(text).toContain('Observed vs expected');
    expect(text).toContain('`hr-records/salaries.csv`');
    expect(text).toContain('43× the usual hourly volume');
  });

  it('ignores a click whose button value is not a finding id, and says so for a finding that no longer exists', async () => {
    await sendSigned(events, SECRET, click(RESPONDER, 'storage_watch_benign', '"; drop table findings; --'));
    await sendSigned(events, SECRET, click(RESPONDER, 'storage_watch_benign', 'deadbeef0000'));
    const ephemeral = await eventually(() => fake.callsTo('chat.postEphemeral')[0]);
    expect(String(ephemeral.body.text)).toMatch(/no longer exists/);
    expect(fake.callsTo('views.open')).toEqual([]);
    expect(await getFinding(db.sql, finding.id)).toMatchObject({ status: 'open' });
  });

  it('acks a slash command at once and delivers the answer to its response_url', async () => {
    const res = await sendSigned(events, SECRET, {
      token: 'legacy', team_id: 'T0TEST', channel_id: ALERTS, user_id: RESPONDER, user_name: 'rita', command: '/storage-who', text: '<@U0ALICE|alice> last 6h',
      api_app_id: 'A0APP', response_url: `${responses.url}/commands/1`, trigger_id: 't3',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ response_type: 'ephemeral', text: 'Looking that up…' });
    const [answer] = await responses.waitFor(1);
    expect(answer!.path).toBe('/commands/1');
    const body = answer!.json as { response_type: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    const text = JSON.stringify(body.blocks);
    expect(text).toContain('*alice@corp.com* (user, AWS 111122223333)');
    expect(text).toMatch(/\*55 requests\*/);
    expect(text).toContain('*[NEW]* `203.0.113.50` (40)');
    expect(text).toContain('Open findings');
    expect(fake.callsTo('users.info').map((c) => c.body.user)).toEqual(['U0ALICE']);
    expect((await recentAudit(db.sql)).map((a) => [a.actor, a.action, a.result])).toContainEqual([`slack:${RESPONDER}`, 'lookup.who', 'done']);
  });

  it('checks the bot token once at start, not before every request it acks', async () => {
    for (const i of [1, 2, 3]) {
      const res = await sendSigned(events, SECRET, { team_id: 'T0TEST', user_id: RESPONDER, command: '/storage-help', text: '', response_url: `${responses.url}/r${i}`, channel_id: ALERTS });
      expect(res.status).toBe(200);
    }
    expect((await sendSigned(events, SECRET, click(OUTSIDER, 'storage_watch_details'))).status).toBe(200);
    await eventually(() => fake.callsTo('chat.postMessage').find((c) => c.body.thread_ts === cardTs));
    expect(fake.callsTo('auth.test')).toEqual([]);
  });

  it('answers malformed and unknown commands with the usage, straight in the ack', async () => {
    for (const [command, text, error] of [['/storage-who', '', /needs a principal/], ['/storage-who', 'alice last soon', /not a duration/], ['/storage-foo', 'x', /unknown command/]] as const) {
      const res = await sendSigned(events, SECRET, { team_id: 'T0TEST', user_id: RESPONDER, command, text, response_url: `${responses.url}/r`, channel_id: ALERTS });
      const body = JSON.stringify(await res.json());
      expect(body).toMatch(error);
      expect(body).toContain('/storage-who &lt;principal&gt; [last &lt;N&gt;m|h|d]');
    }
    expect(responses.requests).toEqual([]);
  });

  it('answers /storage-findings and /storage-baseline through the same path', async () => {
    await sendSigned(events, SECRET, { team_id: 'T0TEST', user_id: RESPONDER, command: '/storage-findings', text: 'open', response_url: `${responses.url}/f`, channel_id: ALERTS });
    await sendSigned(events, SECRET, { team_id: 'T0TEST', user_id: RESPONDER, command: '/storage-baseline', text: 'alice@corp.com', response_url: `${responses.url}/b`, channel_id: ALERTS });
    await responses.waitFor(2);
    const byPath = new Map(responses.requests.map((r) => [r.path, JSON.stringify(r.json)]));
    expect(byPath.get('/f')).toContain('Bulk download of 3.0 GB from a new address');
    expect(byPath.get('/f')).toContain(finding.id);
    expect(byPath.get('/b')).toContain('Typical active day');
    expect(byPath.get('/b')).toContain('still learning');
  });
});
