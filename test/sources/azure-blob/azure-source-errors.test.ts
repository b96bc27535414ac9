import { CredentialUnavailableError } from '@azure/identity';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StorageWatchError } from '../../../src/core/errors.js';
import type { SourcePage } from '../../../src/core/ports.js';
import { startLogAnalyticsFake, type LogAnalyticsFake } from '../../fakes/log-analytics.js';
import { DAY0, FIXTURE_ROWS, HOUR, MINUTE, fixedToken, pullAll, sourceFor, timelineRows } from './log-analytics-support.js';

let fake: LogAnalyticsFake;
let ws = 0;
const nextWorkspace = (): string => `11111111-0000-4000-8000-${String(++ws).padStart(12, '0')}`;
const WINDOW = { since: DAY0, until: DAY0 + 3 * HOUR };

beforeAll(async () => { fake = await startLogAnalyticsFake(); });
afterAll(async () => { await fake.close(); });
beforeEach(() => { fake.fault = undefined; fake.queries.length = 0; });

function ids(pages: SourcePage[]): string[] {
  return pages.flatMap((p) => p.items).map((i) => (i.kind === 'event' ? i.event.id : `${i.kind}: ${i.reason}`));
}

async function failure(promise: Promise<unknown>): Promise<StorageWatchError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(StorageWatchError);
  return err as StorageWatchError;
}

/** A workspace of 12 requests over three hours (one page per hour with 1-hour slices). */
function seeded(): string {
  const id = nextWorkspace();
  fake.addRows(id, timelineRows(id.slice(-4), DAY0, 12, 15 * MINUTE));
  return id;
}

const EXPECTED = (id: string): string[] => Array.from({ length: 12 }, (_, i) => `${id.slice(-4)}-${i}`);

describe('Azure Blob source: throttling and cut connections', () => {
  it('waits out 429s that carry Retry-After (the SDK retries them) and reads everything once', async () => {
    const id = seeded();
    fake.fault = (q) => (q.n <= 2 ? { status: 429, retryAfter: '0', code: 'ThrottledError', message: 'Too many requests' } : undefined);
    const pages = await pullAll(sourceFor(fake, [id], { tuning: { maxSliceMs: HOUR } }), id, undefined, WINDOW);
    expect(ids(pages)).toEqual(EXPECTED(id));
    expect(fake.queries).toHaveLength(3 + 2);
  });

  it('retries a 429 without Retry-After and a 503 itself', async () => {
    const id = seeded();
    fake.fault = (q) => (q.n === 1 ? { status: 429, code: 'ThrottledError' } : q.n === 3 ? { status: 503, retryAfter: '0' } : undefined);
    const pages = await pullAll(sourceFor(fake, [id], { tuning: { maxSliceMs: HOUR } }), id, undefined, WINDOW);
    expect(ids(pages)).toEqual(EXPECTED(id));
    expect(fake.queries).toHaveLength(5);
  });

  it('asks again when the connection is cut half-way through a page, and counts that page once', async () => {
    const id = seeded();
    fake.fault = (q) => (q.n === 2 ? { cut: true } : undefined);
    const pages = await pullAll(sourceFor(fake, [id], { tuning: { maxSliceMs: HOUR } }), id, undefined, WINDOW);
    expect(ids(pages)).toEqual(EXPECTED(id));
    expect(pages.map((p) => p.items.length)).toEqual([4, 4, 4]);
    expect(fake.queries).toHaveLength(4);
  });

  it('gives up with source_unavailable when the service keeps failing', async () => {
    const id = seeded();
    fake.fault = () => ({ status: 503, retryAfter: '0', code: 'ServiceUnavailable' });
    const err = await failure(pullAll(sourceFor(fake, [id], { sdkRetries: 1, attempts: 2 }), id, undefined, WINDOW));
    expect(err.code).toBe('source_unavailable');
    expect(err.message).toContain(id);
    expect(fake.queries).toHaveLength(2 * 2);
  });
});

describe('Azure Blob source: errors a user must act on', () => {
  it('names the role and data action missing on a 403, without retrying', async () => {
    const id = nextWorkspace();
    fake.refuse(id, { status: 403, code: 'InsufficientAccessError', message: 'The provided credentials have insufficient access to perform the requested operation' });
    const err = await failure(pullAll(sourceFor(fake, [id]), id, undefined, WINDOW));
    expect(err.code).toBe('source_permission');
    expect(err.message).toContain(`Log Analytics Reader (Microsoft.OperationalInsights/workspaces/query/read) on workspace ${id}`);
    expect(err.message).toContain('Microsoft.OperationalInsights/workspaces/query/StorageBlobLogs/read');
    expect(fake.queries).toHaveLength(1);
  });

  it('reports a rejected token as a credentials problem', async () => {
    const id = nextWorkspace();
    fake.addRows(id, FIXTURE_ROWS);
    const err = await failure(pullAll(sourceFor(fake, [id], { credential: fixedToken('expired-token') }), id, undefined, WINDOW));
    expect(err.code).toBe('source_credentials');
    expect(err.message).toContain('AuthenticationFailed');
  });

  it('reports missing credentials before sending anything', async () => {
    const id = nextWorkspace();
    const credential = { getToken: () => Promise.reject(new CredentialUnavailableError('DefaultAzureCredential: no managed identity endpoint')) };
    const err = await failure(pullAll(sourceFor(fake, [id], { credential }), id, undefined, WINDOW));
    expect(err.code).toBe('source_credentials');
    expect(err.message).toMatch(/no usable Azure credentials .*AZURE_TENANT_ID/);
    expect(fake.queries).toHaveLength(0);
  });

  it('reports an unknown workspace as not found', async () => {
    const id = nextWorkspace();
    const err = await failure(pullAll(sourceFor(fake, [id]), id, undefined, WINDOW));
    expect(err.code).toBe('source_not_found');
    expect(err.message).toContain(`workspace ${id} not found`);
  });

  it('explains that a workspace without StorageBlobLogs needs a diagnostic setting', async () => {
    const id = nextWorkspace();
    fake.addWorkspace(id);
    const err = await failure(pullAll(sourceFor(fake, [id]), id, undefined, WINDOW));
    expect(err.code).toBe('source_not_found');
    expect(err.message).toMatch(/no StorageBlobLogs table .*diagnostic setting .*StorageRead, StorageWrite and StorageDelete/);
  });

  it('refuses a stored cursor it cannot read instead of starting over', async () => {
    const id = seeded();
    const err = await failure(pullAll(sourceFor(fake, [id]), id, { at: 'yesterday' }, WINDOW));
    expect(err.code).toBe('source_bad_response');
    expect(fake.queries).toHaveLength(0);
  });

  it('stops between pages when aborted', async () => {
    const id = seeded();
    const controller = new AbortController();
    const pages: SourcePage[] = [];
    const pull = (async () => {
      for await (const page of sourceFor(fake, [id], { tuning: { maxSliceMs: HOUR } }).pull(id, undefined, { ...WINDOW, signal: controller.signal })) {
        pages.push(page);
        controller.abort();
      }
    })();
    await expect(pull).rejects.toMatchObject({ name: 'AbortError' });
    expect(pages).toHaveLength(1);
    expect(fake.queries).toHaveLength(1);
  });
});
