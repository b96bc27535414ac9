#!/usr/bin/env node
import './heap-growth.js';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from './config.js';
import { parseDuration } from './core/duration.js';
import { StorageWatchError } from './core/errors.js';
import { SEVERITIES, type Finding, type Severity } from './core/finding.js';
import { detectionSettings } from './detection/detection-settings.js';
import { DETECTORS } from './detectors/index.js';
import { baselineReports } from './lookup/baseline-report.js';
import { resolvePrincipal } from './lookup/resolve-principal.js';
import { whoReports } from './lookup/who-report.js';
import { baselineCard } from './cards/baseline-card.js';
import { plainText } from './cards/plain-text.js';
import { whoCard } from './cards/who-card.js';
import { describeScan, scanSummaryJson } from './report/describe-scan.js';
import { findingJson } from './report/finding-json.js';
import { findingTable } from './report/finding-table.js';
import { ProgressLine } from './report/progress-line.js';
import { detectPending, latestFindings } from './scan/detect-pending.js';
import { ingestFiles, type IngestSummary } from './scan/ingest-files.js';
import { scanConfigured } from './scan/scan-configured.js';
import type { ScopeSummary } from './scan/scan-sources.js';
import type { Provider } from './sources/index.js';
import { createLogger } from './logger.js';
import type { IdentityRecord } from './store/identities.js';
import { listFindings } from './store/findings.js';
import { openDatabase } from './store/open-database.js';
import type { Sql } from './store/sql.js';
import { addSuppression, listSuppressions } from './store/suppressions.js';

