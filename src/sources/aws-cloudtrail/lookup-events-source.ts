import { setTimeout as sleep } from 'node:timers/promises';
import { LookupEventsCommand, type CloudTrailClient, type Event } from '@aws-sdk/client-cloudtrail';
import type { Cursor, EventSource, PullOptions, SourceItem, SourcePage } from '../../core/ports.js';
import { awsSourceError } from './aws-source-error.js';
import { EventTimeWindow } from './event-time-window.js';
import { cloudTrailNormalizer } from './normalize.js';
import { asObject } from './read-field.js';

/** Bucket-level management events worth reading: changes to exposure, logging, protection and lifecycle of buckets. */
export const BUCKET_MANAGEMENT_EVENTS: ReadonlySet<string> = new Set([
  'CreateBucket', 'DeleteBucket', 'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutPublicAccessBlock', 'DeletePublicAccessBlock',
  'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock', 'PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock',
  'PutBucketLogging', 'PutBucketOwnershipControls', 'DeleteBucketOwnershipControls', 'PutBucketVersioning', 'PutBucketEncryption',
  'DeleteBucketEncryption', 'PutBucketLifecycle', 'PutBucketLifecycleConfiguration', 'DeleteBucketLifecycle', 'PutBucketReplication',
  'DeleteBucketReplication', 'PutBucketWebsite', 'DeleteBucketWebsite', 'PutBucketCors', 'PutObjectLockConfiguration',
]);

/** The client of each region and how to pace and slice the reads. */
export interface LookupEventsSourceOptions {
  clientFor(region: string): CloudTrailClient;
  regions: readonly string[];
  /** How far before the cursor each pull starts again, for events indexed late (ms). */
  overlapMs: number;
  /** Least time between two calls in one region (LookupEvents allows 2 per second per account and region). */
  intervalMs: number;
  /** Length of the time slices read oldest first, each one page (ms). */
  sliceMs: number;
}

const MAX_IDS = 5_000;
/** LookupEvents keeps 90 days. */
const RETENTION_MS = 90 * 86_400_000;

/**
 * The `aws-management` source: bucket-level S3 management events from CloudTrail LookupEvents, scope =
 * region. LookupEvents knows only the event time (and returns newest first), so each time slice is read
 * whole, sorted oldest first and becomes one page; the cursor is on event time with an overlap, and the
 * event ids read inside it are kept so that nothing is counted twice.
 */
export function createLookupEventsSource(o: LookupEventsSourceOptions): EventSource {
  const lastCall = new Map<string, number>();

  async function pace(region: string, signal?: AbortSignal): Promise<void> {
    const wait = (lastCall.get(region) ?? 0) + o.intervalMs - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal });
    lastCall.set(region, Date.now());
  }

  async function readSlice(region: string, start: number, end: number, signal?: AbortSignal): Promise<{ events: Event[]; calls: number }> {
    const events: Event[] = [];
    let calls = 0;
    let token: string | undefined;
    do {
      await pace(region, signal);
      const out = await o
        .clientFor(region)
        .send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 's3.amazonaws.com' }],
            StartTime: new Date(start),
            EndTime: new Date(end),
            MaxResults: 50,
            NextToken: token,
          }),
          { abortSignal: signal },
        )
        .catch((err: unknown) => Promise.reject(awsSourceError(err, { permission: 'cloudtrail:LookupEvents', resource: `region ${region}` })));
      calls += out.$metadata.attempts ?? 1;
      events.push(...(out.Events ?? []));
      token = out.NextToken;
    } while (token);
    return { events, calls };
  }

  async function* pull(region: string, cursor: Cursor | undefined, opts: PullOptions): AsyncGenerator<SourcePage> {
    const window = new EventTimeWindow(cursor, opts.since, o.overlapMs, MAX_IDS);
    for (let start = Math.max(window.start, opts.until - RETENTION_MS + 60_000); start < opts.until; start += o.sliceMs) {
      const end = Math.min(start + o.sliceMs, opts.until);
      const { events, calls } = await readSlice(region, start, end, opts.signal);
      const file = `cloudtrail:${region} LookupEvents ${new Date(start).toISOString()}/${new Date(end).toISOString()}`;
      const items: SourceItem[] = [];
      let bytes = 0;
      const ordered = events
        .map((e) => ({ e, time: e.EventTime?.getTime() ?? 0 }))
        .sort((a, b) => a.time - b.time || (a.e.EventId ?? '').localeCompare(b.e.EventId ?? ''));
      ordered.forEach(({ e, time }, index) => {
        bytes += e.CloudTrailEvent?.length ?? 0;
        if (e.EventId && window.isDuplicate(e.EventId, time)) return;
        const origin = { file, index };
        if (!e.EventName || !BUCKET_MANAGEMENT_EVENTS.has(e.EventName)) {
          items.push({ kind: 'skip', reason: `not a bucket-level change: ${e.EventName ?? '(no name)'}`, origin });
          return;
        }
        const record = parse(e.CloudTrailEvent);
        items.push(record ? { ...cloudTrailNormalizer.normalize(record), origin } : { kind: 'reject', reason: 'CloudTrailEvent is not a JSON object', origin });
      });
      // StartTime and EndTime are both inclusive: an event at `end` shows up again in the next slice and is dropped there.
      window.advance(end);
      yield { items, cursor: { ...window.cursor() }, apiCalls: calls, bytes };
    }
  }

  return { name: 'aws-management', provider: 'aws', scopes: () => Promise.resolve([...o.regions]), pull };
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}
