import type { BucketChange } from '../../core/event.js';
import { bareGcsMethod, classifyGcsMethod } from './classify-gcs-method.js';
import { asRecord, asText } from './json-fields.js';

/** IAM members that stand for everyone on the internet, signed in to Google or not. */
const PUBLIC_MEMBERS = new Set(['allusers', 'allauthenticatedusers']);
const PUBLIC_MENTION = /\ballUsers\b|\ballAuthenticatedUsers\b/i;
const MAX_LISTED = 3;

interface BindingDelta {
  action: string;
  role: string;
  member: string;
}

/**
 * What a Cloud Storage audit entry did to a bucket's exposure: `made-public` when an IAM binding or an
 * ACL grants allUsers / allAuthenticatedUsers, `policy-changed` / `acl-changed` for other IAM or ACL
 * changes; undefined for entries that change neither (bucket creation with private defaults included).
 */
export function bucketChange(methodName: string, payload: Record<string, unknown>): BucketChange | undefined {
  const method = bareGcsMethod(methodName);
  const deltas = bindingDeltas(payload);
  const granted = deltas.filter((d) => d.action === 'ADD' && PUBLIC_MEMBERS.has(d.member.toLowerCase()));
  if (granted.length > 0) return { kind: 'made-public', detail: listed(granted.map((d) => `${d.member} granted ${d.role}`)) };

  const request = asRecord(payload.request);
  const defaultAcl = publicBindings(asRecord(request?.defaultObjectAcl));
  if (defaultAcl.length > 0) return { kind: 'made-public', detail: `default object ACL: ${listed(defaultAcl)}` };

  if (/AccessControls\./.test(method)) {
    if (classifyGcsMethod(method) !== 'permission') return undefined;
    const text = `${asText(payload.resourceName) ?? ''} ${JSON.stringify(request ?? {})}`;
    const removal = method.endsWith('.delete');
    if (!removal && PUBLIC_MENTION.test(text)) return { kind: 'made-public', detail: `${method} for ${PUBLIC_MENTION.exec(text)?.[0] ?? 'allUsers'}` };
    return { kind: 'acl-changed', detail: `${method} on ${asText(payload.resourceName) ?? 'the bucket'}` };
  }

  if (!isIamChange(method)) return undefined;
  if (deltas.length > 0) return { kind: 'policy-changed', detail: listed(deltas.map((d) => `${d.action} ${d.role} ${d.action === 'REMOVE' ? 'from' : 'to'} ${d.member}`)) };
  // Without a delta the entry only shows the policy as set: public members in it may or may not be new.
  const policy = asRecord(asRecord(request?.iamRequest)?.policy) ?? asRecord(request?.policy) ?? asRecord(payload.response);
  const exposed = publicBindings(policy);
  if (exposed.length > 0) return { kind: 'made-public', detail: `IAM policy set with ${listed(exposed)}` };
  return { kind: 'policy-changed', detail: 'IAM policy replaced' };
}

function isIamChange(method: string): boolean {
  return method === 'storage.setIamPermissions' || method.endsWith('.setIamPolicy');
}

function bindingDeltas(payload: Record<string, unknown>): BindingDelta[] {
  const serviceData = asRecord(payload.serviceData);
  const delta = asRecord(serviceData?.policyDelta) ?? asRecord(serviceData?.policy_delta);
  const raw: unknown = delta?.bindingDeltas ?? delta?.binding_deltas;
  if (!Array.isArray(raw)) return [];
  const out: BindingDelta[] = [];
  for (const item of raw as unknown[]) {
    const d = asRecord(item);
    const member = asText(d?.member);
    if (!d || !member) continue;
    out.push({ action: (asText(d.action) ?? 'ADD').toUpperCase(), role: asText(d.role) ?? '(no role)', member });
  }
  return out;
}

/** `member role` for every public member of an IAM policy's bindings. */
function publicBindings(policy: Record<string, unknown> | undefined): string[] {
  const bindings: unknown = policy?.bindings;
  if (!Array.isArray(bindings)) return [];
  const out: string[] = [];
  for (const item of bindings as unknown[]) {
    const binding = asRecord(item);
    const members: unknown = binding?.members;
    if (!Array.isArray(members)) continue;
    for (const member of members as unknown[]) {
      if (typeof member === 'string' && PUBLIC_MEMBERS.has(member.toLowerCase())) out.push(`${member} ${asText(binding?.role) ?? '(no role)'}`);
    }
  }
  return out;
}

function listed(parts: string[]): string {
  const shown = parts.slice(0, MAX_LISTED).join('; ');
  return parts.length > MAX_LISTED ? `${shown}; +${parts.length - MAX_LISTED} more` : shown;
}
