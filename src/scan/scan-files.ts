import type { DetectionSettings } from '../detection/detection-settings.js';
import type { Detector } from '../detection/detector.js';
import type { Sql } from '../store/sql.js';
import { detectPending, type FindingUpdate } from './detect-pending.js';
import { ingestFiles, type IngestSummary } from './ingest-files.js';

/** Options of a file scan. */
export interface ScanFilesOptions {
  detectors: readonly Detector[];
  settings: DetectionSettings;
  rescan?: boolean;
  /** Progress of the two phases, for a progress line. */
  onProgress?: (phase: 'read' | 'detect', text: string) => void;
}

/** Reads log files into rollups, then judges every hour not yet judged: the whole pipeline for exported logs. */
export async function scanFiles(sql: Sql, paths: readonly string[], opts: ScanFilesOptions): Promise<{ summary: IngestSummary; updates: FindingUpdate[] }> {
  const summary = await ingestFiles(sql, paths, {
    rescan: opts.rescan,
    onProgress: (s) => opts.onProgress?.('read', `read ${s.files} files, ${s.events.toLocaleString('en-US')} events`),
  });
  const updates = await detectPending(sql, {
    detectors: opts.detectors,
    settings: opts.settings,
    onProgress: (done, total) => opts.onProgress?.('detect', `judged ${done}/${total} hours`),
  });
  return { summary, updates };
}
