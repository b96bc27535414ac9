import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisReplayGuard } from '../../src/chat/replay-guard.js';
import { freePort } from '../e2e/service-harness.js';

describe('the Redis replay guard', () => {
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const prefix = `sw-guard-${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('says a key is new once, until its time is up', async () => {
    await redis.ping();
    const guard = redisReplayGuard(redis, { prefix });
    expect(await guard.firstSeen('slack:1:v0=abc', 300)).toBe(true);
    expect(await guard.firstSeen('slack:1:v0=abc', 300)).toBe(false);
    expect(await guard.firstSeen('slack:2:v0=abc', 300)).toBe(true);
    expect(await redis.pttl(`${prefix}:replay:slack:1:v0=abc`)).toBeLessThanOrEqual(300);
    await new Promise((r) => setTimeout(r, 400));
    expect(await guard.firstSeen('slack:1:v0=abc', 300)).toBe(true);
  });

  it('lets requests through at once, and says so, while Redis cannot be reached', async () => {
    const down = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: null, lazyConnect: true });
    down.on('error', () => undefined);
    const problems: string[] = [];
    const guard = redisReplayGuard(down, { prefix, onUnavailable: (err) => problems.push(err.message) });
    const t = Date.now();
    expect(await guard.firstSeen('slack:3:v0=def', 300_000)).toBe(true);
    expect(Date.now() - t).toBeLessThan(400);
    expect(problems).toHaveLength(1);
    down.disconnect();
  });
});
