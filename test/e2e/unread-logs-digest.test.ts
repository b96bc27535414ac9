import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/main.js';
import { QUEUE_NAMES } from '../../src/queue/job-queues.js';
import { eventually } from '../chat/chat-fixtures.js';
import { FakeSlackWebApi } from '../fakes/slack-web-api.js';
import { cloudTrailRecord } from '../helpers/cloud-trail-records.js';
import { createSchema, dropSchema, schemaUrl } from '../helpers/databases.js';
import { ATTACK_DAY, writeNewIpDataset } from '../helpers/new-ip-dataset.js';
import { HOUR } from '../helpers/store-fixtures.js';
import { freePort, QueueObserver } from './service-harness.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const TOKEN = 'xoxb-unread';
const DIGESTS = 'C0DIGESTS';

/** The value of one sample line of a Prometheus text page. */
function sample(page: string, series: string): number | undefined {
  const line = page.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('what the bot\'s scans cannot read reaches the log metrics and the daily digest, which is posted once a day', () => {
  const prefix = `sw-unread-${randomBytes(4).toString('hex')}`;
  let tmp: string;
  let schema: string;
  let fake: FakeSlackWebApi;
  let observer: QueueObserver;
  let service: Service | undefined;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sw-unread-'));
    writeNewIpDataset(tmp);
    // A trail file with two broken lines among good ones, and a file in no log format at all.
    const good = (k: number): string => JSON.stringify(cloudTrailRecord({ time: ATTACK_DAY + 12 * HOUR + k * 60_000, ip: '198.51.100.10' }));
    writeFileSync(join(tmp, 'trail-broken.ndjson'), [good(0), good(1), '{"eventVersion":"1.08","eventTime":', good(2), 'not json at all', good(3)].join('\n') + '\n');
    writeFileSync(join(tmp, 'shopping-list.txt'), 'milk\neggs\nbread\n');
    schema = await createSchema();
    fake = await FakeSlackWebApi.start({ token: TOKEN });
    observer = new QueueObserver(REDIS_URL, prefix);
    service = await startService({ chat: true, workers: true }, loadConfig({
      DATABASE_URL: schemaUrl(schema), REDIS_URL, QUEUE_PREFIX: prefix, FILES_SOURCE_DIR: tmp, LOG_LEVEL: 'silent', OPS_PORT: '0',
      SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'unread-secret', SLACK_API_URL: fake.url, SLACK_ALERT_CHANNEL: 'C0ALERTS', SLACK_DIGEST_CHANNEL: DIGESTS,
      PORT: String(await freePort()),
    }));
  });

  afterAll(async () => {
    await service?.stop();
    await observer?.removeAllAndClose();
    await fake?.close();
    if (schema) await dropSchema(schema);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('counts the rejected records and the unknown file in /metrics', async () => {
    // The scheduler's scan job queues one scan per scope; the scope's job reads the files.
    const [scan] = await eventually(async () => {
      const done = (await observer.completed('scan')).filter((j) => 'scope' in (j.returnvalue as object));
      return done.length ? done : undefined;
    }, 20_000);
    expect(scan!.returnvalue).toMatchObject({ rejected: 2, unknownFiles: 1 });
    const page = await (await fetch(`http://127.0.0.1:${service!.opsPort}/metrics`)).text();
    expect(sample(page, 'storage_watch_records_rejected_total{provider="files"}')).toBe(2);
    expect(sample(page, 'storage_watch_unknown_files_total')).toBe(1);
  });

  it('says in the digest how many records were rejected and which files were of no known format, with where', async () => {
    expect(await observer.runSchedulerNow('digest', 'digest-slack')).toBe(true);
    const post = await eventually(() => fake.callsTo('chat.postMessage').find((c) => c.body.channel === DIGESTS), 20_000);
    const text = JSON.stringify(post.body.blocks);
    expect(text).toContain('2 records rejected, 1 file of unknown format in the last 24 h');
    expect(text).toContain('trail-broken.ndjson:3');
    expect(text).toContain('trail-broken.ndjson:5');
    expect(text).toContain('shopping-list.txt');
    expect(String(post.body.text)).toContain('2 records rejected, 1 file of unknown format');
  });

  it('does not post the same day\'s digest again when its job runs a second time', async () => {
    const [first] = await eventually(async () => {
      const done = await observer.completed('digest');
      return done.length ? done : undefined;
    }, 20_000);
    // Another job for the same planned run, as a retry or a second scheduler would produce.
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const digest = new Queue(QUEUE_NAMES.digest, { connection: redis, prefix });
    await digest.add('digest', {}, { prevMillis: first!.opts.prevMillis });
    await digest.close();
    await redis.quit();
    const again = await eventually(async () => {
      const done = await observer.completed('digest');
      return done.length >= 2 ? done : undefined;
    }, 20_000);
    expect(again[0]!.returnvalue).toEqual(first!.returnvalue);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.body.channel === DIGESTS)).toHaveLength(1);
  });
});
