import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { eventually } from '../chat/chat-fixtures.js';
import { createServer } from 'node:net';

/** A server of our own on a private port, that a test may stop and start again (the shared ones are never touched). */
export interface PrivateServer {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and deletes its files. */
  remove(): Promise<void>;
}

/**
 * A free port below the ephemeral range (32768 and up). A client reconnecting in a loop to a stopped
 * server on an ephemeral port can be handed that very port as its own source port and connect to itself.
 */
async function privatePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
}

/** A Redis with AOF on (like production), so queues survive its restart. */
export async function privateRedis(): Promise<PrivateServer> {
  const port = await privatePort();
  const dir = mkdtempSync(join(tmpdir(), 'sw-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    await eventually(async () => {
      const r = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      r.on('error', () => undefined);
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        r.disconnect();
      }
    }, 15_000);
  };
  const stop = async (): Promise<void> => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((resolve) => p.once('exit', resolve));
    // Killed rather than shut down: a graceful shutdown still accepts connections for a moment, so
    // clients would reconnect once before the outage really starts. AOF with fsync always keeps the queues.
    p.kill('SIGKILL');
    await gone;
  };
  await start();
  return { url, start, stop, remove: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); } };
}

/** Runs a PostgreSQL tool, as the `postgres` user when we are root (initdb and postgres refuse root). */
function asPostgres(cmd: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  execFileSync(root ? 'runuser' : cmd, root ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'ignore' });
}

/** A PostgreSQL cluster of its own (initdb in a temp dir, trust auth, a private port). */
export async function privatePostgres(): Promise<PrivateServer> {
  const port = await privatePort();
  const dir = mkdtempSync(join(tmpdir(), 'sw-pg-'));
  if (process.getuid?.() === 0) {
    const { uid, gid } = { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const start = async (): Promise<void> => {
    asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
    await eventually(async () => {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => undefined);
      try {
        await c.connect();
        await c.query('select 1');
        return true;
      } catch {
        return false;
      } finally {
        await c.end().catch(() => undefined);
      }
    }, 15_000);
  };
  // Fast stop: the server ends every session, as in a restart or fail-over.
  const stop = (): Promise<void> => Promise.resolve(asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']));
  await start();
  return {
    url, start, stop,
    remove: async () => {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
