import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/main.js';
import { QUEUE_NAMES } from '../../src/queue/job-queues.js';
import { eventually } from '../chat/chat-fixtures.js';
import { QueueObserver } from '../e2e/service-harness.js';
import { createSchema, dropSchema, schemaUrl } from '../helpers/databases.js';
import { DATASET_EVENTS, writeNewIpDataset } from '../helpers/new-ip-dataset.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

async function get(port: number, path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

/** The value of one sample line of a Prometheus text page, by metric name and labels as printed. */
function sample(page: string, series: string): number | undefined {
  const line = page.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('operations listener: /healthz, /readyz and /metrics of a running service (scheduler and workers, no chat)', () => {
  const prefix = `sw-ops-${randomBytes(4).toString('hex')}`;
  let tmp: string;
  let schema: string;
  let service: Service;
  let observer: QueueObserver;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sw-ops-'));
    writeNewIpDataset(tmp);
    schema = await createSchema();
    observer = new QueueObserver(REDIS_URL, prefix);
    service = await startService({ chat: true, workers: true }, loadConfig({
      DATABASE_URL: schemaUrl(schema), REDIS_URL, QUEUE_PREFIX: prefix, FILES_SOURCE_DIR: tmp, LOG_LEVEL: 'silent', OPS_PORT: '0',
    }));
  });

  afterAll(async () => {
    await service?.stop();
    await observer?.removeAllAndClose();
    if (schema) await dropSchema(schema);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('answers /healthz without looking at dependencies, and /readyz with every check passing', async () => {
    expect(await get(service.opsPort, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    const ready = await get(service.opsPort, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({
      ready: true,
      checks: { shutdown: { ok: true }, redis: { ok: true }, database: { ok: true }, migrations: { ok: true }, workers: { ok: true } },
    });
    expect((await get(service.opsPort, '/nope')).status).toBe(404);
  });

  it('refuses to start a second process on the same OPS_PORT with a clear error', async () => {
    await expect(startService({ chat: false, workers: true }, loadConfig({
      DATABASE_URL: schemaUrl(schema), REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', OPS_PORT: String(service.opsPort),
    }))).rejects.toThrow(`OPS_PORT ${service.opsPort} is already in use`);
  });

  it('exports what the scan and detection jobs did, the queues read at scrape time and the process metrics, each HELP once', async () => {
    await eventually(async () => (await observer.completed('detect'))[0], 20_000);
    // A job nobody takes here (no chat platform, so no notify worker), queued a minute ago.
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const notify = new Queue(QUEUE_NAMES.notify, { connection: redis, prefix });
    await notify.add('notify', { findingId: 'f-old' }, { timestamp: Date.now() - 60_000 });
    await notify.close();
    await redis.quit();

    const res = await get(service.opsPort, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const page = res.body;
    expect(sample(page, 'storage_watch_events_ingested_total{provider="files"}')).toBe(DATASET_EVENTS);
    expect(sample(page, 'storage_watch_records_rejected_total{provider="files"}')).toBe(0);
    expect(sample(page, 'storage_watch_findings_created_total{detector="new-source-ip",severity="high"}')).toBe(1);
    expect(sample(page, 'storage_watch_findings_created_total{detector="unusual-client",severity="high"}')).toBe(1);
    // The scheduler's scan, and the scan of the directory's one scope it queued.
    expect(sample(page, 'storage_watch_jobs{queue="scan",state="completed"}')).toBe(2);
    expect(sample(page, 'storage_watch_jobs{queue="notify",state="waiting"}')).toBe(1);
    expect(sample(page, 'storage_watch_queue_oldest_waiting_seconds{queue="notify"}')).toBeGreaterThanOrEqual(60);
    expect(sample(page, 'storage_watch_queue_oldest_waiting_seconds{queue="lookup"}')).toBe(0);
    expect(sample(page, 'storage_watch_job_duration_seconds_count{queue="scan",outcome="completed"}')).toBe(2);
    expect(sample(page, 'storage_watch_scan_cursor_age_seconds{source="files",scope="*"}')).toBeGreaterThanOrEqual(0);
    expect(sample(page, 'storage_watch_dependency_up{dependency="redis"}')).toBe(1);
    expect(page).toContain('storage_watch_process_cpu_seconds_total');
    expect(page).toContain('# TYPE storage_watch_jobs_stalled_total counter');
    expect(page).toContain('# TYPE storage_watch_notifications_sent_total counter');
    expect(page).toContain('# TYPE storage_watch_chat_rate_limited_total counter');
    const helps = page.split('\n').filter((l) => l.startsWith('# HELP '));
    expect(new Set(helps).size).toBe(helps.length);
    expect(page).not.toMatch(/(principal|bucket|key|identity)="/);
    for (const line of page.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(/^storage_watch_/);
  });
});
