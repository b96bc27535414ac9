import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SEVERITIES, type Finding } from '../core/finding.js';
import { detectionSettings } from '../detection/detection-settings.js';
import { DETECTORS } from '../detectors/index.js';
import { describeScan } from '../report/describe-scan.js';
import { findingTable } from '../report/finding-table.js';
import { ProgressLine } from '../report/progress-line.js';
import { latestFindings } from '../scan/detect-pending.js';
import { scanFiles } from '../scan/scan-files.js';
import { openDatabase } from '../store/open-database.js';
import { generateDataset, type DatasetManifest } from './generate-dataset.js';

const MEDIUM = SEVERITIES.indexOf('medium');

/** Which planted incidents some finding of the same identity caught, inside the incident's time span. */
export function caughtIncidents(manifest: DatasetManifest, findings: readonly Finding[]): { caught: number; total: number } {
  const hits = manifest.incidents.filter((i) =>
    findings.some((f) => f.principal.id === i.principalId && f.cloud === i.cloud && f.start <= Date.parse(i.end) && f.end >= Date.parse(i.start)),
  );
  return { caught: hits.length, total: manifest.incidents.length };
}

/** `storage-watch demo`: generate a seeded dataset in the clouds' export formats, scan it with embedded PGlite, print findings. */
export async function runDemo(opts: { seed: number; dir: string }): Promise<void> {
  const progress = new ProgressLine();
  const logs = join(opts.dir, 'logs');
  rmSync(opts.dir, { recursive: true, force: true });
  process.stderr.write(`Generating a multi-cloud dataset (seed ${opts.seed}) in ${logs} ...\n`);
  const manifest = await generateDataset({
    seed: opts.seed,
    outDir: logs,
    onProgress: (done, total) => progress.update(`generating: ${Math.round((100 * done) / total)}%`),
  });
  progress.done();
  // The manifest is the answer key, not a log file: keep it beside the logs, not among them.
  if (existsSync(join(logs, 'manifest.json'))) renameSync(join(logs, 'manifest.json'), join(opts.dir, 'manifest.json'));
  process.stderr.write(
    `${manifest.events.toLocaleString('en-US')} events from ${manifest.identities} identities over ${manifest.files.length} files ` +
      `(${manifest.start.slice(0, 10)} to ${manifest.end.slice(0, 10)}). Scanning with embedded PGlite ...\n`,
  );
  const sql = await openDatabase({ pgliteDir: join(opts.dir, 'pglite') });
  try {
    const { summary, updates } = await scanFiles(sql, [logs], {
      detectors: DETECTORS,
      settings: detectionSettings(),
      onProgress: (_phase, text) => progress.update(text),
    });
    progress.done();
    const findings = latestFindings(updates);
    const alerts = findings.filter((f) => SEVERITIES.indexOf(f.severity) >= MEDIUM);
    process.stdout.write(findingTable(alerts) + '\n');
    process.stderr.write(describeScan(summary, [], findings) + '\n');
    const { caught, total } = caughtIncidents(manifest, alerts);
    process.stderr.write(
      `${alerts.length} finding(s) at medium or above are shown; ${findings.length - alerts.length} low ones are stored but not alerted.\n` +
        `Planted incidents caught at medium or above: ${caught} of ${total} (answer key: ${join(opts.dir, 'manifest.json')}).\n` +
        `The state is in ${join(opts.dir, 'pglite')}: PGLITE_DIR=${join(opts.dir, 'pglite')} npm run cli -- scan --input <more logs> adds to it.\n`,
    );
  } finally {
    await sql.close();
  }
}
