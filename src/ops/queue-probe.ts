import type { Queue } from 'bullmq';
import type { Sql } from '../store/sql.js';
import type { CursorProbe, QueueProbe } from './metrics.js';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'completed', 'failed'] as const;

/** Reads job counts and the oldest waiting job of each queue from Redis, for a scrape. */
export function queueProbe(queues: Record<string, Queue>): QueueProbe {
  const all = Object.entries(queues);
  return {
    async jobCounts() {
      const counts = await Promise.all(all.map(async ([kind, q]) => ({ kind, c: await q.getJobCounts(...STATES) })));
      return counts.flatMap(({ kind, c }) => STATES.map((state) => ({ queue: kind, state, count: c[state] ?? 0 })));
    },
    async oldestWaitingAge() {
      const now = Date.now();
      return Promise.all(all.map(async ([kind, q]) => {
        const [oldest] = await q.getJobs(['wait'], 0, 0, true);
        // A job that was delayed (a scheduler's next run, a retry) has waited only since it became due.
        const since = oldest ? oldest.timestamp + (oldest.opts.delay ?? 0) : now;
        return { queue: kind, seconds: Math.max(0, (now - since) / 1000) };
      }));
    },
  };
}

/** Reads when each source scope's cursor last moved; file cursors (one per file) are folded into one `files` scope. */
export function cursorProbe(sql: Sql): CursorProbe {
  return async () => {
    const rows = await sql.query<{ source: string; scope: string; at: Date | string }>(
      `select source, case when source = 'files' then '*' else scope end as scope, max(updated_at) as at from cursors group by 1, 2`,
    );
    return rows.map((r) => ({ source: r.source, scope: r.scope, at: new Date(r.at).getTime() }));
  };
}
