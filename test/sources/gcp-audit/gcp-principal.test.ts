import { describe, expect, it } from 'vitest';
import { gcpPrincipal, serviceAccountProject } from '../../../src/sources/gcp-audit/gcp-principal.js';

describe('gcpPrincipal', () => {
  it('a person is a user keyed by the lowercased email', () => {
    expect(gcpPrincipal({ principalEmail: 'Alice@Corp.com' }, 'proj-a')).toEqual({ id: 'alice@corp.com', name: 'Alice@Corp.com', type: 'user' });
  });

  it('an impersonated or subject-named service account is a service', () => {
    expect(gcpPrincipal({ principalEmail: 'bot@corp.com', serviceAccountDelegationInfo: [{ firstPartyPrincipal: {} }] }, 'p').type).toBe('service');
    expect(gcpPrincipal({ principalSubject: 'serviceAccount:etl@proj-a.iam.gserviceaccount.com' }, 'proj-a')).toEqual({
      id: 'etl@proj-a.iam.gserviceaccount.com',
      name: 'etl@proj-a.iam.gserviceaccount.com',
      type: 'service',
    });
  });

  it('Google-managed service agents get no home project', () => {
    expect(gcpPrincipal({ principalEmail: 'service-123456@gs-project-accounts.iam.gserviceaccount.com' }, 'proj-a').homeAccount).toBeUndefined();
    expect(gcpPrincipal({ principalEmail: 'o793924137099-000712@gcp-sa-logging.iam.gserviceaccount.com' }, 'proj-a').homeAccount).toBeUndefined();
  });

  it('does not guess cross-project access when the resource project is unknown', () => {
    expect(gcpPrincipal({ principalEmail: 'etl@proj-b.iam.gserviceaccount.com' }, '').homeAccount).toBeUndefined();
  });

  it('federated identities without email keep their principal:// subject', () => {
    const workforce = 'principal://iam.googleapis.com/locations/global/workforcePools/corp/subject/alice';
    expect(gcpPrincipal({ principalSubject: workforce }, 'p')).toEqual({ id: workforce, name: workforce, type: 'user' });
    const workload = 'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/subject/repo:x';
    expect(gcpPrincipal({ principalSubject: workload }, 'p').type).toBe('service');
  });

  it('no identity is anonymous', () => {
    for (const info of [undefined, null, {}, { principalEmail: '' }, 'x']) {
      expect(gcpPrincipal(info, 'p')).toEqual({ id: 'anonymous', name: 'anonymous', type: 'anonymous' });
    }
  });
});

describe('serviceAccountProject', () => {
  it('reads the project of user-managed and App Engine service accounts', () => {
    expect(serviceAccountProject('etl@proj-b.iam.gserviceaccount.com')).toBe('proj-b');
    expect(serviceAccountProject('proj-c@appspot.gserviceaccount.com')).toBe('proj-c');
    expect(serviceAccountProject('sa@legacy.example.com.iam.gserviceaccount.com')).toBe('example.com:legacy');
  });

  it('knows no project for numbers-only or system accounts', () => {
    expect(serviceAccountProject('123-compute@developer.gserviceaccount.com')).toBeUndefined();
    expect(serviceAccountProject('cloud-storage-millwheel@system.gserviceaccount.com')).toBeUndefined();
  });
});
