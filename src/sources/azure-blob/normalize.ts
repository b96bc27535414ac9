// The three Azure Blob Storage record families and the helpers other modules rely on.
export { azureResourceLogNormalizer } from './resource-log.js';
export { storageBlobLogsNormalizer } from './storage-blob-logs.js';
export { storageAnalyticsNormalizer } from './storage-analytics.js';
export { parseStorageAnalyticsLine } from './parse-storage-analytics-line.js';
export { classifyBlobOperation } from './classify-blob-operation.js';
export { azurePrincipal } from './azure-principal.js';
export type { AzureCaller } from './azure-principal.js';
export { callerIp } from './caller-ip.js';
