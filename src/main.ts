import type { Worker } from 'bullmq';
import { jobHandlers } from '../jobs/index.js';
import { createChatService, type ChatService } from './chat/chat-service.js';
import { configuredPlatforms } from './chat/index.js';
import { loadConfig, type Config } from './config.js';
import { detectionSettings } from './detection/detection-settings.js';
import { DETECTORS } from './detectors/index.js';
import { createLogger, type Logger } from './logger.js';
import { JobQueues, redisConnection, startWorkers } from './queue/job-queues.js';
import { configuredProviders } from './sources/index.js';
import { openDatabase } from './store/open-database.js';

/** What a process runs: the chat app (and schedulers), the job workers, or both. */
export interface ServiceRoles {
  chat: boolean;
  workers: boolean;
}

/** A running service; stop() drains jobs in flight and closes everything. */
export interface Service {
  config: Config;
  log: Logger;
  /** The chat service, when a chat platform (Slack, Teams) is configured. */
  chat?: ChatService;
  /** HTTP port the chat endpoints (/slack/events, /api/messages) listen on (PORT=0 picks a free one). */
  port?: number;
  stop(): Promise<void>;
}

/**
 * The composition root: reads the configuration, opens the store, starts the chat platforms, the job
 * schedulers (a scan per configured provider every SCAN_INTERVAL, first at once; the digest at
 * DIGEST_TIME) and the workers. Several worker processes may share one Redis and one database.
 */
export async function startService(roles: ServiceRoles, config: Config = loadConfig()): Promise<Service> {
  const log = createLogger(config.logLevel);
  const sql = await openDatabase(config.database);
  const connection = redisConnection(config.redisUrl);
  const queues = new JobQueues(connection, config.queuePrefix);
  const settings = detectionSettings(config.detection);
  const platforms = configuredPlatforms(config, { logger: log });
  const chat = platforms.length
    ? createChatService(platforms, {
        sql, settings, logger: log, escalation: config.chat.escalation,
        // Command ids are unique per request; BullMQ ids may not contain ':'.
        enqueueLookup: (r) => queues.add('lookup', { ...r }, `lookup-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`),
        links: { awsRegion: config.sources.aws?.region },
      })
    : undefined;
  let workers: Worker[] = [];
  let port: number | undefined;
  if (roles.workers) {
    const deps = { sql, config, log, queues, detectors: DETECTORS, settings, chat: chat !== undefined };
    workers = startWorkers(connection, jobHandlers(deps, chat), {
      prefix: config.queuePrefix,
      concurrency: { lookup: 4 },
      // Slack allows about one message per second per channel; cards go to one alert channel.
      limiter: { notify: { max: 1, duration: 1_000 } },
    });
    for (const w of workers) {
      w.on('failed', (job, err) => log.warn({ queue: w.name, job: job?.id, err: err.message }, 'job failed'));
      w.on('completed', (job, result) => log.info({ queue: w.name, job: job.id, result }, 'job done'));
    }
  }
  // One scan and one detection run at a time across every worker process: two scans of the same
  // source would read from the same cursor, two detection runs would judge the same hours.
  await queues.queues.scan.setGlobalConcurrency(1);
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
  return {
    config, log, chat, port,
    stop: async () => {
      log.info('stopping: draining jobs in flight');
      await chat?.stop();
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      connection.disconnect();
      await sql.close();
      log.info('stopped');
    },
  };
}

/** Runs until SIGTERM or SIGINT, then drains and exits cleanly. */
export async function runUntilSignalled(roles: ServiceRoles, config?: Config): Promise<void> {
  const service = await startService(roles, config);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      service.log.info({ signal }, 'signal received');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await service.stop();
}
