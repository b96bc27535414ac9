import type { Outcome } from '../../core/event.js';

// Storage status texts for refused credentials or permissions: AuthorizationFailure,
// AuthorizationPermissionMismatch, AuthenticationFailed, SASAuthorizationError, AnonymousAuthorizationError...
const DENIED_TEXT = /authori[sz]ation|authentication|permissionmismatch/i;

/**
 * How a storage request ended, from its HTTP status and status text (or metric response type):
 * 2xx/3xx success; 401/403 or an authorisation/authentication failure text denied; other 4xx/5xx error.
 * A record with neither status nor text counts as a success: storage logs record completed requests.
 */
export function blobOutcome(statusCode: string | undefined, statusText: string | undefined): Outcome {
  const code = statusCode !== undefined && /^\d{3}$/.test(statusCode) ? Number(statusCode) : undefined;
  if (code !== undefined && code >= 200 && code < 400) return { status: 'success' };
  const detail = statusText ?? statusCode;
  if (code === 401 || code === 403 || (statusText !== undefined && DENIED_TEXT.test(statusText))) {
    return { status: 'denied', code: detail };
  }
  if (code !== undefined) return { status: 'error', code: detail };
  if (statusText === undefined) return statusCode === undefined ? { status: 'success' } : { status: 'error', code: statusCode };
  return /success$/i.test(statusText) ? { status: 'success' } : { status: 'error', code: statusText };
}
