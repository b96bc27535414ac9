import { parseCloudTrailTime } from './parse-cloud-trail-time.js';

/** When a CloudTrail event happened (epoch ms), or why that cannot be told. */
export type CloudTrailEventTime = { ok: true; time: number } | { ok: false; reason: string };

/**
 * The time of a CloudTrail event: its `eventTime`, or, for events exported from an ELK / OpenSearch pipeline
 * whose Logstash date filter turned `eventTime` into `@timestamp`, that `@timestamp`.
 */
export function cloudTrailEventTime(record: Record<string, unknown>): CloudTrailEventTime {
  const present = (v: unknown): boolean => v !== undefined && v !== null;
  const field = present(record.eventTime) ? 'eventTime' : present(record['@timestamp']) ? '@timestamp' : undefined;
  if (!field) return { ok: false, reason: 'eventTime missing (and no Logstash @timestamp)' };
  const value = record[field];
  const time = parseCloudTrailTime(value);
  return time === undefined ? { ok: false, reason: `${field} is not a timestamp: ${JSON.stringify(value)}` } : { ok: true, time };
}
