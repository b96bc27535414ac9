import type { Bucket, Cloud } from './model.js';

/** The AWS account every bucket and trail belongs to. */
export const AWS_ACCOUNT = '381492650173';
/** The GCP project of the Cloud Storage buckets. */
export const GCP_PROJECT = 'nw-analytics-prod';
/** The Azure subscription, resource group and tenant. */
export const AZURE = { subscription: '6f1c2d3e-8a9b-4c7d-b1e2-3f4a5b6c7d8e', resourceGroup: 'rg-nw-prod', tenant: 'a3c1e5f7-2b4d-4e6f-8a0b-1c2d3e4f5a6b' };

function b(cloud: Cloud, name: string, region: string, keys: string[], objects: number, sizeMedian: number, account?: string): Bucket {
  return account ? { cloud, name, region, keys, objects, sizeMedian, account } : { cloud, name, region, keys, objects, sizeMedian };
}

/** The organisation's shared buckets and containers, by short name. */
export const BUCKETS = {
  raw: b('aws', 'nw-datalake-raw', 'eu-west-1', ['events/2026/10/{d}/part-{n}.snappy.parquet', 'ingest/crm/{d}/accounts-{n}.json.gz', 'ingest/payments/{d}/batch-{n}.csv.gz'], 40000, 6_000_000),
  curated: b('aws', 'nw-datalake-curated', 'eu-west-1', ['marts/finance/fct_payments/part-{n}.parquet', 'marts/product/dim_customer/part-{n}.parquet', 'marts/risk/scores/part-{n}.parquet'], 15000, 9_000_000),
  deploy: b('aws', 'nw-deploy-artifacts', 'eu-west-1', ['releases/api/v1.{n}/api.tar.gz', 'releases/web/v2.{n}/web.tar.gz', 'charts/payments-{n}.tgz'], 600, 25_000_000),
  tfstate: b('aws', 'nw-tfstate-backups', 'eu-west-1', ['{date}/{stack}/terraform.tfstate'], 1, 400_000),
  uploads: b('aws', 'nw-app-uploads', 'us-east-1', ['customers/{n}/statements/2026-10.pdf', 'customers/{n}/kyc/passport-scan.jpg', 'customers/{n}/exports/transactions.csv'], 60000, 700_000),
  backups: b('aws', 'nw-backups', 'us-east-1', ['uploads/2026/10/{d}/chunk-{n}.tar.zst', 'db/payments/{d}/dump-{n}.sql.gz'], 8000, 50_000_000),
  site: b('aws', 'nw-public-site', 'us-east-1', ['index.html', 'assets/app.{n}.js', 'assets/img/hero-{n}.webp', 'docs/pricing.pdf', 'blog/post-{n}/index.html'], 400, 120_000),
  exports: b('gcp', 'nw-warehouse-exports', 'EUROPE-WEST2', ['bq/daily/{d}/payments-{n}.avro', 'bq/daily/{d}/events-{n}.avro'], 30000, 8_000_000),
  features: b('gcp', 'nw-ml-features', 'EUROPE-WEST2', ['features/v3/shard-{n}.tfrecord', 'models/churn/v{n}/saved_model.pb'], 12000, 4_000_000),
  reports: b('gcp', 'nw-analytics-reports', 'US', ['weekly/{d}/kpi-{n}.pdf', 'adhoc/team-{n}/analysis.ipynb', 'dashboards/extract-{n}.csv'], 9000, 900_000),
  infra: b('gcp', 'nw-infra-config', 'EUROPE-WEST2', ['k8s/overlays/prod/{n}/kustomization.yaml', 'helm/values-{n}.yaml'], 300, 8_000),
  invoices: b('azure', 'invoices', 'uksouth', ['2026/10/INV-{n}.pdf', '2026/09/INV-{n}.pdf'], 20000, 180_000, 'nwfinancedocs'),
  ledger: b('azure', 'ledger-exports', 'uksouth', ['gl/{d}/journal-{n}.csv', 'ap/{d}/aging-{n}.xlsx'], 6000, 2_500_000, 'nwfinancedocs'),
  payroll: b('azure', 'payroll', 'uksouth', ['runs/2026-10/payslip-{n}.pdf', 'runs/2026-09/payslip-{n}.pdf'], 2000, 90_000, 'nwfinancedocs'),
  acme: b('azure', 'client-acme', 'uksouth', ['contracts/{n}.pdf', 'tickets/{n}/attachment.png', 'statements/{n}.pdf'], 5000, 600_000, 'nwclientdocs'),
  globex: b('azure', 'client-globex', 'uksouth', ['contracts/{n}.pdf', 'tickets/{n}/attachment.png'], 4000, 600_000, 'nwclientdocs'),
  initech: b('azure', 'client-initech', 'uksouth', ['contracts/{n}.pdf', 'tickets/{n}/log.txt'], 3000, 400_000, 'nwclientdocs'),
  umbrella: b('azure', 'client-umbrella', 'uksouth', ['contracts/{n}.pdf', 'tickets/{n}/attachment.png'], 3000, 600_000, 'nwclientdocs'),
  hooli: b('azure', 'client-hooli', 'uksouth', ['contracts/{n}.pdf', 'statements/{n}.pdf'], 2500, 500_000, 'nwclientdocs'),
  opsdeploy: b('azure', 'deploy', 'uksouth', ['bicep/main-{n}.json', 'functions/indexer-{n}.zip'], 200, 3_000_000, 'nwwebassets'),
  assets: b('azure', 'public-assets', 'uksouth', ['img/logo-{n}.svg', 'downloads/brochure-{n}.pdf', 'css/site.{n}.css'], 300, 150_000, 'nwwebassets'),
} satisfies Record<string, Bucket>;

