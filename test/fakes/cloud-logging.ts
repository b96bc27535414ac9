import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { evaluateLogFilter, nanosOf, parseLogFilter, type FilterNode } from './cloud-logging-filter.js';

/** An entries.list call as the fake received it. */
export interface ListCall {
  resourceNames: string[];
  filter: string;
  orderBy?: string;
  pageSize?: number;
  pageToken?: string;
  authorization?: string;
}

/** A failure the fake answers one matching call with, instead of serving it. */
export type LoggingFault =
  | { kind: 'status'; status: number; reason: string; message?: string; retryAfter?: string }
  /** Headers and half of the page's body, then the connection is destroyed. */
  | { kind: 'destroy-mid-body' }
  /** No entries yet but a nextPageToken, as the service answers when a search takes long. */
  | { kind: 'empty-page' };

interface PendingFault {
  fault: LoggingFault;
  when: (call: ListCall) => boolean;
  times: number;
}

/** The access token the fake accepts unless told otherwise. */
export const FAKE_TOKEN = 'fake-logging-token';

const MAX_PAGE = 1000;
const DEFAULT_PAGE = 50;

/**
 * A Cloud Logging REST API (v2 `entries:list`) on 127.0.0.1: entries stored per parent resource
 * (`projects/p`, `organizations/1`, `folders/2`), the subset of the Logging query language a collector
 * sends (AND, OR, parentheses, `=`, `:`, `<`, `<=`, `>`, `>=` on fields; time fields compared as
 * instants), `timestamp asc` order with insertId ties, opaque page tokens bound to their query,
 * bearer-token checks, Google JSON errors, and injectable faults.
 */
export class FakeCloudLogging {
  /** Every entries.list call received, faults included. */
  readonly calls: ListCall[] = [];
  private readonly entries = new Map<string, Record<string, unknown>[]>();
  private readonly denied = new Map<string, string>();
  private faults: PendingFault[] = [];

  private constructor(
    private readonly server: Server,
    /** Base URL, e.g. `http://127.0.0.1:40123`, for GCP_LOGGING_ENDPOINT. */
    readonly url: string,
    private readonly token: string,
  ) {}

