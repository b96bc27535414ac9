import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/main.js';
import { recentAudit } from '../../src/store/audit-log.js';
import { getFinding } from '../../src/store/findings.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { Sql } from '../../src/store/sql.js';
import { eventually, person, seedFinding } from '../chat/chat-fixtures.js';
import { freePort, QueueObserver } from '../e2e/service-harness.js';
import { startRecorder, type HttpRecorder } from '../fakes/http-recorder.js';
import { interaction, slackSignature } from '../fakes/slack-signing.js';
import { FakeSlackWebApi } from '../fakes/slack-web-api.js';
import { createSchema, dropSchema, schemaUrl } from '../helpers/databases.js';

const SECRET = 'replay-signing-secret';
const TOKEN = 'xoxb-replay';
const ALERTS = 'C0REPLAYAL';
const RESPONDER = 'U0REPLAYR';
const REDIS_URL = 'redis://127.0.0.1:6379';

/** One signed request exactly as Slack sent it: the same bytes can be sent again (a replay). */
interface Signed {
  body: string;
  headers: Record<string, string>;
}

function signed(fields: Record<string, string>, timestamp = Math.floor(Date.now() / 1000)): Signed {
  const body = new URLSearchParams(fields).toString();
  return {
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SECRET, timestamp, body) },
  };
}

