import { objectKey } from './buckets.js';
import type { ClientKind } from './user-agent.js';
import type { Bucket, Call, Cloud } from './model.js';
import type { Rng } from './rng.js';

/** What one burst of calls (a CLI run, a console visit, a job step) is made of. */
export interface SessionSpec {
  identity: string;
  cloud: Cloud;
  bucket: Bucket;
  t0: number;
  ip: string;
  ua: string;
  day: number;
  reads?: number;
  lists?: number;
  writes?: number;
  deletes?: number;
  /** Mean seconds between calls. */
  gap: number;
  session?: string;
  vpce?: string;
  tag?: string;
  /** Fixed keys to read instead of drawn ones. */
  keys?: string[];
  /** Folder the deletes empty (tidying). */
  deleteFolder?: string;
  /** Read distinct objects in order (sweeps) instead of popular ones. */
  distinct?: boolean;
  denied?: boolean;
  /** Object size multiplier (large exports). */
  sizeFactor?: number;
}

/** Mean seconds between calls for a client: tools are fast, people in a browser are slow. */
export function clientGap(kind: ClientKind): number {
  return kind === 's3-console' || kind === 'gcp-console' || kind === 'portal' || kind === 'storage-explorer' ? 5 : 1.2;
}

/** The folder part of a key (`a/b/c.txt` -> `a/b/`). */
export function folderOf(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? '' : key.slice(0, i + 1);
}

/** Appends the calls of one session to `out`; returns the time after its last call. */
export function runSession(out: Call[], s: SessionSpec, rng: Rng): number {
  let t = s.t0;
  const base = { cloud: s.cloud, identity: s.identity, bucket: s.bucket, ip: s.ip, ua: s.ua, ...(s.session ? { session: s.session } : {}), ...(s.vpce ? { vpce: s.vpce } : {}), ...(s.tag ? { tag: s.tag } : {}), ...(s.denied ? { denied: true } : {}) };
  // SDKs that count attempts say so per request: a few requests are retries.
  const retrying = s.ua.includes('gccl-attempt-count/1');
  const ua = () => (retrying && rng.chance(0.03) ? { ua: s.ua.replace('gccl-attempt-count/1', `gccl-attempt-count/${rng.int(2, 3)}`) } : {});
  const step = () => {
    t += Math.max(40, s.gap * 1000 * rng.logNormal(1, 0.7));
    return Math.round(t);
  };
  const drawn = () => objectKey(s.bucket, Math.floor(s.bucket.objects * rng.next() ** 2), s.day - rng.int(0, 6));
  const size = () => (s.denied ? 0 : Math.round(rng.logNormal(s.bucket.sizeMedian * (s.sizeFactor ?? 1), 0.8)));
  let first = drawn();
  for (let i = 0; i < (s.lists ?? 0); i++) {
    out.push({ ...base, ...ua(), t: step(), op: 'list', key: folderOf(i === 0 ? first : drawn()), bytes: 0 });
  }
  const offset = rng.int(0, s.bucket.objects);
  for (let i = 0; i < (s.reads ?? 0); i++) {
    const key = s.keys ? s.keys[i % s.keys.length]! : s.distinct ? objectKey(s.bucket, (offset + i) % s.bucket.objects, s.day - (Math.floor((offset + i) / s.bucket.objects) % 20)) : drawn();
    out.push({ ...base, ...ua(), t: step(), op: 'get', key, bytes: size() });
  }
  for (let i = 0; i < (s.writes ?? 0); i++) {
    first = drawn();
    out.push({ ...base, t: step(), op: 'put', key: first.replace(/(\.[a-z0-9]+)?$/, (ext) => `-${rng.hex(6)}${ext}`), bytes: size() });
  }
  for (let i = 0; i < (s.deletes ?? 0); i++) {
    const key = s.deleteFolder ? `${s.deleteFolder}${rng.hex(8)}-${i}.tmp` : drawn();
    out.push({ ...base, t: step(), op: 'delete', key, bytes: 0 });
  }
  return t;
}
