import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received. */
export interface CloudTrailRequest {
  /** Operation, from X-Amz-Target (`LookupEvents`, `StartQuery`, ...). */
  operation: string;
  /** Signing region, from the Authorization header's credential scope. */
  region: string;
  body: Record<string, unknown>;
  /** When it arrived (epoch ms). */
  at: number;
}

/** A failure the fake answers with instead of the real response. */
export type CloudTrailFault = { kind: 'throttle'; retryAfter?: string } | { kind: 'error'; status: number; type: string; message?: string };

interface LakeQuery {
  rows: Record<string, string>[][];
  pollsLeft: number;
  status?: 'FAILED';
}

const LAKE_TIME = (t: number): string => new Date(t).toISOString().replace('T', ' ').replace('Z', '');

/**
 * A small CloudTrail server speaking the AWS JSON 1.1 protocol the SDK uses: LookupEvents (region from the
 * signature, EventSource attribute, inclusive time range, newest first, NextToken pages) and the CloudTrail
 * Lake trio StartQuery / DescribeQuery / GetQueryResults, which evaluates the columns and time range of the
 * query's SQL over the stored records, as Lake returns them (one-entry maps, nested values as JSON text).
 */
export class FakeCloudTrail {
  /** Raw CloudTrail records per region, for LookupEvents. */
  readonly management = new Map<string, Record<string, unknown>[]>();
  /** Raw CloudTrail records in the event data store. */
  readonly lake: Record<string, unknown>[] = [];
  readonly requests: CloudTrailRequest[] = [];
  /** Most results per page, whatever the request asks. */
  pageSize = 50;
  /** DescribeQuery answers RUNNING this many times before FINISHED. */
  runningPolls = 1;
  /** The next Lake query fails (status FAILED). */
  failNextQuery = false;
  fault?: (req: CloudTrailRequest, count: number) => CloudTrailFault | undefined;
  url = '';
  private server?: Server;
  private queries = new Map<string, LakeQuery>();

