import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageWatchError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/logger.js';
import { createGcpSource, type GcpSourceDeps } from '../../../src/sources/gcp-audit/index.js';
import { FakeCloudLogging, restampEntry } from '../../fakes/cloud-logging.js';
import { entriesAt, eventIds, FAST_RETRY, GCP_SAMPLES, HOUR, MIN, nanoTime, OBJECT_GET, pullAll, spread, T0, tokenClient } from './gcp-test-support.js';

let fake: FakeCloudLogging;
beforeEach(async () => {
  fake = await FakeCloudLogging.start();
});
afterEach(async () => {
  await fake.close();
});

function source(deps: GcpSourceDeps = {}, cfg: { projectIds?: string[]; organizationId?: string; folderIds?: string[] } = {}) {
  return createGcpSource(
    { projectIds: cfg.projectIds ?? ['p1'], organizationId: cfg.organizationId, folderIds: cfg.folderIds ?? [], endpoint: fake.url },
    { authClient: tokenClient(), retry: FAST_RETRY, ...deps, pull: { settleMs: 0, ...deps.pull } },
  );
}

const window1 = { since: T0, until: T0 + HOUR };

async function failure(p: Promise<unknown>): Promise<StorageWatchError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(StorageWatchError);
  return err as StorageWatchError;
}

