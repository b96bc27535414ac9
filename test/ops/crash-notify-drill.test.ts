import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/demo/generate-dataset.js';
import { QUEUE_NAMES } from '../../src/queue/job-queues.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { Sql } from '../../src/store/sql.js';
import { eventually } from '../chat/chat-fixtures.js';
import { freePort, QueueObserver } from '../e2e/service-harness.js';
import { FakeSlackWebApi } from '../fakes/slack-web-api.js';
import { privatePostgres, privateRedis, type PrivateServer } from './private-servers.js';
import { spawnService, type ServiceProcess } from './service-process.js';

const TOKEN = 'xoxb-drill';
const ALERTS = 'C0DRILL';
const ALERTING = ['medium', 'high', 'critical'];

/** What must not change across a crash: every stored finding, ids and timestamps of the run left out. */
type StoredFinding = { detector: string; identity_key: string; scope: string; severity: string; status: string; start_at: Date; end_at: Date; occurrences: number; title: string };

async function storedFindings(sql: Sql): Promise<StoredFinding[]> {
  return sql.query<StoredFinding>(
    `select detector, identity_key, scope, severity, status, start_at, end_at, occurrences, title from findings
     order by detector, identity_key, scope, start_at`,
  );
}

async function alertingIds(sql: Sql): Promise<string[]> {
  return (await sql.query<{ id: string }>(`select id from findings where severity = any($1) and status = 'open' order by id`, [ALERTING])).map((r) => r.id);
}

/** One bot (`serve`: scans the log folder at boot, detects, posts cards) on its own database and queue prefix, with its own Slack. */
class Drill {
  sql!: Sql;
  fake!: FakeSlackWebApi;
  observer!: QueueObserver;
  service?: ServiceProcess;
  databaseUrl = '';
  private env: Record<string, string> = {};
  private redis?: Redis;
  private notify?: Queue;

  constructor(private readonly name: string) {}

  /** Opens the drill's database (made by the describe's beforeAll), its Slack and its queues. */
  async open(redis: PrivateServer, postgres: PrivateServer, dir: string): Promise<void> {
    const url = postgres.url.replace(/\/postgres$/, `/${this.name}`);
    this.databaseUrl = url;
    this.sql = await openDatabase({ url });
    this.redis = new Redis(redis.url, { maxRetriesPerRequest: null });
    this.notify = new Queue(QUEUE_NAMES.notify, { connection: this.redis, prefix: this.name });
    this.fake = await FakeSlackWebApi.start({ token: TOKEN });
    this.observer = new QueueObserver(redis.url, this.name);
    this.env = {
      DATABASE_URL: url, REDIS_URL: redis.url, QUEUE_PREFIX: this.name, FILES_SOURCE_DIR: dir, LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'drill-secret', SLACK_API_URL: this.fake.url, SLACK_ALERT_CHANNEL: ALERTS,
    };
  }

  async start(): Promise<ServiceProcess> {
    this.service = spawnService(['serve'], { ...this.env, PORT: String(await freePort()), OPS_PORT: String(await freePort()) });
    return this.service;
  }

  async kill(): Promise<void> {
    const s = this.service!;
    s.child.kill('SIGKILL');
    expect(await s.exited, s.log().slice(-3000)).toEqual({ code: null, signal: 'SIGKILL' });
  }

  /** Waits until every open medium+ finding has exactly one card and the notify queue is idle. */
  async everyCardPosted(expected: number, ms: number): Promise<string[]> {
    return eventually(async () => {
      const ids = await alertingIds(this.sql);
      const cards = this.fake.cardsByFinding();
      if (ids.length !== expected || !ids.every((id) => cards.get(id) === 1)) return undefined;
      const counts = await this.notify!.getJobCounts('active', 'waiting', 'delayed', 'prioritized');
      return Object.values(counts).every((n) => n === 0) ? ids : undefined;
    }, ms);
  }

  async close(): Promise<void> {
    if (this.service?.child.exitCode === null) this.service.child.kill('SIGKILL');
    await this.notify?.close();
    this.redis?.disconnect();
    await this.observer?.removeAllAndClose().catch(() => undefined);
    await this.sql?.close();
    await this.fake?.close();
  }
}

