import type { Normalized } from '../../core/event.js';
import type { RecordNormalizer } from '../record-normalizer.js';
import { parseStorageResourceId } from './parse-storage-resource-id.js';
import { readCount, readObject, readString } from './read-field.js';
import { toAccessEvent } from './to-access-event.js';

const DATA_CATEGORIES = new Set(['storageread', 'storagewrite', 'storagedelete']);
const SERVICE_IN_RESOURCE_ID = /\/(blob|queue|table|file)Services\//i;

/** Blob storage resource-log records, as a diagnostic setting writes them to a storage archive or an event hub. */
export const azureResourceLogNormalizer: RecordNormalizer = {
  format: 'azure-resource-log',
  matches(record) {
    if (record.operationName === undefined || record.time === undefined) return false;
    const category = readString(record.category)?.toLowerCase();
    if (category && DATA_CATEGORIES.has(category)) return true;
    return /Microsoft\.Storage/i.test(readString(record.resourceId) ?? '');
  },
  normalize(record): Normalized {
    const props = readObject(record.properties) ?? {};
    const category = readString(record.category);
    if (category && !DATA_CATEGORIES.has(category.toLowerCase())) {
      return { kind: 'skip', reason: `not a storage data-plane record: category ${category}` };
    }
    const resourceId = readString(record.resourceId);
    const service = (readString(props.serviceType) ?? SERVICE_IN_RESOURCE_ID.exec(resourceId ?? '')?.[1])?.toLowerCase();
    if (service && service !== 'blob' && service !== 'dfs') return { kind: 'skip', reason: `not blob storage: ${service}` };
    const identity = readObject(record.identity) ?? {};
    const requester = readObject(identity.requester) ?? {};
    const ids = parseStorageResourceId(resourceId);
    return toAccessEvent({
      time: record.time,
      timeField: 'time',
      operation: readString(record.operationName),
      accountName: readString(props.accountName) ?? ids.accountName,
      subscriptionId: ids.subscriptionId,
      location: readString(record.location),
      requestId: readString(record.correlationId),
      operationCount: readCount(props.operationCount),
      caller: {
        authType: readString(identity.type),
        hash: readString(identity.tokenHash),
        objectId: readString(requester.objectId),
        upn: readString(requester.upn),
        appId: readString(requester.appId),
        uri: readString(record.uri),
      },
      statusCode: readString(record.statusCode),
      statusText: readString(record.statusText) ?? readString(props.metricResponseType),
      callerIpAddress: readString(record.callerIpAddress),
      userAgent: readString(props.userAgentHeader),
      objectKey: readString(props.objectKey),
      uri: readString(record.uri),
      requestBodySize: props.requestBodySize,
      responseBodySize: props.responseBodySize,
    });
  },
};
