import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AWS_ACCOUNT, AZURE } from './buckets.js';
import type { Call, Cloud } from './model.js';
import type { Identity } from './organisation.js';
import { azureRecord, cloudTrailRecord, gcsLogEntry } from './log-records.js';
import { Rng } from './rng.js';

const pad = (n: number) => String(n).padStart(2, '0');
const FIVE_MIN = 300_000;

function ymd(ms: number): { y: string; m: string; d: string; h: string } {
  const t = new Date(ms);
  return { y: String(t.getUTCFullYear()), m: pad(t.getUTCMonth() + 1), d: pad(t.getUTCDate()), h: pad(t.getUTCHours()) };
}

/** Writes calls (in time order, one batch at a time) into the clouds' delivery layouts under one directory. */
export class DeliveryWriter {
  /** Records written per cloud. */
  readonly counts: Record<Cloud, number> = { aws: 0, gcp: 0, azure: 0 };
  /** Files written. */
  files = 0;
  private batch = 0;
  private readonly seen = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly seed: number,
    private readonly identities: Map<string, Identity>,
  ) {}

  /** Renders and writes one batch of calls; a later batch must not start before this one's hour ends. */
  write(calls: Call[]): void {
    const rng = new Rng(this.seed, 'records', this.batch++);
    const groups = new Map<string, string[]>();
    const gz = new Map<string, unknown[]>();
    for (const call of calls) {
      const id = this.identities.get(call.identity)!;
      const when = ymd(call.t);
      if (call.cloud === 'aws') {
        // CloudTrail delivers a file about every five minutes per region.
        const window = Math.floor(call.t / FIVE_MIN) * FIVE_MIN;
        const key = `${call.bucket.region}|${window}`;
        let list = gz.get(key);
        if (!list) gz.set(key, (list = []));
        list.push(cloudTrailRecord(id, call, rng));
      } else if (call.cloud === 'gcp') {
        this.add(groups, `gcs-audit-sink/cloudaudit.googleapis.com/data_access/${when.y}/${when.m}/${when.d}/${when.h}:00:00_${when.h}:59:59_S0.json`, JSON.stringify(gcsLogEntry(id, call, rng)));
      } else {
        const record = azureRecord(id, call, rng);
        const container = `insights-logs-${String(record.category).toLowerCase()}`;
        const rid = `/SUBSCRIPTIONS/${AZURE.subscription}/RESOURCEGROUPS/${AZURE.resourceGroup}/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/${call.bucket.account!}/BLOBSERVICES/DEFAULT`.toUpperCase();
        this.add(groups, `${container}/resourceId=${rid}/y=${when.y}/m=${when.m}/d=${when.d}/h=${when.h}/m=00/PT1H.json`, JSON.stringify(record));
      }
      this.counts[call.cloud]++;
    }
    for (const [key, records] of gz) {
      const [region, window] = key.split('|') as [string, string];
      const deliveredAt = Number(window) + FIVE_MIN + rng.int(60_000, 600_000);
      const when = ymd(Number(window));
      const stamp = new Date(deliveredAt).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
      const path = `AWSLogs/${AWS_ACCOUNT}/CloudTrail/${region}/${when.y}/${when.m}/${when.d}/${AWS_ACCOUNT}_CloudTrail_${region}_${stamp}_${rng.alnum(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}.json.gz`;
      this.put(path, gzipSync(JSON.stringify({ Records: records })), false);
    }
    for (const [path, lines] of groups) this.put(path, lines.join('\n') + '\n', true);
  }

  private add(groups: Map<string, string[]>, path: string, line: string): void {
    let list = groups.get(path);
    if (!list) groups.set(path, (list = []));
    list.push(line);
  }

  private put(path: string, data: string | Buffer, append: boolean): void {
    const full = join(this.dir, path);
    if (!this.seen.has(full)) {
      mkdirSync(dirname(full), { recursive: true });
      this.seen.add(full);
      this.files++;
    }
    if (append) appendFileSync(full, data);
    else writeFileSync(full, data);
  }
}
