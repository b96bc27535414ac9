import { LogLevel, webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatDeps } from '../../src/chat/chat-deps.js';
import { NotSentError, RateLimitedError, type Messenger } from '../../src/chat/messenger.js';
import { DEFAULT_CLAIM_TIMEOUT_MS, NotifyBusyError, notifyFinding } from '../../src/chat/notify-finding.js';
import { slackClientOptions } from '../../src/chat/slack/slack-client-options.js';
import { SlackMessenger } from '../../src/chat/slack/slack-messenger.js';
import { detectionSettings } from '../../src/detection/detection-settings.js';
import { recordFinding } from '../../src/store/record-findings.js';
import { getMessage, unnotifiedFindings } from '../../src/store/messages.js';
import { blackHole } from '../ops/service-process.js';
import { FakeSlackWebApi } from '../fakes/slack-web-api.js';
import { createTestDatabase, ENGINES, type Engine, type TestDatabase } from '../helpers/databases.js';
import { bulkDraft, evidence, person, seedFinding } from './chat-fixtures.js';

const alice = person('alice@corp.com');
const CHANNEL = 'C0ALERTS1';

/** A messenger that dies right after Slack accepted a post: the crash between posting and recording it. */
function crashingAfterPost(inner: Messenger): Messenger {
  return {
    platform: inner.platform, update: (r, c, m) => inner.update(r, c, m), findPosted: (c, m, o) => inner.findPosted(c, m, o), permalink: (r) => inner.permalink(r),
    post: async (channel, card, opts) => {
      await inner.post(channel, card, opts);
      throw new Error('worker killed');
    },
  };
}

