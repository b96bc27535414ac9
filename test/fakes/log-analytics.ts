import { Agent, createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A self-signed certificate for 127.0.0.1 and localhost (valid 2000-2100), made for these tests
 * only: the Azure SDK sends bearer tokens over https alone, so the fake must speak TLS.
 */
export const TEST_TLS = {
  cert: `-----BEGIN CERTIFICATE-----
MIIBtDCCAVqgAwIBAgIBATAKBggqhkjOPQQDAjArMSkwJwYDVQQDDCBzdG9yYWdl
LXdhdGNoIHRlc3QgTG9nIEFuYWx5dGljczAgFw0wMDAxMDEwMDAwMDBaGA8yMTAw
MDEwMTAwMDAwMFowKzEpMCcGA1UEAwwgc3RvcmFnZS13YXRjaCB0ZXN0IExvZyBB
bmFseXRpY3MwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQpnkxqazjwDPOVG4FK
xUkT52eJAMa573ljxJRZDeQmjbZq9XAlnQ3WtH9e20RBXrIA6BN30cE0pflgdtfK
wHkBo20wazAMBgNVHRMBAf8EAjAAMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9z
dDALBgNVHQ8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYEFBCd
uPO5vxcIdim2mN/l+5I32WfhMAoGCCqGSM49BAMCA0gAMEUCIQDU37YPmunv1b06
K4wLGFAM+TTBaxXp9QicEPCionxxxwIgLfquseLWiVDjNJdsj7Bqq9mmqVCamDEq
h5ImBgDPUc8=
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdUHOFvO2Tx8s58gG
fOsxC12d+MV6d4LHvuFdlGLiHlehRANCAAQpnkxqazjwDPOVG4FKxUkT52eJAMa5
73ljxJRZDeQmjbZq9XAlnQ3WtH9e20RBXrIA6BN30cE0pflgdtfKwHkB
-----END PRIVATE KEY-----
`,
};

/** One row of a Log Analytics table, keyed by column; `IngestionTime` stands for `ingestion_time()`. */
export type TableRow = Record<string, unknown>;

/** A query the fake received (retries included). */
export interface ReceivedQuery {
  workspace: string;
  /** Requests to this workspace so far, this one included (1-based). */
  n: number;
  query: string;
  timespan: string;
  /** Rows answered (before any cut). */
  rows?: number;
}

/** What the fake does instead of answering: an HTTP error, or a body cut off half-way. */
export type Fault = { status: number; retryAfter?: string; code?: string; message?: string } | { cut: true };

/** A running fake of the Log Analytics query API (POST /v1/workspaces/{id}/query) on 127.0.0.1. */
export interface LogAnalyticsFake {
  /** Base URL, without /v1. */
  readonly url: string;
  /** An https agent that trusts the fake's certificate. */
  readonly agent: Agent;
  readonly queries: ReceivedQuery[];
  /** Bearer token accepted (others get 401). */
  readonly token: string;
  /** The service's row limit per query (the real one is 500,000): more rows give a PartialError. */
  maxRows: number;
  /** Called for every request before it is answered; a returned fault replaces the answer. */
  fault?: (q: ReceivedQuery) => Fault | undefined;
  /** Adds rows to a workspace's StorageBlobLogs (creating the workspace and its table). */
  addRows(workspace: string, rows: readonly TableRow[]): void;
  /** Creates a workspace that has no StorageBlobLogs table yet (no diagnostic setting ever sent to it). */
  addWorkspace(workspace: string): void;
  /** Answers every query to the workspace with this error (e.g. a 403). */
  refuse(workspace: string, fault: Fault): void;
  close(): Promise<void>;
}

/** Column types of StorageBlobLogs (MicrosoftDocs azure-monitor-docs, reference/tables/storagebloblogs.md); others are strings. */
const COLUMN_TYPES: Record<string, string> = {
  TimeGenerated: 'datetime', IngestionTime: 'datetime', LastModifiedTime: 'datetime', OperationCount: 'int',
  RequestBodySize: 'long', ResponseBodySize: 'long', RequestHeaderSize: 'long', ResponseHeaderSize: 'long', ContentLengthHeader: 'long',
  DurationMs: 'real', ServerLatencyMs: 'real', _BilledSize: 'real', AuthorizationDetails: 'dynamic',
};

class QueryError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly inner?: { code: string; message: string }) {
    super(message);
  }
}

