import { ActivityModel } from './activity.js';
import { cloudTrailRecord, cloudTrailTime } from './cloudtrail-records.js';
import { DEFAULT_IDENTITIES, buildPopulation } from './population.js';
import { SeededRandom } from './seeded-random.js';
import type { Identity } from './synthetic-event.js';

/** What the benchmark stream produces. */
export interface SyntheticCloudTrailOptions {
  /** Seed; the same seed gives the same records. */
  seed: number;
  /** Number of records. */
  count: number;
  /** Time of the first record (default 2026-11-01T00:00:00Z); records are ~20 ms apart on average. */
  start?: Date;
  /** Size of the population the AWS callers are drawn from (default 40). */
  identities?: number;
}

/**
 * CloudTrail S3 data events (GetObject, PutObject, ListObjects, DeleteObject) from the demo
 * population's AWS identities, in time order, without touching the disk: for throughput benchmarks.
 */
export function* syntheticCloudTrailRecords(o: SyntheticCloudTrailOptions): Generator<Record<string, unknown>> {
  let time = (o.start ?? new Date('2026-11-01T00:00:00Z')).getTime();
  const pop = buildPopulation(o.seed, o.identities ?? DEFAULT_IDENTITIES, time + 28 * 86_400_000);
  const model = new ActivityModel(pop, time);
  const callers: Identity[] = [...pop.identities.filter((i) => i.cloud === 'aws'), pop.anonymous];
  const rng = SeededRandom.from(o.seed, 'benchmark');
  for (let n = 0; n < o.count; n++) {
    time += rng.int(0, 40);
    const id = rng.pick(callers);
    const ip = id.ips.length ? rng.pick(id.ips) : `198.51.100.${rng.int(1, 254)}`;
    yield cloudTrailRecord(model.event(id, time, ip, id.clients[0] ?? '', rng), rng);
  }
}

const MARK = /"@@[TRE]@@"/;

/**
 * CloudTrail S3 data events as NDJSON lines (no trailing newline), several times faster than
 * serialising `syntheticCloudTrailRecords`: the lines cycle through a pool of `poolSize` distinct
 * requests (default 20,000), each with a fresh, increasing eventTime and fresh requestID and eventID.
 */
export function* syntheticCloudTrailLines(o: SyntheticCloudTrailOptions & { poolSize?: number }): Generator<string> {
  const size = Math.max(1, Math.min(o.poolSize ?? 20_000, o.count));
  const pool: string[][] = [];
  for (const record of syntheticCloudTrailRecords({ ...o, count: size })) {
    record.eventTime = '@@T@@';
    record.requestID = '@@R@@';
    record.eventID = '@@E@@';
    pool.push(JSON.stringify(record).split(MARK));
  }
  const rng = SeededRandom.from(o.seed, 'benchmark-lines');
  let time = (o.start ?? new Date('2026-11-01T00:00:00Z')).getTime();
  for (let n = 0; n < o.count; n++) {
    time += rng.int(0, 40);
    const [a, b, c, d] = pool[n % size] as [string, string, string, string];
    yield `${a}"${cloudTrailTime(time)}"${b}"${rng.upperAlnum(16)}"${c}"${rng.uuid()}"${d}`;
  }
}
