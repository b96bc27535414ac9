import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { parseChatConfig, type ChatConfig } from './chat/chat-config.js';
import { parseSlackConfig, type SlackConfig } from './chat/slack/slack-config.js';
import { parseTeamsConfig, type TeamsConfig } from './chat/teams/teams-config.js';
import { parseDuration } from './core/duration.js';
import { StorageWatchError } from './core/errors.js';
import type { DEFAULT_SETTINGS } from './detection/detection-settings.js';
import { readSettingsFile, settingsFrom } from './settings-file.js';
import type { DatabaseTarget } from './store/open-database.js';

const list = z.string().optional().transform((v) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean)));

const url = z.string().url();
const duration = (fallback: string) =>
  z.string().default(fallback).refine((v) => parseDuration(v) !== undefined, 'must be a duration such as 5m, 1h or 2d').transform((v) => parseDuration(v)!);
const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).optional().transform((v) => (v === undefined ? undefined : ['true', '1', 'yes'].includes(v)));

/** Seconds (`25`, `25s`) or milliseconds (`500ms`), for short timeouts. */
const seconds = (fallback: string) =>
  z.string().default(fallback).refine((v) => /^\s*\d+(\.\d+)?\s*(s|ms)?\s*$/.test(v), 'must be seconds such as 25 or 25s (or 500ms)')
    .transform((v) => (v.trim().endsWith('ms') ? Number.parseFloat(v) : Number.parseFloat(v) * 1000));

const schema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  PGLITE_DIR: z.string().min(1).default('./data/pglite'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SETTINGS_FILE: z.string().min(1).optional(),
  KNOWN_NETWORKS: list.refine((l) => !l || l.every((c) => ipaddr.isValidCIDR(c)), 'must be comma-separated CIDRs such as 10.0.0.0/8,192.168.0.0/16'),
  ALLOWLIST: list,
  LEARNING_DAYS: z.coerce.number().int().min(0).max(365).optional(),
  STORM_LIMIT: z.coerce.number().int().min(1).optional(),
  DETECT_PARTITIONS: z.coerce.number().int().min(1).max(256).optional(),
  SCAN_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().regex(/^[\w-]+$/, 'letters, digits, - and _ only').default('storage-watch'),
  SCAN_INTERVAL: duration('5m'),
  SCAN_LOOKBACK: duration('24h'),
  OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  SHUTDOWN_TIMEOUT: seconds('25s'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_TRAIL_BUCKET: z.string().min(3).optional(),
  AWS_TRAIL_PREFIX: z.string().optional().transform((v) => (v ?? '').replace(/^\/+|\/+$/g, '')),
  AWS_ORG_ID: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'must be an organisation id such as o-a1b2c3d4e5').optional(),
  AWS_ACCOUNT_IDS: list.refine((l) => !l || l.every((a) => /^\d{12}$/.test(a)), 'must be comma-separated 12-digit account ids'),
  AWS_REGIONS: list,
  AWS_CLOUDTRAIL_LAKE_EDS: z.string().min(1).optional(),
  AWS_LOOKUP_EVENTS: flag,
  AWS_ENDPOINT_URL_S3: url.optional(),
  AWS_ENDPOINT_URL_CLOUDTRAIL: url.optional(),
  GCP_PROJECT_IDS: list,
  GCP_ORGANIZATION_ID: z.string().regex(/^\d+$/, 'must be a numeric organisation id').optional(),
  GCP_FOLDER_IDS: list,
  GCP_LOGGING_ENDPOINT: z.string().min(1).optional(),
  AZURE_WORKSPACE_IDS: list,
  AZURE_LOGS_ENDPOINT: url.optional(),
  FILES_SOURCE_DIR: z.string().min(1).optional(),
});

/** Settings read from the environment (the only place that reads process.env). */
export interface Config {
  /** Where state lives: PostgreSQL when DATABASE_URL is set, else embedded PGlite in PGLITE_DIR (`memory://` for none). */
  database: DatabaseTarget;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** Detection settings: the settings file's, with KNOWN_NETWORKS, ALLOWLIST and LEARNING_DAYS overriding it. */
  detection: Partial<typeof DEFAULT_SETTINGS>;
  /** Redis for the job queues, and the key prefix of the queues (several deployments may share one Redis). */
  redisUrl: string;
  queuePrefix: string;
  /** Partitions of the identities a detection run spreads over the workers (DETECT_PARTITIONS, default one per connected worker). */
  detectPartitions?: number;
  /** What every chat platform shares: escalation targets, digest time, the HTTP port. */
  chat: ChatConfig;
  /** Slack, when any SLACK_* variable is set. */
  slack?: SlackConfig;
  /** Microsoft Teams, when TEAMS_ALERT_CHANNEL (or any TEAMS_* variable) is set. */
  teams?: TeamsConfig;
  /** How often scheduled scans run, and how far back the first scan of a scope reaches (ms). */
  scan: { interval: number; lookback: number; /** Scopes one worker process reads at once (SCAN_CONCURRENCY). */ concurrency?: number };
  /** Configured sources; a provider is absent when none of its variables is set. */
  sources: SourcesConfig;
  /** Port of the operations listener (/healthz, /readyz, /metrics) in every role; 0 picks a free one. */
  opsPort: number;
  /** How long jobs in flight may run on after SIGTERM before the process closes anyway (ms). */
  shutdownTimeout: number;
}

