import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueues, redisConnection } from '../../src/queue/job-queues.js';
import { getMessage } from '../../src/store/messages.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { Sql } from '../../src/store/sql.js';
import { eventually, person, seedFinding } from '../chat/chat-fixtures.js';
import { FakeSlackWebApi } from '../fakes/slack-web-api.js';
import { freePort, QueueObserver } from '../e2e/service-harness.js';
import { privatePostgres, privateRedis, type PrivateServer } from './private-servers.js';
import { blackHole, spawnService, type ServiceProcess } from './service-process.js';

const TOKEN = 'xoxb-drill';
const ALERTS = 'C0DRILL';

describe('drill: SIGTERM while Slack is unreachable and a card is in flight (private Redis and PostgreSQL, default SHUTDOWN_TIMEOUT)', () => {
  let redis: PrivateServer;
  let postgres: PrivateServer;
  let sql: Sql;
  let observer: QueueObserver;
  let hole: Awaited<ReturnType<typeof blackHole>>;
  let fake: FakeSlackWebApi;
  const running: ServiceProcess[] = [];
  const prefix = 'sw-drill';

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([privateRedis(), privatePostgres()]);
    sql = await openDatabase({ url: postgres.url });
    observer = new QueueObserver(redis.url, prefix);
    hole = await blackHole();
    fake = await FakeSlackWebApi.start({ token: TOKEN });
  }, 60_000);

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await observer?.removeAllAndClose().catch(() => undefined);
    await sql?.close();
    await Promise.all([hole?.close(), fake?.close(), redis?.remove(), postgres?.remove()]);
  });

  async function worker(slackUrl: string): Promise<ServiceProcess> {
    const opsPort = await freePort();
    const service = spawnService(['worker'], {
      DATABASE_URL: postgres.url, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, OPS_PORT: String(opsPort), LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'drill-secret', SLACK_API_URL: slackUrl, SLACK_ALERT_CHANNEL: ALERTS,
    });
    running.push(service);
    await eventually(async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined))?.status === 200, 20_000);
    return service;
  }

  it('exits 0 within 30 s, keeps the card queued, and after a restart with Slack answering posts it exactly once', async () => {
    const service = await worker(hole.url);
    const finding = await seedFinding(sql, person('stuck@corp.com'), Date.now() - 60_000);
    const connection = redisConnection(redis.url);
    const queues = new JobQueues(connection, prefix);
    await queues.request('notify', { findingId: finding.id }, `notify-${finding.id}`);
    await queues.close();
    connection.disconnect();
    // chat.postMessage reached "Slack", which holds the connection and never answers.
    await eventually(() => hole.connections() > 0, 20_000);
    const sent = Date.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    const exitMs = Date.now() - sent;
    console.log(`drill: SIGTERM to exit with Slack unreachable and a card in flight: ${exitMs} ms`);
    expect(exitMs).toBeLessThan(30_000);
    // The post may have reached Slack: the claim stays, and the job waits in Redis for the next worker.
    expect(await getMessage(sql, { findingId: finding.id, platform: 'slack' })).toMatchObject({ state: 'posting' });
    expect(await observer.failed('notify')).toEqual([]);

    const again = await worker(fake.url);
    // The claim of the cut-off attempt is held for its lifetime (30 s), then taken over: no card in the history, so one post.
    await eventually(async () => (await getMessage(sql, { findingId: finding.id, platform: 'slack' }))?.state === 'posted', 60_000);
    expect(fake.cardsByFinding()).toEqual(new Map([[finding.id, 1]]));
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(fake.callsTo('conversations.history')).toHaveLength(1);
    const [done] = await eventually(async () => {
      const jobs = await observer.completed('notify');
      return jobs.length ? jobs : undefined;
    }, 10_000);
    expect(done!.returnvalue).toMatchObject({ slack: { action: 'posted' } });
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });
  }, 120_000);
});
