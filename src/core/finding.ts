import type { Cloud, Principal } from './event.js';

/** How urgent a finding is. */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** Severities from least to most urgent. */
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** The more urgent of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b) ? a : b;
}

/** Where a finding stands in triage. */
export type FindingStatus = 'open' | 'benign' | 'escalated' | 'suppressed';

/** What a finding shows so that it explains itself. */
export interface Evidence {
  /** Figures observed in the window, by name. */
  observed: Record<string, number>;
  /** The same figures as the baseline expected them. */
  expected: Record<string, number>;
  /** How much history the comparison rests on. */
  baseline: { days: number; learning: boolean; since?: string };
  /** Values never seen before for this identity. */
  firstSeen: { ips?: string[]; networks?: string[]; clients?: string[]; buckets?: string[] };
  /** Top buckets, sample object keys, source IPs and clients in the window. */
  buckets: string[];
  sampleKeys: string[];
  ips: string[];
  clients: string[];
  /** Why the severity is what it is. */
  severityReason: string;
}

/** What a detector reports, before grouping and storage. */
export interface FindingDraft {
  /** Detector id (its file name). */
  detector: string;
  /** How urgent. */
  severity: Severity;
  /** What this finding is about inside the identity (`ip:1.2.3.4`, `bucket:b`, or '' for the identity as a whole). */
  scope: string;
  /** Start and end of the activity, epoch ms. */
  start: number;
  end: number;
  /** One line. */
  title: string;
  /** A few plain sentences. */
  summary: string;
  /** The figures behind it. */
  evidence: Evidence;
}

/** A stored finding. */
export interface Finding extends FindingDraft {
  /** Stable short id. */
  id: string;
  /** Identity key, cloud, account and principal. */
  identity: string;
  cloud: Cloud;
  account: string;
  principal: Pick<Principal, 'id' | 'name' | 'type'>;
  /** Triage state. */
  status: FindingStatus;
  /** How many detections were grouped into it. */
  occurrences: number;
  /** Suppression that matched it, if any. */
  suppressedBy?: string;
}
