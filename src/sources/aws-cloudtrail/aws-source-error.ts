import { StorageWatchError } from '../../core/errors.js';

/** What was being done when an AWS call failed: the IAM permission it needs and on what. */
export interface AwsCallContext {
  /** IAM action, e.g. `s3:ListBucket`. */
  permission: string;
  /** ARN or description of the resource, e.g. `arn:aws:s3:::trail-bucket (prefix AWSLogs/)`. */
  resource: string;
}

const PERMISSION = new Set(['AccessDenied', 'AccessDeniedException', 'Forbidden', 'AllAccessDisabled', 'UnauthorizedOperation', 'NotAuthorized']);
const CREDENTIALS = new Set([
  'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException',
  'InvalidToken', 'TokenRefreshRequired', 'CredentialsProviderError', 'InvalidSignatureException', 'IncompleteSignatureException',
]);
const NOT_FOUND = new Set([
  'NoSuchBucket', 'EventDataStoreNotFoundException', 'InactiveEventDataStoreException', 'EventDataStoreARNInvalidException',
  'InvalidEventDataStoreStatusException',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function shape(err: unknown): SdkErrorShape {
  if (typeof err === 'object' && err !== null) return err;
  return { message: String(err) };
}

/** True when the call was cancelled by the caller's AbortSignal. */
export function isAbort(err: unknown): boolean {
  const name = shape(err).name;
  return name === 'AbortError';
}

/**
 * True for a failure while a response body was streaming (connection cut, reset): the SDK has already
 * returned, so its own retries do not cover it and the whole call is worth another try.
 */
export function isBodyFailure(err: unknown): boolean {
  const e = shape(err);
  if (e.$metadata || isAbort(err)) return false;
  return (e.code !== undefined && NETWORK_CODES.has(e.code)) || /aborted|premature close|socket hang up|terminated/i.test(e.message ?? '');
}

/** Translates an AWS SDK error into a StorageWatchError with a source_* code; the permission message names the missing IAM action. */
export function awsSourceError(err: unknown, ctx: AwsCallContext): Error {
  if (err instanceof StorageWatchError || isAbort(err)) return err as Error;
  const e = shape(err);
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const detail = `${name}${e.message && e.message !== name ? `: ${e.message}` : ''}`;
  const options = { cause: err };
  if (CREDENTIALS.has(name)) {
    return new StorageWatchError('source_credentials', `AWS rejected or could not find credentials (${detail}); check the credential chain (AWS_PROFILE, role, environment)`, options);
  }
  if (PERMISSION.has(name) || status === 403) {
    // SSE-KMS trail files: S3 answers AccessDenied naming KMS when the reader may not decrypt.
    const permission = /kms/i.test(e.message ?? '') ? `kms:Decrypt on the trail's KMS key (needed with ${ctx.permission} on ${ctx.resource})` : `${ctx.permission} on ${ctx.resource}`;
    return new StorageWatchError('source_permission', `missing permission ${permission} (${detail})`, options);
  }
  if (NOT_FOUND.has(name) || status === 404) return new StorageWatchError('source_not_found', `${ctx.resource} not found (${detail})`, options);
  if (status === undefined || status >= 500 || status === 429 || /Throttl|SlowDown|TooManyRequests|RequestTimeout/i.test(name)) {
    return new StorageWatchError('source_unavailable', `${ctx.permission} on ${ctx.resource} kept failing after retries (${detail})`, options);
  }
  return new StorageWatchError('source_bad_response', `${ctx.permission} on ${ctx.resource} was refused (${detail})`, options);
}
