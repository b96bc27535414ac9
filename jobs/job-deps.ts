import type { Config } from '../src/config.js';
import type { DetectionSettings } from '../src/detection/detection-settings.js';
import type { Detector } from '../src/detection/detector.js';
import type { Logger } from '../src/logger.js';
import type { JobQueues } from '../src/queue/job-queues.js';
import type { Sql } from '../src/store/sql.js';

/** What every job handler may use. */
export interface JobDeps {
  sql: Sql;
  config: Config;
  log: Logger;
  queues: JobQueues;
  detectors: readonly Detector[];
  settings: DetectionSettings;
  /** Whether a chat platform is configured (otherwise findings are stored but nobody is notified). */
  chat: boolean;
  /** Aborted when the process starts shutting down: long jobs that wait on other jobs stop waiting. */
  signal?: AbortSignal;
}
