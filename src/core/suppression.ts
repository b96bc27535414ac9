import type { FindingDraft } from './finding.js';

/** A responder's decision that some activity is fine: scoped, explained, and usually expiring. */
export interface Suppression {
  id: string;
  /** Identity key it covers; undefined = every identity. */
  identity?: string;
  /** Detector it covers; undefined = every detector. */
  detector?: string;
  /** Source IP or bucket it covers; undefined = any. */
  ip?: string;
  bucket?: string;
  reason: string;
  author: string;
  createdAt: number;
  /** Epoch ms after which it no longer applies; undefined = never expires. */
  expiresAt?: number;
}

function coveredBy(value: string, scope: string, kind: 'ip' | 'bucket', seen: readonly string[]): boolean {
  return scope === `${kind}:${value}` || (seen.length > 0 && seen.every((v) => v === value));
}

/** True when the suppression covers this detection of this identity at time `at`. */
export function suppressionMatches(s: Suppression, identity: string, draft: FindingDraft, at: number): boolean {
  if (s.expiresAt !== undefined && s.expiresAt <= at) return false;
  if (s.identity !== undefined && s.identity !== identity) return false;
  if (s.detector !== undefined && s.detector !== draft.detector) return false;
  if (s.ip !== undefined && !coveredBy(s.ip, draft.scope, 'ip', draft.evidence.ips)) return false;
  if (s.bucket !== undefined && !coveredBy(s.bucket, draft.scope, 'bucket', draft.evidence.buckets)) return false;
  return true;
}
