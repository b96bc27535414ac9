import type { CLIENTS, LocationName } from './catalogue.js';
import type { BucketKind, Identity, OpMix, Rhythm } from './synthetic-event.js';

/** Short names of the accounts the dataset spans. */
export type AccountSlot = 'aws-prod' | 'aws-data' | 'gcp-analytics' | 'gcp-ml' | 'azure-finance' | 'azure-data';

/** A bucket or container in the fixed layout. */
export interface BucketSlot {
  /** Short id the roster refers to. */
  id: string;
  /** Account that owns it. */
  account: AccountSlot;
  /** Base name (AWS and GCP get a seed-derived suffix, as global bucket names often do). */
  name: string;
  /** Region or location. */
  region: string;
  /** What it holds. */
  kind: BucketKind;
}

/** The buckets and containers of the synthetic organisation. */
export const BUCKET_SLOTS: readonly BucketSlot[] = [
  { id: 'prod-reports', account: 'aws-prod', name: 'acme-prod-reports', region: 'us-east-1', kind: 'reports' },
  { id: 'prod-exports', account: 'aws-prod', name: 'acme-prod-exports', region: 'eu-west-1', kind: 'docs' },
  { id: 'prod-uploads', account: 'aws-prod', name: 'acme-prod-user-uploads', region: 'us-east-1', kind: 'docs' },
  { id: 'prod-logs', account: 'aws-prod', name: 'acme-prod-app-logs', region: 'us-east-1', kind: 'logs' },
  { id: 'prod-backups', account: 'aws-prod', name: 'acme-prod-db-backups', region: 'us-east-1', kind: 'backups' },
  { id: 'prod-infra', account: 'aws-prod', name: 'acme-prod-infra-artifacts', region: 'us-east-1', kind: 'infra' },
  { id: 'prod-hr', account: 'aws-prod', name: 'acme-prod-hr-documents', region: 'eu-west-1', kind: 'hr' },
  { id: 'prod-assets', account: 'aws-prod', name: 'acme-public-assets', region: 'us-east-1', kind: 'assets' },
  { id: 'prod-ml', account: 'aws-prod', name: 'acme-prod-ml-artifacts', region: 'eu-west-1', kind: 'ml' },
  { id: 'data-raw', account: 'aws-data', name: 'acme-datalake-raw', region: 'eu-west-1', kind: 'datalake' },
  { id: 'data-curated', account: 'aws-data', name: 'acme-datalake-curated', region: 'eu-west-1', kind: 'datalake' },
  { id: 'data-scratch', account: 'aws-data', name: 'acme-analytics-scratch', region: 'eu-west-1', kind: 'docs' },
  { id: 'data-backups', account: 'aws-data', name: 'acme-datalake-backups', region: 'eu-west-1', kind: 'backups' },
  { id: 'ga-events', account: 'gcp-analytics', name: 'acme-analytics-events', region: 'us', kind: 'datalake' },
  { id: 'ga-reports', account: 'gcp-analytics', name: 'acme-analytics-reports', region: 'us', kind: 'reports' },
  { id: 'ga-payroll', account: 'gcp-analytics', name: 'acme-analytics-hr-payroll', region: 'us', kind: 'hr' },
  { id: 'ga-exports', account: 'gcp-analytics', name: 'acme-analytics-exports', region: 'us', kind: 'docs' },
  { id: 'gm-datasets', account: 'gcp-ml', name: 'acme-ml-datasets', region: 'europe-west2', kind: 'ml' },
  { id: 'gm-models', account: 'gcp-ml', name: 'acme-ml-models', region: 'europe-west2', kind: 'ml' },
  { id: 'gm-notebooks', account: 'gcp-ml', name: 'acme-ml-notebooks', region: 'europe-west2', kind: 'docs' },
  { id: 'af-reports', account: 'azure-finance', name: 'finance-reports', region: 'westeurope', kind: 'reports' },
  { id: 'af-invoices', account: 'azure-finance', name: 'invoices', region: 'westeurope', kind: 'docs' },
  { id: 'af-payroll', account: 'azure-finance', name: 'payroll', region: 'westeurope', kind: 'hr' },
  { id: 'af-shared', account: 'azure-finance', name: 'shared', region: 'westeurope', kind: 'docs' },
  { id: 'ad-raw', account: 'azure-data', name: 'raw', region: 'eastus', kind: 'datalake' },
  { id: 'ad-curated', account: 'azure-data', name: 'curated', region: 'eastus', kind: 'datalake' },
  { id: 'ad-backups', account: 'azure-data', name: 'backups', region: 'eastus', kind: 'backups' },
  { id: 'ad-logs', account: 'azure-data', name: 'app-logs', region: 'eastus', kind: 'logs' },
  { id: 'ad-deploy', account: 'azure-data', name: 'deploy-config', region: 'eastus', kind: 'infra' },
];

