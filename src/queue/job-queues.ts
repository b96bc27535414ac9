import { createHash } from 'node:crypto';
import { Queue, QueueEvents, Worker, type Job, type Processor } from 'bullmq';
import { Redis } from 'ioredis';

/** The queues storage-watch runs on, by job kind. */
export const QUEUE_NAMES = {
  scan: 'sw-scan',
  detect: 'sw-detect',
  detectPart: 'sw-detect-part',
  notify: 'sw-notify',
  lookup: 'sw-lookup',
  digest: 'sw-digest',
} as const;

/** A kind of job. */
export type JobKind = keyof typeof QUEUE_NAMES;

/** Retries with exponential backoff for every job; finished jobs are trimmed so Redis stays small. */
const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { count: 200 },
  removeOnFail: { count: 1_000 },
};

/**
 * Notify jobs retry for about half an hour (12 attempts, waits doubling from 1 s, jittered), so a chat
 * outage of many minutes costs no card; one that lasts longer is queued again by the next detection
 * run's sweep of unnotified findings. Rate limits and busy claims do not spend attempts (the job is
 * delayed instead, see jobs/notify.ts).
 */
const NOTIFY_JOB_OPTIONS = { ...DEFAULT_JOB_OPTIONS, attempts: 12, backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 } };

/** A Redis connection as BullMQ needs it (blocking commands must not time out). */
export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** Producers for every queue. */
export class JobQueues {
  readonly queues: Record<JobKind, Queue>;
  private events = new Map<JobKind, Promise<QueueEvents>>();

  constructor(private readonly connection: Redis, private readonly prefix = 'storage-watch') {
    const make = (name: string, defaultJobOptions = DEFAULT_JOB_OPTIONS): Queue => new Queue(name, { connection, prefix, defaultJobOptions });
    this.queues = {
      scan: make(QUEUE_NAMES.scan),
      detect: make(QUEUE_NAMES.detect),
      detectPart: make(QUEUE_NAMES.detectPart),
      notify: make(QUEUE_NAMES.notify, NOTIFY_JOB_OPTIONS),
      lookup: make(QUEUE_NAMES.lookup),
      digest: make(QUEUE_NAMES.digest),
    };
  }

  /** Adds a job; a job whose id is already queued or running is not added twice. Ids never contain ':'. */
  async add(kind: JobKind, data: Record<string, unknown>, jobId?: string): Promise<void> {
    if (jobId?.includes(':')) throw new Error(`job id must not contain ':' (${jobId})`);
    await this.queues[kind].add(kind, data, jobId ? { jobId } : {});
  }

  /** Adds a job unless one with this deduplication id is waiting or running (a finished one does not count). */
  async addOnce(kind: JobKind, data: Record<string, unknown>, dedupId: string): Promise<void> {
    await this.queues[kind].add(kind, data, { deduplication: { id: dedupId } });
  }

  /**
   * Asks for a run of a job that folds repeated requests: requests made while one is waiting merge
   * into it, and one more is kept while a run is active (so work that arrived during it is done).
   * A fixed jobId cannot do this: BullMQ keeps finished jobs and ignores a new one with their id.
   */
  async request(kind: JobKind, data: Record<string, unknown>, dedupId: string): Promise<void> {
    await this.queues[kind].add(kind, data, { deduplication: { id: dedupId, keepLastIfActive: true } });
  }

  /**
   * Adds jobs (a job whose id exists already, running or finished, is not added again but waited for)
   * and resolves with their results once every one has completed, on whichever worker; rejects when
   * one fails for good. A job whose worker died is taken over by the stalled-job check and waited for.
   */
  async runAll<T = unknown>(kind: JobKind, jobs: readonly { data: Record<string, unknown>; jobId: string }[], signal?: AbortSignal): Promise<T[]> {
    for (const j of jobs) if (j.jobId.includes(':')) throw new Error(`job id must not contain ':' (${j.jobId})`);
    const events = await this.eventsOf(kind);
    const added = await this.queues[kind].addBulk(jobs.map((j) => ({ name: kind, data: j.data, opts: { jobId: j.jobId } })));
    const all = Promise.all(added.map((job) => job.waitUntilFinished(events) as Promise<T>));
    if (!signal) return all;
    // Stops waiting (the jobs stay queued) when the signal fires, e.g. when this process shuts down.
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Error(`stopped waiting for ${kind} jobs: ${String(signal.reason ?? 'aborted')}`));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([all, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
      all.catch(() => undefined);
    }
  }

