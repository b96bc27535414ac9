import { readdirSync } from 'node:fs';
import { OAuth2Client } from 'google-auth-library';
import type { Cursor, EventSource, PullOptions, SourcePage } from '../../../src/core/ports.js';
import { FAKE_TOKEN, restampEntry } from '../../fakes/cloud-logging.js';
import { SAMPLES_DIR, sampleRecords } from '../../helpers/sample-records.js';

/** Every record of every real GCP sample file (20), in file order. */
export const GCP_SAMPLES: readonly Record<string, unknown>[] = readdirSync(`${SAMPLES_DIR}gcp`)
  .filter((f) => f.endsWith('.json') || f.endsWith('.ndjson'))
  .sort()
  .flatMap((f) => sampleRecords(`gcp/${f}`));

/** Retries fast enough for tests. */
export const FAST_RETRY = { attempts: 4, baseMs: 1, maxMs: 5 };

/** An instant on a fixed test day, `minutes` after midnight UTC. */
export const T0 = Date.parse('2026-03-02T00:00:00.000Z');
export const MIN = 60_000;
export const HOUR = 3_600_000;

/** Real OAuth2 credentials holding the access token the fake accepts (or another one). */
export function tokenClient(token = FAKE_TOKEN): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, expiry_date: Date.now() + HOUR });
  return client;
}

/** An epoch-ms instant as Cloud Logging writes it: RFC 3339 with nanoseconds. */
export function nanoTime(ms: number, nanos = 0): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(nanos % 1_000_000).padStart(6, '0')}Z`;
}

/** What one generated entry looks like on both time axes. */
export interface Stamp {
  receivedAt: number;
  /** Event time; defaults to 700 ms before arrival. */
  time?: number;
}

/** Index in GCP_SAMPLES of the gcloud export of a data-access storage.objects.get. */
export const OBJECT_GET = 3;

/**
 * Real sample records (cycled, or always `sample`) restamped into a project at the given arrival
 * instants, with unique insertIds `<prefix>-<n>`: a late entry is one whose time is long before its arrival.
 */
export function entriesAt(project: string, stamps: readonly Stamp[], o: { prefix?: string; sample?: number } = {}): Record<string, unknown>[] {
  const prefix = o.prefix ?? project;
  return stamps.map((s, i) =>
    restampEntry(GCP_SAMPLES[o.sample ?? i % GCP_SAMPLES.length]!, {
      project,
      insertId: `${prefix}-${String(i).padStart(4, '0')}`,
      timestamp: nanoTime(s.time ?? s.receivedAt - 700, (i * 7919) % 1_000_000),
      receiveTimestamp: nanoTime(s.receivedAt, (i * 104_729) % 1_000_000),
    }),
  );
}

/** `count` arrivals spread evenly over [from, from + spanMs). */
export function spread(from: number, spanMs: number, count: number): Stamp[] {
  return Array.from({ length: count }, (_, i) => ({ receivedAt: from + Math.floor((i * spanMs) / count) }));
}

/** Every page of one pull. */
export async function pullAll(source: EventSource, scope: string, cursor: Cursor | undefined, opts: PullOptions): Promise<SourcePage[]> {
  const pages: SourcePage[] = [];
  for await (const page of source.pull(scope, cursor, opts)) pages.push(page);
  return pages;
}

/** Event ids of the pages' event items, in order. */
export function eventIds(pages: readonly SourcePage[]): string[] {
  return pages.flatMap((p) => p.items.flatMap((i) => (i.kind === 'event' ? [i.event.id] : [])));
}
