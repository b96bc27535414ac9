/**
 * Evaluation, in two parts reported apart. "Own": labelled datasets (several seeds) from the demo
 * generator, written beside the detectors, replayed through the real parsers and engine in memory.
 * "Blind": bench/blind, written from a behaviour specification without reading the detectors,
 * scored through the real `storage-watch scan --input` path. Each prints recall per incident type and
 * false alarms (medium or above) per 1,000 identity-days.
 * Usage: npm run eval [-- --seeds 1,2,3 --blind-seeds 1,2 --no-blind].
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AccessEvent } from '../src/core/event.js';
import { SEVERITIES } from '../src/core/finding.js';
import { generateDataset, type DatasetManifest } from '../src/demo/generate-dataset.js';
import type { Detection } from '../src/detection/detection-run.js';
import { detectionSettings } from '../src/detection/detection-settings.js';
import { replayEvents } from '../src/detection/replay.js';
import { DETECTORS } from '../src/detectors/index.js';
import { listInputFiles, readFileEventBatches } from '../src/sources/files/read-files.js';

const MEDIUM = SEVERITIES.indexOf('medium');
const SLACK_MS = 3_600_000;

async function* eventsOf(dir: string): AsyncGenerator<AccessEvent[]> {
  for (const file of listInputFiles([dir])) {
    if (file.endsWith('manifest.json')) continue;
    for await (const batch of readFileEventBatches(file)) yield batch.flatMap((item) => (item.kind === 'event' ? [item.event] : []));
  }
}

function overlaps(d: Detection, cloud: string, principalId: string, start: number, end: number): boolean {
  return d.identity.cloud === cloud && d.identity.principal.id === principalId && d.draft.start <= end + SLACK_MS && d.draft.end >= start - SLACK_MS;
}

interface SeedResult {
  manifest: DatasetManifest;
  alerts: Detection[];
  identityDays: number;
  seconds: number;
}

async function evaluate(seed: number): Promise<SeedResult> {
  const dir = mkdtempSync(join(tmpdir(), `sw-eval-${seed}-`));
  try {
    const started = performance.now();
    const manifest = await generateDataset({ seed, outDir: dir });
    const { detections } = await replayEvents(eventsOf(dir), { detectors: DETECTORS, settings: detectionSettings() });
    const alerts = detections.filter((d) => SEVERITIES.indexOf(d.draft.severity) >= MEDIUM && !d.suppressedBy);
    const days = (Date.parse(manifest.end) - Date.parse(manifest.start)) / 86_400_000;
    return { manifest, alerts, identityDays: manifest.identities * days, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3,4,5' },
    verbose: { type: 'boolean', default: false },
    'blind-seeds': { type: 'string', default: '1' },
    'no-blind': { type: 'boolean', default: false },
  },
});
const seeds = values.seeds.split(',').map(Number);
const byKind = new Map<string, { total: number; caught: number; byOwnDetector: number }>();
let falseAlarms = 0;
let identityDays = 0;
const trapAlarms = new Map<string, number>();
const falseByDetector = new Map<string, number>();

for (const seed of seeds) {
  const r = await evaluate(seed);
  identityDays += r.identityDays;
  const explained = new Set<Detection>();
  for (const i of r.manifest.incidents) {
    const start = Date.parse(i.start);
    const end = Date.parse(i.end);
    const hits = r.alerts.filter((d) => overlaps(d, i.cloud, i.principalId, start, end));
    hits.forEach((h) => explained.add(h));
    const k = byKind.get(i.kind) ?? { total: 0, caught: 0, byOwnDetector: 0 };
    k.total++;
    if (hits.length) k.caught++;
    if (hits.some((h) => h.draft.detector === i.kind)) k.byOwnDetector++;
    else if (values.verbose) console.log(`  seed ${seed}: missed by ${i.kind}: ${i.description}`);
    byKind.set(i.kind, k);
  }
  const unexplained = r.alerts.filter((d) => !explained.has(d));
  falseAlarms += unexplained.length;
  for (const d of unexplained) {
    falseByDetector.set(d.draft.detector, (falseByDetector.get(d.draft.detector) ?? 0) + 1);
    const trap = r.manifest.traps.find((t) => t.cloud === d.identity.cloud && t.principalId === d.identity.principal.id);
    if (trap) trapAlarms.set(trap.kind, (trapAlarms.get(trap.kind) ?? 0) + 1);
    if (values.verbose) console.log(`  seed ${seed}: false alarm [${d.draft.severity}] ${d.draft.title} (${d.draft.evidence.severityReason})`);
  }
  console.log(`seed ${seed}: ${r.manifest.events.toLocaleString('en-US')} events, ${r.manifest.incidents.length} incidents, ${r.alerts.length} alerts at medium or above, ${unexplained.length} false, ${r.seconds.toFixed(1)} s`);
}

console.log('\n== own: src/demo generator (written beside the detectors), in-memory replay\nrecall per incident type (caught by any detector / by its own detector):');
let total = 0;
let caught = 0;
for (const [kind, k] of [...byKind.entries()].sort()) {
  total += k.total;
  caught += k.byOwnDetector;
  console.log(`  ${kind.padEnd(28)} ${(k.caught / k.total).toFixed(2)} / ${(k.byOwnDetector / k.total).toFixed(2)}  (${k.byOwnDetector} of ${k.total})`);
}
console.log(`overall recall (own detector): ${(caught / total).toFixed(3)} over ${total} incidents`);
console.log(`false alarms at medium or above: ${falseAlarms} in ${Math.round(identityDays).toLocaleString('en-US')} identity-days = ${((1000 * falseAlarms) / identityDays).toFixed(2)} per 1,000 identity-days`);
if (falseByDetector.size) console.log(`  by detector: ${[...falseByDetector.entries()].map(([d, n]) => `${d} ${n}`).join(', ')}`);
console.log(`  on traps: ${['nightly-etl', 'heavy-fridays', 'vpn-rotation', 'new-hire', 'traveller'].map((t) => `${t} ${trapAlarms.get(t) ?? 0}`).join(', ')}`);

// The blind evaluation: data from a generator written apart from the detectors, judged through the real `scan --input` path.
if (!values['no-blind']) {
  console.log(`\n== blind: bench/blind (written from bench/blind/SPEC.md without reading the detectors), seeds ${values['blind-seeds']}, scored through storage-watch scan --input`);
  const blind = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./blind/score.ts', import.meta.url)), '--seeds', values['blind-seeds']], { stdio: 'inherit' });
  if (blind.status !== 0) process.exitCode = blind.status ?? 1;
}
