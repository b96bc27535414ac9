/**
 * Throughput and memory: streams generated CloudTrail S3 events (NDJSON) from a file through
 * parse -> rollup -> detect, and prints events per second next to the bare JSON.parse line rate of
 * the same file, their ratio, and peak RSS for 1 M and 3 M events (each run in its own process).
 * Usage: npm run bench [-- --sizes 1000000,3000000].
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { syntheticCloudTrailLines } from '../src/demo/synthetic-cloudtrail.js';
import { detectionSettings } from '../src/detection/detection-settings.js';
import { replayEvents } from '../src/detection/replay.js';
import { DETECTORS } from '../src/detectors/index.js';
import { readFileEventBatches } from '../src/sources/files/read-files.js';
import type { AccessEvent } from '../src/core/event.js';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));

async function ensureFile(count: number): Promise<string> {
  const file = `${OUT}cloudtrail-${count}.ndjson`;
  if (existsSync(file)) return file;
  mkdirSync(OUT, { recursive: true });
  process.stderr.write(`writing ${count.toLocaleString('en-US')} CloudTrail events to ${file} ...\n`);
  const out = createWriteStream(file);
  for (const line of syntheticCloudTrailLines({ seed: 42, count })) {
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return file;
}

/** Child: bare line rate, or the whole pipeline; prints one JSON line. */
async function child(mode: string, file: string): Promise<void> {
  const started = performance.now();
  let n = 0;
  let findings = 0;
  if (mode === 'parse') {
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      JSON.parse(line);
      n++;
    }
  } else {
    async function* events(): AsyncGenerator<AccessEvent[]> {
      for await (const batch of readFileEventBatches(file)) yield batch.flatMap((item) => (item.kind === 'event' ? [item.event] : []));
    }
    const r = await replayEvents(events(), { detectors: DETECTORS, settings: detectionSettings() });
    n = r.events;
    findings = r.detections.length;
  }
  const seconds = (performance.now() - started) / 1000;
  // Live memory at the end (after a full GC), which tells real growth from the collector's slack in peak RSS.
  (globalThis as { gc?: () => void }).gc?.();
  const liveHeapMb = process.memoryUsage().heapUsed / 1024 ** 2;
  console.log(JSON.stringify({ mode, records: n, seconds, perSecond: n / seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, liveHeapMb, findings }));
}

function runChild(mode: string, file: string): { records: number; seconds: number; perSecond: number; maxRssMb: number; liveHeapMb: number; findings: number } {
  const r = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url), '--child', mode, '--file', file], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`benchmark child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ReturnType<typeof runChild>;
}

const { values } = parseArgs({ options: { child: { type: 'string' }, file: { type: 'string' }, sizes: { type: 'string', default: '1000000,3000000' } } });
if (values.child) await child(values.child, values.file!);
else {
  const fmt = (v: number): string => Math.round(v).toLocaleString('en-US');
  for (const size of values.sizes.split(',').map(Number)) {
    const file = await ensureFile(size);
    const mb = statSync(file).size / 1024 ** 2;
    const parse = runChild('parse', file);
    const pipe = runChild('pipeline', file);
    console.log(`${fmt(size)} CloudTrail S3 events (${mb.toFixed(0)} MB NDJSON):`);
    console.log(`  bare JSON.parse:                ${fmt(parse.perSecond)} lines/s`);
    console.log(`  parse -> rollup -> detect:      ${fmt(pipe.perSecond)} events/s (${pipe.seconds.toFixed(1)} s, ${pipe.findings} findings)`);
    console.log(`  ratio:                          ${(pipe.perSecond / parse.perSecond).toFixed(2)} of the bare JSON.parse rate`);
    console.log(`  peak RSS:                       ${fmt(pipe.maxRssMb)} MB (bare JSON.parse run: ${fmt(parse.maxRssMb)} MB)`);
    console.log(`  live heap at the end, after GC: ${pipe.liveHeapMb.toFixed(1)} MB`);
  }
}