function severityOption(v: string): Severity {
  if (!(SEVERITIES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(', ')}`);
  return v as Severity;
}

function durationOption(v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 30m, 6h, 2d or 1w');
  return ms;
}

function timeOption(v: string): number {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError('expected an ISO-8601 time such as 2026-11-28T09:00:00Z');
  return t;
}

function sinceOption(v: string): number {
  const ms = parseDuration(v);
  if (ms !== undefined) return Date.now() - ms;
  return timeOption(v);
}

function seconds(ms: number): number {
  return Number((ms / 1000).toFixed(2));
}

function atLeast(min: Severity): (f: Finding) => boolean {
  return (f) => SEVERITIES.indexOf(f.severity) >= SEVERITIES.indexOf(min);
}

async function withDatabase<T>(fn: (sql: Sql, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const sql = await openDatabase(config.database);
  try {
    return await fn(sql, config);
  } finally {
    await sql.close();
  }
}

function noMatch(principal: string, candidates: readonly IdentityRecord[]): never {
  const hint = candidates.length
    ? `, did you mean one of:\n  ${candidates.slice(0, 10).map((c) => `${c.principal.id} (${c.cloud} ${c.account})`).join('\n  ')}`
    : ': no identity has that id or name';
  throw new StorageWatchError('bad_arguments', `no single identity matches "${principal}"${hint}`);
}

const program = new Command()
  .name('storage-watch')
  .description("Catch data theft from cloud storage: learn each identity's normal from S3, GCS and Azure Blob audit logs, report what is not.")
  .showHelpAfterError();

program
  .command('scan')
  .description('read exported log files (--input) or the configured cloud sources (--source), learn baselines and print findings')
  .option('-i, --input <paths...>', 'log files or directories (CloudTrail, Cloud Audit Logs, Azure resource logs, StorageBlobLogs, Storage Analytics; .gz is fine)')
  .option('-s, --source <provider>', 'pull from the configured sources: aws, gcp, azure, files or all')
  .option('--since <when>', 'with --source: where a scope never read before starts (30m, 6h, 2d or an ISO-8601 time)', sinceOption)
  .option('--json', 'one finding per line on stdout, a JSON summary line on stderr')
  .option('--min-severity <level>', 'only print findings at or above this severity', severityOption, 'low')
  .option('--rescan', 'with --input: read files again even if they were read before (their events count twice)')
  .action((opts: { input?: string[]; source?: string; since?: number; json?: boolean; minSeverity: Severity; rescan?: boolean }) =>
    withDatabase(async (sql, config) => {
      if (!opts.input === !opts.source) throw new StorageWatchError('bad_arguments', 'scan needs either --input <paths...> or --source <aws|gcp|azure|files|all>');
      if (opts.source && !['aws', 'gcp', 'azure', 'files', 'all'].includes(opts.source)) {
        throw new StorageWatchError('bad_arguments', `--source: expected aws, gcp, azure, files or all, got "${opts.source}"`);
      }
      const progress = new ProgressLine();
      const settings = detectionSettings(config.detection);
      let summary: IngestSummary | undefined;
      let scopes: ScopeSummary[] = [];
      let notices: string[] = [];
      const started = performance.now();
      if (opts.input) {
        summary = await ingestFiles(sql, opts.input, { rescan: opts.rescan, onProgress: (s) => progress.update(`read ${s.files} files, ${s.events.toLocaleString('en-US')} events`) });
      } else {
        const log = createLogger(opts.json ? 'silent' : config.logLevel === 'info' ? 'warn' : config.logLevel);
        const r = await scanConfigured(sql, config, { provider: opts.source as Provider | 'all', since: opts.since, log, onProgress: (t) => progress.update(t) });
        summary = r.files;
        scopes = r.scopes;
        notices = r.notices;
      }
      const read = performance.now();
      const updates = await detectPending(sql, { detectors: DETECTORS, settings, onProgress: (done, total) => progress.update(`judged ${done}/${total} hours`) });
      progress.done();
      // Phase times and peak memory, for the benchmark and for anyone sizing a backfill.
      const timing = { ingestSeconds: seconds(read - started), detectSeconds: seconds(performance.now() - read), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
      const findings = latestFindings(updates).filter(atLeast(opts.minSeverity));
      if (opts.json) {
        for (const f of findings) process.stdout.write(JSON.stringify(findingJson(f)) + '\n');
        process.stderr.write(JSON.stringify({ ...scanSummaryJson(summary, scopes, findings.length), ...timing, ...(notices.length ? { notices } : {}) }) + '\n');
      } else {
        if (findings.length) process.stdout.write(findingTable(findings) + '\n');
        process.stderr.write(describeScan(summary, scopes, findings) + '\n');
        for (const n of notices) process.stderr.write(`note: ${n}\n`);
      }
      if (scopes.length && scopes.every((s) => s.error)) process.exitCode = 1;
    }),
  );

program
  .command('who')
  .description('what an identity touched in a window, from which IPs and clients, compared with its baseline')
  .argument('<principal>', 'email, ARN, user name, UPN, service account or key id (exact or partial)')
  .option('--last <duration>', 'window length: 30m, 6h, 2d...', durationOption, 24 * 3_600_000)
  .option('--until <time>', 'end of the window (ISO-8601; default now)', timeOption)
  .option('--json', 'print the report as JSON')
  .action((principal: string, opts: { last: number; until?: number; json?: boolean }) =>
    withDatabase(async (sql, config) => {
      const to = opts.until ?? Date.now();
      const settings = detectionSettings(config.detection);
      const { reports, candidates } = await whoReports(sql, principal, to - opts.last, to, settings.learningDays);
      if (!reports.length) noMatch(principal, candidates);
      if (opts.json) process.stdout.write(JSON.stringify(reports) + '\n');
      else {
        process.stdout.write(plainText(whoCard(principal, reports, candidates)) + '\n');
        for (const r of reports.filter((r) => r.ops === 0)) {
          process.stderr.write(`${r.identity.principal.name}: no activity in this window; last active ${new Date(r.identity.lastSeen).toISOString()} (try --until).\n`);
        }
      }
    }),
  );

program
  .command('baseline')
  .description('what normal looks like for an identity, and how the last 24 hours differ')
  .argument('<principal>', 'email, ARN, user name, UPN, service account or key id (exact or partial)')
  .option('--until <time>', 'end of the 24 hours compared (ISO-8601; default now)', timeOption)
  .option('--json', 'print the report as JSON')
  .action((principal: string, opts: { until?: number; json?: boolean }) =>
    withDatabase(async (sql, config) => {
      const { reports, candidates } = await baselineReports(sql, principal, detectionSettings(config.detection), opts.until ?? Date.now());
      if (!reports.length) noMatch(principal, candidates);
      process.stdout.write((opts.json ? JSON.stringify(reports) : plainText(baselineCard(principal, reports, candidates))) + '\n');
    }),
  );

program
  .command('findings')
  .description('list stored findings')
  .option('--status <status>', 'open, benign, escalated or suppressed')
  .option('--min-severity <level>', 'only findings at or above this severity', severityOption, 'low')
  .option('--last <duration>', 'only findings whose activity ended in this window', durationOption)
  .option('--json', 'one finding per line')
  .action((opts: { status?: Finding['status']; minSeverity: Severity; last?: number; json?: boolean }) =>
    withDatabase(async (sql) => {
      const findings = (await listFindings(sql, { status: opts.status, since: opts.last === undefined ? undefined : Date.now() - opts.last })).filter(atLeast(opts.minSeverity));
      if (opts.json) for (const f of findings) process.stdout.write(JSON.stringify(findingJson(f)) + '\n');
      else process.stdout.write((findings.length ? findingTable(findings) : 'No findings.') + '\n');
    }),
  );

program
  .command('suppress')
  .description('mark activity as fine: matching detections are recorded as suppressed, not alerted')
  .requiredOption('--reason <text>', 'why this is fine (kept in the audit trail)')
  .option('--principal <principal>', 'identity it covers (default: every identity)')
  .option('--detector <id>', `detector it covers (${DETECTORS.map((d) => d.id).join(', ')})`)
  .option('--ip <address>', 'source IP it covers')
  .option('--bucket <name>', 'bucket it covers')
  .option('--expires <duration>', 'how long it lasts (default: 30d; "never" for no expiry)', '30d')
  .option('--author <name>', 'who decided', process.env.USER ?? 'cli')
  .action((opts: { reason: string; principal?: string; detector?: string; ip?: string; bucket?: string; expires: string; author: string }) =>
    withDatabase(async (sql) => {
      if (opts.detector && !DETECTORS.some((d) => d.id === opts.detector)) throw new StorageWatchError('bad_arguments', `unknown detector "${opts.detector}"`);
      const ttl = opts.expires === 'never' ? undefined : parseDuration(opts.expires);
      if (opts.expires !== 'never' && ttl === undefined) throw new StorageWatchError('bad_arguments', `--expires: expected a duration such as 7d or "never", got "${opts.expires}"`);
      let identity: string | undefined;
      if (opts.principal) {
        const { chosen, candidates } = await resolvePrincipal(sql, opts.principal);
        if (chosen.length !== 1) noMatch(opts.principal, chosen.length ? chosen : candidates);
        identity = chosen[0]!.key;
      }
      const s = await addSuppression(sql, {
        identity, detector: opts.detector, ip: opts.ip, bucket: opts.bucket, reason: opts.reason, author: opts.author,
        expiresAt: ttl === undefined ? undefined : Date.now() + ttl,
      });
      process.stdout.write(`suppression ${s.id} stored${s.expiresAt ? `, until ${new Date(s.expiresAt).toISOString()}` : ', no expiry'}\n`);
    }),
  );

program
  .command('suppressions')
  .description('list suppressions in force (--all for expired ones too)')
  .option('--all', 'include expired suppressions')
  .option('--json', 'one per line')
  .action((opts: { all?: boolean; json?: boolean }) =>
    withDatabase(async (sql) => {
      const list = await listSuppressions(sql, opts.all ? undefined : Date.now());
      if (opts.json) for (const s of list) process.stdout.write(JSON.stringify(s) + '\n');
      else if (!list.length) process.stdout.write('No suppressions in force.\n');
      else {
        for (const s of list) {
          const scope = [s.identity ?? 'any identity', s.detector ?? 'any detector', s.ip && `ip ${s.ip}`, s.bucket && `bucket ${s.bucket}`].filter(Boolean).join(', ');
          const until = s.expiresAt ? `until ${new Date(s.expiresAt).toISOString()}` : 'no expiry';
          process.stdout.write(`${s.id}  ${scope}  (${until}) by ${s.author}: ${s.reason}\n`);
        }
      }
    }),
  );

program
  .command('serve')
  .description('run the bot: the Slack app, the scan and digest schedulers, and job workers (npm start)')
  .option('--no-workers', 'run the app and schedulers only; workers run elsewhere (storage-watch worker)')
  .action(async (opts: { workers: boolean }) => {
    const { runUntilSignalled } = await import('./main.js');
    await runUntilSignalled({ chat: true, workers: opts.workers });
  });

program
  .command('worker')
  .description('run job workers only (scan, detect, notify, lookup, digest); several may share one Redis and one database')
  .action(async () => {
    const { runUntilSignalled } = await import('./main.js');
    await runUntilSignalled({ chat: false, workers: true });
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
