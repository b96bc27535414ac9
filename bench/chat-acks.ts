/**
 * Load benchmark of the chat endpoint: the running service (HTTP app, real Redis, PostgreSQL,
 * lookup workers) receives N concurrent signed `/storage-who` requests; prints the ack latency
 * p50 / p95 / p99 / max (Slack allows 3 s) and the time until every answer reached its response URL.
 * The requests come from a worker thread, as Slack's come from elsewhere: a load generator on the
 * service's own event loop would time its own fetch work as ack latency. `--client same-thread`
 * sends them from the service's thread instead (how this benchmark measured before 2026-12-06).
 * Usage: npm run bench:chat [-- --requests 100] [-- --client worker|same-thread]. Needs PostgreSQL on
 * 127.0.0.1:5432 (database "test") and Redis on 6379. Print `uptime` with the figures: the machine is shared.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/main.js';
import { ingestFiles } from '../src/scan/ingest-files.js';
import { openDatabase } from '../src/store/open-database.js';
import { freePort, QueueObserver } from '../test/e2e/service-harness.js';
import { startRecorder } from '../test/fakes/http-recorder.js';
import { sendSigned } from '../test/fakes/slack-signing.js';
import { FakeSlackWebApi } from '../test/fakes/slack-web-api.js';
import { createSchema, dropSchema, schemaUrl } from '../test/helpers/databases.js';
import { writeNewIpDataset } from '../test/helpers/new-ip-dataset.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '100' }, client: { type: 'string', default: 'worker' } } });
const N = Number(values.requests);
if (values.client !== 'worker' && values.client !== 'same-thread') throw new Error('--client is worker or same-thread');
const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench';
const REDIS_URL = 'redis://127.0.0.1:6379';

/** The load generator of a worker thread: signs and sends the given requests all at once; answers each ack's latency (ms) and when it started (epoch ms). */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHmac } = require('node:crypto');
const { url, secret, requests } = workerData;
const send = async (fields) => {
  const body = new URLSearchParams(fields).toString();
  const ts = Math.floor(Date.now() / 1000);
  const t = performance.now();
  const res = await fetch(url, { method: 'POST', body, headers: {
    'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts),
    'x-slack-signature': 'v0=' + createHmac('sha256', secret).update('v0:' + ts + ':' + body).digest('hex') } });
  await res.text();
  if (res.status !== 200) throw new Error('HTTP ' + res.status);
  return performance.now() - t;
};
const startedAt = Date.now();
Promise.all(requests.map(send)).then((acks) => parentPort.postMessage({ acks, startedAt }), (err) => parentPort.postMessage({ error: String(err) }));
`;

function fromWorker(url: string, requests: Record<string, string>[]): Promise<{ acks: number[]; startedAt: number }> {
  const worker = new Worker(CLIENT, { eval: true, workerData: { url, secret: SECRET, requests } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { acks: number[]; startedAt: number } | { error: string }) => {
      void worker.terminate();
      if ('acks' in m) resolve(m);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const prefix = `sw-bench-${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'sw-bench-chat-'));
const schema = await createSchema();
const fake = await FakeSlackWebApi.start({ token: TOKEN });
const answers = await startRecorder();
const observer = new QueueObserver(REDIS_URL, prefix);
try {
  // Something to look up: two weeks of alice's activity, stored as a scan would.
  writeNewIpDataset(dir);
  const sql = await openDatabase({ url: schemaUrl(schema) });
  await ingestFiles(sql, [dir]);
  await sql.close();

  const port = await freePort();
  const service = await startService({ chat: true, workers: true }, loadConfig({
    DATABASE_URL: schemaUrl(schema), REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', OPS_PORT: '0',
    SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, SLACK_ALERT_CHANNEL: 'C0BENCH', PORT: String(port),
  }));
  const url = `http://127.0.0.1:${port}/slack/events`;
  const fields = (i: number): Record<string, string> => ({
    token: 'legacy', team_id: 'T0BENCH', channel_id: 'C0BENCH', user_id: 'U0BENCH', user_name: 'bench', command: '/storage-who',
    text: 'alice last 6h', api_app_id: 'A0BENCH', response_url: `${answers.url}/who/${i}`, trigger_id: `t${i}`,
  });
  const send = (i: number): Promise<Response> => sendSigned(url, SECRET, fields(i));
  // One warm-up request, so the figures are about load rather than the first request's lazy loading.
  await send(-1);
  await answers.waitFor(1, 30_000);
  answers.requests.length = 0;

  let start = Date.now();
  const acks = values.client === 'worker'
    ? await fromWorker(url, Array.from({ length: N }, (_, i) => fields(i))).then((r) => {
      start = r.startedAt;
      return r.acks;
    })
    : await Promise.all(Array.from({ length: N }, async (_, i) => {
      const t = performance.now();
      const res = await send(i);
      await res.text();
      if (res.status !== 200) throw new Error(`request ${i}: HTTP ${res.status}`);
      return performance.now() - t;
    }));
  await answers.waitFor(N, 120_000);
  const allAnswered = Date.now() - start;
  const sorted = acks.sort((a, b) => a - b);
  const ms = (v: number): string => `${Math.round(v)} ms`;
  process.stdout.write(
    `${N} concurrent signed /storage-who requests (client: ${values.client === 'worker' ? 'a worker thread' : 'the service\'s own thread'})\n` +
    `ack latency: p50 ${ms(percentile(sorted, 50))}, p95 ${ms(percentile(sorted, 95))}, p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted.at(-1)!)}\n` +
    `every answer at its response URL after ${ms(allAnswered)} (${new Set(answers.requests.map((r) => r.path)).size} distinct, ${answers.requests.length} in all)\n`,
  );
  await service.stop();
} finally {
  await observer.removeAllAndClose();
  await fake.close();
  await answers.close();
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
}