/** Named operation mixes. */
export const MIXES = {
  analyst: { read: 55, list: 30, write: 12, delete: 3 },
  engineer: { read: 50, list: 30, write: 17, delete: 3 },
  reader: { read: 80, list: 20, write: 0, delete: 0 },
  browser: { read: 45, list: 55, write: 0, delete: 0 },
  writer: { read: 0, list: 10, write: 90, delete: 0 },
  app: { read: 60, list: 0, write: 35, delete: 5 },
  lister: { read: 10, list: 90, write: 0, delete: 0 },
  cleanup: { read: 0, list: 15, write: 0, delete: 85 },
  ci: { read: 60, list: 25, write: 15, delete: 0 },
} as const satisfies Record<string, OpMix>;

/** How a slot authenticates. */
export type AuthStyle = 'sso' | 'iam-user' | 'role' | 'gcp' | 'oauth' | 'managed' | 'sas' | 'key';

/** Where a service's requests come from. */
export type Network = 'aws-vpc' | 'aws-nat' | 'gcp-internal' | 'azure-public' | 'partner';

/** A template from which one identity is built. */
export interface Slot {
  /** Scenario role (incident actor), when it has one. */
  role?: string;
  /** Trap it plays. */
  trap?: Identity['trap'];
  /** Owning account. */
  account: AccountSlot;
  /** Authentication style. */
  auth: AuthStyle;
  /** Service name (services), or SSO permission set (SSO people). */
  name?: string;
  /** Office of a person; absent for services. */
  location?: LocationName;
  /** Service network. */
  network?: Network;
  /** Working rhythm. */
  rhythm: Rhythm;
  /** Range of the mean hourly rate (or burst size for batch rhythms). */
  rate: [number, number];
  /** Bucket slot ids, the first used most. */
  buckets: string[];
  /** Client names, the first used most. */
  clients: (keyof typeof CLIENTS)[];
  /** Operation mix. */
  mix: keyof typeof MIXES;
  /** Hour (UTC) of a nightly batch. */
  batchHour?: number;
}

