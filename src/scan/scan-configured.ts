import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { StorageWatchError } from '../core/errors.js';
import type { Logger } from '../logger.js';
import { sniffFile } from '../sources/files/read-files.js';
import { configuredProviders, configuredSources, type Provider } from '../sources/index.js';
import type { Sql } from '../store/sql.js';
import { ingestFiles, type IngestSummary } from './ingest-files.js';
import { scanScope, scanSources, type ScopeSummary } from './scan-sources.js';

/** What reading the configured sources did. */
export interface ConfiguredScan {
  files?: IngestSummary;
  scopes: ScopeSummary[];
  /** Warnings a source raised about its configuration (e.g. GCS data-access logs apparently off). */
  notices: string[];
}

/** Options of a scan of configured sources. */
export interface ScanConfiguredOptions {
  /** A provider, or all of those configured. */
  provider: Provider | 'all';
  /** Where scopes without a cursor start (epoch ms); default: the configured look-back. */
  since?: number;
  log?: Logger;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
}

/**
 * Reads the configured sources of one provider (or all) from their cursors into rollups. Detection
 * is a separate step (detectPending), so that one run judges what several sources brought.
 */
export async function scanConfigured(sql: Sql, config: Config, opts: ScanConfiguredOptions): Promise<ConfiguredScan> {
  const available = configuredProviders(config.sources);
  const wanted = opts.provider === 'all' ? available : [opts.provider];
  const missing = wanted.filter((p) => !available.includes(p));
  if (missing.length || !wanted.length) {
    throw new StorageWatchError('bad_config', `no source configured for ${missing.join(', ') || 'any provider'}: set the variables of the README's "Clouds" section (for files, FILES_SOURCE_DIR)`);
  }
  const out: ConfiguredScan = { scopes: [], notices: [] };
  if (wanted.includes('files') && config.sources.filesDir) {
    out.files = await ingestFiles(sql, [config.sources.filesDir], { onProgress: (s) => opts.onProgress?.(`files: ${s.files} read, ${s.events.toLocaleString('en-US')} events`) });
  }
  const sources = (await configuredSources(config.sources, opts.log)).filter((s) => wanted.includes(s.provider));
  out.scopes = await scanSources(sql, sources, {
    since: opts.since ?? Date.now() - config.scan.lookback,
    signal: opts.signal,
    log: opts.log,
    onProgress: (s) => opts.onProgress?.(`${s.source} ${s.scope}: ${s.pages} pages, ${s.events.toLocaleString('en-US')} events`),
  });
  for (const source of sources) {
    if ('notices' in source && source.notices instanceof Map) out.notices.push(...[...(source.notices as Map<string, string>).values()]);
  }
  return out;
}

/** One scope of one configured source: what one scan job reads. */
export interface ScanTarget {
  provider: Provider;
  /** The source's name (`files` for the files directory). */
  source: string;
  /** The scope, as the source names it (for files, a path under FILES_SOURCE_DIR; `.` for the files directly in it). */
  scope: string;
}

/** Directories whose children are the scopes (a CloudTrail export holds one directory per account). */
const CONTAINERS: ReadonlySet<string> = new Set(['AWSLogs']);

/** Azure diagnostic settings export read, write and delete logs of the same accounts into sibling `insights-logs-*` directories: one scope. */
const AZURE_LOGS = 'insights-logs-*';

/**
 * The scopes of a files directory: each directory in it (each account under AWSLogs; the Azure
 * `insights-logs-*` directories together), and `.` for the files directly in it. Their files never
 * overlap, so they can be read at once, and an identity's logs are in one scope.
 */