/** Waits long enough for a second answer, card or audit row to show up if the service were to produce one. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1_500));

describe('drill: a replayed signed Slack request does not act twice (Bolt over HTTP, real Redis and PostgreSQL)', () => {
  const prefix = `sw-replay-${randomBytes(4).toString('hex')}`;
  let schema: string;
  let fake: FakeSlackWebApi;
  let answers: HttpRecorder;
  let webhook: HttpRecorder;
  let observer: QueueObserver;
  let service: Service | undefined;
  let sql: Sql | undefined;
  let events: string;
  let findingId: string;

  const send = async (r: Signed, extra: Record<string, string> = {}): Promise<{ status: number; text: string }> => {
    const res = await fetch(events, { method: 'POST', headers: { ...r.headers, ...extra }, body: r.body });
    return { status: res.status, text: await res.text() };
  };

  beforeAll(async () => {
    schema = await createSchema();
    fake = await FakeSlackWebApi.start({ token: TOKEN, users: { [RESPONDER]: { name: 'rita' } } });
    [answers, webhook] = await Promise.all([startRecorder(), startRecorder()]);
    observer = new QueueObserver(REDIS_URL, prefix);
    const port = await freePort();
    events = `http://127.0.0.1:${port}/slack/events`;
    service = await startService({ chat: true, workers: true }, loadConfig({
      DATABASE_URL: schemaUrl(schema), REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', OPS_PORT: '0',
      SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, SLACK_ALERT_CHANNEL: ALERTS,
      SLACK_RESPONDERS: RESPONDER, ESCALATION_WEBHOOK_URL: `${webhook.url}/hook`, PORT: String(port),
    }));
    sql = await openDatabase({ url: schemaUrl(schema) });
  });

  afterAll(async () => {
    await service?.stop();
    await sql?.close();
    await observer?.removeAllAndClose();
    await Promise.all([fake?.close(), answers?.close(), webhook?.close()]);
    if (schema) await dropSchema(schema);
  });

  let seeded = 0;
  beforeEach(async () => {
    // A finding of its own for each test, about someone new (an open finding absorbs repeats of the same identity).
    findingId = (await seedFinding(sql!, person(`user${++seeded}@corp.com`), Date.now() - 15 * 60_000)).id;
    fake.clearCalls();
    answers.requests.length = 0;
    webhook.requests.length = 0;
  });

  const audits = async (action: string): Promise<unknown[]> => (await recentAudit(sql!, 500)).filter((a) => a.action === action);

  it('answers a /storage-who once when the same body and signature arrive twice inside the window (the replay gets 409) or it is re-sent re-signed', async () => {
    const who = signed({
      token: 'legacy', team_id: 'T0TEST', channel_id: ALERTS, user_id: RESPONDER, user_name: 'rita', command: '/storage-who', text: 'user1@corp.com last 6h',
      api_app_id: 'A0APP', response_url: `${answers.url}/who/replayed`, trigger_id: 'trigger-who-1',
    });
    const first = await send(who);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toMatchObject({ text: 'Looking that up…' });
    await answers.waitFor(1, 15_000);
    await new Promise((r) => setTimeout(r, 2_000));

    const replay = await send(who);
    expect(replay.status).toBe(409);
    // Delivered again under a new signature, as a retry would be: acked, not looked up again.
    const fields = Object.fromEntries(new URLSearchParams(who.body));
    const retried = await send(signed(fields, Math.floor(Date.now() / 1000) + 1), { 'x-slack-retry-num': '1' });
    expect(retried.status).toBe(200);
    await settle();
    expect(answers.requests.map((r) => r.path)).toEqual(['/who/replayed']);
    expect(await audits('lookup.who')).toHaveLength(1);
    expect(await observer.completed('lookup')).toHaveLength(1);
  });

  it('escalates once when a signed Escalate submission is replayed, and once when Slack re-delivers it with a new signature', async () => {
    const submission = {
      type: 'view_submission', team: { id: 'T0TEST', domain: 'acme' }, user: { id: RESPONDER, username: 'rita', team_id: 'T0TEST' }, api_app_id: 'A0APP',
      token: 'legacy', trigger_id: `trigger-escalate-${findingId}`,
      view: {
        id: 'V0ESCALATE', team_id: 'T0TEST', type: 'modal', callback_id: 'storage_watch_escalate_form', private_metadata: JSON.stringify({ findingId, channel: ALERTS }),
        hash: 'h', title: { type: 'plain_text', text: 'Escalate' }, blocks: [],
        state: { values: { reason: { value: { type: 'plain_text_input', value: '3 GB to an unknown VPS' } } } },
      },
    };
    const escalate = signed(interaction(submission));
    expect((await send(escalate)).status).toBe(200);
    await webhook.waitFor(1, 15_000);
    expect(await getFinding(sql!, findingId)).toMatchObject({ status: 'escalated' });

    expect((await send(escalate)).status).toBe(409);
    // Slack's own retry: the same payload signed again later, marked with X-Slack-Retry-Num.
    const retried = await send(signed(interaction(submission), Math.floor(Date.now() / 1000) + 1), { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(retried.status).toBe(200);
    expect(retried.text).toBe('');
    await settle();
    expect(webhook.requests).toHaveLength(1);
    const rows = (await recentAudit(sql!, 500)).filter((a) => a.target === findingId).map((a) => [a.action, a.result]);
    expect(rows).toEqual([['finding.escalate.notify', 'done'], ['finding.escalate', 'done']]);
  });

  it('opens one form for a click delivered twice (replayed, then retried by Slack) and acknowledges the retry of an accepted request', async () => {
    const click = interaction({
      type: 'block_actions', user: { id: RESPONDER, username: 'rita', team_id: 'T0TEST' }, api_app_id: 'A0APP', token: 'legacy',
      team: { id: 'T0TEST', domain: 'acme' }, trigger_id: `trigger-benign-${findingId}`, response_url: `${answers.url}/actions`,
      container: { type: 'message', message_ts: '1.000100', channel_id: ALERTS, is_ephemeral: false }, channel: { id: ALERTS, name: 'alerts' },
      actions: [{ action_id: 'storage_watch_benign', block_id: 'actions', type: 'button', value: findingId, action_ts: '1733478000.000200' }],
    });
    const first = signed(click);
    expect((await send(first)).status).toBe(200);
    await eventually(() => fake.callsTo('views.open')[0]);

    const sameSignatureRetry = await send(first, { 'x-slack-retry-num': '1' });
    expect(sameSignatureRetry.status).toBe(200);
    expect(sameSignatureRetry.text).toBe('');
    expect((await send(signed(click, Math.floor(Date.now() / 1000) + 2), { 'x-slack-retry-num': '2' })).status).toBe(200);
    await settle();
    expect(fake.callsTo('views.open')).toHaveLength(1);
    expect(fake.callsTo('chat.postEphemeral')).toEqual([]);
    expect(await audits('finding.benign.request')).toHaveLength(1);
  });

  it('still acts on a new request with the same content but its own signature (a second, real click)', async () => {
    const help = { token: 'legacy', team_id: 'T0TEST', channel_id: ALERTS, user_id: RESPONDER, command: '/storage-help', text: '', response_url: `${answers.url}/h` };
    const a = await send(signed(help, Math.floor(Date.now() / 1000) - 1));
    const b = await send(signed(help));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(JSON.parse(b.text)).toMatchObject({ response_type: 'ephemeral' });
  });
});
