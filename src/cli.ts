#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from './config.js';
import { StorageWatchError } from './core/errors.js';
import { SEVERITIES, type Finding, type Severity } from './core/finding.js';
import { detectionSettings } from './detection/detection-settings.js';
import { DETECTORS } from './detectors/index.js';
import { findingJson } from './report/finding-json.js';
import { findingTable } from './report/finding-table.js';
import { ProgressLine } from './report/progress-line.js';
import { scanFiles } from './scan/scan-files.js';
import { openDatabase } from './store/open-database.js';
import { describeScan } from './report/describe-scan.js';

function severityOption(v: string): Severity {
  if (!(SEVERITIES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(', ')}`);
  return v as Severity;
}

function atLeast(min: Severity): (f: Finding) => boolean {
  return (f) => SEVERITIES.indexOf(f.severity) >= SEVERITIES.indexOf(min);
}

const program = new Command()
  .name('storage-watch')
  .description('Catch data theft from cloud storage: learn each identity\'s normal from S3, GCS and Azure Blob audit logs, report what is not.')
  .showHelpAfterError();

program
  .command('scan')
  .description('read exported audit-log files or directories, learn baselines and print findings')
  .requiredOption('-i, --input <paths...>', 'log files or directories (CloudTrail, Cloud Audit Logs, Azure resource logs, StorageBlobLogs, Storage Analytics; .gz is fine)')
  .option('--json', 'one finding per line on stdout, a JSON summary line on stderr')
  .option('--min-severity <level>', 'only print findings at or above this severity', severityOption, 'low')
  .option('--rescan', 'read files again even if they were read before (their events count twice)')
  .action(async (opts: { input: string[]; json?: boolean; minSeverity: Severity; rescan?: boolean }) => {
    const config = loadConfig();
    const sql = await openDatabase(config.database);
    const progress = new ProgressLine();
    try {
      const { summary, updates } = await scanFiles(sql, opts.input, {
        detectors: DETECTORS,
        settings: detectionSettings(config),
        rescan: opts.rescan,
        onProgress: (_phase, text) => progress.update(text),
      });
      progress.done();
      const findings = updates.map((u) => u.finding).filter(atLeast(opts.minSeverity));
      if (opts.json) {
        for (const f of findings) process.stdout.write(JSON.stringify(findingJson(f)) + '\n');
        const { files, records, events, skipped, rejected, rejections } = summary;
        process.stderr.write(JSON.stringify({ files, records, events, skipped, rejected, rejections, duplicates: summary.duplicates, unchangedFiles: summary.unchangedFiles, unknownFiles: summary.unknownFiles, findings: findings.length }) + '\n');
      } else {
        if (findings.length) process.stdout.write(findingTable(findings) + '\n');
        process.stderr.write(describeScan(summary, findings) + '\n');
      }
    } finally {
      await sql.close();
    }
  });

program
  .command('demo')
  .description('generate a realistic multi-cloud dataset with incidents, scan it with embedded PGlite and print the findings')
  .option('--seed <n>', 'dataset seed', (v) => Number.parseInt(v, 10), 7)
  .option('--dir <path>', 'where the dataset and its database go (wiped first)', './data/demo')
  .action(async (opts: { seed: number; dir: string }) => {
    const { runDemo } = await import('./demo/run-demo.js');
    await runDemo(opts);
  });

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof StorageWatchError) {
    process.stderr.write(`storage-watch: ${err.message}\n`);
    process.exitCode = 2;
  } else throw err;
}