/** Identities every dataset has: incident actors and trap players. */
export const REQUIRED_SLOTS: readonly Slot[] = [
  { role: 'aws-after-hours', account: 'aws-prod', auth: 'sso', name: 'DataAnalyst', location: 'london', rhythm: 'office', rate: [10, 16], buckets: ['prod-reports', 'prod-exports', 'prod-uploads'], clients: ['awsCli'], mix: 'analyst' },
  { role: 'aws-volume', account: 'aws-prod', auth: 'iam-user', location: 'newYork', rhythm: 'office', rate: [8, 12], buckets: ['prod-exports', 'prod-reports'], clients: ['s3Console'], mix: 'analyst' },
  { role: 'aws-enumeration', account: 'aws-prod', auth: 'iam-user', name: 'svc-reporting', network: 'aws-nat', rhythm: 'hourly-batch', rate: [6, 10], buckets: ['prod-reports'], clients: ['boto3'], mix: 'reader' },
  { role: 'aws-unusual-client', account: 'aws-data', auth: 'sso', name: 'DataEngineer', location: 'chicago', rhythm: 'office', rate: [8, 14], buckets: ['data-curated', 'data-scratch'], clients: ['awsCliLinux'], mix: 'engineer' },
  { trap: 'nightly-etl', account: 'aws-data', auth: 'role', name: 'etl-nightly-batch', network: 'aws-vpc', rhythm: 'nightly-batch', batchHour: 2, rate: [1300, 1900], buckets: ['data-raw', 'data-curated'], clients: ['javaSdk'], mix: 'reader' },
  { trap: 'new-hire', account: 'aws-prod', auth: 'sso', name: 'DataAnalyst', location: 'newYork', rhythm: 'office', rate: [8, 12], buckets: ['prod-reports', 'prod-uploads'], clients: ['awsCli'], mix: 'analyst' },
  { role: 'gcp-new-source-ip', account: 'gcp-analytics', auth: 'gcp', location: 'newYork', rhythm: 'office', rate: [8, 14], buckets: ['ga-reports', 'ga-exports'], clients: ['gsutil'], mix: 'analyst' },
  { role: 'gcp-sweep', account: 'gcp-analytics', auth: 'gcp', location: 'london', rhythm: 'office', rate: [8, 14], buckets: ['ga-events', 'ga-exports'], clients: ['gcloudStorage'], mix: 'engineer' },
  { role: 'gcp-unusual-client', account: 'gcp-ml', auth: 'gcp', location: 'tokyo', rhythm: 'office', rate: [8, 14], buckets: ['gm-datasets', 'gm-notebooks'], clients: ['gsutil'], mix: 'engineer' },
  { role: 'gcp-first-bucket', account: 'gcp-analytics', auth: 'gcp', location: 'berlin', rhythm: 'office', rate: [6, 10], buckets: ['ga-reports', 'ga-exports'], clients: ['gcsConsole'], mix: 'browser' },
  { trap: 'vpn-rotation', account: 'gcp-ml', auth: 'gcp', location: 'sanFrancisco', rhythm: 'office', rate: [8, 12], buckets: ['gm-models', 'gm-notebooks'], clients: ['gcsPython'], mix: 'engineer' },
  { trap: 'traveller', account: 'gcp-analytics', auth: 'gcp', location: 'london', rhythm: 'office', rate: [8, 12], buckets: ['ga-reports', 'ga-events'], clients: ['gsutil'], mix: 'analyst' },
  { role: 'azure-api-spike', account: 'azure-data', auth: 'sas', name: 'partner-feed', network: 'partner', rhythm: 'steady', rate: [5, 8], buckets: ['ad-curated'], clients: ['azurePython'], mix: 'browser' },
  { role: 'azure-mass-deletion', account: 'azure-finance', auth: 'oauth', location: 'london', rhythm: 'office', rate: [8, 12], buckets: ['af-shared', 'af-reports'], clients: ['storageExplorer'], mix: 'analyst' },
  { role: 'azure-secret-read', account: 'azure-data', auth: 'oauth', location: 'newYork', rhythm: 'office', rate: [6, 10], buckets: ['ad-deploy', 'ad-logs'], clients: ['azureCli'], mix: 'engineer' },
  { role: 'azure-unusual-client', account: 'azure-data', auth: 'key', name: 'legacy-sync', network: 'azure-public', rhythm: 'steady', rate: [6, 10], buckets: ['ad-raw'], clients: ['azureDotnet'], mix: 'reader' },
  { trap: 'heavy-fridays', account: 'azure-finance', auth: 'oauth', location: 'london', rhythm: 'office', rate: [6, 10], buckets: ['af-reports', 'af-invoices'], clients: ['azurePortal'], mix: 'browser' },
];

