import type { Normalized } from '../core/event.js';
import type { RecordNormalizer } from './record-normalizer.js';
import { cloudTrailNormalizer } from './aws-cloudtrail/normalize.js';
import { gcpAuditNormalizer } from './gcp-audit/normalize.js';
import { azureResourceLogNormalizer, storageAnalyticsNormalizer, storageBlobLogsNormalizer } from './azure-blob/normalize.js';

/** Every record family storage-watch reads, tried in this order. */
export const NORMALIZERS: readonly RecordNormalizer[] = [
  cloudTrailNormalizer,
  gcpAuditNormalizer,
  azureResourceLogNormalizer,
  storageBlobLogsNormalizer,
  storageAnalyticsNormalizer,
];

/** The normaliser whose family the record belongs to, if any. */
export function normalizerFor(record: Record<string, unknown>): RecordNormalizer | undefined {
  return NORMALIZERS.find((n) => n.matches(record));
}

/** Normalises a record of any known family; a record of no known family is rejected. */
export function normalizeRecord(record: unknown): Normalized {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { kind: 'reject', reason: 'not a JSON object' };
  }
  const normalizer = normalizerFor(record as Record<string, unknown>);
  if (!normalizer) return { kind: 'reject', reason: 'not a record of any known audit-log format' };
  return normalizer.normalize(record as Record<string, unknown>);
}
