import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeQueryCommand, GetQueryResultsCommand, StartQueryCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { StorageWatchError } from '../../core/errors.js';
import type { Cursor, EventSource, PullOptions, SourceItem, SourcePage } from '../../core/ports.js';
import { awsSourceError } from './aws-source-error.js';
import { EventTimeWindow } from './event-time-window.js';
import { lakeQuery, lakeRecord } from './lake-query.js';
import { cloudTrailNormalizer } from './normalize.js';
import { parseCloudTrailTime } from './parse-cloud-trail-time.js';

/** The event data store and how to wait for its queries. */
export interface LakeSourceOptions {
  client: CloudTrailClient;
  /** Event data store ARN or id, as configured. */
  eventDataStore: string;
  /** How far before the cursor each query starts again, for events Lake indexes late (ms). */
  overlapMs: number;
  /** First DescribeQuery poll interval (ms; grows 1.5x up to 10 s) and how long a query may run. */
  pollMs: number;
  queryTimeoutMs: number;
  /** Rows per GetQueryResults page (the service's default when absent). */
  pageSize?: number;
}

const MAX_IDS = 20_000;

/** The id part of an event data store ARN (`arn:aws:cloudtrail:r:a:eventdatastore/<id>`), which is what FROM takes. */
export function eventDataStoreId(value: string): string {
  const id = value.split('/').pop() ?? '';
  // The id goes into SQL text: allow nothing but what Lake ids are made of.
  if (!/^[A-Za-z0-9-]{1,128}$/.test(id)) throw new StorageWatchError('bad_config', `AWS_CLOUDTRAIL_LAKE_EDS: not an event data store id or ARN: ${value}`);
  return id;
}

/**
 * The `aws-lake` source: S3 events of a CloudTrail Lake event data store, scope = the store id. Lake
 * has no arrival time, only the event time, so the cursor is on event time and each query re-reads the
 * last `overlapMs` before it, dropping the event ids already read (kept in the cursor).
 */
export function createLakeSource(o: LakeSourceOptions): EventSource {
  const edsId = eventDataStoreId(o.eventDataStore);
  const resource = o.eventDataStore.startsWith('arn:') ? o.eventDataStore : `event data store ${edsId}`;
  const fail = (permission: string) => (err: unknown) => Promise.reject(awsSourceError(err, { permission, resource }));

  async function waitFor(queryId: string, signal: AbortSignal | undefined, calls: { n: number }): Promise<void> {
    const started = Date.now();
    for (let wait = o.pollMs; ; wait = Math.min(10_000, wait * 1.5)) {
      const q = await o.client.send(new DescribeQueryCommand({ EventDataStore: edsId, QueryId: queryId }), { abortSignal: signal }).catch(fail('cloudtrail:DescribeQuery'));
      calls.n += q.$metadata.attempts ?? 1;
      if (q.QueryStatus === 'FINISHED') return;
      if (q.QueryStatus === 'FAILED' || q.QueryStatus === 'CANCELLED' || q.QueryStatus === 'TIMED_OUT') {
        throw new StorageWatchError('source_unavailable', `CloudTrail Lake query ${queryId} on ${resource} ended ${q.QueryStatus}: ${q.ErrorMessage ?? 'no reason given'}`);
      }
      if (Date.now() - started > o.queryTimeoutMs) {
        throw new StorageWatchError('source_unavailable', `CloudTrail Lake query ${queryId} on ${resource} still ${q.QueryStatus ?? 'pending'} after ${Math.round(o.queryTimeoutMs / 1000)} s`);
      }
      await sleep(wait, undefined, { signal });
    }
  }

  async function* pull(scope: string, cursor: Cursor | undefined, opts: PullOptions): AsyncGenerator<SourcePage> {
    const window = new EventTimeWindow(cursor, opts.since, o.overlapMs, MAX_IDS);
    const from = window.start;
    if (from >= opts.until) return;
    const calls = { n: 0 };
    const started = await o.client.send(new StartQueryCommand({ QueryStatement: lakeQuery(edsId, from, opts.until) }), { abortSignal: opts.signal }).catch(fail('cloudtrail:StartQuery'));
    calls.n += started.$metadata.attempts ?? 1;
    const queryId = started.QueryId;
    if (!queryId) throw new StorageWatchError('source_bad_response', `StartQuery on ${resource} returned no QueryId`);
    await waitFor(queryId, opts.signal, calls);
    let token: string | undefined;
    let page = 0;
    do {
      const out = await o.client
        .send(new GetQueryResultsCommand({ EventDataStore: edsId, QueryId: queryId, NextToken: token, MaxQueryResults: o.pageSize }), { abortSignal: opts.signal })
        .catch(fail('cloudtrail:GetQueryResults'));
      calls.n += out.$metadata.attempts ?? 1;
      const file = `lake:${scope} query ${queryId} page ${++page}`;
      const items: SourceItem[] = [];
      let bytes = 0;
      (out.QueryResultRows ?? []).forEach((row, index) => {
        bytes += JSON.stringify(row).length;
        const record = lakeRecord(row);
        const time = parseCloudTrailTime(record.eventTime);
        const id = typeof record.eventID === 'string' ? record.eventID : undefined;
        if (time !== undefined) window.advance(time);
        if (id && time !== undefined && window.isDuplicate(id, time)) return;
        items.push({ ...cloudTrailNormalizer.normalize(record), origin: { file, index } });
      });
      token = out.NextToken;
      // Rows come oldest first: once the last page is in, everything before `until` that Lake had indexed is read.
      if (!token) window.advance(opts.until);
      yield { items, cursor: { ...window.cursor() }, apiCalls: calls.n, bytes };
      calls.n = 0;
    } while (token);
  }

  return { name: 'aws-lake', provider: 'aws', scopes: () => Promise.resolve([edsId]), pull };
}
