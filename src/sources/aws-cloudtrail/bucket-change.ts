import type { BucketChange } from '../../core/event.js';
import { asObject, readString } from './read-field.js';
import type { JsonObject } from './read-field.js';

const PUBLIC_GROUPS = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/i;
const PUBLIC_CANNED_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);
const GRANT_HEADERS = ['x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-full-control', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp'];
const BLOCK_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'];
// Condition keys that tie an Allow to a network, an organisation, an account or a caller: with one of
// them a `Principal "*"` statement is not public (the keys S3 itself weighs when it judges a policy public).
const RESTRICTING_KEYS = new Set(
  [
    'aws:SourceVpce', 'aws:SourceVpc', 'aws:SourceIp', 'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths', 'aws:PrincipalAccount',
    'aws:PrincipalArn', 'aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOwner', 'aws:SourceOrgID', 'aws:SourceOrgPaths',
    'aws:userid', 'aws:username', 's3:DataAccessPointAccount', 's3:DataAccessPointArn',
  ].map((k) => k.toLowerCase()),
);
const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);

/**
 * What a bucket-level CloudTrail management event did to the bucket's exposure or auditing, read
 * from its requestParameters (objects, or the JSON strings CloudTrail Lake stores them as); undefined
 * for events that change neither.
 */
export function bucketChange(eventName: string, params: JsonObject | undefined): BucketChange | undefined {
  switch (eventName) {
    case 'PutBucketPolicy':
      return policyChange(field(params, 'bucketPolicy') ?? field(params, 'policy'));
    case 'DeleteBucketPolicy':
      return { kind: 'policy-changed', detail: 'bucket policy deleted' };
    case 'PutBucketAcl':
      return publicAclGrant(params) ?? { kind: 'acl-changed', detail: aclSummary(params) };
    case 'PutObjectAcl': {
      const grant = publicAclGrant(params);
      return grant ? { ...grant, detail: `object ${readString(params, 'key') ?? '(unnamed)'}: ${grant.detail}` } : undefined;
    }
    case 'PutBucketPublicAccessBlock':
    case 'PutPublicAccessBlock':
    case 'PutAccountPublicAccessBlock':
      return publicAccessBlock(asObject(field(params, 'PublicAccessBlockConfiguration')), eventName === 'PutAccountPublicAccessBlock');
    case 'DeleteBucketPublicAccessBlock':
    case 'DeletePublicAccessBlock':
      return { kind: 'public-access-block-removed', detail: 'public access block deleted' };
    case 'DeleteAccountPublicAccessBlock':
      return { kind: 'public-access-block-removed', detail: 'account-wide public access block deleted' };
    case 'PutBucketLogging': {
      const status = field(params, 'BucketLoggingStatus');
      if (status === undefined) return undefined;
      const enabled = asObject(status)?.LoggingEnabled;
      return enabled ? undefined : { kind: 'logging-disabled', detail: 'server access logging turned off (empty BucketLoggingStatus)' };
    }
    default:
      return undefined;
  }
}

// A field as logged, with the JSON text CloudTrail Lake keeps nested values as decoded.
function field(params: JsonObject | undefined, key: string): unknown {
  const value = params?.[key];
  if (typeof value !== 'string') return value ?? undefined;
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value;
  }
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

function strings(value: unknown): string[] {
  return list(value).filter((v): v is string => typeof v === 'string');
}

function policyChange(policy: unknown): BucketChange {
  const doc = asObject(policy);
  if (!doc) return { kind: 'policy-changed', detail: 'bucket policy replaced (policy text not in the log)' };
  const statements = list(doc.Statement).map(asObject).filter((s): s is JsonObject => s !== undefined);
  for (const s of statements) {
    if (String(s.Effect).toLowerCase() !== 'allow' || !publicPrincipal(s)) continue;
    if (restricted(s.Condition)) continue;
    const actions = strings(s.Action).slice(0, 3).join(', ') || 'actions';
    return { kind: 'made-public', detail: `Principal "*" granted ${actions}${s.NotPrincipal !== undefined ? ' (NotPrincipal)' : ''}` };
  }
  return { kind: 'policy-changed', detail: `bucket policy set (${statements.length} statement${statements.length === 1 ? '' : 's'}, none public)` };
}

function publicPrincipal(s: JsonObject): boolean {
  // Allow with NotPrincipal grants everyone but the listed principals.
  if (s.NotPrincipal !== undefined) return true;
  const p = s.Principal;
  if (p === '*') return true;
  const aws = asObject(p)?.AWS;
  return strings(aws).includes('*');
}

function restricted(condition: unknown): boolean {
  const operators = asObject(condition);
  if (!operators) return false;
  for (const [operator, block] of Object.entries(operators)) {
    // A negated operator (StringNotEquals aws:SourceVpce) still lets the rest of the world in.
    if (/Not/i.test(operator)) continue;
    for (const [key, value] of Object.entries(asObject(block) ?? {})) {
      if (!RESTRICTING_KEYS.has(key.toLowerCase())) continue;
      const values = strings(value);
      if (key.toLowerCase() === 'aws:sourceip' && values.length && values.every((v) => ANYWHERE.has(v.trim()))) continue;
      return true;
    }
  }
  return false;
}

function publicAclGrant(params: JsonObject | undefined): BucketChange | undefined {
  const canned = strings(field(params, 'x-amz-acl')).find((v) => PUBLIC_CANNED_ACLS.has(v.trim().toLowerCase()));
  if (canned) return { kind: 'made-public', detail: `canned ACL ${canned}` };
  for (const header of GRANT_HEADERS) {
    const grantee = strings(field(params, header)).find((v) => PUBLIC_GROUPS.test(v));
    if (grantee) return { kind: 'made-public', detail: `${header} to ${PUBLIC_GROUPS.exec(grantee)?.[1] ?? 'public group'}` };
  }
  for (const grant of grants(params)) {
    const grantee = asObject(grant.Grantee);
    const uri = readString(grantee, 'URI', 'uri');
    if (uri && PUBLIC_GROUPS.test(uri)) {
      return { kind: 'made-public', detail: `ACL grants ${readString(grant, 'Permission') ?? 'access'} to ${PUBLIC_GROUPS.exec(uri)?.[1] ?? 'public group'}` };
    }
  }
  return undefined;
}

function grants(params: JsonObject | undefined): JsonObject[] {
  const policy = asObject(field(params, 'AccessControlPolicy'));
  const acl = asObject(policy?.AccessControlList);
  return list(acl?.Grant).map(asObject).filter((g): g is JsonObject => g !== undefined);
}

function aclSummary(params: JsonObject | undefined): string {
  const canned = strings(field(params, 'x-amz-acl'))[0];
  if (canned) return `canned ACL ${canned}`;
  const n = grants(params).length;
  return n ? `ACL set with ${n} grant${n === 1 ? '' : 's'}, none public` : 'ACL set';
}

function publicAccessBlock(config: JsonObject | undefined, account: boolean): BucketChange | undefined {
  if (!config) return undefined;
  const off = BLOCK_FLAGS.filter((flag) => {
    const v = config[flag];
    return v === false || (typeof v === 'string' && v.trim().toLowerCase() === 'false');
  });
  if (!off.length) return undefined;
  return { kind: 'public-access-block-removed', detail: `${account ? 'account-wide ' : ''}${off.join(', ')} turned off` };
}