const syntax = (what: string): QueryError =>
  new QueryError(400, 'BadArgumentError', 'The request had some invalid properties', { code: 'SyntaxError', message: `fake cannot run: ${what}` });

/** Log Analytics writes datetimes with seven fractional digits. */
function kustoTime(value: unknown): string | null {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(String(value));
  if (!Number.isFinite(ms)) return null;
  const text = typeof value === 'string' ? /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(value) : null;
  if (text) return `${text[1]}.${(text[2] ?? '').padEnd(7, '0').slice(0, 7)}Z`;
  return `${new Date(ms).toISOString().slice(0, 23)}0000Z`;
}

function cell(value: unknown, type: string): unknown {
  if (value === undefined || value === null || value === '') return type === 'string' ? '' : null;
  if (type === 'datetime') return kustoTime(value);
  if (type === 'int' || type === 'long' || type === 'real') return Number(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function comparable(v: unknown): number | string {
  if (v instanceof Date) return v.getTime();
  const ms = typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isFinite(ms)) return ms;
  return typeof v === 'number' || typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
}

const OPS: Record<string, (a: number | string, b: number | string) => boolean> = {
  '>=': (a, b) => a >= b, '>': (a, b) => a > b, '<=': (a, b) => a <= b, '<': (a, b) => a < b, '==': (a, b) => a === b,
};

/** Runs the small KQL subset storage-watch sends: table, extend ingestion_time(), where on datetimes, project, order by, take. */
function execute(rows: readonly TableRow[], query: string, from: number, to: number): { columns: string[]; rows: TableRow[] } {
  const [table, ...stages] = query.split('|').map((s) => s.trim());
  if (table !== 'StorageBlobLogs') {
    throw new QueryError(400, 'BadArgumentError', `'${table}': Failed to resolve table or column expression named '${table}'`);
  }
  let out = rows.filter((r) => { const t = Date.parse(String(r.TimeGenerated)); return t >= from && t < to; });
  let columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  for (const stage of stages) {
    let m: RegExpExecArray | null;
    if (/^extend IngestionTime = ingestion_time\(\)$/.test(stage)) continue;
    if ((m = /^where (.+)$/s.exec(stage))) {
      for (const cond of m[1]!.split(/\s+and\s+/)) {
        const c = /^(\w+)\s*(>=|>|<=|<|==)\s*datetime\(([^)]+)\)$/.exec(cond.trim());
        if (!c) throw syntax(cond);
        const bound = Date.parse(c[3]!);
        if (!Number.isFinite(bound)) throw syntax(`datetime(${c[3]})`);
        out = out.filter((r) => OPS[c[2]!]!(comparable(r[c[1]!]), bound));
      }
    } else if ((m = /^project (.+)$/s.exec(stage))) columns = m[1]!.split(',').map((s) => s.trim());
    else if ((m = /^order by (\w+)(?: (asc|desc))?$/.exec(stage))) {
      const [key, dir] = [m[1]!, m[2] === 'asc' ? 1 : -1]; // KQL sorts descending unless told
      out = [...out].sort((a, b) => (comparable(a[key]) < comparable(b[key]) ? -dir : comparable(a[key]) > comparable(b[key]) ? dir : 0));
    } else if ((m = /^(?:take|limit) (\d+)$/.exec(stage))) out = out.slice(0, Number(m[1]));
    else throw syntax(stage);
  }
  return { columns, rows: out };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sendFault(res: ServerResponse, f: Fault, body: unknown): void {
  if ('cut' in f) {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
    res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
    return;
  }
  send(res, f.status, { error: { code: f.code ?? 'ServiceError', message: f.message ?? `fake error ${f.status}` } }, f.retryAfter === undefined ? {} : { 'retry-after': f.retryAfter });
}

/** Starts the fake on a random port of 127.0.0.1. */
export async function startLogAnalyticsFake(opts: { token?: string; maxRows?: number } = {}): Promise<LogAnalyticsFake> {
  const workspaces = new Map<string, TableRow[] | null>();
  const refusals = new Map<string, Fault>();
  const counts = new Map<string, number>();
  const fake: Omit<LogAnalyticsFake, 'url' | 'agent' | 'close'> = {
    queries: [], token: opts.token ?? 'test-token', maxRows: opts.maxRows ?? 500_000,
    addRows(ws, rows) { workspaces.set(ws, [...(workspaces.get(ws) ?? []), ...rows]); },
    addWorkspace(ws) { if (!workspaces.has(ws)) workspaces.set(ws, null); },
    refuse(ws, f) { refusals.set(ws, f); },
  };

  function answer(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const route = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !route) return send(res, 404, { error: { code: 'PathNotFoundError', message: `The requested path does not exist: ${req.url}` } });
    if (req.headers.authorization !== `Bearer ${fake.token}`) {
      return send(res, 401, { error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing or invalid." } });
    }
    const workspace = decodeURIComponent(route[1]!);
    const body = JSON.parse(raw) as { query?: string; timespan?: string };
    const q: ReceivedQuery = { workspace, n: (counts.get(workspace) ?? 0) + 1, query: body.query ?? '', timespan: body.timespan ?? '' };
    counts.set(workspace, q.n);
    fake.queries.push(q);
    const refusal = refusals.get(workspace);
    if (refusal) return sendFault(res, refusal, {});
    if (!workspaces.has(workspace)) {
      return send(res, 404, { error: { code: 'WorkspaceNotFoundError', message: `Workspace ${workspace} could not be found` } });
    }
    try {
      const [from, to] = q.timespan.split('/').map((s) => Date.parse(s));
      if (!Number.isFinite(from) || !Number.isFinite(to)) throw syntax(`timespan ${q.timespan}`);
      const rows = workspaces.get(workspace);
      if (rows === null) throw new QueryError(400, 'BadArgumentError', "'where' operator: Failed to resolve table or column expression named 'StorageBlobLogs'", { code: 'SemanticError', message: 'A semantic error occurred.' });
      const result = execute(rows ?? [], q.query, from!, to!);
      q.rows = result.rows.length;
      const kept = result.rows.slice(0, fake.maxRows);
      const table = {
        name: 'PrimaryResult',
        columns: result.columns.map((name) => ({ name, type: COLUMN_TYPES[name] ?? 'string' })),
        rows: kept.map((r) => result.columns.map((c) => cell(r[c], COLUMN_TYPES[c] ?? 'string'))),
      };
      const error = result.rows.length > fake.maxRows ? {
        code: 'PartialError', message: 'There were some errors when processing your query.',
        details: [{ code: 'EngineError', message: `Query result set has exceeded the internal record count limit ${fake.maxRows} records`, innererror: { code: 'E_QUERY_RESULT_SET_TOO_LARGE', message: 'result set too large' } }],
      } : undefined;
      const out = { tables: [table], ...(error ? { error } : {}) };
      const f = fake.fault?.(q);
      return f ? sendFault(res, f, out) : send(res, 200, out);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      return send(res, err.status, { error: { code: err.code, message: err.message, ...(err.inner ? { innererror: err.inner } : {}) } });
    }
  }

  const server = createServer(TEST_TLS, (req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { raw += chunk; });
    req.on('end', () => answer(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new Agent({ ca: TEST_TLS.cert, keepAlive: true });
  return Object.assign(fake, {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    agent,
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
