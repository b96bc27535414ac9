import type { Cloud } from '../core/event.js';

/** What a synthetic request does; each cloud writer maps it to its own operation name. */
export type Op = 'read' | 'write' | 'list' | 'delete';

/** The kind of content a bucket holds, which decides its object keys and sizes. */
export type BucketKind = 'reports' | 'datalake' | 'logs' | 'backups' | 'assets' | 'hr' | 'ml' | 'infra' | 'docs';

/** The Azure storage account that holds a container. */
export interface AzureStorage {
  /** Subscription id (lower-case GUID). */
  subscription: string;
  /** Resource group name. */
  resourceGroup: string;
  /** Storage account name. */
  account: string;
}

/** A bucket (AWS, GCP) or blob container (Azure). */
export interface BucketSpec {
  /** Provider. */
  cloud: Cloud;
  /** Account as the normalisers report it: AWS account id, GCP project id, `<subscription>/<storage account>`. */
  account: string;
  /** Bucket or container name. */
  name: string;
  /** AWS region, GCS location or Azure location. */
  region: string;
  /** What it holds. */
  kind: BucketKind;
  /** Storage account details, Azure only. */
  azure?: AzureStorage;
}

/** How an AWS caller is authenticated. */
export type AwsAuth =
  | { type: 'aws-iam-user'; accountId: string; userName: string; userId: string; accessKeyId: string }
  | { type: 'aws-sso'; accountId: string; roleName: string; roleArn: string; roleId: string; email: string }
  | { type: 'aws-role'; accountId: string; roleName: string; roleArn: string; roleId: string; sessionStyle: 'instance' | 'botocore' | 'task' | 'lambda' }
  | { type: 'aws-anonymous' };

/** How a GCP caller is authenticated (no email: anonymous). */
export interface GcpAuth {
  type: 'gcp';
  /** Principal email, absent for allUsers access. */
  email?: string;
}

/** How an Azure caller is authenticated. */
export type AzureAuth =
  | { type: 'azure-oauth'; objectId: string; tenantId: string; appId: string; upn?: string }
  | { type: 'azure-sas' | 'azure-key'; tokenHash: string }
  | { type: 'azure-anonymous' };

/** Any provider's authentication details. */
export type Auth = AwsAuth | GcpAuth | AzureAuth;

/** The shape of an identity's normal working rhythm. */
export type Rhythm = 'office' | 'steady' | 'hourly-batch' | 'nightly-batch' | 'public';

/** Relative weights of the four operations. */
export type OpMix = Record<Op, number>;

/** Everything that drives one identity's normal behaviour. */
export interface Identity {
  /** Position in the population, used to derive its random streams. */
  index: number;
  /** Principal id as the normalisers derive it from the records. */
  principalId: string;
  /** Readable name (person or service). */
  name: string;
  /** Provider. */
  cloud: Cloud;
  /** Account as the normalisers report it. */
  account: string;
  /** Person (working hours) or machine. */
  human: boolean;
  /** Provider authentication details written into each record. */
  auth: Auth;
  /** IANA time zone of its working hours. */
  timeZone: string;
  /** Working rhythm. */
  rhythm: Rhythm;
  /** Mean requests in an active hour (a burst's size for batch rhythms). */
  ratePerHour: number;
  /** First and last working hour (local, end exclusive) for office rhythms; batch hour for nightly ones. */
  workStart: number;
  /** End of the working day (local hour, exclusive). */
  workEnd: number;
  /** Chance that a weekend day has some activity. */
  weekendChance: number;
  /** Operation mix. */
  mix: OpMix;
  /** Share of requests that are denied. */
  deniedRate: number;
  /** Number of distinct objects per bucket it usually touches. */
  workingSet: number;
  /** Buckets it uses, the first most. */
  buckets: BucketSpec[];
  /** Stable source addresses: office first, then home for people. */
  ips: string[];
  /** Stable client user agents (raw, without CloudTrail's brackets), the first most. */
  clients: string[];
  /** Scenario role this identity was created for, if any. */
  role?: string;
  /** Trap it plays, when traps are on. */
  trap?: 'nightly-etl' | 'heavy-fridays' | 'vpn-rotation' | 'new-hire' | 'traveller';
  /** Epoch ms of its first day of activity (new hires). */
  activeFrom?: number;
}

/** One synthetic storage request, before it is written in a provider's format. */
export interface SynthEvent {
  /** Epoch milliseconds UTC. */
  time: number;
  /** Who made it. */
  actor: Identity;
  /** What it does. */
  op: Op;
  /** Where. */
  bucket: BucketSpec;
  /** Object key; absent for lists. */
  key?: string;
  /** Bytes downloaded (reads, lists) or uploaded (writes). */
  bytes: number;
  /** Source address. */
  ip: string;
  /** Raw user agent. */
  client: string;
  /** True when the request was refused. */
  denied: boolean;
}
