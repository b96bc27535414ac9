import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { StorageWatchError } from '../../core/errors.js';
import type { Cursor, EventSource, PullOptions, SourcePage } from '../../core/ports.js';
import { awsSourceError } from './aws-source-error.js';
import { readTrailFile } from './read-trail-file.js';
import { childFolders, dayPrefix, dayStart, deliveryTime, minuteBound, regionsPrefix, stampTime, type TrailLayout } from './trail-layout.js';

/** Where the trail is and how far back a pull re-lists for files delivered out of key order. */
export interface TrailSourceOptions {
  s3: S3Client;
  bucket: string;
  layout: TrailLayout;
  /** Accounts and regions to read; empty: discovered from the bucket's folders. */
  accountIds: readonly string[];
  regions: readonly string[];
  /** How far before the newest file read the next pull lists again (ms). */
  overlapMs: number;
  /** Most keys remembered from the overlap (default 2,000). */
  maxRecent?: number;
  /** First backoff when a body is cut mid-stream (ms). */
  retryBaseMs: number;
}

/**
 * Position in one account/region of a trail: keys up to `after` are done, and so are the keys after it
 * listed in `recent` (files read inside the overlap), so a file delivered late is read once and only once.
 */
export interface TrailCursor {
  /** Newest file read. */
  key?: string;
  /** ListObjectsV2 StartAfter of the next pull. */
  after: string;
  /** Files read whose key sorts after `after`. */
  recent: string[];
}

const DAY = 86_400_000;

/** The `aws-trail` source: the trail's delivery files in S3, one page per file, scope `<account>/<region>`. */
export function createTrailSource(o: TrailSourceOptions): EventSource {
  const listError = (prefix: string) => (err: unknown) =>
    awsSourceError(err, { permission: 's3:ListBucket', resource: `arn:aws:s3:::${o.bucket} (prefix ${prefix})` });

  async function folders(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const out = await o.s3
        .send(new ListObjectsV2Command({ Bucket: o.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }))
        .catch((err: unknown) => Promise.reject(listError(prefix)(err)));
      names.push(...childFolders(prefix, (out.CommonPrefixes ?? []).map((p) => p.Prefix)));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return names;
  }

  async function* listKeys(prefix: string, startAfter: string | undefined, calls: { n: number }, signal?: AbortSignal): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const out = await o.s3
        .send(new ListObjectsV2Command({ Bucket: o.bucket, Prefix: prefix, StartAfter: token ? undefined : startAfter, ContinuationToken: token }), { abortSignal: signal })
        .catch((err: unknown) => Promise.reject(listError(prefix)(err)));
      calls.n += out.$metadata.attempts ?? 1;
      for (const c of out.Contents ?? []) if (c.Key) yield c.Key;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async function* pull(scope: string, cursor: Cursor | undefined, opts: PullOptions): AsyncGenerator<SourcePage> {
    const [account, region] = scope.split('/');
    if (!account || !region) throw new StorageWatchError('bad_arguments', `aws-trail scope must be <account>/<region>, got ${scope}`);
    const state = readCursor(cursor) ?? { after: minuteBound(o.layout, account, region, opts.since), recent: [] };
    const recent = new Set(state.recent);
    const maxRecent = o.maxRecent ?? 2_000;
    const calls = { n: 0 };
    const moveAfter = (bound: string): void => {
      if (bound > state.after) state.after = bound;
      if (recent.size > maxRecent) state.after = [...recent].sort()[recent.size - maxRecent - 1]!;
      for (const k of recent) if (k <= state.after) recent.delete(k);
    };
    const page = (p: Omit<SourcePage, 'cursor' | 'apiCalls'>): SourcePage => {
      const out = { ...p, cursor: { ...state, recent: [...recent].sort() }, apiCalls: calls.n };
      calls.n = 0;
      return out;
    };

    let done = false;
    for (let day = dayStart(stampTime(state.after) ?? opts.since); !done && day <= dayStart(opts.until); day += DAY) {
      const prefix = dayPrefix(o.layout, account, region, day);
      for await (const key of listKeys(prefix, state.after.startsWith(prefix) ? state.after : undefined, calls, opts.signal)) {
        const delivered = deliveryTime(key);
        if (delivered === undefined) continue;
        if (delivered > opts.until) {
          done = true;
          break;
        }
        if (recent.has(key) || key <= state.after) continue;
        opts.signal?.throwIfAborted();
        const file = await readTrailFile({ s3: o.s3, bucket: o.bucket, retryBaseMs: o.retryBaseMs, signal: opts.signal }, key);
        calls.n += file.apiCalls;
        if (!state.key || key > state.key) state.key = key;
        recent.add(key);
        // The newest key read moves the overlap; a key older than it is a late delivery, read now and remembered.
        moveAfter(minuteBound(o.layout, account, region, deliveryTime(state.key)! - o.overlapMs));
        yield page({ items: file.items, bytes: file.bytes });
      }
    }
    // A scope that went quiet (region no longer used) must not be re-listed from its last file forever;
    // a file stamped an hour (or four overlaps) before `until` that is still invisible is not late but lost.
    moveAfter(minuteBound(o.layout, account, region, opts.until - Math.max(4 * o.overlapMs, 3_600_000)));
    yield page({ items: [], bytes: 0 });
  }

  return {
    name: 'aws-trail',
    provider: 'aws',
    async scopes() {
      const accounts = o.accountIds.length ? [...o.accountIds] : (await folders(o.layout.root)).filter((a) => /^\d{12}$/.test(a));
      if (!accounts.length) {
        throw new StorageWatchError('source_not_found', `no account folders under s3://${o.bucket}/${o.layout.root}: check AWS_TRAIL_PREFIX and AWS_ORG_ID, or set AWS_ACCOUNT_IDS`);
      }
      const scopes: string[] = [];
      for (const account of accounts) {
        const regions = o.regions.length ? [...o.regions] : (await folders(regionsPrefix(o.layout, account))).filter((r) => /^[a-z0-9-]+$/.test(r));
        for (const region of regions) scopes.push(`${account}/${region}`);
      }
      return scopes;
    },
    pull,
  };
}

function readCursor(cursor: Cursor | undefined): TrailCursor | undefined {
  if (!cursor || typeof cursor.after !== 'string') return undefined;
  const recent = Array.isArray(cursor.recent) ? cursor.recent.filter((k): k is string => typeof k === 'string') : [];
  return { ...(typeof cursor.key === 'string' ? { key: cursor.key } : {}), after: cursor.after, recent };
}
