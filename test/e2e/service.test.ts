import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { identityKey } from '../../src/core/event.js';
import { startService, type Service } from '../../src/main.js';
import { recentAudit } from '../../src/store/audit-log.js';
import { getFinding, getFindingDecision } from '../../src/store/findings.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { Sql } from '../../src/store/sql.js';
import { listSuppressions } from '../../src/store/suppressions.js';
import { eventually } from '../chat/chat-fixtures.js';
import { startRecorder, type HttpRecorder } from '../fakes/http-recorder.js';
import { interaction, sendSigned } from '../fakes/slack-signing.js';
import { FakeSlackWebApi, type SlackCall } from '../fakes/slack-web-api.js';
import { cloudTrailRecord, ndjson } from '../helpers/cloud-trail-records.js';
import { createSchema, dropSchema, schemaUrl } from '../helpers/databases.js';
import { ATTACK_DAY, DATASET_EVENTS, KNOWN_IP, NEW_IP, RCLONE, writeNewIpDataset } from '../helpers/new-ip-dataset.js';
import { DAY, HOUR } from '../helpers/store-fixtures.js';
import { freePort, openHandles, QueueObserver } from './service-harness.js';

const SECRET = 'e2e-signing-secret';
const TOKEN = 'xoxb-e2e-token';
const ALERTS = 'C0E2EALERTS';
const RESPONDER = 'U0RESPE2E';
const OUTSIDER = 'U0OUTSIDE';
const REDIS_URL = 'redis://127.0.0.1:6379';
const ALICE = identityKey({ cloud: 'aws', account: '111122223333', principal: { id: 'arn:aws:iam::111122223333:user/alice', name: 'alice', type: 'user' } });
const WAIT = 15_000;
/** A third address alice never used, for logs that arrive after the first scan. */
const LATER_IP = '192.0.2.77';

/** The day after the attack: her usual 9 o'clock read, then at 10 six 50 MB downloads from LATER_IP with rclone. */
function writeLaterIncident(dir: string): void {
  const day = ATTACK_DAY + DAY;
  const records = [cloudTrailRecord({ time: day + 9 * HOUR, ip: KNOWN_IP })];
  for (let k = 0; k < 6; k++) {
    records.push(cloudTrailRecord({ time: day + 10 * HOUR + k * 5 * 60_000, ip: LATER_IP, userAgent: RCLONE, key: `payroll/again-${k}.csv`, bytesOut: 50_000_000 }));
  }
  writeFileSync(join(dir, 'trail-15.ndjson'), ndjson(records));
}

/** Runs every cleanup step even when one fails, then reports the first failure. */
async function settle(steps: (() => unknown)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length) throw errors[0];
}

type Block = { type: string; elements?: { action_id?: string; value?: string }[] };

