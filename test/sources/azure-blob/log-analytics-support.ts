import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/identity';
import type { Cursor, EventSource, PullOptions, SourcePage } from '../../../src/core/ports.js';
import { createAzureSource, type SliceTuning } from '../../../src/sources/azure-blob/index.js';
import type { LogAnalyticsFake, TableRow } from '../../fakes/log-analytics.js';
import { AZURE_FIXTURES } from './azure-test-support.js';

/** 2025-03-04T00:00:00Z, the day of the hand-made StorageBlobLogs rows. */
export const DAY0 = Date.UTC(2025, 2, 4);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** The seven hand-made StorageBlobLogs rows (see test/fixtures/azure/README.md). */
export const FIXTURE_ROWS = JSON.parse(readFileSync(`${AZURE_FIXTURES}storage-blob-logs.json`, 'utf8')) as TableRow[];

/** A credential that hands out a fixed token and remembers the scopes it was asked for. */
export function fixedToken(token: string, asked: string[][] = []): TokenCredential {
  return {
    getToken: (scopes) => {
      asked.push([scopes].flat());
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + HOUR });
    },
  };
}

/** Knobs of a test source. */
export interface TestSourceOptions {
  endpoint?: string;
  credential?: TokenCredential;
  tuning?: Partial<SliceTuning>;
  /** Retries of the SDK's own policy (default 2). */
  sdkRetries?: number;
  /** Our tries on top of them (default 3). */
  attempts?: number;
}

/** The Azure source pointed at the fake, with fast retries and no settle delay. */
export function sourceFor(fake: LogAnalyticsFake, workspaceIds: string[], o: TestSourceOptions = {}): EventSource {
  return createAzureSource({ workspaceIds, endpoint: o.endpoint ?? fake.url }, {
    credential: o.credential ?? fixedToken(fake.token),
    clientOptions: { agent: fake.agent, retryOptions: { maxRetries: o.sdkRetries ?? 2, retryDelayInMs: 5, maxRetryDelayInMs: 20 } },
    tuning: { settleMs: 0, ...o.tuning },
    retry: { attempts: o.attempts ?? 3, baseMs: 5, maxMs: 20 },
  });
}

/** Every page of one pull. */
export async function pullAll(source: EventSource, scope: string, cursor: Cursor | undefined, opts: PullOptions): Promise<SourcePage[]> {
  const pages: SourcePage[] = [];
  for await (const page of source.pull(scope, cursor, opts)) pages.push(page);
  return pages;
}

/**
 * A fixture row re-dated: event at `time`, ingested `lagMs` later, with its own correlation id
 * (`<tag>-<n>`) so that copies are distinct requests.
 */
export function rowAt(base: TableRow, time: number, lagMs: number, id: string): TableRow {
  return { ...base, TimeGenerated: new Date(time).toISOString(), IngestionTime: new Date(time + lagMs).toISOString(), CorrelationId: id };
}

/** `count` requests cycling through the fixture rows, one every `everyMs` from `from`, each ingested `lagMs` after it happened. */
export function timelineRows(tag: string, from: number, count: number, everyMs: number, lagMs = 2 * MINUTE): TableRow[] {
  return Array.from({ length: count }, (_, i) => rowAt(FIXTURE_ROWS[i % FIXTURE_ROWS.length]!, from + i * everyMs, lagMs, `${tag}-${i}`));
}

function obj(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/**
 * The StorageBlobLogs row Azure Monitor makes of a blob resource-log record when the diagnostic
 * setting sends it to a workspace: `properties.*` and `identity.*` flattened into columns,
 * `_ResourceId` the lower-case storage account id.
 */
export function resourceLogToRow(record: Record<string, unknown>, ingestedAt: number, workspaceId: string): TableRow {
  const identity = obj(record.identity);
  const requester = obj(identity.requester);
  const resourceId = typeof record.resourceId === 'string' ? record.resourceId : '';
  const row: TableRow = {
    TenantId: workspaceId, TimeGenerated: record.time, IngestionTime: new Date(ingestedAt).toISOString(),
    Category: record.category, OperationName: record.operationName, OperationVersion: record.operationVersion, SchemaVersion: record.schemaVersion,
    StatusCode: record.statusCode, StatusText: record.statusText, DurationMs: record.durationMs, CallerIpAddress: record.callerIpAddress,
    CorrelationId: record.correlationId, Location: record.location, Uri: record.uri, Protocol: record.protocol,
    AuthenticationType: identity.type, AuthenticationHash: identity.tokenHash, AuthorizationDetails: identity.authorization,
    RequesterObjectId: requester.objectId, RequesterUpn: requester.upn, RequesterAppId: requester.appId, RequesterTenantId: requester.tenantId,
    RequesterAudience: requester.audience, RequesterTokenIssuer: requester.tokenIssuer,
    Type: 'StorageBlobLogs', SourceSystem: 'Azure',
    _ResourceId: /^.*\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+/i.exec(resourceId)?.[0].toLowerCase(),
    _SubscriptionId: /\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1],
  };
  for (const [key, value] of Object.entries(obj(record.properties))) row[key.charAt(0).toUpperCase() + key.slice(1)] = value;
  return row;
}
