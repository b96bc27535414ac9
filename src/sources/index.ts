import type { SourcesConfig } from '../config.js';
import type { EventSource } from '../core/ports.js';
import type { Logger } from '../logger.js';

/** Which providers `scan --source` and the scheduler can name. */
export type Provider = 'aws' | 'gcp' | 'azure' | 'files';

/**
 * The cloud sources the configuration asks for (the files source is read by ingestFiles). Each
 * provider's SDK is loaded only when that provider is configured.
 */
export async function configuredSources(cfg: SourcesConfig, log?: Logger): Promise<EventSource[]> {
  const out: EventSource[] = [];
  if (cfg.aws) out.push(...(await import('./aws-cloudtrail/index.js')).createAwsSources(cfg.aws, { log }));
  if (cfg.gcp) out.push((await import('./gcp-audit/index.js')).createGcpSource(cfg.gcp, { log }));
  if (cfg.azure) out.push((await import('./azure-blob/index.js')).createAzureSource(cfg.azure, { log }));
  return out;
}

/** Providers with something configured. */
export function configuredProviders(cfg: SourcesConfig): Provider[] {
  const clouds: Provider[] = (['aws', 'gcp', 'azure'] as const).filter((p) => cfg[p] !== undefined);
  return cfg.filesDir ? [...clouds, 'files'] : clouds;
}
