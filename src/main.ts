import { webApi } from '@slack/bolt';
import type { Worker } from 'bullmq';
import { jobHandlers } from '../jobs/index.js';
import { createChatService, type ChatService } from './chat/chat-service.js';
import { configuredPlatforms } from './chat/index.js';
import { redisReplayGuard } from './chat/replay-guard.js';
import type { SlackPlatform } from './chat/slack/index.js';
import { loadConfig, type Config } from './config.js';
import { detectionSettings } from './detection/detection-settings.js';
import { DETECTORS } from './detectors/index.js';
import { createLogger, type Logger } from './logger.js';
import { DependencyHealth } from './ops/dependency-health.js';
import { instrumentWorkers } from './ops/instrument-workers.js';
import { addCursorProbe, addQueueProbe, chatRateLimited } from './ops/metrics.js';
import { startOpsServer } from './ops/ops-server.js';
import { cursorProbe, queueProbe } from './ops/queue-probe.js';
import { Readiness } from './ops/readiness.js';
import { withDeadline } from './ops/with-deadline.js';
import { JobQueues, redisConnection, startWorkers } from './queue/job-queues.js';
import { configuredProviders } from './sources/index.js';
import { latestMigration } from './store/migrate.js';
import { openDatabase } from './store/open-database.js';

/** What a process runs: the chat app (and schedulers), the job workers, or both. */
export interface ServiceRoles {
  chat: boolean;
  workers: boolean;
}

/** A running service; stop() drains jobs in flight (at most SHUTDOWN_TIMEOUT) and closes everything. */
export interface Service {
  config: Config;
  log: Logger;
  /** The chat service, when a chat platform (Slack, Teams) is configured. */
  chat?: ChatService;
  /** HTTP port the chat endpoints (/slack/events, /api/messages) listen on (PORT=0 picks a free one). */
  port?: number;
  /** Port of the operations listener (/healthz, /readyz, /metrics). */
  opsPort: number;
  readiness: Readiness;
  stop(): Promise<void>;
}

/** Errors that mean "Redis is unreachable" rather than a fault of a job. */
function isConnectionError(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(code) || /connection is closed|connect/i.test(err.message);
}

/**
 * The composition root: reads the configuration, opens the store, starts the chat platforms, the job
 * schedulers (a scan per configured provider every SCAN_INTERVAL, first at once; the digest at
 * DIGEST_TIME) and the workers. Several worker processes may share one Redis and one database.
 */
