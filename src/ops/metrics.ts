import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus registry of the process, served at the ops port's /metrics. Labels name queues,
 * states, providers, scopes, detectors, severities and platforms: never a principal, bucket or key.
 */
export const registry = new Registry();

collectDefaultMetrics({ register: registry, prefix: 'storage_watch_' });

/** Something that can tell, at scrape time, how many jobs each queue holds and how old its oldest waiting job is. */
export interface QueueProbe {
  jobCounts(): Promise<{ queue: string; state: string; count: number }[]>;
  oldestWaitingAge(): Promise<{ queue: string; seconds: number }[]>;
}

/** Something that can tell, at scrape time, when each source scope was last scanned successfully (epoch ms). */
export type CursorProbe = () => Promise<{ source: string; scope: string; at: number }[]>;

const queueProbes = new Set<QueueProbe>();
const cursorProbes = new Set<CursorProbe>();

/** Registers the queues whose jobs /metrics reports; returns the function that unregisters them. */
export function addQueueProbe(probe: QueueProbe): () => void {
  queueProbes.add(probe);
  return () => queueProbes.delete(probe);
}

/** Registers the cursor table /metrics reports the age of; returns the function that unregisters it. */
export function addCursorProbe(probe: CursorProbe): () => void {
  cursorProbes.add(probe);
  return () => cursorProbes.delete(probe);
}

/** A scrape must answer even while Redis or the database is down: a probe that fails reports nothing. */
async function settled<T>(probes: Iterable<() => Promise<T[]>>): Promise<T[]> {
  const results = await Promise.allSettled([...probes].map((p) => p()));
  return results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
}

/** Jobs per queue and state, read from Redis at scrape time. */
export const jobsGauge = new Gauge({
  name: 'storage_watch_jobs', help: 'Jobs per queue and state, read at scrape time.', labelNames: ['queue', 'state'] as const, registers: [registry],
  async collect() {
    this.reset();
    for (const r of await settled([...queueProbes].map((p) => () => p.jobCounts()))) this.set({ queue: r.queue, state: r.state }, r.count);
  },
});

/** Age of the oldest waiting job per queue, read at scrape time. */
export const oldestWaitingGauge = new Gauge({
  name: 'storage_watch_queue_oldest_waiting_seconds', help: 'Age of the oldest job waiting in each queue (0 when none waits).',
  labelNames: ['queue'] as const, registers: [registry],
  async collect() {
    this.reset();
    for (const r of await settled([...queueProbes].map((p) => () => p.oldestWaitingAge()))) this.set({ queue: r.queue }, r.seconds);
  },
});

/** Time since the last successful scan of each source scope, read from the cursors at scrape time. */
export const cursorAgeGauge = new Gauge({
  name: 'storage_watch_scan_cursor_age_seconds', help: 'Seconds since the cursor of each source scope last moved (its last successful scan).',
  labelNames: ['source', 'scope'] as const, registers: [registry],
  async collect() {
    this.reset();
    const now = Date.now();
    for (const r of await settled(cursorProbes)) this.set({ source: r.source, scope: r.scope }, Math.max(0, (now - r.at) / 1000));
  },
});

/** How long jobs ran, by queue and outcome (completed or failed). */
export const jobDuration = new Histogram({
  name: 'storage_watch_job_duration_seconds', help: 'Job run time by queue and outcome.', labelNames: ['queue', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900], registers: [registry],
});

/** Jobs found stalled (their worker died or blocked past the lock), by queue. */
export const jobsStalled = new Counter({
  name: 'storage_watch_jobs_stalled_total', help: 'Jobs whose worker lost their lock (crash or blocked event loop), by queue.',
  labelNames: ['queue'] as const, registers: [registry],
});

/** Events stored by scans, by provider. */
export const eventsIngested = new Counter({
  name: 'storage_watch_events_ingested_total', help: 'Events read and stored by scans, by provider.', labelNames: ['provider'] as const, registers: [registry],
});

/** Records scans could not read, by provider. */
export const recordsRejected = new Counter({
  name: 'storage_watch_records_rejected_total', help: 'Records scans could not read (reported with file, line and reason in the log), by provider.',
  labelNames: ['provider'] as const, registers: [registry],
});

/** Files in FILES_SOURCE_DIR in no known format. */
export const unknownFiles = new Counter({
  name: 'storage_watch_unknown_files_total', help: 'Files found by file scans that hold no known log format.', registers: [registry],
});

/** Source scopes whose scan stopped with an error, by provider. */
export const scopeFailures = new Counter({
  name: 'storage_watch_scan_scope_failures_total', help: 'Source scopes whose scan stopped with an error, by provider.',
  labelNames: ['provider'] as const, registers: [registry],
});

/** Findings created by detection runs, by detector and severity. */
export const findingsCreated = new Counter({
  name: 'storage_watch_findings_created_total', help: 'Findings created by detection runs, by detector and severity.',
  labelNames: ['detector', 'severity'] as const, registers: [registry],
});

/**
 * Cards posted, updated or replied to, by platform. Counted from the notify workers' events
 * (src/ops/instrument-workers.ts); a notify job names its platform in `data.platform` (default slack).
 */
export const notificationsSent = new Counter({
  name: 'storage_watch_notifications_sent_total', help: 'Notify jobs that posted, recovered, updated or threaded a card, by platform.',
  labelNames: ['platform'] as const, registers: [registry],
});

/** Notification attempts that failed (each is retried), by platform. */
export const notificationsFailed = new Counter({
  name: 'storage_watch_notifications_failed_total', help: 'Notify job attempts that failed (retried until the attempts run out), by platform.',
  labelNames: ['platform'] as const, registers: [registry],
});

/**
 * 429 answers from a chat platform's API, by platform. Slack: from the WebClient's rate_limited
 * event (src/main.ts). Teams: its HTTP client should call chatRateLimited.inc({ platform: 'teams' }) on each 429.
 */
export const chatRateLimited = new Counter({
  name: 'storage_watch_chat_rate_limited_total', help: 'Rate-limited (429) answers from the chat platform API, by platform.',
  labelNames: ['platform'] as const, registers: [registry],
});

/** Whether each dependency answered its last check (1) or not (0). */
export const dependencyUp = new Gauge({
  name: 'storage_watch_dependency_up', help: 'Whether each dependency (redis, postgres) answered its last check.',
  labelNames: ['dependency'] as const, registers: [registry],
});