export function filesScopes(dir: string): string[] {
  const out: string[] = [];
  let loose = false;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.')) continue;
    if (!e.isDirectory()) loose = true;
    else if (e.name.startsWith('insights-logs-')) {
      if (!out.includes(AZURE_LOGS)) out.push(AZURE_LOGS);
    } else if (!CONTAINERS.has(e.name)) out.push(e.name);
    else {
      const inner = readdirSync(join(dir, e.name), { withFileTypes: true });
      // Loose files in it: the whole directory is one scope, or two scopes would share them.
      if (inner.some((c) => !c.isDirectory())) out.push(e.name);
      else for (const c of inner) out.push(`${e.name}/${c.name}`);
    }
  }
  return loose ? ['.', ...out] : out;
}

/** Every scope of one provider's configured sources (or all providers'); a source that cannot list its scopes is reported and left out. */
export async function configuredScopes(config: Config, provider: Provider | 'all', log?: Logger): Promise<{ targets: ScanTarget[]; failed: ScopeSummary[] }> {
  const wanted = provider === 'all' ? configuredProviders(config.sources) : [provider];
  const targets: ScanTarget[] = [];
  const failed: ScopeSummary[] = [];
  if (wanted.includes('files') && config.sources.filesDir) {
    for (const scope of filesScopes(config.sources.filesDir)) targets.push({ provider: 'files', source: 'files', scope });
  }
  for (const source of await configuredSources(config.sources, log)) {
    if (!wanted.includes(source.provider)) continue;
    try {
      for (const scope of await source.scopes()) targets.push({ provider: source.provider, source: source.name, scope });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failed.push({ source: source.name, scope: '*', apiCalls: 0, pages: 0, records: 0, bytes: 0, events: 0, skipped: 0, rejected: 0, duplicates: 0, seconds: 0, rejections: [], error: { code: err instanceof StorageWatchError ? err.code : 'source_unavailable', message } });
      log?.error({ source: source.name, err: message }, 'source failed');
    }
  }
  return { targets, failed };
}

/** Reads one scope of a configured source from its cursor into rollups (what one scan job does). */
export async function scanConfiguredScope(sql: Sql, config: Config, target: ScanTarget, opts: Omit<ScanConfiguredOptions, 'provider'> = {}): Promise<ConfiguredScan> {
  const out: ConfiguredScan = { scopes: [], notices: [] };
  if (target.provider === 'files') {
    const dir = config.sources.filesDir;
    if (!dir) throw new StorageWatchError('bad_config', 'no files directory configured (FILES_SOURCE_DIR)');
    let paths = target.scope === AZURE_LOGS
      ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith('insights-logs-')).map((e) => join(dir, e.name))
      : [join(dir, target.scope)];
    const unknown: string[] = [];
    if (target.scope === '.') {
      // Files named one by one must be logs; in a directory walk, other files are only reported.
      paths = [];
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory() || e.name.startsWith('.')) continue;
        if (await sniffFile(join(dir, e.name))) paths.push(join(dir, e.name));
        else unknown.push(join(dir, e.name));
      }
    }
    out.files = paths.length
      ? await ingestFiles(sql, paths, { onProgress: (s) => opts.onProgress?.(`files ${target.scope}: ${s.files} read, ${s.events.toLocaleString('en-US')} events`) })
      : { files: 0, unchangedFiles: 0, records: 0, events: 0, skipped: 0, rejected: 0, duplicates: 0, rejections: [], unknownFiles: [] };
    out.files.unknownFiles.push(...unknown);
    return out;
  }
  const source = (await configuredSources(config.sources, opts.log)).find((s) => s.name === target.source);
  if (!source) throw new StorageWatchError('bad_config', `no configured source named ${target.source}`);
  out.scopes = [await scanScope(sql, source, target.scope, {
    since: opts.since ?? Date.now() - config.scan.lookback, signal: opts.signal, log: opts.log,
    onProgress: (s) => opts.onProgress?.(`${s.source} ${s.scope}: ${s.pages} pages, ${s.events.toLocaleString('en-US')} events`),
  })];
  if ('notices' in source && source.notices instanceof Map) out.notices.push(...[...(source.notices as Map<string, string>).values()]);
  return out;
}
