import { SeededRandom } from './seeded-random.js';
import { FIRST_NAMES, LAST_NAMES } from './catalogue.js';
import type { BucketKind, BucketSpec } from './synthetic-event.js';

const DAY = 86_400_000;

/** Median object size in bytes and log-space spread, per kind of bucket. */
const SIZES: Record<BucketKind, [number, number]> = {
  reports: [420_000, 1.1],
  datalake: [9_000_000, 0.6],
  logs: [260_000, 0.8],
  backups: [1_800_000_000, 0.5],
  assets: [70_000, 1.0],
  hr: [140_000, 0.9],
  ml: [60_000_000, 0.7],
  infra: [3_000_000, 1.4],
  docs: [300_000, 1.2],
};

/** Secret-looking objects that exist in infra and docs buckets (read only by the secret-read incidents and CI). */
export const SECRET_KEYS: readonly string[] = [
  'deploy/.env',
  'keys/deploy_id_rsa',
  'config/credentials.json',
  'certs/api-prod.pem',
  'terraform/prod/terraform.tfstate',
  'keys/gcp-service-account.json',
];

const TOPICS = ['q3-revenue', 'q4-forecast', 'pipeline-forecast', 'opex-by-dept', 'board-deck', 'churn-analysis', 'headcount-plan', 'vendor-spend', 'ar-aging', 'cash-flow', 'pricing-review', 'customer-cohorts'];
const REPORT_EXT = ['xlsx', 'xlsx', 'pdf', 'csv', 'pptx'];
/** Data-lake dataset names. */
export const DATASETS: readonly string[] = ['events', 'clicks', 'orders', 'sessions', 'payments'];
const SERVICES = ['api', 'web', 'worker', 'billing', 'auth'];
const DATABASES = ['orders-db', 'users-db', 'billing-db'];
const DEPTS = ['engineering', 'sales', 'finance', 'marketing', 'support', 'operations'];
const MODELS = ['churn', 'fraud', 'ranking', 'forecast'];
const DOCS = ['roadmap', 'design-review', 'meeting-notes', 'architecture', 'runbook', 'customer-list', 'contract-summary', 'okrs'];
const PRODUCTS = ['desk-lamp', 'office-chair', 'monitor-arm', 'standing-desk', 'keyboard', 'headset'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD` of an epoch-ms instant, UTC. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Realistic object keys and stable sizes for each bucket, anchored on the dataset's end date. */
export class KeySpace {
  private readonly keys = new Map<string, string>();
  private readonly sizes = new Map<string, number>();

  /** Anchors dated keys (partitions, monthly reports) on the dataset's end. */
  constructor(private readonly endMs: number) {}

  /** The key of a bucket's index-th object; the same index always gives the same key. */
  keyAt(bucket: BucketSpec, index: number): string {
    const id = `${bucket.name}|${index}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      key = this.makeKey(bucket, index);
      if (this.keys.size < 200_000) this.keys.set(id, key);
    }
    return key;
  }

  private makeKey(bucket: BucketSpec, index: number): string {
    const r = SeededRandom.from('key', bucket.name, index);
    const daysBack = index % 60;
    const date = isoDate(this.endMs - (daysBack + 1) * DAY);
    const [y, m] = date.split('-') as [string, string];
    const month = new Date(this.endMs - (index % 18) * 30 * DAY).toISOString().slice(0, 7).replace('-', '/');
    switch (bucket.kind) {
      case 'reports':
        return `reports/${month}/${r.pick(TOPICS)}${r.pick(['', '', '-final', '-emea', '-na', '-apac'])}.${r.pick(REPORT_EXT)}`;
      case 'datalake':
        return `data/${r.pick(DATASETS)}/dt=${date}/part-${pad(Math.floor(index / 60) % 400, 5)}.snappy.parquet`;
      case 'logs': {
        const svc = r.pick(SERVICES);
        return `logs/${svc}/${y}/${m}/${date.slice(8)}/${pad(r.int(0, 23), 2)}/${svc}-${r.hex(6)}.log.gz`;
      }
      case 'backups': {
        const db = r.pick(DATABASES);
        return `backups/${db}/${date}/${db}-full.dump.gz`;
      }
      case 'assets':
        return r.chance(0.7)
          ? `static/img/products/${r.pick(PRODUCTS)}-${index % 400}.webp`
          : r.chance(0.5) ? `static/js/app.${r.hex(8)}.js` : `downloads/${r.pick(PRODUCTS)}-brochure.pdf`;
      case 'hr': {
        const person = `${r.pick(FIRST_NAMES)}-${r.pick(LAST_NAMES)}`.toLowerCase();
        return r.pick([`payroll/${month}/payroll-${r.pick(DEPTS)}.csv`, `contracts/${person}-employment-agreement.pdf`, `reviews/${y}/${person}-review.docx`]);
      }
      case 'ml':
        return r.chance(0.8)
          ? `datasets/${r.pick(MODELS)}-train/shard-${pad(index % 1024, 5)}-of-01024.tfrecord`
          : `models/${r.pick(MODELS)}/v${r.int(1, 14)}/model.safetensors`;
      case 'infra': {
        const svc = r.pick(SERVICES);
        const ver = `1.${r.int(10, 60)}.${r.int(0, 9)}`;
        return r.chance(0.7) ? `artifacts/${svc}/${ver}/${svc}-${ver}.tar.gz` : `ansible/roles/${svc}/tasks/main.yml`;
      }
      case 'docs':
        return r.pick([`shared/${r.pick(DEPTS)}/${r.pick(DOCS)}.docx`, `projects/${r.pick(MODELS)}-${r.pick(SERVICES)}/specs/${r.pick(DOCS)}.pdf`, `exports/${date}/${r.pick(DATASETS)}-export.csv`]);
    }
  }

  /** A key for a new object written at `time`. */
  freshKey(bucket: BucketSpec, time: number, rng: SeededRandom): string {
    const date = isoDate(time);
    const [y, m, d] = date.split('-') as [string, string, string];
    const hh = pad(new Date(time).getUTCHours(), 2);
    switch (bucket.kind) {
      case 'logs': {
        const svc = rng.pick(SERVICES);
        return `logs/${svc}/${y}/${m}/${d}/${hh}/${svc}-${rng.hex(6)}.log.gz`;
      }
      case 'datalake':
        return `data/${rng.pick(DATASETS)}/dt=${date}/part-${pad(rng.int(0, 399), 5)}-${rng.hex(8)}.snappy.parquet`;
      case 'backups': {
        const db = rng.pick(DATABASES);
        return `backups/${db}/${date}/${db}-full.dump.gz`;
      }
      case 'reports':
        return `reports/${y}/${m}/${rng.pick(TOPICS)}-draft-${rng.int(1, 9)}.${rng.pick(REPORT_EXT)}`;
      case 'ml':
        return `models/${rng.pick(MODELS)}/v${rng.int(15, 30)}/checkpoint-${rng.int(100, 9000)}.safetensors`;
      case 'infra':
        return `artifacts/${rng.pick(SERVICES)}/1.${rng.int(60, 80)}.${rng.int(0, 9)}/build-${rng.hex(7)}.tar.gz`;
      default:
        return `uploads/${y}/${m}/${rng.pick(DOCS)}-${rng.hex(4)}.${rng.pick(['docx', 'pdf', 'csv', 'png'])}`;
    }
  }

  /** The fixed size of an existing object. */
  sizeOf(bucket: BucketSpec, key: string): number {
    const id = `${bucket.name}/${key}`;
    let size = this.sizes.get(id);
    if (size === undefined) {
      const [median, sigma] = SIZES[bucket.kind];
      size = SeededRandom.from('size', bucket.name, key).logNormal(median, sigma);
      if (this.sizes.size < 200_000) this.sizes.set(id, size);
    }
    return size;
  }

  /** A size for a newly written object of this bucket's kind. */
  freshSize(bucket: BucketSpec, rng: SeededRandom): number {
    const [median, sigma] = SIZES[bucket.kind];
    return rng.logNormal(median, sigma);
  }
}
