/** Bounds of one Cloud Logging query, as RFC 3339 instants. */
export interface LogFilterBounds {
  /** Arrival (receiveTimestamp) range, start included, end excluded. */
  receivedFrom: string;
  receivedBefore: string;
  /** Lower bound on the event time (timestamp), the field Cloud Logging indexes and orders by. */
  timestampFrom: string;
}

/**
 * Audit logs that carry Cloud Storage calls: data access (reads, writes, lists; off by default), admin
 * activity (IAM and bucket changes) and policy (calls VPC Service Controls refused, such as a blocked copy out).
 */
export const DATA_ACCESS_LOG = 'cloudaudit.googleapis.com%2Fdata_access';
export const ACTIVITY_LOG = 'cloudaudit.googleapis.com%2Factivity';
export const POLICY_LOG = 'cloudaudit.googleapis.com%2Fpolicy';

/**
 * The entries.list filter for Cloud Storage audit entries that arrived in a range. In the Logging
 * query language OR binds tighter than AND; the parentheses are there for the reader.
 */
export function buildLogFilter(b: LogFilterBounds): string {
  return [
    `(logName:"${DATA_ACCESS_LOG}" OR logName:"${ACTIVITY_LOG}" OR logName:"${POLICY_LOG}")`,
    'protoPayload.serviceName="storage.googleapis.com"',
    `receiveTimestamp>="${b.receivedFrom}"`,
    `receiveTimestamp<"${b.receivedBefore}"`,
    `timestamp>="${b.timestampFrom}"`,
  ].join(' AND ');
}
