import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers one request: a status, a JSON body and extra headers. */
export type JsonReply = (status: number, body: unknown, headers?: Record<string, string>) => void;

/** What a fake does with one request: method, URL, Authorization header and body text, answered through `send`. */
export type JsonHandler = (method: string, url: string, authorization: string | undefined, text: string, send: JsonReply) => void;

/** An HTTP server on 127.0.0.1 (a free port) that reads each request whole and hands it to `handle`; with its base URL. */
export async function startJsonServer(handle: JsonHandler): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req.method ?? '', req.url ?? '', req.headers.authorization, Buffer.concat(chunks).toString('utf8'), (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
