import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../chat/chat-fixtures.js';
import { freePort, QueueObserver } from '../e2e/service-harness.js';
import { cloudTrailRecord, ndjson } from '../helpers/cloud-trail-records.js';
import { DATASET_EVENTS, writeNewIpDataset } from '../helpers/new-ip-dataset.js';
import { privatePostgres, privateRedis, type PrivateServer } from './private-servers.js';
import { spawnService, type ServiceProcess } from './service-process.js';

type Ready = { ready: boolean; checks: Record<string, { ok: boolean }> };

describe('outages: Redis and PostgreSQL (private servers) stopped and started again under a running service', () => {
  let redis: PrivateServer;
  let postgres: PrivateServer;
  let observer: QueueObserver;
  let service: ServiceProcess;
  let opsPort: number;
  let dir: string;

  const readyz = async (): Promise<Ready | undefined> => {
    const res = await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined);
    return res ? ((await res.json()) as Ready) : undefined;
  };
  const lines = (msg: string): number => service.log().split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([privateRedis(), privatePostgres()]);
    dir = mkdtempSync(join(tmpdir(), 'sw-outage-'));
    writeNewIpDataset(dir);
    opsPort = await freePort();
    observer = new QueueObserver(redis.url, 'sw-outage');
    service = spawnService(['serve'], {
      DATABASE_URL: postgres.url, REDIS_URL: redis.url, QUEUE_PREFIX: 'sw-outage', FILES_SOURCE_DIR: dir, OPS_PORT: String(opsPort), LOG_LEVEL: process.env.SW_LOG ?? 'info',
    });
    await eventually(async () => (await readyz())?.ready, 30_000);
    await eventually(async () => (await observer.completed('detect'))[0], 30_000);
  }, 90_000);

  afterAll(async () => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    await observer?.removeAllAndClose().catch(() => undefined);
    await Promise.all([redis?.remove(), postgres?.remove()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('Redis killed: readiness 503, one log line for the whole outage, ready again when it returns', async () => {
    await redis.stop();
    const down = await eventually(async () => {
      const r = await readyz();
      return r && !r.ready ? r : undefined;
    }, 10_000);
    expect(down.checks.redis!.ok).toBe(false);
    // Let the clients fail to reconnect many times over.
    await new Promise((r) => setTimeout(r, 3_000));
    await redis.start();
    await eventually(async () => (await readyz())?.ready, 20_000);
    expect(lines('redis unavailable; retrying until it answers'), service.log()).toBe(1);
    expect(lines('redis answers again')).toBe(1);
    expect(service.child.exitCode).toBeNull();
  });

  it('PostgreSQL restarted (fast stop ends every session): the process lives on, readiness 503 meanwhile, one log line', async () => {
    await postgres.stop();
    const down = await eventually(async () => {
      const r = await readyz();
      return r && !r.ready ? r : undefined;
    }, 10_000);
    expect(down.checks.database!.ok).toBe(false);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(service.child.exitCode).toBeNull();
    await postgres.start();
    await eventually(async () => (await readyz())?.ready, 20_000);
    expect(lines('postgres unavailable; retrying until it answers')).toBe(1);
    expect(lines('postgres answers again')).toBe(1);
  });

  it('carries on afterwards: the next scan reads new logs, every stderr line is structured JSON, SIGTERM exits 0', async () => {
    writeFileSync(join(dir, 'later.ndjson'), ndjson([cloudTrailRecord({ time: Date.now() - 3_600_000, ip: '198.51.100.10' })]));
    await eventually(() => observer.runSchedulerNow('scan', 'scan-files'), 10_000);
    // Each scheduler run queues the scan of the directory's scope; those scans say what they read.
    const scans = await eventually(async () => {
      const done = (await observer.completed('scan')).filter((j) => (j.data as { scope?: string }).scope !== undefined);
      return done.length >= 2 ? done : undefined;
    }, 30_000);
    expect(scans.map((j) => (j.returnvalue as { events: number }).events).sort((a, b) => a - b)).toEqual([1, DATASET_EVENTS]);
    service.child.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    for (const line of service.log().split('\n').filter(Boolean)) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  });
});
