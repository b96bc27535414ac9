import type { Principal } from '../../core/event.js';

/** What an Azure storage log says about the caller, whatever the record family. */
export interface AzureCaller {
  /** identity.type / AuthenticationType / authentication-type: OAuth, SAS, AccountKey, Anonymous, authenticated... */
  authType?: string;
  /** identity.tokenHash / AuthenticationHash, e.g. `key1(67F8…)` or `key1(…),SasSignature(…)`. */
  hash?: string;
  /** Entra object id of the requester. */
  objectId?: string;
  /** Entra user principal name of the requester. */
  upn?: string;
  /** Entra application (client) id of the requester. */
  appId?: string;
  /** Classic Storage Analytics requester-account-name (the account whose key signed the request). */
  requesterAccount?: string;
  /** Request URI, to recognise a SAS (`sig=`) when the record names no authentication type. */
  uri?: string;
}

/**
 * The principal behind an Azure storage request. Entra callers are keyed by lower-case object id
 * (else UPN, else app id); SAS and account-key callers by `sas:<hash>` / `key:<hash>`, or
 * `sas:unknown@<account>` / `key:unknown@<account>` when the log has no hash; anonymous callers are
 * `anonymous`; a record that says nothing about its caller gives `unknown@<account>`.
 */
export function azurePrincipal(caller: AzureCaller, storageAccount: string): Principal {
  const auth = authOf(caller);
  if (auth === 'anonymous') return { id: 'anonymous', name: 'anonymous', type: 'anonymous' };
  if (isEntraCaller(caller)) return entra(caller);
  if (auth.includes('sas')) return keyed('sas', caller.hash, storageAccount);
  if (auth.includes('key')) return keyed('key', caller.hash, storageAccount);
  if (TOKEN_AUTH.has(auth)) return unnamed(`${auth}:unknown@${storageAccount}`, `${caller.authType} caller`, 'service');
  if (auth === 'authenticated') return keyed('key', undefined, caller.requesterAccount ?? storageAccount);
  if (caller.hash) return keyed(/SasSignature\(/i.test(caller.hash) ? 'sas' : 'key', caller.hash, storageAccount);
  if (caller.uri && /[?&]sig=/i.test(caller.uri)) return keyed('sas', undefined, storageAccount);
  return unnamed(`unknown@${storageAccount}`, 'unknown caller', 'key');
}

const TOKEN_AUTH = new Set(['oauth', 'bearer', 'kerberos']);

function authOf(caller: AzureCaller): string {
  return (caller.authType ?? '').toLowerCase().replace(/[\s_-]/g, '');
}

/** Whether azurePrincipal names this caller as an Entra user, service principal or managed identity (not a key, SAS or anonymous caller). */
export function isEntraCaller(caller: AzureCaller): boolean {
  const auth = authOf(caller);
  if (auth === 'anonymous') return false;
  return !!(caller.objectId || caller.upn) || (TOKEN_AUTH.has(auth) && !!caller.appId);
}

function entra(caller: AzureCaller): Principal {
  const id = (caller.objectId ?? caller.upn ?? caller.appId ?? '').toLowerCase();
  const name = caller.upn ?? caller.appId ?? caller.objectId ?? id;
  return { id, name, type: caller.upn ? 'user' : 'service' };
}

function keyed(prefix: 'sas' | 'key', hash: string | undefined, account: string): Principal {
  const label = prefix === 'sas' ? 'SAS' : 'account key';
  if (!hash) return { id: `${prefix}:unknown@${account}`, name: `${label} (unknown) of ${account}`, type: 'key' };
  return { id: `${prefix}:${hash}`, name: `${label} ${shortHash(hash)}`, type: 'key' };
}

function unnamed(id: string, name: string, type: Principal['type']): Principal {
  return { id, name, type };
}

/** `key1(67F8F5A2…)`, `key1(4C81DD17…),SasSignature(92D63045…)`: enough to tell keys apart at a glance. */
function shortHash(hash: string): string {
  const shortened = hash.replace(/\(([^()]{8})[^()]+\)/g, '($1…)');
  return shortened === hash && hash.length > 16 && !hash.includes('(') ? `${hash.slice(0, 8)}…` : shortened;
}