  /** Starts a fake on a random port of 127.0.0.1. */
  static async start(token = FAKE_TOKEN): Promise<FakeCloudLogging> {
    const holder: { fake?: FakeCloudLogging } = {};
    const server = createServer((req, res) => {
      void holder.fake?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.fake = new FakeCloudLogging(server, `http://127.0.0.1:${port}`, token);
    return holder.fake;
  }

  /** Stores entries under a parent resource; they are visible to the next call. */
  add(parent: string, ...entries: Record<string, unknown>[]): void {
    const list = this.entries.get(parent) ?? [];
    list.push(...entries.map((e) => structuredClone(e)));
    this.entries.set(parent, list);
  }

  /** Answers every call naming `parent` with 403 PERMISSION_DENIED. */
  deny(parent: string, message = `Permission 'logging.privateLogEntries.list' denied on resource (or it may not exist).`): void {
    this.denied.set(parent, message);
  }

  /** Answers the next `times` calls matching `when` (all calls by default) with a fault. */
  inject(fault: LoggingFault, when: (call: ListCall) => boolean = () => true, times = 1): void {
    this.faults.push({ fault, when, times });
  }

  /** Calls that named a parent resource. */
  callsFor(parent: string): ListCall[] {
    return this.calls.filter((c) => c.resourceNames.includes(parent));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || new URL(req.url ?? '/', this.url).pathname !== '/v2/entries:list') {
      return sendError(res, 404, 'NOT_FOUND', `no such method: ${req.method} ${req.url}`);
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return sendError(res, 400, 'INVALID_ARGUMENT', 'request body is not JSON');
    }
    const call: ListCall = {
      resourceNames: Array.isArray(body.resourceNames) ? (body.resourceNames as string[]) : [],
      filter: typeof body.filter === 'string' ? body.filter : '',
      ...(typeof body.orderBy === 'string' ? { orderBy: body.orderBy } : {}),
      ...(typeof body.pageSize === 'number' ? { pageSize: body.pageSize } : {}),
      ...(typeof body.pageToken === 'string' ? { pageToken: body.pageToken } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    };
    this.calls.push(call);
    if (call.authorization !== `Bearer ${this.token}`) {
      return sendError(res, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    }
    const fault = this.takeFault(call);
    if (fault?.kind === 'status') return sendError(res, fault.status, fault.reason, fault.message ?? fault.reason, fault.retryAfter);
    const deniedOn = call.resourceNames.find((r) => this.denied.has(r));
    if (deniedOn) return sendError(res, 403, 'PERMISSION_DENIED', this.denied.get(deniedOn)!);
    if (call.resourceNames.length === 0) return sendError(res, 400, 'INVALID_ARGUMENT', 'resourceNames is required');
    const unknown = call.resourceNames.find((r) => !/^(projects|organizations|folders|billingAccounts)\/[^/]+$/.test(r));
    if (unknown) return sendError(res, 400, 'INVALID_ARGUMENT', `invalid resource name: ${unknown}`);
    if ((call.orderBy ?? 'timestamp asc') !== 'timestamp asc' && call.orderBy !== 'timestamp desc') {
      return sendError(res, 400, 'INVALID_ARGUMENT', `orderBy must be "timestamp asc" or "timestamp desc": ${call.orderBy}`);
    }
    let filter: FilterNode | undefined;
    try {
      filter = call.filter ? parseLogFilter(call.filter) : undefined;
    } catch (err) {
      return sendError(res, 400, 'INVALID_ARGUMENT', `invalid filter: ${(err as Error).message}`);
    }
    const queryKey = createHash('sha256').update(JSON.stringify([call.resourceNames, call.filter, call.orderBy ?? ''])).digest('hex').slice(0, 16);
    let offset = 0;
    if (call.pageToken) {
      const [key, at] = Buffer.from(call.pageToken, 'base64url').toString('utf8').split(':');
      if (key !== queryKey || !at || !/^\d+$/.test(at)) return sendError(res, 400, 'INVALID_ARGUMENT', 'page token does not belong to this query');
      offset = Number(at);
    }
    const token = (n: number) => Buffer.from(`${queryKey}:${n}`).toString('base64url');
    if (fault?.kind === 'empty-page') return sendJson(res, { nextPageToken: token(offset) });
    const matching = this.matching(call, filter);
    const size = Math.min(MAX_PAGE, call.pageSize && call.pageSize > 0 ? call.pageSize : DEFAULT_PAGE);
    const page = matching.slice(offset, offset + size);
    const doc = { ...(page.length ? { entries: page } : {}), ...(offset + size < matching.length ? { nextPageToken: token(offset + size) } : {}) };
    if (fault?.kind === 'destroy-mid-body') return destroyMidBody(res, JSON.stringify(doc));
    sendJson(res, doc);
  }

  private takeFault(call: ListCall): LoggingFault | undefined {
    const pending = this.faults.find((f) => f.times > 0 && f.when(call));
    if (!pending) return undefined;
    pending.times--;
    this.faults = this.faults.filter((f) => f.times > 0);
    return pending.fault;
  }

  private matching(call: ListCall, filter: FilterNode | undefined): Record<string, unknown>[] {
    const all = call.resourceNames.flatMap((r) => this.entries.get(r) ?? []);
    const selected = filter ? all.filter((e) => evaluateLogFilter(filter, e)) : all;
    const sorted = selected
      .map((e) => ({ e, t: nanosOf(e.timestamp) ?? 0n, id: typeof e.insertId === 'string' ? e.insertId : '' }))
      .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((x) => x.e);
    return call.orderBy === 'timestamp desc' ? sorted.reverse() : sorted;
  }
}

function sendJson(res: ServerResponse, doc: unknown): void {
  const body = JSON.stringify(doc);
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, reason: string, message: string, retryAfter?: string): void {
  const body = JSON.stringify({ error: { code: status, message, status: reason } });
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...(retryAfter !== undefined ? { 'retry-after': retryAfter } : {}) });
  res.end(body);
}

function destroyMidBody(res: ServerResponse, body: string): void {
  const bytes = Buffer.from(body);
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': bytes.length });
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
}

/**
 * A copy of a LogEntry moved to another project, instant and id: logName, resource labels and
 * insertId rewritten, timestamps set (RFC 3339 with nanoseconds, as the service writes them).
 */
export function restampEntry(
  entry: Record<string, unknown>,
  to: { project: string; insertId: string; timestamp: string; receiveTimestamp: string },
): Record<string, unknown> {
  const copy = structuredClone(entry);
  const logName = typeof copy.logName === 'string' ? copy.logName : 'projects/x/logs/cloudaudit.googleapis.com%2Fdata_access';
  copy.logName = logName.replace(/^projects\/[^/]+\//, `projects/${to.project}/`);
  const resource = (copy.resource ?? {}) as { labels?: Record<string, unknown> };
  resource.labels = { ...resource.labels, project_id: to.project };
  copy.resource = resource;
  copy.insertId = to.insertId;
  copy.timestamp = to.timestamp;
  copy.receiveTimestamp = to.receiveTimestamp;
  return copy;
}