export async function startService(roles: ServiceRoles, config: Config = loadConfig()): Promise<Service> {
  const log = createLogger(config.logLevel);
  const health = new DependencyHealth(log);
  const sql = await openDatabase(config.database, { onError: (err) => health.clientError('postgres', err) });
  const connection = redisConnection(config.redisUrl);
  // ioredis reports every failed reconnect; without listeners each one is a stack trace on stderr.
  const redisDown = (err: Error): void => health.clientError('redis', err);
  connection.on('error', redisDown);
  let workers: Worker[] = [];
  const readiness = new Readiness({
    sql, redis: connection, health, expectedMigration: latestMigration(),
    ...(roles.workers ? { workersRunning: () => workers.length > 0 && workers.every((w) => w.isRunning()) } : {}),
  });
  // First, so that /healthz answers during start-up; a port in use leaves nothing open behind it.
  const ops = await startOpsServer({ port: config.opsPort, readiness, log }).catch(async (err: unknown) => {
    connection.disconnect();
    await sql.close();
    throw err;
  });
  const queues = new JobQueues(connection, config.queuePrefix);
  for (const q of Object.values(queues.queues)) q.on('error', redisDown);
  const settings = detectionSettings(config.detection);
  const replayGuard = redisReplayGuard(connection, { prefix: config.queuePrefix, onUnavailable: redisDown });
  const platforms = configuredPlatforms(config, { logger: log, replayGuard });
  const chat = platforms.length
    ? createChatService(platforms, {
        sql, settings, logger: log, escalation: config.chat.escalation,
        // Command ids are unique per request; BullMQ ids may not contain ':'.
        enqueueLookup: (r) => queues.add('lookup', { ...r }, `lookup-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`),
        links: { awsRegion: config.sources.aws?.region },
      })
    : undefined;
  const slack = platforms.find((p): p is SlackPlatform => p.name === 'slack' && 'client' in p);
  slack?.client.on(webApi.WebClientEvent.RATE_LIMITED, () => chatRateLimited.inc({ platform: 'slack' }));
  let port: number | undefined;
  // Aborted at shutdown: a detection run stops waiting for partitions no closing worker would take.
  const draining = new AbortController();
  if (roles.workers) {
    const deps = { sql, config, log, queues, detectors: DETECTORS, settings, chat: chat !== undefined, signal: draining.signal };
    workers = startWorkers(connection, jobHandlers(deps, chat), {
      prefix: config.queuePrefix,
      // Scopes are mostly waiting on a cloud API: two at a time per process unless SCAN_CONCURRENCY says otherwise.
      concurrency: { lookup: 4, scan: config.scan.concurrency ?? 2 },
      // Slack allows about one message per second per channel; cards go to one alert channel.
      limiter: { notify: { max: 1, duration: 1_000 } },
      onError: (err, kind) => (isConnectionError(err) ? redisDown(err) : log.warn({ queue: kind, err: err.message }, 'worker error')),
    });
    instrumentWorkers(workers, log);
  }
  const unprobe = [addQueueProbe(queueProbe(queues.queues)), addCursorProbe(cursorProbe(sql))];
  // One detection run at a time across every worker process (it orders the days and records each
  // day's findings at once); its partitions and the scans of different scopes run on every worker.
  // A scope is never queued twice (scan jobs are deduplicated by scope), and its cursor only moves
  // from where a scan found it. Earlier versions serialised scans too: that limit is lifted.
  await queues.queues.scan.removeGlobalConcurrency();
  await queues.queues.detect.setGlobalConcurrency(1);
  if (roles.chat) {
    for (const provider of configuredProviders(config.sources)) {
      // An `every` scheduler produces its first job at once, so the first scan starts at boot.
      await queues.queues.scan.upsertJobScheduler(`scan-${provider}`, { every: config.scan.interval }, { name: 'scan', data: { provider } });
    }
    if (chat) {
      const { hour, minute, timeZone } = config.chat.digest;
      // One scheduler id whatever the platforms: the job posts to every one of them.
      await queues.queues.digest.upsertJobScheduler('digest-slack', { pattern: `${minute} ${hour} * * *`, tz: timeZone }, { name: 'digest', data: {} });
      ({ port } = await chat.start({ port: config.chat.port }));
    }
  }
  log.info({ roles, providers: configuredProviders(config.sources), chat: platforms.map((p) => p.name), slack: config.slack?.mode ?? 'off', workers: workers.map((w) => w.name) }, 'storage-watch started');
  // Only now: while connections are still being opened, a client's first error is no outage.
  readiness.started();
  health.check = () => readiness.check();
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    readiness.shutdownStarted();
    log.info({ shutdownTimeoutMs: config.shutdownTimeout }, 'stopping: not ready, no new jobs, waiting for jobs in flight');
    await withDeadline(chat?.stop(), 5_000);
    draining.abort('shutting down');
    // close() stops taking jobs at once, then waits for those in flight.
    if (!(await withDeadline(Promise.all(workers.map((w) => w.close())), config.shutdownTimeout))) {
      // A job cut off is safe to run again (pages and cursors commit together; cards are claimed before posting):
      // its lock lapses and another worker, or this one after a restart, takes it over.
      log.warn({ shutdownTimeoutMs: config.shutdownTimeout }, 'shutdown timeout: closing with jobs still in flight; they will run again');
      await withDeadline(Promise.all(workers.map((w) => w.close(true))), 2_000);
    }
    for (const u of unprobe) u();
    await withDeadline(queues.close(), 2_000);
    connection.disconnect();
    await withDeadline(sql.close(), 2_000);
    await ops.close();
    log.info('stopped');
  };
  return {
    config, log, chat, port, opsPort: ops.port, readiness,
    stop: () => (stopping ??= stop()),
  };
}

/**
 * Runs until SIGTERM or SIGINT, then drains (at most SHUTDOWN_TIMEOUT) and exits 0; a second signal
 * exits at once. Whatever a library leaves pending (a retry timer, a half-open socket) cannot keep
 * the process up: it exits as soon as the service is stopped.
 */
export async function runUntilSignalled(roles: ServiceRoles, config?: Config): Promise<void> {
  // Listening before start-up: a SIGTERM while connecting still drains whatever the workers took.
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const service = await startService(roles, config);
  const signal = await signalled;
  service.log.info({ signal }, 'signal received');
  const now = (second: string): void => {
    service.log.warn({ signal: second }, 'second signal: exiting at once');
    process.exit(second === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGTERM', () => now('SIGTERM'));
  process.once('SIGINT', () => now('SIGINT'));
  // Every step of stop() is bounded; this is the last resort should one of them still hang.
  setTimeout(() => {
    service.log.error('shutdown did not finish in time; exiting');
    process.exit(0);
  }, service.config.shutdownTimeout + 15_000).unref();
  await service.stop();
  process.exit(0);
}