describe('drills: kill -9 of the bot during detection, and between posting a card and recording it (private Redis and PostgreSQL)', () => {
  let redis: PrivateServer;
  let postgres: PrivateServer;
  let dir: string;
  let reference: Promise<StoredFinding[]>;
  const drills: Drill[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sw-drill-'));
    // The AWS part of two weeks of the demo's logs (17 identities, its incidents): about a dozen medium+ findings.
    const [servers] = await Promise.all([
      Promise.all([privateRedis(), privatePostgres()]),
      generateDataset({ seed: 7, outDir: dir, days: 14, identities: 17 }).then(() => {
        for (const other of ['cloudaudit.googleapis.com', 'insights-logs-storageread', 'insights-logs-storagewrite', 'insights-logs-storagedelete', 'manifest.json']) {
          rmSync(join(dir, other), { recursive: true, force: true });
        }
      }),
    ]);
    [redis, postgres] = servers;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    for (const name of ['drill_detect', 'drill_post', 'drill_ref']) await admin.query(`create database ${name}`);
    await admin.end();
    // The uninterrupted run, alongside the drills: `storage-watch scan` of the same folder (the reading and judging the bot's
    // scan and detection jobs do), in a process of its own so that this one, which plays Slack, stays responsive.
    const refUrl = postgres.url.replace(/\/postgres$/, '/drill_ref');
    const cli = spawnService(['scan', '--input', dir], { DATABASE_URL: refUrl });
    reference = cli.exited.then(async ({ code }) => {
      expect(code, cli.log().slice(-2000)).toBe(0);
      const ref = await openDatabase({ url: refUrl });
      const stored = await storedFindings(ref);
      await ref.close();
      return stored;
    });
  }, 60_000);

  afterAll(async () => {
    for (const d of drills) await d.close();
    await Promise.all([redis?.remove(), postgres?.remove()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const alerting = async (): Promise<number> => (await reference).filter((f) => ALERTING.includes(f.severity) && f.status === 'open').length;

  it.concurrent('kill -9 during detection: after a restart the findings equal the uninterrupted run\'s and every medium+ finding has exactly one card', async () => {
    const drill = new Drill('drill_detect');
    drills.push(drill);
    await drill.open(redis, postgres, dir);
    const lockRedis = new Redis(redis.url, { maxRetriesPerRequest: null });
    const lock = new pg.Client({ connectionString: drill.databaseUrl });
    lock.on('error', () => undefined);
    await lock.connect();
    // Detection waits (its queue paused) until the scan is done; then the last day's pending hours are held and
    // detection let go: it saves every earlier day (findings included), waits to mark the last day judged, and is killed there.
    const detect = new Queue(QUEUE_NAMES.detect, { connection: lockRedis, prefix: 'drill_detect' });
    await detect.pause();
    await drill.start();
    // The scheduler's scan queues one scan per scope: wait for every one of them.
    await eventually(async () => {
      const done = await drill.observer.completed('scan');
      const planned = done.find((j) => 'scopes' in (j.returnvalue as object))?.returnvalue as { scopes: number } | undefined;
      return planned && done.filter((j) => 'scope' in (j.returnvalue as object)).length >= planned.scopes;
    }, 90_000);
    await lock.query('begin');
    // Days as detection counts them: UTC.
    await lock.query(`select 1 from rollups_pending where hour >= (select date_trunc('day', max(hour) at time zone 'UTC') at time zone 'UTC' from rollups_pending) for update`);
    await detect.resume();
    await detect.close();
    const days = await eventually(async () => {
      const n = (await lock.query<{ days: number }>(`select count(distinct date_trunc('day', hour at time zone 'UTC'))::int as days from rollups_pending`)).rows[0]!.days;
      return n <= 1 ? { n } : undefined;
    }, 60_000);
    expect(days.n).toBe(1);
    const count = async (q: string): Promise<number> => (await lock.query<{ n: number }>(q, [ALERTING])).rows[0]!.n;
    const saved = await eventually(async () => (await count(`select count(*)::int as n from findings where severity = any($1)`)) || undefined, 10_000);
    await drill.kill();
    await lock.query('rollback');
    await lock.end();
    lockRedis.disconnect();
    expect(saved).toBeGreaterThan(0);
    expect(await drill.observer.completed('detect')).toEqual([]);

    await drill.start();
    const ids = await drill.everyCardPosted(await alerting(), 90_000);
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(await storedFindings(drill.sql)).toEqual(await reference);
    expect([...drill.fake.cardsByFinding().keys()].sort()).toEqual(ids);
    expect([...drill.fake.cardsByFinding().values()].every((n) => n === 1)).toBe(true);
  }, 200_000);

  it.concurrent('kill -9 between posting a card and recording it: after a restart the card is found, not posted again; every medium+ finding has exactly one card', async () => {
    const drill = new Drill('drill_post');
    drills.push(drill);
    await drill.open(redis, postgres, dir);
    // Slack posts the first card and the bot never hears back: it dies before recording the post.
    drill.fake.actWithoutAnswer('chat.postMessage', 1);
    await drill.start();
    const held = await eventually(() => drill.fake.calls.find((c) => c.method === 'chat.postMessage' && c.status === 0), 90_000);
    await drill.kill();
    const heldId = (held.body.metadata as { event_payload: { finding_id: string } }).event_payload.finding_id;
    expect(drill.fake.cardsByFinding().get(heldId)).toBe(1);

    await drill.start();
    const ids = await drill.everyCardPosted(await alerting(), 90_000);
    expect(ids).toContain(heldId);
    expect([...drill.fake.cardsByFinding().values()].every((n) => n === 1)).toBe(true);
    const recovered = (await drill.observer.completed('notify')).filter((j) => (j.returnvalue as { slack?: { action?: string } }).slack?.action === 'recovered');
    expect(recovered.map((j) => (j.data as { findingId: string }).findingId)).toEqual([heldId]);
    // Detection was not interrupted: the uninterrupted run's findings.
    expect(await storedFindings(drill.sql)).toEqual(await reference);
  }, 200_000);
});
