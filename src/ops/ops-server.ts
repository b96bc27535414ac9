import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StorageWatchError } from '../core/errors.js';
import type { Logger } from '../logger.js';
import { registry } from './metrics.js';
import type { Readiness } from './readiness.js';

/** The operations listener of one process. */
export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/** How often readiness is checked in the background, so an outage is logged even when nobody polls /readyz. */
const PROBE_INTERVAL_MS = 5_000;

/**
 * Serves GET /healthz (the event loop answers; no dependency is checked, so a Redis outage never
 * gets the process restarted), /readyz (200 or 503 with the checks as JSON) and /metrics
 * (Prometheus text) on its own port, in every role.
 */
export async function startOpsServer(opts: { port: number; host?: string; readiness: Readiness; log: Logger; probeIntervalMs?: number }): Promise<OpsServer> {
  const { readiness, log } = opts;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return send(200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      readiness.check().then(
        (r) => send(r.ready ? 200 : 503, 'application/json', JSON.stringify(r) + '\n'),
        (err: unknown) => send(503, 'application/json', JSON.stringify({ ready: false, error: String(err) }) + '\n'),
      );
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => send(200, registry.contentType, text),
        (err: unknown) => send(500, 'text/plain', `metrics failed: ${String(err)}\n`),
      );
      return;
    }
    send(404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
  });
  // Probes and scrapes are short; a stuck client must not hold the process at shutdown.
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new StorageWatchError('bad_config', `OPS_PORT ${opts.port} is already in use (set OPS_PORT to a free port)`) : err);
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  const probe = setInterval(() => {
    if (!readiness.shuttingDown) readiness.check().catch((err: unknown) => log.warn({ err }, 'readiness check failed'));
  }, opts.probeIntervalMs ?? PROBE_INTERVAL_MS);
  probe.unref();
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: async () => {
      clearInterval(probe);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
