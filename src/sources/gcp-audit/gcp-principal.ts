import type { Principal } from '../../core/event.js';
import { asRecord, asText } from './json-fields.js';

/** The principal of requests that carry no caller identity (allUsers / public access). */
export const ANONYMOUS_PRINCIPAL: Readonly<Principal> = { id: 'anonymous', name: 'anonymous', type: 'anonymous' };

/**
 * The caller of an AuditLog entry from its `authenticationInfo` (id = lowercased email; service accounts
 * `service`, other emails `user`, none `anonymous`; `homeAccount` = a service account's other project).
 */
export function gcpPrincipal(authenticationInfo: unknown, account: string): Principal {
  const auth = asRecord(authenticationInfo) ?? {};
  const subject = asText(auth.principalSubject);
  const email = asText(auth.principalEmail) ?? emailInSubject(subject);
  if (email) {
    const isService =
      email.toLowerCase().endsWith('.gserviceaccount.com') ||
      (Array.isArray(auth.serviceAccountDelegationInfo) && auth.serviceAccountDelegationInfo.length > 0) ||
      (subject?.startsWith('serviceAccount:') ?? false);
    const principal: Principal = { id: email.toLowerCase(), name: email, type: isService ? 'service' : 'user' };
    const home = isService ? serviceAccountProject(email) : undefined;
    if (home && account && home !== account) principal.homeAccount = home;
    return principal;
  }
  // Workforce / workload identity federation callers have a principal:// subject and no email.
  if (subject && /^principal(Set)?:\/\//.test(subject)) {
    return { id: subject, name: subject, type: subject.includes('/workloadIdentityPools/') ? 'service' : 'user' };
  }
  return { ...ANONYMOUS_PRINCIPAL };
}

function emailInSubject(subject: string | undefined): string | undefined {
  const m = subject ? /^(?:user|serviceAccount):(.+@.+)$/.exec(subject) : null;
  return m?.[1];
}

/**
 * The project a user-managed service account lives in, from its email; undefined for Google-managed
 * service agents (`service-<number>@…`, `…@gcp-sa-*.iam…`), whose domain is not a customer project.
 */
export function serviceAccountProject(email: string): string | undefined {
  const lower = email.toLowerCase();
  const appspot = /^([^@]+)@appspot\.gserviceaccount\.com$/.exec(lower);
  if (appspot) return appspot[1];
  const iam = /^([^@]+)@(.+)\.iam\.gserviceaccount\.com$/.exec(lower);
  if (!iam) return undefined;
  const [, local = '', domain = ''] = iam;
  if (/^service-\d+$/.test(local) || domain.startsWith('gcp-sa-')) return undefined;
  // Legacy domain-scoped projects (`example.com:proj`) appear as `sa@proj.example.com.iam.gserviceaccount.com`.
  const dot = domain.indexOf('.');
  return dot < 0 ? domain : `${domain.slice(dot + 1)}:${domain.slice(0, dot)}`;
}
