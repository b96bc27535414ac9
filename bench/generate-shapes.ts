/**
 * Writes the two benchmark shapes in the clouds' delivery layouts:
 *   month: a month of multi-cloud logs for about 100 identities (the demo generator, larger population):
 *          CloudTrail `.json.gz` under AWSLogs/.../YYYY/MM/DD/, Cloud Logging NDJSON, Azure `PT1H.json`.
 *   dense: an identity-dense estate: 2,000 IAM users, N CloudTrail S3 events (default 1,000,000) over
 *          12 days, every request from a different private 10.x address, as five-minute `.json.gz`
 *          delivery files.
 * Usage: tsx bench/generate-shapes.ts --shape month|dense --out DIR [--events N] [--identities N] [--days N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { constants, gzipSync } from 'node:zlib';
import { generateDataset } from '../src/demo/generate-dataset.js';
import { SeededRandom } from '../src/demo/seeded-random.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FIVE_MINUTES = 300_000;

/** Options of the identity-dense shape. */
export interface DenseOptions {
  outDir: string;
  events: number;
  identities?: number;
  days?: number;
  seed?: number;
  /** End of the data, exclusive. */
  end?: Date;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The `n`-th private address: every request gets its own (up to 16.7 M). */
function privateIp(n: number): string {
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * Writes the identity-dense shape one five-minute delivery file at a time, so memory holds one
 * file's records whatever the event count; returns the number of files and events written.
 */
export function generateDense(o: DenseOptions): { files: number; events: number } {
  const users = o.identities ?? 2000;
  const days = o.days ?? 12;
  const end = Math.floor((o.end ?? new Date('2026-11-28T00:00:00Z')).getTime() / HOUR) * HOUR;
  const start = end - days * DAY;
  const rng = new SeededRandom(o.seed ?? 11);
  const account = '123456789012';
  const region = 'us-east-1';
  const buckets = Array.from({ length: 40 }, (_, i) => `fleet-data-${pad(i)}`);
  const userBucket = Array.from({ length: users }, () => [rng.pick(buckets), rng.pick(buckets)]);
  const names = ['GetObject', 'GetObject', 'GetObject', 'PutObject', 'ListObjects', 'HeadObject'];
  const vpce = `vpce-0${rng.hex(16)}`;
  const slots = (end - start) / FIVE_MINUTES;
  const perSlot = o.events / slots;
  let written = 0;
  let files = 0;
  for (let s = 0; s < slots; s++) {
    const slotStart = start + s * FIVE_MINUTES;
    const count = Math.round(perSlot * (s + 1)) - Math.round(perSlot * s);
    if (!count) continue;
    const parts: string[] = [];
    for (let k = 0; k < count; k++) {
      const n = written + k;
      const u = rng.int(0, users - 1);
      const user = `svc-fleet-${pad(u, 4)}`;
      const bucket = userBucket[u]![rng.int(0, 1)]!;
      const name = rng.pick(names);
      const key = `part-${pad(u, 4)}/${pad(rng.int(0, 9999), 4)}.parquet`;
      const time = slotStart + Math.floor((k * FIVE_MINUTES) / count);
      const read = name !== 'PutObject';
      const bytes = name === 'GetObject' ? rng.int(1_000, 5_000_000) : 0;
      const list = name === 'ListObjects';
      const host = `${bucket}.s3.${region}.amazonaws.com`;
      parts.push(JSON.stringify({
        eventVersion: '1.09',
        userIdentity: { type: 'IAMUser', principalId: `AIDA${pad(u, 4)}FLEETUSER00`, arn: `arn:aws:iam::${account}:user/${user}`, accountId: account, accessKeyId: `AKIA${pad(u, 4)}FLEETKEY0000`, userName: user },
        eventTime: iso(time),
        eventSource: 's3.amazonaws.com',
        eventName: name,
        awsRegion: region,
        sourceIPAddress: privateIp(n),
        userAgent: '[aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2]',
        requestParameters: list ? { 'list-type': '2', bucketName: bucket, prefix: `part-${pad(u, 4)}/`, Host: host } : { bucketName: bucket, Host: host, key },
        responseElements: null,
        additionalEventData: { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: read ? 0 : rng.int(1_000, 2_000_000), AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': rng.base64(76), bytesTransferredOut: bytes },
        requestID: rng.upperAlnum(16),
        eventID: rng.uuid(),
        readOnly: read,
        resources: list
          ? [{ accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }]
          : [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` }, { accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }],
        eventType: 'AwsApiCall',
        managementEvent: false,
        recipientAccountId: account,
        vpcEndpointId: vpce,
        vpcEndpointAccountId: account,
        eventCategory: 'Data',
        tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: host },
      }));
    }
    written += count;
    const d = new Date(slotStart + FIVE_MINUTES);
    const [y, m, day] = [d.getUTCFullYear(), pad(d.getUTCMonth() + 1), pad(d.getUTCDate())];
    const stamp = `${y}${m}${day}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
    const file = join(o.outDir, 'AWSLogs', account, 'CloudTrail', region, String(y), m, day, `${account}_CloudTrail_${region}_${stamp}_${rng.alnum(16)}.json.gz`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, gzipSync(`{"Records":[${parts.join(',')}]}`, { level: constants.Z_BEST_SPEED }));
    files++;
  }
  return { files, events: written };
}

/** Writes the month shape (demo generator, `identities` named identities over `days` days). */
export async function generateMonth(o: { outDir: string; identities?: number; days?: number; seed?: number }): Promise<{ files: number; events: number }> {
  const m = await generateDataset({ seed: o.seed ?? 7, outDir: o.outDir, identities: o.identities ?? 100, days: o.days ?? 30 });
  return { files: m.files.length, events: m.events };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { shape: { type: 'string' }, out: { type: 'string' }, events: { type: 'string' }, identities: { type: 'string' }, days: { type: 'string' } },
  });
  if (!values.out || (values.shape !== 'month' && values.shape !== 'dense')) {
    console.error('usage: tsx bench/generate-shapes.ts --shape month|dense --out DIR [--events N] [--identities N] [--days N]');
    process.exit(2);
  }
  const started = performance.now();
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const r = values.shape === 'month'
    ? await generateMonth({ outDir: values.out, identities: num(values.identities), days: num(values.days) })
    : generateDense({ outDir: values.out, events: num(values.events) ?? 1_000_000, identities: num(values.identities), days: num(values.days) });
  console.log(`${values.shape}: ${r.events.toLocaleString('en-US')} records in ${r.files.toLocaleString('en-US')} files under ${values.out} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