  private eventsOf(kind: JobKind): Promise<QueueEvents> {
    let events = this.events.get(kind);
    if (!events) {
      const e = new QueueEvents(QUEUE_NAMES[kind], { connection: { ...this.connection.options, maxRetriesPerRequest: null }, prefix: this.prefix });
      events = e.waitUntilReady().then(() => e);
      this.events.set(kind, events);
    }
    return events;
  }

  /** Stores a value for the workers of a job to read (shared(key)), unless one is stored under that key already; it lapses after a day. */
  async share(key: string, value: string): Promise<void> {
    await this.connection.set(`${this.prefix}:shared:${key}`, value, 'EX', 86_400, 'NX');
  }

  /** A value stored with share(), if it has not lapsed or been dropped. */
  shared(key: string): Promise<string | null> {
    return this.connection.get(`${this.prefix}:shared:${key}`);
  }

  /** Drops values stored with share() or claim(). */
  async unshare(...keys: string[]): Promise<void> {
    if (keys.length) await this.connection.del(...keys.map((k) => `${this.prefix}:shared:${k}`));
  }

  /** Claims a key for `owner` unless someone holds it already; returns who holds it now. It lapses after a day. */
  async claim(key: string, owner: string): Promise<string> {
    const k = `${this.prefix}:shared:${key}`;
    const out = await this.connection.multi().set(k, owner, 'EX', 86_400, 'NX').get(k).exec();
    const held = out?.[1]?.[1];
    return typeof held === 'string' ? held : '';
  }

  /** Closes the producers. */
  async close(): Promise<void> {
    const events = await Promise.all(this.events.values());
    await Promise.all([...Object.values(this.queues).map((q) => q.close()), ...events.map((e) => e.close())]);
  }
}

/**
 * Scans, detection runs and their partitions hold short locks (renewed every 5 s while the job runs)
 * and stalled jobs are looked for every 2 s, so a job whose process died is run again within about
 * 15 s instead of holding its work for a minute. maxStalledCount 2: a job may be recovered twice
 * before it counts as failed.
 */
export const SERIALISED_LOCK = { lockDuration: 10_000, stalledInterval: 2_000, maxStalledCount: 2 } as const;

/**
 * Notify jobs are short: a lock of 10 s (renewed every 5 s) looked after every 5 s lets another worker
 * take over the card of a dead process within about 15 s, well inside the posting claim's lifetime.
 */
export const NOTIFY_LOCK = { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 2 } as const;

/** Kinds of job with a short lock (SERIALISED_LOCK). */
export const SHORT_LOCK: readonly JobKind[] = ['scan', 'detect', 'detectPart'];

/**
 * Kinds of job that run one at a time across every process: a detection run orders the days and
 * records each day's findings at once; its partitions (detectPart) and the scans of different scopes
 * spread over every worker.
 */
export const SERIALISED: readonly JobKind[] = ['detect'];

/** Scans of one scope run one at a time: a scan job's deduplication id names its scope. */
export function scopeDedupId(source: string, scope: string): string {
  return `scan-${createHash('sha1').update(`${source}\u0000${scope}`).digest('hex').slice(0, 20)}`;
}

/** Handlers for the kinds of job a worker runs. */
export type JobHandlers = Partial<Record<JobKind, (job: Job) => Promise<unknown>>>;

/** Starts one worker per handled kind; close() waits for jobs in flight (SIGTERM drains). */
export function startWorkers(
  connection: Redis,
  handlers: JobHandlers,
  opts: {
    prefix?: string;
    concurrency?: Partial<Record<JobKind, number>>;
    limiter?: Partial<Record<JobKind, { max: number; duration: number }>>;
    /** Connection and internal errors of a worker (attached before it connects, so none goes unhandled). */
    onError?: (err: Error, kind: JobKind) => void;
  } = {},
): Worker[] {
  return (Object.entries(handlers) as [JobKind, Processor][]).map(([kind, handler]) => {
    const worker = new Worker(QUEUE_NAMES[kind], handler, {
      // Options rather than a client: the worker then owns its blocking connection and closes it.
      connection: { ...connection.options, maxRetriesPerRequest: null },
      prefix: opts.prefix ?? 'storage-watch',
      concurrency: opts.concurrency?.[kind] ?? 1,
      ...(opts.limiter?.[kind] ? { limiter: opts.limiter[kind] } : {}),
      ...(SHORT_LOCK.includes(kind) ? SERIALISED_LOCK : kind === 'notify' ? NOTIFY_LOCK : {}),
    });
    worker.on('error', (err) => (opts.onError ? opts.onError(err, kind) : undefined));
    return worker;
  });
}
