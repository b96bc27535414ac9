import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  azureResourceLogNormalizer,
  parseStorageAnalyticsLine,
  storageAnalyticsNormalizer,
  storageBlobLogsNormalizer,
} from '../../../src/sources/azure-blob/normalize.js';
import { SAMPLES_DIR, sampleRecords } from '../../helpers/sample-records.js';

const NORMALIZERS = [azureResourceLogNormalizer, storageBlobLogsNormalizer, storageAnalyticsNormalizer];

function recordsOf(file: string): Record<string, unknown>[] {
  if (!file.endsWith('.log')) return sampleRecords(`azure/${file}`);
  return readFileSync(`${SAMPLES_DIR}azure/${file}`, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => parseStorageAnalyticsLine(l) ?? { unparsed: l });
}

describe('every record of every real Azure sample', () => {
  const files = readdirSync(`${SAMPLES_DIR}azure`);

  it('covers the four sample files, 24 records', () => {
    expect(files.sort()).toEqual([
      'azure-docs-resource-log-example.json',
      'azure-docs-storage-analytics-v2.log',
      'dynatrace-resource-log.ndjson',
      'panther-blob-resource-log-tests.ndjson',
    ]);
    expect(files.reduce((n, f) => n + recordsOf(f).length, 0)).toBe(24);
  });

  for (const file of files) {
    it(`${file}: each record is claimed by exactly one Azure normaliser and becomes an event or a skip`, () => {
      for (const record of recordsOf(file)) {
        const claimed = NORMALIZERS.filter((n) => n.matches(record));
        expect(claimed, JSON.stringify(record).slice(0, 120)).toHaveLength(1);
        const result = claimed[0]!.normalize(record);
        expect(result.kind, result.kind === 'event' ? '' : result.reason).not.toBe('reject');
      }
    });
  }

  it('gives events for all resource-log records and the two blob lines, skips for the queue and table lines', () => {
    const outcomes = files.flatMap((f) =>
      recordsOf(f).map((r) => NORMALIZERS.find((n) => n.matches(r))!.normalize(r)),
    );
    expect(outcomes.filter((o) => o.kind === 'event')).toHaveLength(22);
    expect(outcomes.filter((o) => o.kind === 'skip').map((o) => o.kind === 'skip' && o.reason).sort()).toEqual([
      'not blob storage: queue',
      'not blob storage: table',
    ]);
  });
});
