// A worker process that takes a scan job and never finishes it, to be killed with SIGKILL by a test.
// Usage: node --import tsx test/ops/hanging-worker.ts <redis-url> <queue-prefix>
import { redisConnection, startWorkers } from '../../src/queue/job-queues.js';

const [redisUrl, prefix] = process.argv.slice(2);
startWorkers(redisConnection(redisUrl!), {
  scan: () => {
    process.stdout.write('taken\n');
    return new Promise(() => undefined);
  },
}, { prefix });
