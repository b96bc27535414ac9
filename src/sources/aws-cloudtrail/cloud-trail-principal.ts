import type { Principal } from '../../core/event.js';
import { readObject, readString } from './read-field.js';
import type { JsonObject } from './read-field.js';

/** The principal named by a CloudTrail userIdentity, or why none can be named. */
export type PrincipalResult = { ok: true; principal: Principal } | { ok: false; reason: string };

const ANONYMOUS_ID = 'ANONYMOUS_PRINCIPAL';
const ASSUMED_ROLE_ARN = /^arn:([^:]+):sts::([^:]*):assumed-role\/([^/]+)\/(.+)$/;

/** True when the userIdentity is a public, unauthenticated caller. */
export function isAnonymousIdentity(identity: JsonObject): boolean {
  return (
    readString(identity, 'type') === 'Anonymous' ||
    readString(identity, 'accountId') === ANONYMOUS_ID ||
    readString(identity, 'principalId') === ANONYMOUS_ID
  );
}

/** The account an ARN belongs to (`arn:aws:iam::123456789012:user/bob` -> 123456789012). */
export function arnAccount(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account ? account : undefined;
}

/**
 * The principal of a CloudTrail userIdentity; `resourceAccount` is the account the event was
 * recorded for, used to mark cross-account callers with their home account.
 */
export function cloudTrailPrincipal(identity: JsonObject, resourceAccount: string | undefined): PrincipalResult {
  if (isAnonymousIdentity(identity)) {
    return { ok: true, principal: { id: 'anonymous', name: 'anonymous', type: 'anonymous' } };
  }
  const type = readString(identity, 'type');
  if (type === 'AWSService') {
    const service = readString(identity, 'invokedBy', 'principalId');
    if (!service) return { ok: false, reason: 'userIdentity AWSService without invokedBy' };
    return { ok: true, principal: { id: `service:${service}`, name: service, type: 'service' } };
  }
  const principal = namedPrincipal(type, identity);
  if (!principal) return { ok: false, reason: `userIdentity ${type ?? '(no type)'} has no arn, principalId or userName` };
  const home = readString(identity, 'accountId') ?? arnAccount(readString(identity, 'arn'));
  if (home && resourceAccount && home !== resourceAccount) principal.homeAccount = home;
  return { ok: true, principal };
}

function namedPrincipal(type: string | undefined, identity: JsonObject): Principal | undefined {
  const arn = readString(identity, 'arn');
  const account = readString(identity, 'accountId') ?? arnAccount(arn);
  const userName = readString(identity, 'userName');
  const principalId = readString(identity, 'principalId');
  switch (type) {
    case 'IAMUser': {
      const id = arn ?? (account && userName ? `arn:aws:iam::${account}:user/${userName}` : (principalId ?? userName));
      return id ? { id, name: userName ?? lastSegment(arn) ?? id, type: 'user' } : undefined;
    }
    case 'AssumedRole':
      return assumedRole(identity, arn, principalId, userName);
    case 'Root': {
      const id = arn ?? (account ? `arn:aws:iam::${account}:root` : undefined);
      return id ? { id, name: 'root', type: 'user' } : undefined;
    }
    case 'AWSAccount': {
      if (principalId) {
        const { id, human } = stableCallerId(principalId);
        return { id, name: principalId, type: human ? 'user' : 'role' };
      }
      return account ? { id: `arn:aws:iam::${account}:root`, name: `account ${account}`, type: 'role' } : undefined;
    }
    case 'IdentityCenterUser': {
      const userId = readString(readObject(identity, 'onBehalfOf'), 'userId');
      const id = arn ?? userId ?? principalId ?? userName;
      return id ? { id, name: userName ?? id, type: 'user' } : undefined;
    }
    default: {
      // FederatedUser, WebIdentityUser, SAMLUser and types AWS may add: principalId is namespaced by the
      // identity provider (`accounts.google.com:app:sub`), userName alone is not.
      const id = arn ?? principalId ?? userName;
      return id ? { id, name: userName ?? lastSegment(arn) ?? id, type: 'user' } : undefined;
    }
  }
}

function assumedRole(identity: JsonObject, arn: string | undefined, principalId: string | undefined, userName: string | undefined): Principal | undefined {
  const issuer = readObject(readObject(identity, 'sessionContext'), 'sessionIssuer');
  const parsed = arn ? ASSUMED_ROLE_ARN.exec(arn) : null;
  const derivedArn = parsed ? `arn:${parsed[1]}:iam::${parsed[2]}:role/${parsed[3]}` : undefined;
  const roleArn = readString(issuer, 'arn') ?? derivedArn;
  const session = parsed?.[4] ?? principalId?.split(':').slice(1).join(':');
  if (!roleArn) {
    const fallback = principalId ? stableCallerId(principalId).id : userName;
    return fallback ? { id: fallback, name: userName ?? principalId ?? fallback, type: 'role' } : undefined;
  }
  const roleName = readString(issuer, 'userName') ?? parsed?.[3] ?? lastSegment(roleArn) ?? roleArn;
  if (session && isHumanSession(session, roleArn)) {
    return { id: `${roleArn}/${session}`, name: session, type: 'user' };
  }
  return { id: roleArn, name: session ? `${roleName}/${session}` : roleName, type: 'role' };
}

// Service sessions get random names (instance ids, UUIDs) and must collapse into their role;
// a person's session is named after them: an email, or the user name IAM Identity Center sets on
// the roles it creates under aws-reserved/sso.amazonaws.com/ (AWSReservedSSO_<permission set>_<hash>).
function isHumanSession(session: string, roleArn: string): boolean {
  return session.includes('@') || roleArn.includes('/aws-reserved/sso.amazonaws.com/') || /\/AWSReservedSSO_[^/]*$/.test(roleArn);
}

// `AROAEXAMPLE:session` -> `AROAEXAMPLE` unless the session names a person.
function stableCallerId(principalId: string): { id: string; human: boolean } {
  const colon = principalId.indexOf(':');
  const session = colon >= 0 ? principalId.slice(colon + 1) : '';
  if (session.includes('@')) return { id: principalId, human: true };
  return { id: colon >= 0 ? principalId.slice(0, colon) : principalId, human: false };
}

function lastSegment(arn: string | undefined): string | undefined {
  const tail = arn?.split(/[/:]/).pop();
  return tail ? tail : undefined;
}
