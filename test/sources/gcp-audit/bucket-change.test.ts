import { describe, expect, it } from 'vitest';
import type { AccessEvent } from '../../../src/core/event.js';
import { bucketChange } from '../../../src/sources/gcp-audit/bucket-change.js';
import { gcpAuditNormalizer } from '../../../src/sources/gcp-audit/normalize.js';
import { GCP_SAMPLES } from './gcp-test-support.js';

function events(): AccessEvent[] {
  return GCP_SAMPLES.flatMap((r) => {
    const n = gcpAuditNormalizer.normalize(r);
    return n.kind === 'event' ? [n.event] : [];
  });
}

function setIam(deltas: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { methodName: 'storage.setIamPermissions', resourceName: 'projects/_/buckets/b', serviceData: { policyDelta: { bindingDeltas: deltas } }, ...extra };
}

describe('bucket exposure changes in the real GCP samples', () => {
  it('every real record: only the two Panther allUsers grants are made-public; IAM edits are policy-changed; the rest carry no change', () => {
    const changed = events()
      .filter((e) => e.change)
      .map((e) => [e.action.name, e.resource.bucket, e.change?.kind, e.change?.detail]);
    expect(changed).toEqual([
      ['storage.setIamPermissions', 'sample-logs-org', 'policy-changed', 'ADD roles/storage.admin to user:user@organization.com'],
      ['storage.setIamPermissions', 'jacks-test-bucket', 'made-public', 'allUsers granted roles/storage.objectViewer'],
      ['storage.setIamPermissions', 'jacks-test-bucket', 'made-public', 'allUsers granted roles/storage.objectViewer'],
    ]);
  });

  it('bucket creation with the project-role defaults is not a change', () => {
    const created = events().filter((e) => e.action.name === 'storage.buckets.create');
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((e) => e.change === undefined)).toBe(true);
  });
});

describe('bucketChange on hand-made variations', () => {
  it('allAuthenticatedUsers is public too, and several grants are listed', () => {
    const change = bucketChange('storage.setIamPermissions', setIam([
      { action: 'ADD', role: 'roles/storage.objectViewer', member: 'allAuthenticatedUsers' },
      { action: 'ADD', role: 'roles/storage.legacyBucketReader', member: 'allUsers' },
    ]));
    expect(change).toEqual({ kind: 'made-public', detail: 'allAuthenticatedUsers granted roles/storage.objectViewer; allUsers granted roles/storage.legacyBucketReader' });
  });

  it('removing allUsers is a policy change, not an exposure', () => {
    expect(bucketChange('storage.setIamPermissions', setIam([{ action: 'REMOVE', role: 'roles/storage.objectViewer', member: 'allUsers' }]))).toEqual({
      kind: 'policy-changed',
      detail: 'REMOVE roles/storage.objectViewer from allUsers',
    });
  });

  it('a policy set without a delta is judged from the policy it sets', () => {
    const request = { iamRequest: { policy: { bindings: [{ role: 'roles/storage.objectViewer', members: ['allUsers', 'user:a@x.com'] }] } } };
    expect(bucketChange('storage.buckets.setIamPolicy', { request })).toEqual({ kind: 'made-public', detail: 'IAM policy set with allUsers roles/storage.objectViewer' });
    expect(bucketChange('storage.buckets.setIamPolicy', {})).toEqual({ kind: 'policy-changed', detail: 'IAM policy replaced' });
  });

  it('a bucket created with a public default object ACL is made public', () => {
    const request = { defaultObjectAcl: { bindings: [{ role: 'roles/storage.legacyObjectReader', members: ['allUsers'] }] } };
    expect(bucketChange('storage.buckets.create', { request })).toEqual({ kind: 'made-public', detail: 'default object ACL: allUsers roles/storage.legacyObjectReader' });
  });

  it('ACL edits: public entity is made-public, others acl-changed, reads and deletes of public entries are not exposures', () => {
    expect(bucketChange('storage.objectAccessControls.insert', { resourceName: 'projects/_/buckets/b/objects/o', request: { entity: 'allUsers', role: 'READER' } })?.kind).toBe('made-public');
    expect(bucketChange('storage.bucketAccessControls.patch', { resourceName: 'projects/_/buckets/b', request: { entity: 'user-a@x.com' } })).toEqual({
      kind: 'acl-changed',
      detail: 'storage.bucketAccessControls.patch on projects/_/buckets/b',
    });
    expect(bucketChange('storage.objectAccessControls.delete', { request: { entity: 'allUsers' } })?.kind).toBe('acl-changed');
    expect(bucketChange('storage.objectAccessControls.list', {})).toBeUndefined();
    expect(bucketChange('storage.objects.get', {})).toBeUndefined();
  });
});