/** A personal bucket (AWS sandbox or GCS scratch) of one data engineer. */
export function personalBucket(cloud: 'aws' | 'gcp', person: string): Bucket {
  return cloud === 'aws'
    ? b('aws', `nw-sandbox-${person}`, 'eu-west-1', ['notebooks/{n}.ipynb', 'tmp/extract-{n}.parquet'], 400, 3_000_000)
    : b('gcp', `nw-scratch-${person}`, 'EUROPE-WEST2', ['tmp/{n}.csv', 'models/try-{n}/weights.bin'], 400, 5_000_000);
}

/** Names an enumerating caller tries: real buckets it may not use and guesses. */
export const GUESSED_BUCKETS = ['nw-backups', 'nw-secrets', 'northwind-prod', 'nw-prod-db-dumps', 'nw-finance', 'nw-hr', 'nw-keys', 'nw-terraform', 'nw-logs', 'nw-audit', 'nw-payroll', 'northwind-backup', 'nw-customer-data', 'nw-kyc', 'nw-archive', 'nw-temp', 'nw-staging', 'nw-dev', 'nw-data', 'nw-exports', 'nw-ml', 'nw-admin', 'northwind-private', 'nw-confidential', 'nw-legal', 'nw-contracts', 'nw-invoices', 'nw-billing', 'nw-private', 'nw-internal', 'nw-ops', 'nw-security', 'nw-creds', 'nw-vault', 'nw-sftp', 'nw-partner-share', 'nw-marketing', 'nw-crm', 'nw-support', 'nw-reports-old', 'nw-prod-2025', 'nw-db', 'nw-warehouse', 'nw-lake', 'nw-bi', 'nw-etl', 'nw-airflow', 'nw-mlflow', 'nw-jenkins', 'nw-github', 'nw-ci', 'nw-docker', 'nw-images', 'nw-static', 'nw-cdn', 'nw-media', 'nw-uploads-old', 'nw-dumps', 'nw-snapshots', 'nw-dr'];

/** The daily Terraform stacks whose state is backed up into a dated folder. */
export const TF_STACKS = ['network', 'eks-prod', 'rds-payments', 'iam', 'observability'];

/** Keys that look like secrets but are routine in the deploy bucket. */
export const ROUTINE_SECRET_KEYS = ['config/.env.example', 'certs/ca-bundle.pem', 'certs/star_northwind_example.crt'];

/** Keys of real secrets an attacker or a curious insider reads. */
export const SECRET_KEYS = ['.env', '.env.production', '.ssh/id_rsa', '.aws/credentials', 'credentials.json', 'service-account-key.json', 'prod-db.pem', 'tls/server.key', 'config/secrets.yaml', '.git-credentials', 'keys/deploy_id_ed25519', 'vault-token.txt', 'api-keys.json', 'kubeconfig', '.npmrc'];

/** The key of object number n of a bucket (stable for a bucket and n). */
export function objectKey(bucket: Bucket, n: number, day: number): string {
  const template = bucket.keys[n % bucket.keys.length]!;
  const date = new Date(Date.UTC(2026, 9, 12 + day));
  return template
    .replace('{n}', String(Math.floor(n / bucket.keys.length)).padStart(5, '0'))
    .replace('{d}', date.toISOString().slice(0, 10).replaceAll('-', '/'))
    .replace('{date}', date.toISOString().slice(0, 10))
    .replace('{stack}', TF_STACKS[n % TF_STACKS.length]!);
}