describe('gcp-audit source: reading Cloud Logging', () => {
  it('reads every real sample record page by page, with the filter, order and credentials sent to the service', async () => {
    fake.add('projects/p1', ...entriesAt('p1', spread(T0, 50 * MIN, GCP_SAMPLES.length)));
    // Not Cloud Storage, or not an audit log of it: the filter must keep these at the service.
    const other = structuredClone(GCP_SAMPLES[0]!) as { protoPayload: Record<string, unknown> };
    other.protoPayload.serviceName = 'bigquery.googleapis.com';
    fake.add('projects/p1', restampEntry(other, { project: 'p1', insertId: 'bq', timestamp: nanoTime(T0 + MIN), receiveTimestamp: nanoTime(T0 + MIN) }));
    fake.add('projects/p1', { ...restampEntry(GCP_SAMPLES[0]!, { project: 'p1', insertId: 'sys', timestamp: nanoTime(T0), receiveTimestamp: nanoTime(T0 + MIN) }), logName: 'projects/p1/logs/cloudaudit.googleapis.com%2Fsystem_event' });

    const pages = await pullAll(source({ pull: { pageSize: 6 } }), 'p1', undefined, window1);

    expect(pages.map((p) => p.items.length)).toEqual([6, 6, 6, 4]);
    expect(fake.calls).toHaveLength(4);
    expect(fake.calls[0]).toEqual({
      resourceNames: ['projects/p1'],
      filter:
        '(logName:"cloudaudit.googleapis.com%2Fdata_access" OR logName:"cloudaudit.googleapis.com%2Factivity" OR logName:"cloudaudit.googleapis.com%2Fpolicy") AND protoPayload.serviceName="storage.googleapis.com"' +
        ' AND receiveTimestamp>="2026-03-02T00:00:00.000Z" AND receiveTimestamp<"2026-03-02T01:00:00.000Z" AND timestamp>="2026-03-01T00:00:00.000000000Z"',
      orderBy: 'timestamp asc',
      pageSize: 6,
      authorization: 'Bearer fake-logging-token',
    });
    expect(fake.calls.slice(1).every((c) => c.pageToken && c.filter === fake.calls[0]!.filter)).toBe(true);

    const items = pages.flatMap((p) => p.items);
    expect(items.filter((i) => i.kind === 'reject')).toEqual([]);
    expect(items.filter((i) => i.kind === 'skip').map((i) => i.kind === 'skip' && i.reason)).toEqual(['not a Cloud Storage method: cloudsql.instances.update']);
    expect(items[7]!.origin).toEqual({ file: 'gcp:p1 page 2', index: 1 });
    expect(pages.every((p) => p.apiCalls === 1 && p.bytes > 1000)).toBe(true);

    const get = items.find((i) => i.kind === 'event' && i.event.id === 'p1-0003');
    expect(get?.kind === 'event' && get.event).toMatchObject({
      account: 'p1',
      principal: { id: 'user@domain.com', type: 'user' },
      action: { name: 'storage.objects.get', class: 'read' },
      resource: { bucket: 'scc-export-sample', key: 'scc-bad-domain.log' },
      ip: '8.8.8.8',
      outcome: { status: 'success' },
    });
    const public_ = items.flatMap((i) => (i.kind === 'event' && i.event.change?.kind === 'made-public' ? [i.event] : []));
    expect(public_.map((e) => [e.resource.bucket, e.change?.detail])).toEqual([
      ['jacks-test-bucket', 'allUsers granted roles/storage.objectViewer'],
      ['jacks-test-bucket', 'allUsers granted roles/storage.objectViewer'],
    ]);

    expect(pages[0]!.cursor).toMatchObject({ at: '2026-03-02T00:00:00.000Z', end: '2026-03-02T01:00:00.000Z', dataAccessSeen: true });
    expect(pages.at(-1)!.cursor).toEqual({ at: '2026-03-02T01:00:00.000Z', dataAccessSeen: true });
  });

  it('reads arrival windows oldest first; an entry that arrives late is read in the window it arrived in', async () => {
    const late = { receivedAt: T0 + 2 * HOUR + 30 * MIN, time: T0 + 10 * MIN };
    fake.add('projects/p1', ...entriesAt('p1', [{ receivedAt: T0 + 5 * MIN }, { receivedAt: T0 + HOUR + MIN }, late]));

    const pages = await pullAll(source({ pull: { windowMs: HOUR } }), 'p1', undefined, { since: T0, until: T0 + 3 * HOUR });

    expect(fake.calls.map((c) => /receiveTimestamp>="([^"]+)" AND receiveTimestamp<"([^"]+)"/.exec(c.filter)!.slice(1))).toEqual([
      ['2026-03-02T00:00:00.000Z', '2026-03-02T01:00:00.000Z'],
      ['2026-03-02T01:00:00.000Z', '2026-03-02T02:00:00.000Z'],
      ['2026-03-02T02:00:00.000Z', '2026-03-02T03:00:00.000Z'],
    ]);
    expect(pages.map((p) => eventIds([p]))).toEqual([['p1-0000'], ['p1-0001'], ['p1-0002']]);
    const lateEvent = pages[2]!.items[0]!;
    expect(lateEvent.kind === 'event' && [lateEvent.event.time, lateEvent.event.arrivedAt]).toEqual([T0 + 10 * MIN, late.receivedAt]);
    expect(pages.map((p) => p.cursor.at)).toEqual(['2026-03-02T01:00:00.000Z', '2026-03-02T02:00:00.000Z', '2026-03-02T03:00:00.000Z']);
  });

  it('leaves entries received during the settle delay for the next scan', async () => {
    fake.add('projects/p1', ...entriesAt('p1', [{ receivedAt: T0 + 30 * MIN }, { receivedAt: T0 + 59 * MIN }]));
    const at = (now: number) => source({ pull: { settleMs: 2 * MIN, now: () => now } });

    const first = await pullAll(at(T0 + HOUR), 'p1', undefined, window1);
    expect(eventIds(first)).toEqual(['p1-0000']);
    expect(first.at(-1)!.cursor.at).toBe('2026-03-02T00:58:00.000Z');

    const second = await pullAll(at(T0 + 2 * HOUR), 'p1', first.at(-1)!.cursor, { since: T0, until: T0 + 2 * HOUR });
    expect(eventIds(second)).toEqual(['p1-0001']);
  });

  it('resumes a window from a mid-window cursor without reading anything twice, even at a shared timestamp', async () => {
    const entries = entriesAt('p1', spread(T0, 40 * MIN, 12));
    for (const e of entries.slice(3, 7)) e.timestamp = '2026-03-02T00:20:00.123456789Z';
    fake.add('projects/p1', ...entries);
    const src = source({ pull: { pageSize: 5 } });

    const firstPage = (await pullAll(src, 'p1', undefined, window1))[0]!;
    expect(firstPage.cursor).toMatchObject({ after: { timestamp: '2026-03-02T00:20:00.123456789Z', ids: ['projects/p1/logs/cloudaudit.googleapis.com%2Fdata_access|p1-0003', expect.any(String)] } });
    fake.calls.length = 0;

    const rest = await pullAll(src, 'p1', firstPage.cursor, window1);
    expect(fake.calls[0]!.filter).toContain('timestamp>="2026-03-02T00:20:00.123456789Z"');
    const uninterrupted = await pullAll(src, 'p1', undefined, window1);
    const resumed = [...eventIds([firstPage]), ...eventIds(rest)];
    expect(resumed.sort()).toEqual(eventIds(uninterrupted).sort());
    expect(resumed).toHaveLength(12);
    expect(rest.at(-1)!.cursor).toEqual({ at: '2026-03-02T01:00:00.000Z', dataAccessSeen: true });
  });

  it('retries throttling, unavailability, empty pages and a body cut short, and counts every call', async () => {
    fake.add('projects/p1', ...entriesAt('p1', spread(T0, 50 * MIN, 12)));
    fake.inject({ kind: 'status', status: 429, reason: 'RESOURCE_EXHAUSTED', retryAfter: '0' });
    fake.inject({ kind: 'empty-page' }, (c) => c.pageToken !== undefined);
    fake.inject({ kind: 'destroy-mid-body' }, (c) => c.pageToken !== undefined);
    fake.inject({ kind: 'status', status: 503, reason: 'UNAVAILABLE', retryAfter: '0' }, (c) => c.pageToken !== undefined);

    const pages = await pullAll(source({ pull: { pageSize: 5 } }), 'p1', undefined, window1);

    expect(eventIds(pages)).toHaveLength(12);
    expect(new Set(eventIds(pages)).size).toBe(12);
    expect(pages.reduce((n, p) => n + p.apiCalls, 0)).toBe(fake.calls.length);
    expect(fake.calls.length).toBe(4 + 3);
  });

  it('waits as long as Retry-After asks', async () => {
    fake.add('projects/p1', ...entriesAt('p1', [{ receivedAt: T0 + MIN }]));
    fake.inject({ kind: 'status', status: 429, reason: 'RESOURCE_EXHAUSTED', retryAfter: '1' });
    const started = performance.now();
    const pages = await pullAll(source({ retry: { attempts: 3, baseMs: 1, maxMs: 5000 } }), 'p1', undefined, window1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(eventIds(pages)).toEqual(['p1-0000']);
  });

  it('a refused permission is source_permission naming the role and permission, and is not retried', async () => {
    fake.deny('projects/p1');
    const err = await failure(pullAll(source(), 'p1', undefined, window1));
    expect(err.code).toBe('source_permission');
    expect(err.message).toContain('roles/logging.privateLogViewer (logging.privateLogEntries.list) on projects/p1');
    expect(fake.calls).toHaveLength(1);
  });

  it('rejected credentials are source_credentials; a service that keeps failing is source_unavailable after the tries', async () => {
    const badToken = await failure(pullAll(source({ authClient: tokenClient('stale') }), 'p1', undefined, window1));
    expect(badToken.code).toBe('source_credentials');
    expect(badToken.message).toContain('401 UNAUTHENTICATED');

    fake.calls.length = 0;
    fake.inject({ kind: 'status', status: 503, reason: 'UNAVAILABLE', retryAfter: '0' }, () => true, 10);
    const down = await failure(pullAll(source({ retry: { attempts: 3, baseMs: 1, maxMs: 2 } }), 'p1', undefined, window1));
    expect(down.code).toBe('source_unavailable');
    expect(down.message).toContain('after 3 tries');
    expect(fake.calls).toHaveLength(3);
  });

  it('an unreadable stored cursor is a store error, not a silent restart', async () => {
    const err = await failure(pullAll(source(), 'p1', { at: 'yesterday' }, window1));
    expect(err.code).toBe('store_failed');
    expect(fake.calls).toHaveLength(0);
  });

  it('scopes: each project, then the organisation and the folders, each read through its own resource name', async () => {
    const src = source({}, { projectIds: ['p1', 'p2'], organizationId: '123', folderIds: ['456', '789'] });
    expect(await src.scopes()).toEqual(['p1', 'p2', 'organizations/123', 'folders/456', 'folders/789']);
    fake.add('organizations/123', ...entriesAt('other-project', [{ receivedAt: T0 + MIN }]));
    const pages = await pullAll(src, 'organizations/123', undefined, window1);
    await pullAll(src, 'folders/456', undefined, window1);
    expect(fake.calls.map((c) => c.resourceNames)).toEqual([['organizations/123'], ['folders/456']]);
    expect(pages[0]!.items[0]!.origin.file).toBe('gcp:organizations/123 page 1');
  });
});

describe('gcp-audit source: warning when data-access logs never arrive', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    return { log: createLogger('info', sink), lines };
  }

  it('says data-access logging is probably off and how to turn it on, until a data-access entry arrives', async () => {
    const activityOnly = GCP_SAMPLES.filter((r) => String(r.logName).endsWith('%2Factivity'));
    fake.add('projects/p1', ...activityOnly.map((r, i) => restampEntry(r, { project: 'p1', insertId: `a${i}`, timestamp: nanoTime(T0 + i), receiveTimestamp: nanoTime(T0 + MIN + i) })));
    const { log, lines } = capture();
    const src = source({ log });

    const pages = await pullAll(src, 'p1', undefined, window1);
    expect(eventIds(pages)).toHaveLength(activityOnly.length);
    expect(pages.at(-1)!.cursor).toMatchObject({ dataAccessSeen: false });
    expect(src.lastNotice).toContain('Data-access logging is probably off');
    expect(src.lastNotice).toContain('IAM & Admin > Audit Logs > Google Cloud Storage > Data Read and Data Write');
    expect(src.lastNotice).toContain('gcloud projects get-iam-policy p1');
    expect(src.lastNotice).toContain('auditConfigs');
    expect(src.lastNotice).toContain('roles/logging.privateLogViewer');
    expect(lines.find((l) => l.level === 40)).toMatchObject({ scope: 'p1', msg: 'no Cloud Storage data-access audit entries', notice: src.lastNotice });

    fake.add('projects/p1', ...entriesAt('p1', [{ receivedAt: T0 + HOUR + MIN }], { sample: OBJECT_GET }));
    const next = await pullAll(src, 'p1', pages.at(-1)!.cursor, { since: T0, until: T0 + 2 * HOUR });
    expect(next.at(-1)!.cursor).toMatchObject({ dataAccessSeen: true });
    expect(src.notices.has('p1')).toBe(false);
    expect(src.lastNotice).toBeUndefined();
  });

  it('no notice for a project whose data-access entries arrive, and an organisation-level notice that explains sinks', async () => {
    fake.add('projects/p1', ...entriesAt('p1', [{ receivedAt: T0 + MIN }], { sample: OBJECT_GET }));
    const src = source({}, { organizationId: '123' });
    await pullAll(src, 'p1', undefined, window1);
    expect(src.lastNotice).toBeUndefined();
    await pullAll(src, 'organizations/123', undefined, window1);
    expect(src.notices.get('organizations/123')).toContain('aggregated sink');
  });
});
