import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a recorder received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
}

/** A local HTTP endpoint that records what it receives (webhooks, PagerDuty, response_url). */
export interface HttpRecorder {
  url: string;
  requests: RecordedRequest[];
  /** Resolves when at least `n` requests arrived (rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

/** Starts a recorder on 127.0.0.1; it answers every request with `status` and `body`. */
export async function startRecorder(status = 200, body: unknown = { ok: true }): Promise<HttpRecorder> {
  const requests: RecordedRequest[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text, json });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, requests,
    waitFor: (n, ms = 10_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${n} request(s) at ${url}, got ${requests.length}`)), ms);
      const check = (): void => {
        if (requests.length >= n) {
          clearTimeout(timer);
          resolve(requests);
        } else waiters.push(check);
      };
      check();
    }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
