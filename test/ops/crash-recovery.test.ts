import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { JobQueues, redisConnection, startWorkers } from '../../src/queue/job-queues.js';
import { eventually } from '../chat/chat-fixtures.js';
import { QueueObserver } from '../e2e/service-harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REDIS_URL = 'redis://127.0.0.1:6379';

describe('crash recovery of the serialised queues', () => {
  const prefix = `sw-crash-${randomBytes(4).toString('hex')}`;
  const connection = redisConnection(REDIS_URL);
  const queues = new JobQueues(connection, prefix);
  const observer = new QueueObserver(REDIS_URL, prefix);
  let workers: Worker[] = [];

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await queues.close();
    connection.disconnect();
    await observer.removeAllAndClose();
  });

  it('runs the scan of a worker killed with -9 again, and the next scan after it, well before the default 30 s lock would lapse', async () => {
    // As the service does: one scan at a time across every process.
    await queues.queues.scan.setGlobalConcurrency(1);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/ops/hanging-worker.ts', REDIS_URL, prefix], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await queues.add('scan', { provider: 'files' }, 'scan-crashed');
    await eventually(() => out.includes('taken'), 20_000);
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
    await queues.add('scan', { provider: 'files' }, 'scan-next');

    const ran: string[] = [];
    workers = startWorkers(connection, { scan: (job) => Promise.resolve(ran.push(job.id!)) }, { prefix });
    // 20 s: the lock of the dead process's job lapses in 10 s and stalled jobs are looked for every 2 s.
    await eventually(() => ran.length === 2, 20_000);
    expect(ran).toEqual(['scan-crashed', 'scan-next']);
    const crashed = (await observer.completed('scan')).find((j) => j.id === 'scan-crashed')!;
    expect(crashed.stalledCounter).toBe(1);
  });
});
