import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, type JobKind } from '../../src/queue/job-queues.js';

/**
 * A TCP port nothing listens on right now. Bolt's HTTP receiver binds every interface and PORT must be
 * 1-65535, so the service cannot be given port 0; the port is probed the same way (no host).
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resources that keep the event loop alive (sockets, servers, child processes...), timers left out, counted by type. */
export function openHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (r !== 'Timeout' && r !== 'Immediate') counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/** What a test sees of the service's BullMQ queues under one prefix, from its own Redis connection. */
export class QueueObserver {
  private readonly redis: Redis;
  private readonly queues = new Map<JobKind, Queue>();

  constructor(redisUrl: string, private readonly prefix: string) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  }

  private queue(kind: JobKind): Queue {
    let q = this.queues.get(kind);
    if (!q) {
      q = new Queue(QUEUE_NAMES[kind], { connection: this.redis, prefix: this.prefix });
      this.queues.set(kind, q);
    }
    return q;
  }

  /** Completed jobs of one kind, newest first. */
  completed(kind: JobKind): Promise<Job[]> {
    return this.queue(kind).getJobs(['completed']);
  }

  /** Jobs of one kind that failed for good. */
  failed(kind: JobKind): Promise<Job[]> {
    return this.queue(kind).getJobs(['failed']);
  }

  /** Brings the next run of a job scheduler forward to now (what its interval would do later); false when none is due. */
  async runSchedulerNow(kind: JobKind, schedulerId: string): Promise<boolean> {
    const next = (await this.queue(kind).getJobs(['delayed'])).find((j) => j.repeatJobKey === schedulerId);
    await next?.promote();
    return next !== undefined;
  }

  /** Redis keys under the prefix. */
  async keys(): Promise<string[]> {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      out.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return out;
  }

  /** Deletes every key under the prefix (queues, job schedulers, global concurrency) and disconnects; returns the keys still there. */
  async removeAllAndClose(): Promise<string[]> {
    if (this.redis.status === 'end') return [];
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    const keys = await this.keys();
    for (let i = 0; i < keys.length; i += 500) await this.redis.del(...keys.slice(i, i + 500));
    const left = await this.keys();
    await this.redis.quit();
    return left;
  }
}
