/** Columns of `StorageBlobLogs` that storageBlobLogsNormalizer reads, as the query projects them. */
export const BLOB_LOG_COLUMNS = [
  'TimeGenerated', 'IngestionTime', 'OperationName', 'AccountName', 'Location', '_ResourceId', '_SubscriptionId', 'ServiceType',
  'CorrelationId', 'OperationCount', 'AuthenticationType', 'AuthenticationHash', 'RequesterObjectId', 'RequesterUpn', 'RequesterAppId',
  'StatusCode', 'StatusText', 'MetricResponseType', 'CallerIpAddress', 'UserAgentHeader', 'ObjectKey', 'Uri',
  'RequestBodySize', 'ResponseBodySize',
] as const;

/** A KQL `datetime()` literal of an epoch-ms instant. */
export function kqlDatetime(ms: number): string {
  return `datetime(${new Date(ms).toISOString()})`;
}

/**
 * The KQL that reads the records ingested in [start, end) (epoch ms of `ingestion_time()`), oldest
 * ingestion first, at most `limit` rows. The event-time range is not in the text: it goes in the
 * request's timespan, which Log Analytics applies to TimeGenerated before anything else.
 */
export function storageBlobLogsQuery(start: number, end: number, limit: number): string {
  return [
    'StorageBlobLogs',
    '| extend IngestionTime = ingestion_time()',
    `| where IngestionTime >= ${kqlDatetime(start)} and IngestionTime < ${kqlDatetime(end)}`,
    `| project ${BLOB_LOG_COLUMNS.join(', ')}`,
    '| order by IngestionTime asc',
    `| take ${limit}`,
  ].join('\n');
}
