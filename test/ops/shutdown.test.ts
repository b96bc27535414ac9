import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueues, redisConnection } from '../../src/queue/job-queues.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { Sql } from '../../src/store/sql.js';
import { eventually, person, seedFinding } from '../chat/chat-fixtures.js';
import { freePort, QueueObserver } from '../e2e/service-harness.js';
import { createSchema, dropSchema, schemaUrl } from '../helpers/databases.js';
import { blackHole, spawnService, type ServiceProcess } from './service-process.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe('shutdown: SIGTERM with a job that never finishes (Slack accepts the connection and never answers)', () => {
  const prefix = `sw-stop-${randomBytes(4).toString('hex')}`;
  let schema: string;
  let sql: Sql;
  let slack: Awaited<ReturnType<typeof blackHole>>;
  let observer: QueueObserver;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    schema = await createSchema();
    sql = await openDatabase({ url: schemaUrl(schema) });
    slack = await blackHole();
    observer = new QueueObserver(REDIS_URL, prefix);
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await observer.removeAllAndClose();
    await slack.close();
    await sql.close();
    await dropSchema(schema);
  });

  async function workerWithStuckNotification(shutdownTimeout: string): Promise<{ service: ServiceProcess; opsPort: number }> {
    const opsPort = await freePort();
    const service = spawnService(['worker'], {
      DATABASE_URL: schemaUrl(schema), REDIS_URL, QUEUE_PREFIX: prefix, OPS_PORT: String(opsPort), SHUTDOWN_TIMEOUT: shutdownTimeout, LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: 'xoxb-stuck', SLACK_SIGNING_SECRET: 'stuck-secret', SLACK_API_URL: slack.url, SLACK_ALERT_CHANNEL: 'C0STUCK',
    });
    running.push(service);
    const finding = await seedFinding(sql, person(`stuck-${randomBytes(3).toString('hex')}@corp.com`), Date.now() - 60_000);
    const connection = redisConnection(REDIS_URL);
    const queues = new JobQueues(connection, prefix);
    const before = slack.connections();
    await queues.add('notify', { findingId: finding.id }, `notify-${finding.id}-1`);
    await queues.close();
    connection.disconnect();
    // The card's chat.postMessage reached "Slack" and hangs there.
    await eventually(() => slack.connections() > before, 20_000);
    await eventually(async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined))?.status === 200, 10_000);
    return { service, opsPort };
  }

  it('turns /readyz 503 at once, gives the job SHUTDOWN_TIMEOUT, then closes anyway and exits 0', async () => {
    const { service, opsPort } = await workerWithStuckNotification('2s');
    service.child.kill('SIGTERM');
    const during = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined);
      return res?.status === 503 ? ((await res.json()) as { checks: Record<string, unknown> }) : undefined;
    }, 5_000);
    expect(during.checks.shutdown).toEqual({ ok: false, detail: 'shutting down' });
    // Without the deadline this never resolves: the Web API client waits on the silent socket for ever.
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(service.log()).toContain('shutdown timeout: closing with jobs still in flight');
    expect(service.log()).toContain('"msg":"stopped"');
  });

  it('exits at once on a second signal, however long SHUTDOWN_TIMEOUT is', async () => {
    const { service } = await workerWithStuckNotification('600s');
    service.child.kill('SIGTERM');
    await eventually(() => service.log().includes('stopping: not ready'), 5_000);
    service.child.kill('SIGINT');
    expect(await service.exited).toEqual({ code: 130, signal: null });
    expect(service.log()).toContain('second signal: exiting at once');
  });
});