  /** Statements received by StartQuery. */
  get statements(): string[] {
    return this.requests.filter((r) => r.operation === 'StartQuery').map((r) => String(r.body.QueryStatement));
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    const region = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}) as Record<string, unknown>;
    const request: CloudTrailRequest = { operation, region, body, at: Date.now() };
    this.requests.push(request);
    const fault = this.fault?.(request, this.requests.filter((r) => r.operation === operation).length);
    if (fault?.kind === 'throttle') return this.reply(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, { 'Retry-After': fault.retryAfter ?? '0' });
    if (fault?.kind === 'error') return this.reply(res, fault.status, { __type: fault.type, message: fault.message ?? fault.type });
    switch (operation) {
      case 'LookupEvents':
        return this.reply(res, 200, this.lookup(region, body));
      case 'StartQuery':
        return this.reply(res, 200, this.startQuery(String(body.QueryStatement)));
      case 'DescribeQuery': {
        const q = this.queries.get(String(body.QueryId));
        if (!q) return this.reply(res, 400, { __type: 'QueryIdNotFoundException', message: 'no such query' });
        const status = q.status ?? (q.pollsLeft-- > 0 ? 'RUNNING' : 'FINISHED');
        return this.reply(res, 200, { QueryId: body.QueryId, QueryStatus: status, ...(q.status ? { ErrorMessage: 'query failed in the fake' } : {}) });
      }
      case 'GetQueryResults': {
        const q = this.queries.get(String(body.QueryId));
        if (!q) return this.reply(res, 400, { __type: 'QueryIdNotFoundException', message: 'no such query' });
        const from = Number(body.NextToken ?? 0);
        const size = Math.min(Number(body.MaxQueryResults ?? 1000), this.pageSize);
        const rows = q.rows.slice(from, from + size);
        const next = from + size < q.rows.length ? { NextToken: String(from + size) } : {};
        return this.reply(res, 200, { QueryStatus: 'FINISHED', QueryResultRows: rows, QueryStatistics: { ResultsCount: rows.length, TotalResultsCount: q.rows.length }, ...next });
      }
      default:
        return this.reply(res, 400, { __type: 'UnknownOperationException', message: operation });
    }
  }

  private lookup(region: string, body: Record<string, unknown>): Record<string, unknown> {
    const attrs = (body.LookupAttributes ?? []) as { AttributeKey: string; AttributeValue: string }[];
    const source = attrs.find((a) => a.AttributeKey === 'EventSource')?.AttributeValue;
    const start = Number(body.StartTime ?? 0) * 1000;
    const end = body.EndTime === undefined ? Infinity : Number(body.EndTime) * 1000;
    const matches = (this.management.get(region) ?? [])
      .map((r) => ({ r, t: Date.parse(String(r.eventTime)) }))
      .filter(({ r, t }) => (!source || r.eventSource === source) && t >= start && t <= end)
      .sort((a, b) => b.t - a.t);
    const from = Number(body.NextToken ?? 0);
    const size = Math.min(Number(body.MaxResults ?? 50), this.pageSize);
    const page = matches.slice(from, from + size).map(({ r, t }) => ({
      EventId: r.eventID, EventName: r.eventName, ReadOnly: r.readOnly === true ? 'true' : 'false', EventTime: t / 1000, EventSource: r.eventSource,
      Username: (r.userIdentity as { userName?: string } | undefined)?.userName, Resources: [], CloudTrailEvent: JSON.stringify(r),
    }));
    return { Events: page, ...(from + size < matches.length ? { NextToken: String(from + size) } : {}) };
  }

  private startQuery(sql: string): Record<string, unknown> {
    const range = /eventTime >= '([^']+)' AND eventTime < '([^']+)'/.exec(sql);
    const sources = /eventSource IN \(([^)]*)\)/.exec(sql)?.[1]?.split(',').map((s) => s.trim().replace(/^'|'$/g, '')) ?? [];
    const select = /^SELECT (.*) FROM \S+ WHERE/.exec(sql)?.[1];
    if (!range || !select) throw new Error(`fake Lake cannot read the query: ${sql}`);
    const [from, to] = [Date.parse(`${range[1]}Z`), Date.parse(`${range[2]}Z`)];
    const columns = select.split(/, (?![^(]*\))/).map((c) => {
      const [expr, alias] = c.split(' AS ') as [string, string];
      return { expr: expr.trim(), alias: alias.trim() };
    });
    const rows = this.lake
      .map((r) => ({ r, t: Date.parse(String(r.eventTime)) }))
      .filter(({ r, t }) => sources.includes(String(r.eventSource)) && t >= from && t < to)
      .sort((a, b) => a.t - b.t || String(a.r.eventID).localeCompare(String(b.r.eventID)))
      .map(({ r }) => columns.map(({ expr, alias }) => ({ [alias]: lakeValue(r, expr) })));
    const id = randomUUID();
    this.queries.set(id, { rows, pollsLeft: this.runningPolls, ...(this.failNextQuery ? { status: 'FAILED' as const } : {}) });
    this.failNextQuery = false;
    return { QueryId: id };
  }

  private reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': 'FAKE', ...headers });
    res.end(text);
  }
}

// A column of the query evaluated over a record: `a.b.c` paths (case-insensitive, as Trino) and element_at(map, 'key').
function lakeValue(record: Record<string, unknown>, expr: string): string {
  const element = /^element_at\((\w+), '([^']+)'\)$/.exec(expr);
  const map = element ? field(record, element[1]!) : undefined;
  // Map keys are case-sensitive; column and struct field names are not.
  const value = element ? (typeof map === 'object' && map !== null ? (map as Record<string, unknown>)[element[2]!] : undefined) : expr.split('.').reduce<unknown>((v, k) => field(v, k), record);
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return expr.toLowerCase() === 'eventtime' ? LAKE_TIME(Date.parse(text)) : text;
}

function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const key = Object.keys(value).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (value as Record<string, unknown>)[key];
}
