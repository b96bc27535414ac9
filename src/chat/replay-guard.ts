import type { Redis } from 'ioredis';

/** Remembers the chat requests already accepted, across every process that serves the chat endpoints. */
export interface ReplayGuard {
  /** True the first time `key` is seen within `ttlMs`; false when it was seen before (a replay). */
  firstSeen(key: string, ttlMs: number): Promise<boolean>;
}

/** What the Redis guard does when Redis does not answer in time. */
export interface RedisReplayGuardOptions {
  /** Keys live under `<prefix>:replay:` (QUEUE_PREFIX, so deployments sharing a Redis stay apart). */
  prefix: string;
  /** How long a request may wait for Redis before it is let through (ms, default 500). */
  timeoutMs?: number;
  onUnavailable?: (err: Error) => void;
}

/**
 * A ReplayGuard on Redis (`SET key NX PX ttl`: one round trip). When Redis does not answer in time
 * the request is let through: its signature and age are still checked, decisions are applied once
 * by their delivery key in the database, and lookups cannot be queued without Redis anyway.
 */
export function redisReplayGuard(redis: Redis, opts: RedisReplayGuardOptions): ReplayGuard {
  const timeoutMs = opts.timeoutMs ?? 500;
  return {
    async firstSeen(key, ttlMs) {
      // While Redis reconnects, a command would wait in ioredis's offline queue: let the request through at once.
      if (redis.status !== 'ready') {
        opts.onUnavailable?.(new Error(`redis is ${redis.status}`));
        return true;
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), timeoutMs);
      });
      const set = redis.set(`${opts.prefix}:replay:${key}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      // Should it fail after the timeout, nobody is waiting for it any more.
      set.catch(() => undefined);
      try {
        const answer = await Promise.race([set, late]);
        if (answer === 'late') {
          opts.onUnavailable?.(new Error(`redis did not answer within ${timeoutMs} ms`));
          return true;
        }
        return answer === 'OK';
      } catch (err) {
        opts.onUnavailable?.(err instanceof Error ? err : new Error(String(err)));
        return true;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
