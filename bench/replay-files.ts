/**
 * The old in-memory figure, kept as a secondary line of `npm run bench`: reads files through
 * parse -> rollup -> detect with `replayEvents` (no store) and prints one JSON line of events and seconds.
 * Usage: tsx bench/replay-files.ts DIR
 */
import type { AccessEvent } from '../src/core/event.js';
import { detectionSettings } from '../src/detection/detection-settings.js';
import { replayEvents } from '../src/detection/replay.js';
import { DETECTORS } from '../src/detectors/index.js';
import { listInputFiles, readFileEventBatches, sniffFile } from '../src/sources/files/read-files.js';

async function* events(dir: string): AsyncGenerator<AccessEvent[]> {
  for (const file of listInputFiles([dir])) {
    const format = await sniffFile(file);
    if (!format) continue;
    for await (const batch of readFileEventBatches(file, format)) yield batch.flatMap((item) => (item.kind === 'event' ? [item.event] : []));
  }
}

const started = performance.now();
const r = await replayEvents(events(process.argv[2]!), { detectors: DETECTORS, settings: detectionSettings() });
console.log(JSON.stringify({ events: r.events, seconds: (performance.now() - started) / 1000, findings: r.detections.length }));
