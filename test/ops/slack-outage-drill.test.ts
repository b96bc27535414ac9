import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { JobQueues, redisConnection } from '../../src/queue/job-queues.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { Sql } from '../../src/store/sql.js';
import { bulkDraft, eventually, person, seedFinding } from '../chat/chat-fixtures.js';
import { freePort, QueueObserver } from '../e2e/service-harness.js';
import { FakeSlackWebApi } from '../fakes/slack-web-api.js';
import { privatePostgres, privateRedis, type PrivateServer } from './private-servers.js';
import { spawnService, type ServiceProcess } from './service-process.js';

const TOKEN = 'xoxb-drill';
const ALERTS = 'C0DRILL';
/** The drill takes Slack away for a minute; 20 s exercises the same path (failed attempts, backoff, claims given up) in a third of the time. */
const OUTAGE_MS = 20_000;

describe('drills: Slack unreachable for a while, and a 429 storm (private Redis and PostgreSQL, a worker process)', () => {
  let redis: PrivateServer;
  let postgres: PrivateServer;
  let sql: Sql;
  let observer: QueueObserver;
  let fake: FakeSlackWebApi;
  let service: ServiceProcess;
  let opsPort: number;
  let connection: ReturnType<typeof redisConnection>;
  let queues: JobQueues;
  let seq = 0;
  const prefix = 'sw-drill';

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([privateRedis(), privatePostgres()]);
    sql = await openDatabase({ url: postgres.url });
    observer = new QueueObserver(redis.url, prefix);
    fake = await FakeSlackWebApi.start({ token: TOKEN });
    connection = redisConnection(redis.url);
    queues = new JobQueues(connection, prefix);
    opsPort = await freePort();
    service = spawnService(['worker'], {
      DATABASE_URL: postgres.url, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, OPS_PORT: String(opsPort), LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'drill-secret', SLACK_API_URL: fake.url, SLACK_ALERT_CHANNEL: ALERTS,
    });
    await eventually(async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined))?.status === 200, 20_000);
  }, 60_000);

  afterAll(async () => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await queues?.close();
    connection?.disconnect();
    await observer?.removeAllAndClose().catch(() => undefined);
    await sql?.close();
    await Promise.all([fake?.close(), redis?.remove(), postgres?.remove()]);
  });

  async function notify(count: number): Promise<Finding[]> {
    const out: Finding[] = [];
    for (let i = 0; i < count; i++) {
      seq++;
      const f = await seedFinding(sql, person(`user${seq}@corp.com`), Date.now() - 60_000, bulkDraft(Date.now() - 60_000, { scope: `ip:203.0.113.${seq}` }));
      out.push(f);
      await queues.request('notify', { findingId: f.id }, `notify-${f.id}`);
    }
    return out;
  }

  const cardsOf = (findings: Finding[]): number[] => findings.map((f) => fake.cardsByFinding().get(f.id) ?? 0);

  it(`Slack unreachable for ${OUTAGE_MS / 1000} s: every card is posted exactly once when it answers again, none fails for good`, async () => {
    await fake.unreachable();
    const findings = await notify(3);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    // Attempts failed meanwhile (connections refused), each one giving its claim up.
    const tried = await queues.queues.notify.getJobs(['delayed', 'waiting', 'active']);
    expect(tried.length).toBe(3);
    expect(tried.every((j) => j.attemptsMade >= 2)).toBe(true);
    await fake.reachable();
    await eventually(() => cardsOf(findings).every((n) => n === 1), 40_000);
    // Nothing more comes: a few seconds later still one card each, and no job failed for good.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(cardsOf(findings)).toEqual([1, 1, 1]);
    expect(await observer.failed('notify')).toEqual([]);
  }, 90_000);

  it('a 429 storm (Retry-After 2 s and 3 s): a rate-limited card is retried no sooner than Retry-After with no backoff on top, other cards go out meanwhile, each is posted once', async () => {
    fake.clearCalls();
    const storm = [2, 3, 2, 3];
    fake.rateLimitStorm('chat.postMessage', storm);
    const findings = await notify(5);
    await eventually(() => cardsOf(findings).every((n) => n === 1), 30_000);
    const posts = fake.calls.filter((c) => c.method === 'chat.postMessage');
    const idOf = (c: (typeof posts)[number]): string => (c.body.metadata as { event_payload: { finding_id: string } }).event_payload.finding_id;
    const limited = posts.filter((c) => c.status === 429);
    expect(limited.map((c) => c.status)).toEqual([429, 429, 429, 429]);
    const waits: number[] = [];
    for (const [i, c] of limited.entries()) {
      const retry = posts.find((p) => p.status === 200 && p.at > c.at && idOf(p) === idOf(c))!;
      const wait = retry.at - c.at;
      waits.push(wait);
      // Retry-After as given: never sooner, and nothing of the client's own on top. The only extra is the queue's pacing
      // (one card a second): a card whose wait is over queues behind the cards already waiting, so each of those may add a second.
      const ahead = posts.filter((p) => p.at >= c.at + storm[i]! * 1000 && p.at < retry.at).length;
      const timeline = posts.map((p) => `${p.at - posts[0]!.at} ${p.status} ${idOf(p).slice(0, 8)}`).join('; ');
      expect(wait, timeline).toBeGreaterThanOrEqual(storm[i]! * 1000);
      expect(wait, timeline).toBeLessThan(storm[i]! * 1000 + 1_500 + ahead * 1_000);
      // The worker was not held: some other card went out while this one waited.
      expect(posts.some((p) => p.status === 200 && p.at > c.at && p.at < retry.at && idOf(p) !== idOf(c))).toBe(true);
    }
    console.log(`drill: 429 storm, Retry-After ${storm.join(', ')} s, waited ${waits.join(', ')} ms`);
    expect(cardsOf(findings)).toEqual([1, 1, 1, 1, 1]);
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toMatch(/^storage_watch_chat_rate_limited_total\{platform="slack"\} 4$/m);
    service.child.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
