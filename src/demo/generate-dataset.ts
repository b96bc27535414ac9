import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ActivityModel } from './activity.js';
import { DEFAULT_IDENTITIES, buildPopulation } from './population.js';
import { buildIncidents, describeTraps } from './scenarios.js';
import type { LabelledIncident, ScenarioSet, Trap } from './scenarios.js';
import { SeededRandom } from './seeded-random.js';
import type { SynthEvent } from './synthetic-event.js';
import { DATASET_ROOTS, DatasetWriter } from './write-dataset.js';

export type { DetectorId, LabelledIncident, Trap, TrapKind } from './scenarios.js';
export { DETECTOR_IDS } from './scenarios.js';

const HOUR = 3_600_000;

/** Default end of the dataset, fixed so that output is deterministic. */
export const DEFAULT_END = new Date('2026-11-28T00:00:00Z');

/** What to generate and where. */
export interface DatasetOptions {
  /** Seed; the same seed and options give byte-identical files. */
  seed: number;
  /** Folder to write into (created if missing). */
  outDir: string;
  /** Length of the history in days (default 28). */
  days?: number;
  /** End of the dataset, exclusive, rounded down to the hour (default 2026-11-28T00:00:00Z). */
  end?: Date;
  /** Number of named identities (default 40; never fewer than the 17 incident and trap actors). */
  identities?: number;
  /** Inject the labelled incidents in the last four days (default true). */
  incidents?: boolean;
  /** Give the trap identities their suspicious-looking normal habits (default true). */
  traps?: boolean;
  /** Called after each generated hour. */
  onProgress?: (done: number, total: number) => void;
}

/** What was generated: the answer key for evaluation, also written as `manifest.json`. */
export interface DatasetManifest {
  /** Seed used. */
  seed: number;
  /** First instant covered, ISO 8601. */
  start: string;
  /** End (exclusive), ISO 8601. */
  end: string;
  /** Relative paths of the log files, sorted. */
  files: string[];
  /** Number of records written. */
  events: number;
  /** Number of named identities (the anonymous caller excluded). */
  identities: number;
  /** Injected incidents, sorted by start. */
  incidents: LabelledIncident[];
  /** Planted traps. */
  traps: Trap[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Removes the log folders of a previous dataset (only when its manifest shows it is one). */
async function clearPrevious(outDir: string): Promise<void> {
  if (!(await exists(join(outDir, 'manifest.json')))) return;
  for (const root of DATASET_ROOTS) await rm(join(outDir, root), { recursive: true, force: true });
}

/**
 * Generates a seeded multi-cloud storage-audit dataset in the providers' real export formats
 * (CloudTrail delivery files, Cloud Logging sink files, Azure diagnostic archives) with labelled
 * incidents and traps, and writes `manifest.json` next to it.
 */
export async function generateDataset(o: DatasetOptions): Promise<DatasetManifest> {
  const days = o.days ?? 28;
  if (!Number.isFinite(days) || days <= 0) throw new Error(`days must be a positive number, got ${days}`);
  const endMs = Math.floor((o.end ?? DEFAULT_END).getTime() / HOUR) * HOUR;
  if (!Number.isFinite(endMs)) throw new Error('end is not a valid date');
  const startMs = endMs - Math.round(days * 24) * HOUR;
  const pop = buildPopulation(o.seed, o.identities ?? DEFAULT_IDENTITIES, endMs, o.traps ?? true);
  const model = new ActivityModel(pop, endMs);
  const { incidents, events: incidentEvents }: ScenarioSet = o.incidents === false ? { incidents: [], events: [] } : buildIncidents(pop, model, endMs, startMs);

  await mkdir(o.outDir, { recursive: true });
  await clearPrevious(o.outDir);
  const writer = new DatasetWriter(o.outDir, o.seed);
  const actors = [...pop.identities, pop.anonymous];
  const rngs = actors.map((id) => SeededRandom.from(o.seed, 'activity', id.index));
  const hours = Math.round((endMs - startMs) / HOUR);
  let carry: SynthEvent[] = [];
  let next = 0;
  for (let h = 0; h < hours; h++) {
    const hourStart = startMs + h * HOUR;
    const hourEnd = hourStart + HOUR;
    const produced: SynthEvent[] = [];
    actors.forEach((id, i) => model.hour(id, hourStart, rngs[i] as SeededRandom, produced));
    while (next < incidentEvents.length && (incidentEvents[next] as SynthEvent).time < hourEnd) produced.push(incidentEvents[next++] as SynthEvent);
    const batch: SynthEvent[] = [];
    const later: SynthEvent[] = [];
    for (const ev of carry.concat(produced)) (ev.time < hourEnd ? batch : later).push(ev);
    carry = later;
    batch.sort((a, b) => a.time - b.time);
    await writer.writeHour(hourStart, batch);
    o.onProgress?.(h + 1, hours);
  }
  await writer.close();

  const manifest: DatasetManifest = {
    seed: o.seed,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    files: writer.files,
    events: writer.events,
    identities: pop.identities.length,
    incidents,
    traps: o.traps === false ? [] : describeTraps(pop, model),
  };
  await writeFile(join(o.outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