describe('storage-watch service, end to end: log files -> jobs -> Slack card -> triage, lookups, shutdown', () => {
  const handlesAtStart = openHandles();
  const prefix = `sw-e2e-${randomBytes(4).toString('hex')}`;
  let tmp: string;
  let schema: string;
  let fake: FakeSlackWebApi;
  let responses: HttpRecorder;
  let observer: QueueObserver;
  let sql: Sql | undefined;
  const db = (): Sql => sql!;
  let service: Service | undefined;
  let events: string;
  let card: SlackCall;
  let findingId: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sw-e2e-'));
    writeNewIpDataset(tmp);
    schema = await createSchema();
    fake = await FakeSlackWebApi.start({ token: TOKEN, users: { [RESPONDER]: { name: 'rita' }, [OUTSIDER]: { name: 'oscar' } } });
    responses = await startRecorder();
    observer = new QueueObserver(REDIS_URL, prefix);
    const port = await freePort();
    events = `http://127.0.0.1:${port}/slack/events`;
    service = await startService({ chat: true, workers: true }, loadConfig({
      DATABASE_URL: schemaUrl(schema), REDIS_URL, QUEUE_PREFIX: prefix, FILES_SOURCE_DIR: tmp, LOG_LEVEL: 'silent',
      SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, SLACK_ALERT_CHANNEL: ALERTS,
      SLACK_RESPONDERS: RESPONDER, PORT: String(port), OPS_PORT: '0',
    }));
    // Our own connection, after the service migrated the schema, to check what it stored.
    sql = await openDatabase({ url: schemaUrl(schema) });
  });

  afterAll(async () => {
    // Idempotent: the last test already closed everything when it passed.
    await settle([
      () => service?.stop(), () => sql?.close(), () => observer?.removeAllAndClose(), () => fake?.close(), () => responses?.close(),
      () => schema && dropSchema(schema), () => tmp && rmSync(tmp, { recursive: true, force: true }),
    ]);
  });

  const click = (user: string, actionId: string): Record<string, string> => interaction({
    type: 'block_actions', user: { id: user, username: user.toLowerCase(), team_id: 'T0TEST' }, api_app_id: 'A0APP', token: 'legacy',
    team: { id: 'T0TEST', domain: 'acme' }, trigger_id: `trigger-${user}`, response_url: `${responses.url}/actions`,
    container: { type: 'message', message_ts: cardTs(), channel_id: ALERTS, is_ephemeral: false }, channel: { id: ALERTS, name: 'alerts' },
    message: { type: 'message', ts: cardTs(), text: 'card' },
    actions: [{ action_id: actionId, block_id: 'actions', type: 'button', value: findingId, action_ts: '1.1' }],
  });

  const cardTs = (): string => fake.messages.find((m) => m.channel === ALERTS && JSON.stringify(m.blocks).includes(findingId))!.ts;

  it('scans the log directory at boot, detects the new address and posts its card to the alert channel', async () => {
    card = await eventually(() => fake.callsTo('chat.postMessage').find((c) => c.body.channel === ALERTS && String(c.body.text).includes(`New source IP ${NEW_IP}`)), WAIT);
    expect(card.token).toBe(TOKEN);
    const blocks = JSON.stringify(card.body.blocks);
    expect(blocks).toContain('alice');
    expect(blocks).toContain(RCLONE);
    const buttons = (card.body.blocks as Block[]).flatMap((b) => b.elements ?? []).filter((e) => e.action_id);
    expect(buttons.map((b) => b.action_id)).toEqual(['storage_watch_benign', 'storage_watch_escalate', 'storage_watch_details']);
    findingId = buttons[0]!.value!;
    expect(await getFinding(db(), findingId)).toMatchObject({ detector: 'new-source-ip', status: 'open', identity: ALICE, scope: `ip:${NEW_IP}` });

    // The card came through the queues: the scheduler's scan, one scan per scope of the directory, one detection run, a notify job for this finding.
    const scans = await observer.completed('scan');
    const scheduled = scans.filter((j) => j.repeatJobKey === 'scan-files');
    expect(scheduled.map((j): unknown => j.data)).toEqual([{ provider: 'files' }]);
    const scopes = scans.filter((j) => !j.repeatJobKey);
    expect(scheduled[0]!.returnvalue).toEqual({ scopes: scopes.length, failedSources: 0 });
    expect(scopes.map((j) => (j.data as { source: string }).source)).toEqual(scopes.map(() => 'files'));
    expect(scopes.reduce((n, j) => n + (j.returnvalue as { events: number }).events, 0)).toBe(DATASET_EVENTS);
    const detect = await eventually(async () => (await observer.completed('detect'))[0], WAIT);
    expect((detect.returnvalue as { notified: number }).notified).toBeGreaterThanOrEqual(1);
    const notify = await eventually(async () => (await observer.completed('notify')).find((j) => (j.data as { findingId: string }).findingId === findingId), WAIT);
    expect(notify.returnvalue).toMatchObject({ slack: { action: 'posted', ref: { channel: ALERTS } } });
    // One card per finding, however the jobs were retried.
    expect(fake.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.body.blocks).includes(findingId))).toHaveLength(1);
  });

  it('refuses Benign from someone who is not a responder, tells them privately and audits the attempt', async () => {
    const res = await sendSigned(events, SECRET, click(OUTSIDER, 'storage_watch_benign'));
    expect(res.status).toBe(200);
    const ephemeral = await eventually(() => fake.callsTo('chat.postEphemeral').find((c) => c.body.user === OUTSIDER), WAIT);
    expect(ephemeral.body.channel).toBe(ALERTS);
    expect(String(ephemeral.body.text)).toMatch(/Only configured responders can mark findings benign/);
    expect(fake.callsTo('views.open')).toEqual([]);
    expect(await getFinding(db(), findingId)).toMatchObject({ status: 'open' });
    const audit = (await recentAudit(db())).filter((a) => a.target === findingId);
    expect(audit.map((a) => [a.actor, a.action, a.result])).toEqual([[`slack:${OUTSIDER}`, 'finding.benign.request', 'refused']]);
  });

  it('lets a responder mark it benign: modal, decision stored as a suppression, card updated, audited', async () => {
    expect((await sendSigned(events, SECRET, click(RESPONDER, 'storage_watch_benign'))).status).toBe(200);
    const open = await eventually(() => fake.callsTo('views.open')[0], WAIT);
    expect(open.body.trigger_id).toBe(`trigger-${RESPONDER}`);
    const view = open.body.view as { callback_id: string; private_metadata: string; blocks: { block_id?: string; element?: { options?: { value: string }[] } }[] };
    expect(view.blocks.find((b) => b.block_id === 'scope')!.element!.options!.map((o) => o.value)).toEqual(['ip', 'detector', 'identity']);

    const before = Date.now();
    const res = await sendSigned(events, SECRET, interaction({
      type: 'view_submission', team: { id: 'T0TEST', domain: 'acme' }, user: { id: RESPONDER, username: 'rita', team_id: 'T0TEST' }, api_app_id: 'A0APP',
      token: 'legacy', trigger_id: 't2',
      view: {
        id: 'V0MODAL', team_id: 'T0TEST', type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata, hash: 'h',
        title: { type: 'plain_text', text: 'Mark benign' }, blocks: [],
        state: {
          values: {
            reason: { value: { type: 'plain_text_input', value: 'Alice on the hotel wifi, confirmed by phone' } },
            scope: { value: { type: 'radio_buttons', selected_option: { value: 'ip' } } },
            expiry: { value: { type: 'static_select', selected_option: { value: '7d' } } },
          },
        },
      },
    }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');

    const update = await eventually(() => fake.callsTo('chat.update').find((c) => JSON.stringify(c.body.blocks).includes('Marked benign')), WAIT);
    expect(update.body).toMatchObject({ channel: ALERTS, ts: cardTs() });
    const blocks = JSON.stringify(update.body.blocks);
    expect(blocks).toContain(`Marked benign* by <@${RESPONDER}>`);
    expect(blocks).toContain('_Alice on the hotel wifi, confirmed by phone_');
    expect(blocks).not.toContain('storage_watch_benign');

    expect(await getFinding(db(), findingId)).toMatchObject({ status: 'benign' });
    expect(await getFindingDecision(db(), findingId)).toMatchObject({ status: 'benign', by: `slack:${RESPONDER}` });
    const suppressions = await listSuppressions(db());
    expect(suppressions).toHaveLength(1);
    const [s] = suppressions;
    expect(s).toMatchObject({ identity: ALICE, detector: 'new-source-ip', ip: NEW_IP, author: `slack:${RESPONDER}`, reason: 'Alice on the hotel wifi, confirmed by phone' });
    expect(s!.expiresAt! - before).toBeGreaterThanOrEqual(7 * 86_400_000 - 60_000);
    expect(s!.expiresAt! - before).toBeLessThanOrEqual(7 * 86_400_000 + 60_000);
    const audit = (await recentAudit(db())).filter((a) => a.target === findingId && a.actor === `slack:${RESPONDER}`).reverse();
    expect(audit.map((a) => [a.action, a.result])).toEqual([['finding.benign.request', 'allowed'], ['finding.benign', 'done']]);
    expect(audit[1]!.detail).toMatchObject({ suppression: s!.id, scope: `ip:${NEW_IP}` });
  });

  it('acks /storage-who in the request and answers through response_url from a lookup job', async () => {
    const res = await sendSigned(events, SECRET, {
      token: 'legacy', team_id: 'T0TEST', channel_id: ALERTS, user_id: RESPONDER, user_name: 'rita', command: '/storage-who', text: 'alice last 6h',
      api_app_id: 'A0APP', response_url: `${responses.url}/commands/who-1`, trigger_id: 't3',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ response_type: 'ephemeral', text: 'Looking that up…' });

    const [answer] = await responses.waitFor(1, WAIT);
    expect(answer!.method).toBe('POST');
    expect(answer!.path).toBe('/commands/who-1');
    const body = answer!.json as { response_type: string; text: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    expect(JSON.stringify(body.blocks)).toContain('arn:aws:iam::111122223333:user/alice');

    const job = await eventually(async () => (await observer.completed('lookup'))[0], WAIT);
    expect(job.data).toMatchObject({ responseUrl: `${responses.url}/commands/who-1`, userId: RESPONDER, command: { name: 'who' } });
    expect((await recentAudit(db())).map((a) => [a.actor, a.action, a.result])).toContainEqual([`slack:${RESPONDER}`, 'lookup.who', 'done']);
    for (const kind of ['scan', 'detect', 'notify', 'lookup'] as const) expect(await observer.failed(kind)).toEqual([]);
  });

  it('alerts on logs that arrive after the first scan at the scheduler\'s next run', async () => {
    writeLaterIncident(tmp);
    expect(await observer.runSchedulerNow('scan', 'scan-files')).toBe(true);
    const before = (await observer.completed('scan')).length;
    const scans = await eventually(async () => {
      const done = await observer.completed('scan');
      return done.filter((j) => j.repeatJobKey === 'scan-files').length >= 2 && done.length >= 2 * before ? done : undefined;
    }, WAIT);
    // Only the new files are read: the scopes' cursors moved on in the first round.
    const read = (jobs: typeof scans): number => jobs.filter((j) => !j.repeatJobKey).reduce((n, j) => n + (j.returnvalue as { events: number }).events, 0);
    expect(read(scans)).toBe(DATASET_EVENTS + 7);
    const later = await eventually(() => fake.callsTo('chat.postMessage').find((c) => String(c.body.text).includes(`New source IP ${LATER_IP}`)), 10_000).catch(() => undefined);
    const detections = (await observer.completed('detect')).map((j) => `${String(j.id)} finished ${new Date(j.finishedOn ?? 0).toISOString()}`);
    expect(later, `no card for ${LATER_IP} after the second scan; completed detection jobs: ${detections.join(', ')}`).toBeDefined();
    expect(later!.body.channel).toBe(ALERTS);
  });

  it('stops cleanly: stop() resolves, the events endpoint is gone and no socket, server or connection stays open', async () => {
    await service!.stop();
    service = undefined;
    await expect(fetch(events, { method: 'POST' })).rejects.toThrow();
    await sql!.close();
    sql = undefined;
    expect(await observer.removeAllAndClose()).toEqual([]);
    await Promise.all([fake.close(), responses.close()]);
    // Whatever the service opened (Redis, PostgreSQL, HTTP listener, keep-alive sockets) must be gone, or the process would hang.
    await eventually(() => [...openHandles()].every(([type, n]) => n <= (handlesAtStart.get(type) ?? 0)) || undefined, WAIT)
      .catch(() => expect(Object.fromEntries(openHandles())).toEqual(Object.fromEntries(handlesAtStart)));
  });
});
