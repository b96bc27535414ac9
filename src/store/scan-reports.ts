import type { RecordOrigin } from '../core/ports.js';
import type { Sql } from './sql.js';

/** How many places of each kind a report keeps (the counts are exact). */
const SAMPLES = 5;
/** Reports are kept a week: the digest reads the last day. */
const KEEP_MS = 7 * 86_400_000;

/** A record that could not be read: where, and why. */
export type Rejection = RecordOrigin & { reason: string };

/** What one scan job could not read. */
export interface ScanReport {
  provider: string;
  /** The scope the job scanned (source and scope), when it scanned one. */
  scope?: string;
  rejected: number;
  /** The first rejections, with file (or page), line and reason. */
  rejections: readonly Rejection[];
  /** Every file in no known format the scan found. */
  unknownFiles: readonly string[];
}

/** What the scans of a period could not read, with the first few places. */
export interface ScanProblems {
  /** Records rejected in the period. */
  rejected: number;
  /** Files in no known format: a file that stays is found by every scan of its scope, so this is the most one scan found, per scope. */
  unknownFiles: number;
  /** The first rejections of the period, oldest first. */
  rejections: Rejection[];
  /** Some of the files in no known format. */
  unknownPaths: string[];
}

/** Stores what a scan job could not read, when there was anything (for the daily digest, maybe in another process). */
export async function recordScanReport(sql: Sql, r: ScanReport, at = Date.now()): Promise<void> {
  if (!r.rejected && !r.unknownFiles.length) return;
  await sql.query('delete from scan_reports where at < $1', [new Date(at - KEEP_MS)]);
  const samples = { rejections: r.rejections.slice(0, SAMPLES), unknownFiles: r.unknownFiles.slice(0, SAMPLES) };
  await sql.query('insert into scan_reports (at, provider, scope, rejected, unknown_files, samples) values ($1, $2, $3, $4, $5, $6)', [
    new Date(at), r.provider, r.scope ?? '', r.rejected, r.unknownFiles.length, JSON.stringify(samples),
  ]);
}

/** What the scans since `from` (epoch ms) could not read. */
export async function scanProblemsSince(sql: Sql, from: number, to = Date.now()): Promise<ScanProblems> {
  const rows = await sql.query<{ provider: string; scope: string; rejected: number; unknown_files: number; samples: { rejections?: Rejection[]; unknownFiles?: string[] } }>(
    'select provider, scope, rejected, unknown_files, samples from scan_reports where at >= $1 and at <= $2 order by at, id', [new Date(from), new Date(to)],
  );
  const unknownByScope = new Map<string, number>();
  const out: ScanProblems = { rejected: 0, unknownFiles: 0, rejections: [], unknownPaths: [] };
  for (const r of rows) {
    out.rejected += Number(r.rejected);
    const scope = `${r.provider}\u0000${r.scope}`;
    unknownByScope.set(scope, Math.max(unknownByScope.get(scope) ?? 0, Number(r.unknown_files)));
    for (const x of r.samples.rejections ?? []) if (out.rejections.length < SAMPLES) out.rejections.push(x);
    for (const p of r.samples.unknownFiles ?? []) if (out.unknownPaths.length < SAMPLES && !out.unknownPaths.includes(p)) out.unknownPaths.push(p);
  }
  out.unknownFiles = [...unknownByScope.values()].reduce((a, b) => a + b, 0);
  return out;
}