/** Ordinary identities, used in order (and cycled) to fill the population up to the requested size. */
export const FILL_SLOTS: readonly Slot[] = [
  { account: 'aws-prod', auth: 'role', name: 'app-backend-prod', network: 'aws-vpc', rhythm: 'steady', rate: [10, 14], buckets: ['prod-uploads'], clients: ['goSdk'], mix: 'app' },
  { account: 'aws-prod', auth: 'role', name: 'log-shipper', network: 'aws-nat', rhythm: 'hourly-batch', rate: [10, 16], buckets: ['prod-logs'], clients: ['goSdk'], mix: 'writer' },
  { role: 'ci-deploy', account: 'aws-prod', auth: 'role', name: 'ci-deploy', network: 'aws-nat', rhythm: 'office', rate: [4, 8], buckets: ['prod-infra'], clients: ['terraform'], mix: 'ci' },
  { account: 'gcp-analytics', auth: 'gcp', location: 'newYork', rhythm: 'office', rate: [6, 12], buckets: ['ga-reports', 'ga-exports'], clients: ['gsutil'], mix: 'analyst' },
  { account: 'aws-data', auth: 'sso', name: 'DataEngineer', location: 'london', rhythm: 'office', rate: [8, 14], buckets: ['data-curated', 'data-scratch'], clients: ['awsCliLinux'], mix: 'engineer' },
  { account: 'gcp-analytics', auth: 'gcp', name: 'dataflow-ingest', network: 'gcp-internal', rhythm: 'steady', rate: [8, 12], buckets: ['ga-events'], clients: ['gcsJava'], mix: 'writer' },
  { account: 'azure-finance', auth: 'oauth', location: 'berlin', rhythm: 'office', rate: [6, 10], buckets: ['af-reports', 'af-invoices'], clients: ['storageExplorer'], mix: 'analyst' },
  { account: 'azure-data', auth: 'managed', name: 'func-ingest', network: 'azure-public', rhythm: 'steady', rate: [6, 10], buckets: ['ad-raw'], clients: ['azurePython'], mix: 'writer' },
  { account: 'gcp-ml', auth: 'gcp', location: 'sanFrancisco', rhythm: 'office', rate: [6, 12], buckets: ['gm-datasets', 'gm-notebooks'], clients: ['gcsPython'], mix: 'engineer' },
  { account: 'gcp-ml', auth: 'gcp', name: 'vertex-training', network: 'gcp-internal', rhythm: 'steady', rate: [6, 10], buckets: ['gm-datasets'], clients: ['gcsPython'], mix: 'reader' },
  { account: 'aws-prod', auth: 'iam-user', location: 'tokyo', rhythm: 'office', rate: [6, 12], buckets: ['prod-exports', 'prod-reports'], clients: ['awsCli'], mix: 'analyst' },
  { account: 'aws-data', auth: 'role', name: 'retention-cleanup', network: 'aws-nat', rhythm: 'nightly-batch', batchHour: 4, rate: [80, 150], buckets: ['data-scratch'], clients: ['boto3'], mix: 'cleanup' },
  { account: 'azure-data', auth: 'sas', name: 'partner-upload', network: 'partner', rhythm: 'hourly-batch', rate: [4, 8], buckets: ['ad-raw'], clients: ['azcopy'], mix: 'writer' },
  { account: 'gcp-analytics', auth: 'gcp', name: 'looker-reports', network: 'gcp-internal', rhythm: 'steady', rate: [3, 6], buckets: ['ga-reports'], clients: ['gcsGo'], mix: 'reader' },
  { account: 'aws-prod', auth: 'sso', name: 'DataAnalyst', location: 'singapore', rhythm: 'office', rate: [6, 12], buckets: ['prod-reports', 'prod-ml'], clients: ['awsCli'], mix: 'analyst' },
  { account: 'azure-data', auth: 'oauth', location: 'newYork', rhythm: 'office', rate: [6, 10], buckets: ['ad-curated', 'ad-logs'], clients: ['storageExplorer'], mix: 'engineer' },
  { account: 'gcp-ml', auth: 'gcp', location: 'tokyo', rhythm: 'office', rate: [6, 10], buckets: ['gm-notebooks', 'gm-models'], clients: ['gcloudStorage'], mix: 'engineer' },
  { account: 'aws-data', auth: 'role', name: 'glue-crawler', network: 'aws-nat', rhythm: 'hourly-batch', rate: [6, 10], buckets: ['data-raw', 'data-curated'], clients: ['boto3'], mix: 'lister' },
  { account: 'azure-finance', auth: 'sas', name: 'invoice-portal', network: 'azure-public', rhythm: 'steady', rate: [4, 8], buckets: ['af-invoices'], clients: ['azureDotnet'], mix: 'reader' },
  { account: 'aws-prod', auth: 'role', name: 'backup-agent', network: 'aws-vpc', rhythm: 'nightly-batch', batchHour: 1, rate: [3, 6], buckets: ['prod-backups'], clients: ['goSdk'], mix: 'writer' },
  { account: 'gcp-analytics', auth: 'gcp', location: 'london', rhythm: 'office', rate: [6, 10], buckets: ['ga-events', 'ga-reports'], clients: ['gcsConsole'], mix: 'browser' },
  { account: 'aws-prod', auth: 'sso', name: 'HRPartner', location: 'newYork', rhythm: 'office', rate: [4, 8], buckets: ['prod-hr'], clients: ['s3Console'], mix: 'analyst' },
  { account: 'azure-finance', auth: 'oauth', location: 'newYork', rhythm: 'office', rate: [6, 10], buckets: ['af-reports', 'af-payroll'], clients: ['storageExplorer'], mix: 'analyst' },
];
