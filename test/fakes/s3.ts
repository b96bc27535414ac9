import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received (path-style: `/bucket/key`). */
export interface S3Request {
  method: string;
  bucket: string;
  /** Object key for GetObject, '' for bucket-level calls. */
  key: string;
  /** `ListObjectsV2` or `GetObject` (or the method for anything else). */
  operation: string;
  query: URLSearchParams;
  /** How many requests with the same operation, bucket, key and query came before this one. */
  attempt: number;
}

/** A failure the fake answers with instead of the real response. */
export type S3Fault =
  | { kind: 'throttle'; retryAfter?: string }
  | { kind: 'error'; status: number; code: string; message?: string }
  /** Sends the headers and half the body, then destroys the connection. */
  | { kind: 'cut' };

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A small S3 server speaking the REST/XML wire protocol the AWS SDK uses with forcePathStyle:
 * ListObjectsV2 (prefix, delimiter, start-after, continuation tokens, max-keys) and GetObject, with
 * faults injected per request (SlowDown throttling, AccessDenied, connections cut mid-body).
 */
export class FakeS3 {
  /** Objects per bucket, by key. */
  readonly buckets = new Map<string, Map<string, Buffer>>();
  /** Every request, in order. */
  readonly requests: S3Request[] = [];
  /** Most entries per ListObjectsV2 page, whatever max-keys asks. */
  pageSize = 1000;
  /** Decides whether a request fails, and how. */
  fault?: (req: S3Request) => S3Fault | undefined;
  private server?: Server;
  private seen = new Map<string, number>();

  /** Base URL (`http://127.0.0.1:<port>`), once started. */
  url = '';

  /** Forgets objects, requests, attempts and faults. */
  reset(): void {
    this.buckets.clear();
    this.requests.length = 0;
    this.seen.clear();
    this.fault = undefined;
    this.pageSize = 1000;
  }

  /** Stores an object. */
  put(bucket: string, key: string, body: Buffer): void {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
    this.buckets.get(bucket)!.set(key, body);
  }

  /** Starts listening on a random port of 127.0.0.1. */
  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Requests of one operation. */
  calls(operation: string): S3Request[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const query = url.searchParams;
    const operation = req.method === 'GET' && !key && query.get('list-type') === '2' ? 'ListObjectsV2' : req.method === 'GET' && key ? 'GetObject' : (req.method ?? '');
    const signature = `${operation} ${bucket}/${key}?${[...query].filter(([k]) => k !== 'x-id').sort().join('&')}`;
    const attempt = this.seen.get(signature) ?? 0;
    this.seen.set(signature, attempt + 1);
    const request: S3Request = { method: req.method ?? '', bucket, key, operation, query, attempt };
    this.requests.push(request);
    req.resume();
    const fault = this.fault?.(request);
    if (fault?.kind === 'throttle') return this.error(res, 503, 'SlowDown', 'Please reduce your request rate.', { 'Retry-After': fault.retryAfter ?? '0' });
    if (fault?.kind === 'error') return this.error(res, fault.status, fault.code, fault.message ?? fault.code);
    const objects = this.buckets.get(bucket);
    if (!objects) return this.error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (operation === 'ListObjectsV2') return this.send(res, 'application/xml', Buffer.from(this.list(bucket, objects, query)), fault);
    if (operation === 'GetObject') {
      const body = objects.get(key);
      if (!body) return this.error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      return this.send(res, 'application/octet-stream', body, fault);
    }
    this.error(res, 405, 'MethodNotAllowed', 'not supported by the fake');
  }

  private list(bucket: string, objects: Map<string, Buffer>, q: URLSearchParams): string {
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const after = q.get('continuation-token') ? Buffer.from(q.get('continuation-token')!, 'base64url').toString() : (q.get('start-after') ?? '');
    const max = Math.min(Number(q.get('max-keys') ?? 1000), this.pageSize);
    const encode = q.get('encoding-type') === 'url' ? (s: string) => encodeURIComponent(s).replace(/%2F/g, '/') : (s: string) => s;
    // Keys and common prefixes, in key order, each once.
    const entries = new Map<string, 'key' | 'prefix'>();
    for (const key of [...objects.keys()].sort()) {
      if (!key.startsWith(prefix)) continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) entries.set(key.slice(0, cut + delimiter.length), 'prefix');
      else entries.set(key, 'key');
    }
    const rest = [...entries].filter(([name]) => name > after);
    const page = rest.slice(0, max);
    const truncated = rest.length > page.length;
    const contents = page
      .filter(([, kind]) => kind === 'key')
      .map(([key]) => `<Contents><Key>${xml(encode(key))}</Key><LastModified>2026-03-10T10:00:00.000Z</LastModified><ETag>&quot;0&quot;</ETag><Size>${objects.get(key)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`);
    const prefixes = page.filter(([, kind]) => kind === 'prefix').map(([p]) => `<CommonPrefixes><Prefix>${xml(encode(p))}</Prefix></CommonPrefixes>`);
    const next = truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]![0]).toString('base64url')}</NextContinuationToken>` : '';
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Name>${xml(bucket)}</Name><Prefix>${xml(encode(prefix))}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys>` +
      (delimiter ? `<Delimiter>${xml(delimiter)}</Delimiter>` : '') +
      `<IsTruncated>${truncated}</IsTruncated>${contents.join('')}${prefixes.join('')}${next}</ListBucketResult>`
    );
  }

  private send(res: ServerResponse, type: string, body: Buffer, fault: S3Fault | undefined): void {
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'x-amz-request-id': 'FAKE' });
    if (fault?.kind === 'cut') {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  }

  private error(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xml(code)}</Code><Message>${xml(message)}</Message><RequestId>FAKE</RequestId></Error>`;
    res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }
}