describe.each(ENGINES)('notifyFinding on %s', (engine: Engine) => {
  let db: TestDatabase;
  let fake: FakeSlackWebApi;
  let deps: ChatDeps;
  const end = Date.now() - 10 * 60_000;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    fake = await FakeSlackWebApi.start({ token: 'xoxb-test' });
  });
  afterAll(async () => {
    await fake?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.reset();
    fake.clearCalls();
    fake.messages.length = 0;
    // The service's client policy: a request timeout, no retry of what may have reached Slack, 429s thrown.
    const client = new webApi.WebClient('xoxb-test', { ...slackClientOptions(), slackApiUrl: fake.url, logLevel: LogLevel.ERROR });
    deps = { sql: db.sql, messenger: new SlackMessenger(client), settings: detectionSettings(), channels: { alert: CHANNEL } };
  });

  it('posts the card once, marked with the finding id, and afterwards only updates it', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const first = await notifyFinding(deps, f.id);
    expect(first.action).toBe('posted');
    const [post] = fake.callsTo('chat.postMessage');
    expect(post!.body).toMatchObject({ channel: CHANNEL, metadata: { event_type: 'storage_watch_finding', event_payload: { finding_id: f.id, kind: 'card', occurrences: 1 } } });
    expect(JSON.stringify(post!.body.blocks)).toContain('Bulk download of 3.0 GB from a new address');
    expect(await getMessage(db.sql, { findingId: f.id, platform: 'slack' })).toMatchObject({ state: 'posted', channel: CHANNEL, ts: first.ref!.ts, occurrences: 1 });

    expect((await notifyFinding(deps, f.id)).action).toBe('updated');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(fake.callsTo('chat.update').map((c) => c.body.ts)).toEqual([first.ref!.ts]);
  });

  it('shows the last 24 hours of activity as a sparkline, the actions, the local time and a console link', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await notifyFinding(deps, f.id);
    const blocks = JSON.stringify(fake.callsTo('chat.postMessage')[0]!.body.blocks);
    expect(blocks).toMatch(/Requests per hour, last 24 h: `[▁-█]{24}` \(peak 40\)/);
    expect(blocks).toContain('Actions: GetObject');
    expect(blocks).toContain('*[NEW]* `203.0.113.50`');
    expect(blocks).toMatch(/\*Local time\*\\n(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d UTC/);
    expect(blocks).toContain('<https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events?Username=alice%40corp.com');
  });

  it('sends repeats of a grouped finding to the card\'s thread and updates the card\'s count, never a new card', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const { ref } = await notifyFinding(deps, f.id);
    const again = await recordFinding(db.sql, alice, bulkDraft(end + 5 * 60_000, { severity: 'critical' }));
    expect(again).toMatchObject({ change: 'updated', finding: { id: f.id, occurrences: 2 } });
    expect((await notifyFinding(deps, f.id)).action).toBe('repeat');
    const posts = fake.callsTo('chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.body).toMatchObject({ channel: CHANNEL, thread_ts: ref!.ts, metadata: { event_payload: { kind: 'repeat', occurrences: 2 } } });
    expect(JSON.stringify(posts[1]!.body.blocks)).toMatch(/Seen again: 2 occurrence\(s\)\* \(\+1\)/);
    const update = fake.callsTo('chat.update').at(-1)!;
    expect(update.body.ts).toBe(ref!.ts);
    expect(JSON.stringify(update.body.blocks)).toContain('*Seen*\\n2 time(s)');
    expect(JSON.stringify(update.body.blocks)).toContain('CRITICAL');
    expect((await notifyFinding(deps, f.id)).action).toBe('updated');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('does not post twice when retried after a crash between posting and recording the post', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await expect(notifyFinding({ ...deps, messenger: crashingAfterPost(deps.messenger) }, f.id)).rejects.toThrow('worker killed');
    expect(await getMessage(db.sql, { findingId: f.id, platform: 'slack' })).toMatchObject({ state: 'posting', ts: undefined });
    // While the interrupted claim is fresh, another worker backs off instead of posting.
    await expect(notifyFinding(deps, f.id)).rejects.toBeInstanceOf(NotifyBusyError);

    const retry = await notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id);
    expect(retry.action).toBe('recovered');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    const [history] = fake.callsTo('conversations.history');
    expect(history!.body).toMatchObject({ channel: CHANNEL, include_all_metadata: 'true' });
    expect(retry.ref!.ts).toBe(fake.messages[0]!.ts);
    expect(await getMessage(db.sql, { findingId: f.id, platform: 'slack' })).toMatchObject({ state: 'posted', ts: fake.messages[0]!.ts });
    expect((await notifyFinding(deps, f.id)).action).toBe('updated');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('posts on retry when the crash came before the post reached Slack', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const real = deps.messenger;
    const dying: Messenger = {
      platform: 'slack', post: () => Promise.reject(new Error('worker killed')), update: (r, c, m) => real.update(r, c, m),
      findPosted: (c, m, o) => real.findPosted(c, m, o), permalink: (r) => real.permalink(r),
    };
    await expect(notifyFinding({ ...deps, messenger: dying }, f.id)).rejects.toThrow('worker killed');
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id)).action).toBe('posted');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('does not repeat a thread reply when retried after a crash right after posting it', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await notifyFinding(deps, f.id);
    await recordFinding(db.sql, alice, bulkDraft(end + 5 * 60_000));
    await expect(notifyFinding({ ...deps, messenger: crashingAfterPost(deps.messenger) }, f.id)).rejects.toThrow('worker killed');
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id)).action).toBe('repeat');
    expect(fake.callsTo('chat.postMessage').filter((c) => c.body.thread_ts)).toHaveLength(1);
    expect(fake.callsTo('conversations.replies')).toHaveLength(1);
  });

  it('gives a 429 back at once with its Retry-After (no wait inside the client), and posts on the next try without waiting for the claim', async () => {
    const f = await seedFinding(db.sql, alice, end);
    fake.rateLimit('chat.postMessage', 3);
    const started = Date.now();
    const err = await notifyFinding(deps, f.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(3000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage').map((c) => c.status)).toEqual([429]);
    // Slack did nothing, so the claim is given up: the retry posts at once rather than meeting a busy claim.
    expect((await notifyFinding(deps, f.id)).action).toBe('posted');
    expect(fake.messages).toHaveLength(1);
  });

  it('a busy claim says how long until it may be taken over', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await expect(notifyFinding({ ...deps, messenger: crashingAfterPost(deps.messenger) }, f.id)).rejects.toThrow('worker killed');
    const busy = await notifyFinding(deps, f.id).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(NotifyBusyError);
    expect((busy as NotifyBusyError).retryAfterMs).toBeGreaterThan(DEFAULT_CLAIM_TIMEOUT_MS - 5_000);
    expect((busy as NotifyBusyError).retryAfterMs).toBeLessThanOrEqual(DEFAULT_CLAIM_TIMEOUT_MS + 1_000);
  });

  it('gives up the claim when Slack cannot be reached at all, so the next attempt posts once', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const closed = await FakeSlackWebApi.start();
    const gone = closed.url;
    await closed.close();
    const unreachable = new SlackMessenger(new webApi.WebClient('xoxb-test', { ...slackClientOptions(), slackApiUrl: gone, logLevel: LogLevel.ERROR }));
    await expect(notifyFinding({ ...deps, messenger: unreachable }, f.id)).rejects.toBeInstanceOf(NotSentError);
    expect((await notifyFinding(deps, f.id)).action).toBe('posted');
    expect(fake.messages).toHaveLength(1);
  });

  it('keeps the claim when Slack took the post and never answered (it may exist): the retry waits, then finds no card and posts once', async () => {
    const f = await seedFinding(db.sql, alice, end);
    const hole = await blackHole();
    try {
      const silent = new SlackMessenger(new webApi.WebClient('xoxb-test', { ...slackClientOptions(), timeout: 300, slackApiUrl: hole.url, logLevel: LogLevel.ERROR }));
      const err = await notifyFinding({ ...deps, messenger: silent }, f.id).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(NotSentError);
      // One request, no retry: a retried post that Slack had received would be a second card.
      expect(hole.connections()).toBe(1);
    } finally {
      await hole.close();
    }
    await expect(notifyFinding(deps, f.id)).rejects.toBeInstanceOf(NotifyBusyError);
    expect((await notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id)).action).toBe('posted');
    expect(fake.callsTo('conversations.history')).toHaveLength(1);
    expect(fake.messages).toHaveLength(1);
  });

  it('does not post when the history search cannot tell whether the card exists (cut short)', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await expect(notifyFinding({ ...deps, messenger: crashingAfterPost(deps.messenger) }, f.id)).rejects.toThrow('worker killed');
    // 20 pages of 200 messages of chatter after the card.
    for (let i = 0; i < 20 * 200 + 1; i++) fake.messages.push({ type: 'message', channel: CHANNEL, ts: `${Math.floor(Date.now() / 1000)}.${String(900_000 + i)}`, text: 'chatter', user: 'U1', bot_id: '' });
    await expect(notifyFinding({ ...deps, claimTimeoutMs: 0 }, f.id)).rejects.toThrow(/cannot tell whether the message was posted/);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('lists open medium-or-above findings without a posted card on a platform, unsuppressed, oldest first', async () => {
    const a = await seedFinding(db.sql, alice, end);
    const b = await seedFinding(db.sql, person('bob@corp.com'), end, bulkDraft(end, { scope: 'ip:203.0.113.51' }));
    const low = await seedFinding(db.sql, person('carol@corp.com'), end, bulkDraft(end, { severity: 'low', scope: 'ip:203.0.113.52' }));
    const gone = await seedFinding(db.sql, person('dave@corp.com'), end, bulkDraft(end, { scope: 'ip:203.0.113.53' }));
    await db.sql.query(`update findings set status = 'suppressed', suppressed_by = 's-1' where id = $1`, [gone.id]);
    const alerting = ['medium', 'high', 'critical'];
    expect(await unnotifiedFindings(db.sql, ['slack'], alerting, 10)).toEqual([a.id, b.id]);
    await notifyFinding(deps, a.id);
    // A post whose outcome was never recorded still counts as unnotified.
    await expect(notifyFinding({ ...deps, messenger: crashingAfterPost(deps.messenger) }, b.id)).rejects.toThrow('worker killed');
    expect(await unnotifiedFindings(db.sql, ['slack'], alerting, 10)).toEqual([b.id]);
    expect(await unnotifiedFindings(db.sql, ['slack', 'teams'], alerting, 10)).toEqual([a.id, b.id]);
    expect(await unnotifiedFindings(db.sql, ['slack', 'teams'], alerting, 1)).toEqual([a.id]);
    expect(await unnotifiedFindings(db.sql, [], alerting, 10)).toEqual([]);
    expect(low.severity).toBe('low');
  });

  it('keeps hostile keys, user agents and names escaped all the way to Slack', async () => {
    const mallory = person('<!channel>@corp.com');
    const f = await seedFinding(db.sql, mallory, end, bulkDraft(end, {
      evidence: evidence({ sampleKeys: ['b/<!channel>', 'b/<@U123>', `b/${'x'.repeat(5000)}`], clients: ['<https://evil.example|click>'], buckets: ['<!here>'] }),
    }));
    expect((await notifyFinding(deps, f.id)).action).toBe('posted');
    const stored = JSON.stringify(fake.messages[0]);
    expect(stored).not.toMatch(/<!channel>|<!here>|<@U123>|<https:\/\/evil/);
    expect(stored).toContain('&lt;!channel&gt;');
    expect(stored).toContain('&lt;https://evil.example|click&gt;');
  });

  it('never posts a suppressed finding', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await db.sql.query(`update findings set status = 'suppressed', suppressed_by = 's-1' where id = $1`, [f.id]);
    expect(await notifyFinding(deps, f.id)).toMatchObject({ action: 'skipped' });
    expect(await notifyFinding(deps, 'nope')).toMatchObject({ action: 'skipped' });
    expect(fake.calls).toHaveLength(0);
  });

  it('starts the sparkline 23 hours before the finding\'s last hour', async () => {
    const f = await seedFinding(db.sql, alice, end);
    await notifyFinding(deps, f.id);
    const text = JSON.stringify(fake.callsTo('chat.postMessage')[0]!.body.blocks);
    const spark = /last 24 h: `([^`]+)`/.exec(text)![1]!;
    expect([...spark]).toHaveLength(24);
    expect([...spark].at(-1)).toBe('█');
    expect(new Set([...spark].slice(0, 23))).toEqual(new Set(['▁']));
  });
});
