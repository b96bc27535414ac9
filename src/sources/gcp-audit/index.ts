import type { AuthClient } from 'google-auth-library';
import type { SourcesConfig } from '../../config.js';
import type { Cursor, EventSource, PullOptions, SourcePage } from '../../core/ports.js';
import type { Logger } from '../../logger.js';
import { readGcpCursor, type GcpCursor } from './gcp-cursor.js';
import { LoggingClient, type RetrySettings } from './logging-client.js';
import { pullScope, type PullSettings, type PullTarget } from './pull.js';

/** Test seams and tuning of the GCP source; production passes at most `log`. */
export interface GcpSourceDeps {
  /** Credentials instead of Application Default Credentials (tests: an OAuth2Client holding a fixed token). */
  authClient?: AuthClient;
  /** Told about retries and about scopes where no data-access entry ever arrived. */
  log?: Logger;
  retry?: RetrySettings;
  /** Overrides of the pull tuning (page size, window, settle delay, maximum lateness, clock). */
  pull?: Partial<PullSettings>;
}

/** The GCP source, plus the warnings a scan summary should show. */
export interface GcpAuditSource extends EventSource {
  /** The latest warning still standing: a scope where no data-access entry was ever read (data-access logging probably off). */
  readonly lastNotice: string | undefined;
  /** Those warnings by scope, for every scope pulled by this instance that has one. */
  readonly notices: ReadonlyMap<string, string>;
}

const DEFAULT_PULL: PullSettings = {
  pageSize: 1000,
  windowMs: 6 * 3_600_000,
  settleMs: 2 * 60_000,
  maxLatenessMs: 24 * 3_600_000,
  now: () => Date.now(),
};

/** Scope names: a project id as it is, `organizations/<id>`, `folders/<id>`. */
function targetOf(scope: string): PullTarget {
  return { scope, resourceName: scope.includes('/') ? scope : `projects/${scope}` };
}

/**
 * Cloud Storage audit entries (data access and admin activity) from Cloud Logging, one scope per
 * project, plus the organisation and folders when configured (entries stored at those levels).
 */
export function createGcpSource(cfg: NonNullable<SourcesConfig['gcp']>, deps: GcpSourceDeps = {}): GcpAuditSource {
  const client = new LoggingClient(cfg.endpoint, { authClient: deps.authClient, retry: deps.retry, log: deps.log });
  const settings: PullSettings = { ...DEFAULT_PULL, ...deps.pull };
  const notices = new Map<string, string>();
  const scopes = [
    ...cfg.projectIds,
    ...(cfg.organizationId ? [`organizations/${cfg.organizationId}`] : []),
    ...cfg.folderIds.map((id) => `folders/${id}`),
  ];

  async function* pull(scope: string, stored: Cursor | undefined, opts: PullOptions): AsyncGenerator<SourcePage> {
    const target = targetOf(scope);
    const start: GcpCursor = stored ? readGcpCursor(stored, scope) : { at: new Date(opts.since).toISOString(), dataAccessSeen: false };
    const pages = pullScope(client, target, start, opts, settings);
    let step = await pages.next();
    while (!step.done) {
      yield step.value;
      step = await pages.next();
    }
    notices.delete(scope);
    if (step.value.read && !step.value.cursor.dataAccessSeen) {
      const notice = noDataAccessNotice(target, start.at);
      notices.set(scope, notice);
      deps.log?.warn({ source: 'gcp-audit', scope, notice }, 'no Cloud Storage data-access audit entries');
    }
  }

  return {
    name: 'gcp-audit',
    provider: 'gcp',
    scopes: () => Promise.resolve([...scopes]),
    pull,
    get lastNotice() {
      return [...notices.values()].at(-1);
    },
    notices,
  };
}

/** The warning for a scope where no data-access entry ever arrived, with how to turn the logs on. */
export function noDataAccessNotice(target: PullTarget, readFrom: string): string {
  const where = target.resourceName;
  const head = `No Cloud Storage data-access audit entry has been read for ${where} in any scan so far (this one read what arrived from ${readFrom}), so object reads, writes and lists are invisible.`;
  if (!target.resourceName.startsWith('projects/')) {
    return `${head} Entries listed at ${where} are only those stored at that level: project audit logs stay in their projects unless an aggregated sink (--include-children) routes them to a log bucket. Put the projects (or the sink's project) in GCP_PROJECT_IDS.`;
  }
  const project = target.scope;
  return [
    head,
    'Data-access logging is probably off (it is off by default).',
    'Turn it on in the Google Cloud console under IAM & Admin > Audit Logs > Google Cloud Storage > Data Read and Data Write,',
    `or add {service: storage.googleapis.com, auditLogConfigs: [{logType: DATA_READ}, {logType: DATA_WRITE}]} to auditConfigs with gcloud projects get-iam-policy ${project} > policy.yaml, edit, gcloud projects set-iam-policy ${project} policy.yaml.`,
    `If it is on, the reader may lack roles/logging.privateLogViewer on ${where}: without it data-access entries are silently left out.`,
  ].join(' ');
}
