import type { Normalized } from '../../core/event.js';
import type { RecordNormalizer } from '../record-normalizer.js';
import { readCount, readString } from './read-field.js';
import { toAccessEvent } from './to-access-event.js';

/**
 * Classic Storage Analytics log entries (`$logs` container, versions 1.0 and 2.0), as objects from
 * parseStorageAnalyticsLine. Only blob-service entries become events; queue and table entries are skipped.
 */
export const storageAnalyticsNormalizer: RecordNormalizer = {
  format: 'azure-storage-analytics',
  matches(entry) {
    return entry['version-number'] !== undefined && entry['request-start-time'] !== undefined;
  },
  normalize(entry): Normalized {
    const field = (name: string): string | undefined => readString(entry[name]);
    const service = field('service-type')?.toLowerCase();
    if (!service) return { kind: 'reject', reason: 'service-type missing' };
    if (service !== 'blob') return { kind: 'skip', reason: `not blob storage: ${service}` };
    return toAccessEvent({
      time: field('request-start-time'),
      timeField: 'request-start-time',
      operation: field('operation-type'),
      accountName: field('owner-account-name'),
      requestId: field('request-id-header'),
      operationCount: readCount(entry['operation-count']),
      caller: {
        authType: field('authentication-type'),
        objectId: field('user-object-id'),
        upn: field('user-principal-name'),
        appId: field('application-id'),
        requesterAccount: field('requester-account-name'),
        uri: field('request-url'),
      },
      statusCode: field('http-status-code'),
      statusText: field('request-status'),
      callerIpAddress: field('requester-ip-address'),
      userAgent: field('user-agent-header'),
      objectKey: field('requested-object-key'),
      uri: field('request-url'),
      requestBodySize: entry['request-packet-size'],
      responseBodySize: entry['response-packet-size'],
    });
  },
};
