import { StorageWatchError } from '../../core/errors.js';
import { parseRetryAfter } from '../with-retry.js';

/** What the Azure SDK's RestError and @azure/identity's errors carry, read structurally. */
interface AzureErrorShape {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  response?: { headers?: { get?(name: string): string | undefined } };
  details?: { error?: { code?: string; message?: string; innererror?: { code?: string; message?: string } } };
}

const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError', 'AuthenticationRequiredError']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'REQUEST_SEND_ERROR']);

/** The role (and its data action) a caller needs to read StorageBlobLogs of a workspace. */
export function requiredRole(workspaceId: string): string {
  return `Log Analytics Reader (Microsoft.OperationalInsights/workspaces/query/read) on workspace ${workspaceId}`;
}

function shape(err: unknown): AzureErrorShape {
  return typeof err === 'object' && err !== null ? err : { message: String(err) };
}

function serviceText(e: AzureErrorShape): string {
  const body = e.details?.error;
  const inner = body?.innererror?.message ? ` (${body.innererror.message})` : '';
  return `${body?.code ?? e.code ?? e.name ?? 'error'}: ${body?.message ?? e.message ?? ''}${inner}`;
}

/**
 * True for failures worth another try once the SDK's own retries are spent: throttling without
 * Retry-After (the SDK only retries 429 when the header is there), 408 and 5xx, connections that
 * failed or were cut while the body was read (the SDK reports those as PARSE_ERROR and does not retry).
 */
export function isTransientLogAnalyticsError(err: unknown): boolean {
  const e = shape(err);
  if (e.name === 'AbortError') return false;
  if (e.statusCode !== undefined) return e.statusCode === 408 || e.statusCode === 429 || (e.statusCode >= 500 && e.statusCode !== 501 && e.statusCode !== 505);
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  return e.code === 'PARSE_ERROR' && /aborted|terminated|socket hang up|ECONNRESET/i.test(e.message ?? '');
}

/** Milliseconds a throttled response asked us to wait, when it said. */
export function logAnalyticsRetryAfterMs(err: unknown): number | undefined {
  const get = (name: string): string | undefined => shape(err).response?.headers?.get?.(name);
  const ms = get('retry-after-ms') ?? get('x-ms-retry-after-ms');
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  return parseRetryAfter(get('retry-after'));
}

/** Translates an error of a Log Analytics query on a workspace into a StorageWatchError that says what to do. */
export function logAnalyticsError(err: unknown, workspaceId: string, endpoint: string): StorageWatchError {
  if (err instanceof StorageWatchError) return err;
  const e = shape(err);
  const cause = { cause: err };
  if (e.name && CREDENTIAL_ERRORS.has(e.name)) {
    return new StorageWatchError('source_credentials', `no usable Azure credentials for Log Analytics workspace ${workspaceId}: ${e.message ?? e.name} (DefaultAzureCredential reads AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE, a managed identity, or an \`az login\` session)`, cause);
  }
  const status = e.statusCode;
  const code = e.details?.error?.code ?? e.code ?? '';
  const text = serviceText(e);
  if (status === 401 || (status === 403 && /InvalidAuthenticationToken|InvalidToken/i.test(code))) {
    return new StorageWatchError('source_credentials', `Log Analytics at ${endpoint} rejected the credentials for workspace ${workspaceId} (${text}); for Azure Government or China set AZURE_LOGS_ENDPOINT and AZURE_AUTHORITY_HOST to that cloud`, cause);
  }
  if (status === 403) {
    return new StorageWatchError('source_permission', `Log Analytics refused to query workspace ${workspaceId} (${text}): grant ${requiredRole(workspaceId)}, or a custom role with Microsoft.OperationalInsights/workspaces/query/read and Microsoft.OperationalInsights/workspaces/query/StorageBlobLogs/read`, cause);
  }
  if (status === 404) {
    return new StorageWatchError('source_not_found', `Log Analytics workspace ${workspaceId} not found at ${endpoint} (${text}); AZURE_WORKSPACE_IDS takes workspace ids (GUIDs), not names`, cause);
  }
  if (status === 400 && /resolve table.*StorageBlobLogs/i.test(text)) {
    return new StorageWatchError('source_not_found', `workspace ${workspaceId} has no StorageBlobLogs table yet: add a diagnostic setting on each storage account's blob service sending StorageRead, StorageWrite and StorageDelete to this workspace (${text})`, cause);
  }
  if (isTransientLogAnalyticsError(err)) {
    return new StorageWatchError('source_unavailable', `Log Analytics at ${endpoint} kept failing for workspace ${workspaceId} after retries (${text})`, cause);
  }
  return new StorageWatchError('source_bad_response', `Log Analytics answered the query on workspace ${workspaceId} with an error (${text})`, cause);
}
