import type { Config } from '../config.js';
import { StorageWatchError } from '../core/errors.js';
import type { Logger } from '../logger.js';
import { configuredProviders, configuredSources, type Provider } from '../sources/index.js';
import type { Sql } from '../store/sql.js';
import { ingestFiles, type IngestSummary } from './ingest-files.js';
import { scanSources, type ScopeSummary } from './scan-sources.js';

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
