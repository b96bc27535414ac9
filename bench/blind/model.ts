/** A cloud the organisation stores data in. */
export type Cloud = 'aws' | 'gcp' | 'azure';

/** A storage API call, before it is rendered in one cloud's log format. */
export type Op = 'get' | 'put' | 'delete' | 'list';

/** How an identity appears in AWS CloudTrail. */
export type AwsWho =
  | { kind: 'iam-user'; userName: string; principalId: string; accessKeyId: string }
  | { kind: 'sso'; permissionSet: string; roleSuffix: string; session: string; rolePrincipalId: string }
  | { kind: 'role'; roleName: string; rolePrincipalId: string; sessions: string[] }
  | { kind: 'anonymous' };

/** How an identity appears in Cloud Audit Logs. */
export type GcpWho = { kind: 'email'; email: string } | { kind: 'anonymous' };

/** How an identity appears in Azure storage resource logs. */
export type AzureWho = { kind: 'entra'; objectId: string; upn?: string; appId: string } | { kind: 'anonymous' };

/** A bucket, or an Azure container inside a storage account. */
export interface Bucket {
  cloud: Cloud;
  name: string;
  /** AWS region or GCS location or Azure location. */
  region: string;
  /** Azure storage account holding the container. */
  account?: string;
  /** Path templates of the objects; `{n}` is replaced by a number. */
  keys: string[];
  /** Number of objects to draw keys from. */
  objects: number;
  /** Median object size in bytes. */
  sizeMedian: number;
}

/** One storage API call by one identity. */
export interface Call {
  t: number;
  cloud: Cloud;
  identity: string;
  op: Op;
  bucket: Bucket;
  key?: string;
  bytes: number;
  ip: string;
  ua: string;
  denied?: boolean;
  /** AWS VPC endpoint the request came through. */
  vpce?: string;
  /** AWS session name (roles) or access key for the call. */
  session?: string;
  /** Incident or ordinary-life episode id this call belongs to. */
  tag?: string;
}

/** A labelled incident or expected-quiet episode as written to labels.json. */
export interface Label {
  id: string;
  kind: string;
  cloud: Cloud;
  principal: string;
  identity: string;
  start: string;
  end: string;
}
