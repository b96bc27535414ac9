import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { SourcesConfig } from '../../config.js';
import type { EventSource } from '../../core/ports.js';
import type { Logger } from '../../logger.js';
import { createLakeSource } from './lake-source.js';
import { createLookupEventsSource } from './lookup-events-source.js';
import { createTrailSource } from './trail-source.js';
import { trailLayout } from './trail-layout.js';

/** AWS credentials: fixed keys or a provider function (the SDK's default chain when absent). */
export type AwsCredentials = NonNullable<S3ClientConfig['credentials']>;

/** What tests (and embedding code) may replace; production passes nothing. */
export interface AwsSourceDeps {
  /** Credentials instead of the SDK's default chain. */
  credentials?: AwsCredentials;
  /** Tries per call for throttling and 5xx, the first included (SDK standard retry; default 5). */
  maxAttempts?: number;
  /** How far back each pull re-reads for late deliveries (trail keys, Lake and LookupEvents event times); default 15 min. */
  overlapMs?: number;
  /** First backoff when a download is cut mid-body (default 200 ms). */
  retryBaseMs?: number;
  /** First DescribeQuery poll interval and query time limit (defaults 1 s and 15 min). */
  lakePollMs?: number;
  lakeQueryTimeoutMs?: number;
  /** Least time between LookupEvents calls in one region (default 550 ms) and the time slice of each page (default 1 h). */
  lookupIntervalMs?: number;
  lookupSliceMs?: number;
  log?: Logger;
}

/** Region of an event data store ARN (`arn:aws:cloudtrail:<region>:...`), if the value is one. */
function arnRegion(value: string): string | undefined {
  const region = value.startsWith('arn:') ? value.split(':')[3] : undefined;
  return region ? region : undefined;
}

/**
 * The AWS sources the configuration asks for: `aws-trail` (trail delivery files in S3, the primary
 * path), `aws-lake` (a CloudTrail Lake event data store) and `aws-management` (LookupEvents, for
 * accounts without a trail or Lake: both already hold these management events, which would count twice).
 */
export function createAwsSources(cfg: NonNullable<SourcesConfig['aws']>, deps: AwsSourceDeps = {}): EventSource[] {
  const common = {
    maxAttempts: deps.maxAttempts ?? 5,
    ...(deps.credentials ? { credentials: deps.credentials } : {}),
  };
  const overlapMs = deps.overlapMs ?? 15 * 60_000;
  const sources: EventSource[] = [];
  const cloudTrailClients = new Map<string, CloudTrailClient>();
  const cloudTrailClient = (region: string): CloudTrailClient => {
    let client = cloudTrailClients.get(region);
    if (!client) {
      client = new CloudTrailClient({ ...common, region, ...(cfg.cloudTrailEndpoint ? { endpoint: cfg.cloudTrailEndpoint } : {}) });
      cloudTrailClients.set(region, client);
    }
    return client;
  };

  if (cfg.trailBucket) {
    const s3 = new S3Client({
      ...common,
      region: cfg.region,
      // The trail bucket may live in another region than AWS_REGION.
      followRegionRedirects: true,
      ...(cfg.s3Endpoint ? { endpoint: cfg.s3Endpoint, forcePathStyle: true } : {}),
    });
    sources.push(
      createTrailSource({
        s3, bucket: cfg.trailBucket, layout: trailLayout(cfg.trailPrefix, cfg.orgId), accountIds: cfg.accountIds, regions: cfg.regions,
        overlapMs, retryBaseMs: deps.retryBaseMs ?? 200,
      }),
    );
  }
  if (cfg.lakeEventDataStore) {
    sources.push(
      createLakeSource({
        client: cloudTrailClient(arnRegion(cfg.lakeEventDataStore) ?? cfg.region), eventDataStore: cfg.lakeEventDataStore, overlapMs,
        pollMs: deps.lakePollMs ?? 1_000, queryTimeoutMs: deps.lakeQueryTimeoutMs ?? 15 * 60_000,
      }),
    );
  }
  if (cfg.lookupEvents) {
    if (cfg.trailBucket || cfg.lakeEventDataStore) {
      deps.log?.warn('AWS_LOOKUP_EVENTS ignored: the trail or Lake event data store already holds the bucket-level management events');
    } else {
      sources.push(
        createLookupEventsSource({
          clientFor: cloudTrailClient, regions: cfg.regions.length ? cfg.regions : [cfg.region], overlapMs,
          intervalMs: deps.lookupIntervalMs ?? 550, sliceMs: deps.lookupSliceMs ?? 3_600_000,
        }),
      );
    }
  }
  return sources;
}