/** Where audit records are pulled from. */
export interface SourcesConfig {
  aws?: {
    /** Region of the API clients (AWS_REGION). */
    region: string;
    /** Trail bucket and key prefix (before `AWSLogs/`), accounts and regions to read; empty lists mean "discover from the bucket". */
    trailBucket?: string;
    trailPrefix: string;
    orgId?: string;
    accountIds: string[];
    regions: string[];
    /** CloudTrail Lake event data store (ARN or id). */
    lakeEventDataStore?: string;
    /** Read bucket-level management events with LookupEvents in each region of `regions` (default: on when regions are set and there is no trail or Lake, which already hold them). */
    lookupEvents: boolean;
    s3Endpoint?: string;
    cloudTrailEndpoint?: string;
  };
  gcp?: { projectIds: string[]; organizationId?: string; folderIds: string[]; endpoint?: string };
  azure?: { workspaceIds: string[]; endpoint?: string };
  /** A directory of exported logs read like `scan --input`. */
  filesDir?: string;
}

/** Reads and validates the configuration; every problem is reported at once, by variable name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const section = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      problems.push(...(err as Error).message.replace(/^invalid configuration:\s*/, '').split(/\n\s*/));
      return undefined;
    }
  };
  const chat = section(() => parseChatConfig(env));
  const slack = section(() => parseSlackConfig(env));
  const teams = section(() => parseTeamsConfig(env));
  if (!parsed.success || problems.length || !chat) {
    // The shared chat variables are checked by every platform's section too: name each problem once.
    throw new StorageWatchError('bad_config', `invalid configuration:\n  ${[...new Set(problems)].join('\n  ')}`);
  }
  const c = parsed.data;
  const detection = c.SETTINGS_FILE ? settingsFrom(readSettingsFile(c.SETTINGS_FILE)) : {};
  if (c.KNOWN_NETWORKS) detection.knownNetworks = c.KNOWN_NETWORKS;
  if (c.ALLOWLIST) detection.allowlist = c.ALLOWLIST;
  if (c.LEARNING_DAYS !== undefined) detection.learningDays = c.LEARNING_DAYS;
  if (c.STORM_LIMIT !== undefined) detection.stormLimit = c.STORM_LIMIT;
  const awsWanted = c.AWS_TRAIL_BUCKET || c.AWS_CLOUDTRAIL_LAKE_EDS || c.AWS_LOOKUP_EVENTS || c.AWS_REGIONS?.length;
  const gcpProjects = c.GCP_PROJECT_IDS ?? [];
  return {
    database: c.DATABASE_URL ? { url: c.DATABASE_URL } : { pgliteDir: c.PGLITE_DIR },
    logLevel: c.LOG_LEVEL,
    detection,
    redisUrl: c.REDIS_URL,
    queuePrefix: c.QUEUE_PREFIX,
    ...(c.DETECT_PARTITIONS ? { detectPartitions: c.DETECT_PARTITIONS } : {}),
    chat,
    ...(slack ? { slack } : {}),
    ...(teams ? { teams } : {}),
    scan: { interval: c.SCAN_INTERVAL, lookback: c.SCAN_LOOKBACK, concurrency: c.SCAN_CONCURRENCY },
    opsPort: c.OPS_PORT,
    shutdownTimeout: c.SHUTDOWN_TIMEOUT,
    sources: {
      ...(awsWanted ? {
        aws: {
          region: c.AWS_REGION, trailBucket: c.AWS_TRAIL_BUCKET, trailPrefix: c.AWS_TRAIL_PREFIX, orgId: c.AWS_ORG_ID,
          accountIds: c.AWS_ACCOUNT_IDS ?? [], regions: c.AWS_REGIONS ?? [], lakeEventDataStore: c.AWS_CLOUDTRAIL_LAKE_EDS,
          lookupEvents: c.AWS_LOOKUP_EVENTS ?? ((c.AWS_REGIONS?.length ?? 0) > 0 && !c.AWS_TRAIL_BUCKET && !c.AWS_CLOUDTRAIL_LAKE_EDS), s3Endpoint: c.AWS_ENDPOINT_URL_S3, cloudTrailEndpoint: c.AWS_ENDPOINT_URL_CLOUDTRAIL,
        },
      } : {}),
      ...(gcpProjects.length || c.GCP_ORGANIZATION_ID || c.GCP_FOLDER_IDS?.length ? {
        gcp: { projectIds: gcpProjects, organizationId: c.GCP_ORGANIZATION_ID, folderIds: c.GCP_FOLDER_IDS ?? [], endpoint: c.GCP_LOGGING_ENDPOINT },
      } : {}),
      ...(c.AZURE_WORKSPACE_IDS?.length ? { azure: { workspaceIds: c.AZURE_WORKSPACE_IDS, endpoint: c.AZURE_LOGS_ENDPOINT } } : {}),
      ...(c.FILES_SOURCE_DIR ? { filesDir: c.FILES_SOURCE_DIR } : {}),
    },
  };
}
