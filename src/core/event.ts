/** The cloud an event came from. */
export type Cloud = 'aws' | 'gcp' | 'azure';

/** What an operation does to storage, independent of the provider's operation name. */
export type ActionClass = 'read' | 'write' | 'list' | 'delete' | 'permission' | 'config' | 'other';

/** All action classes, in display order. */
export const ACTION_CLASSES: readonly ActionClass[] = ['read', 'write', 'list', 'delete', 'permission', 'config', 'other'];

/**
 * Who acted: a named human, a role or service identity, nobody (anonymous / public),
 * or a key surrogate (an access key or SAS whose holder the log does not name).
 */
export type PrincipalType = 'user' | 'role' | 'service' | 'anonymous' | 'key';

/** The identity behind an event. */
export interface Principal {
  /** Stable id: IAM ARN (role ARN for assumed roles), GCP principal email, Entra object id / UPN, or key hash. */
  id: string;
  /** What a person reads: user name, email, `role/session`, `anonymous`, `SAS key1(…)`. */
  name: string;
  /** Kind of identity. */
  type: PrincipalType;
  /** Account the caller belongs to when it differs from the resource's account (cross-account access). */
  homeAccount?: string;
}

/** How the request ended. */
export type OutcomeStatus = 'success' | 'denied' | 'error';

/** The provider's operation and our class for it. */
export interface Action {
  /** Provider's operation name as logged: `GetObject`, `storage.objects.get`, `GetBlob`. */
  name: string;
  /** Our class for it. */
  class: ActionClass;
}

/** The storage resource touched. */
export interface Resource {
  /** Bucket (AWS, GCP) or container (Azure); empty for account-level calls such as ListBuckets. */
  bucket: string;
  /** Object or blob key, when the operation names one. */
  key?: string;
}

/** Result of the request. */
export interface Outcome {
  /** Success, denied (authorisation failure) or another error. */
  status: OutcomeStatus;
  /** Provider's error or status code, when not a plain success. */
  code?: string;
}

/** A change to a bucket's exposure or auditing that a management event made. */
export interface BucketChange {
  /** What kind of change. */
  kind: 'made-public' | 'public-access-block-removed' | 'logging-disabled' | 'policy-changed' | 'acl-changed';
  /** What the record says, in a few words (`Principal "*" granted s3:GetObject`). */
  detail: string;
}

/** One storage access, normalised from any provider's audit record. */
export interface AccessEvent {
  /** Provider's event id (CloudTrail eventID, LogEntry insertId, Azure correlationId), or a content hash when absent. */
  id: string;
  /** Provider. */
  cloud: Cloud;
  /** AWS account id, GCP project id, or `<subscription>/<storage account>` for Azure. */
  account: string;
  /** Region or location, when the record has one. */
  region?: string;
  /** Who acted. */
  principal: Principal;
  /** What was done. */
  action: Action;
  /** What it was done to. */
  resource: Resource;
  /** Source IP address without port; absent when the caller was a cloud service (e.g. `s3.amazonaws.com`). */
  ip?: string;
  /** User agent or client name. */
  client?: string;
  /** Bytes sent to the caller (downloads). */
  bytesOut: number;
  /** Bytes received from the caller (uploads). */
  bytesIn: number;
  /** How it ended. */
  outcome: Outcome;
  /** When the access happened, epoch milliseconds UTC. */
  time: number;
  /** When the log store received the record, epoch milliseconds UTC, where the record carries it. */
  arrivedAt?: number;
  /** For bucket-level management events: what the change did to the bucket's exposure or logging. */
  change?: BucketChange;
}

/** What a normaliser made of one raw record. */
export type Normalized =
  | { kind: 'event'; event: AccessEvent }
  /** A readable record that is not storage access (another service's event, a queue or table call). */
  | { kind: 'skip'; reason: string }
  /** A record that claims to be of this format but cannot be read. */
  | { kind: 'reject'; reason: string };

/** Key that identifies one identity across all of its events. */
export function identityKey(e: Pick<AccessEvent, 'cloud' | 'account' | 'principal'>): string {
  return `${e.cloud}|${e.account}|${e.principal.id}`;
}
