import type { Normalized } from '../../core/event.js';
import type { RecordNormalizer } from '../record-normalizer.js';
import { parseStorageResourceId } from './parse-storage-resource-id.js';
import { readCount, readString } from './read-field.js';
import { toAccessEvent } from './to-access-event.js';

/** A datetime column, also under the name the Azure portal's CSV export gives it (`TimeGenerated [UTC]`). */
function dateColumn(row: Record<string, unknown>, name: string): unknown {
  return row[name] ?? row[`${name} [UTC]`];
}

/**
 * Rows of the Log Analytics `StorageBlobLogs` table: query results, JSON exports (typed values)
 * and CSV exports (every value a string). The ingestion time is read from `IngestionTime`,
 * the name our query gives `ingestion_time()`.
 */
export const storageBlobLogsNormalizer: RecordNormalizer = {
  format: 'azure-storage-blob-logs',
  matches(row) {
    return dateColumn(row, 'TimeGenerated') !== undefined && row.OperationName !== undefined;
  },
  normalize(row): Normalized {
    const table = readString(row.Type);
    if (table && table !== 'StorageBlobLogs') return { kind: 'skip', reason: `not StorageBlobLogs: ${table}` };
    const service = readString(row.ServiceType)?.toLowerCase();
    if (service && service !== 'blob' && service !== 'dfs') return { kind: 'skip', reason: `not blob storage: ${service}` };
    const ids = parseStorageResourceId(readString(row._ResourceId));
    return toAccessEvent({
      time: dateColumn(row, 'TimeGenerated'),
      timeField: 'TimeGenerated',
      arrivedAt: dateColumn(row, 'IngestionTime'),
      operation: readString(row.OperationName),
      accountName: readString(row.AccountName) ?? ids.accountName,
      subscriptionId: readString(row._SubscriptionId) ?? ids.subscriptionId,
      location: readString(row.Location),
      requestId: readString(row.CorrelationId),
      operationCount: readCount(row.OperationCount),
      caller: {
        authType: readString(row.AuthenticationType),
        hash: readString(row.AuthenticationHash),
        objectId: readString(row.RequesterObjectId),
        upn: readString(row.RequesterUpn),
        appId: readString(row.RequesterAppId),
        uri: readString(row.Uri),
      },
      statusCode: readString(row.StatusCode),
      statusText: readString(row.StatusText) ?? readString(row.MetricResponseType),
      callerIpAddress: readString(row.CallerIpAddress),
      userAgent: readString(row.UserAgentHeader),
      objectKey: readString(row.ObjectKey),
      uri: readString(row.Uri),
      requestBodySize: row.RequestBodySize,
      responseBodySize: row.ResponseBodySize,
    });
  },
};
