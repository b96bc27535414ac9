// A worker process that takes a job of one kind (default scan) and never finishes it, to be killed with SIGKILL by a test.
// Usage: node --import tsx test/ops/hanging-worker.ts <redis-url> <queue-prefix> [kind]
import { redisConnection, startWorkers, type JobKind } from '../../src/queue/job-queues.js';

const [redisUrl, prefix, kind = 'scan'] = process.argv.slice(2);
startWorkers(redisConnection(redisUrl!), {
  [kind as JobKind]: () => {
    process.stdout.write('taken\n');
    return new Promise(() => undefined);
  },
}, { prefix });
