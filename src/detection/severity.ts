import type { Severity } from '../core/finding.js';
import { formatBytes } from '../core/format-bytes.js';
import type { SeverityThresholds } from './detection-settings.js';

const ORDER: Severity[] = ['low', 'medium', 'high', 'critical'];

/**
 * Severity from how far above normal the activity is (observed / upper bound of normal) and how
 * much data moved, with the reason in words; undefined when the ratio is below the medium threshold.
 */
export function severityOf(ratio: number, bytes: number, t: SeverityThresholds): { severity: Severity; reason: string } | undefined {
  if (ratio < t.ratio.medium) return undefined;
  let level = ratio >= t.ratio.critical ? 3 : ratio >= t.ratio.high ? 2 : 1;
  const reasons = [`${ratio >= 100 ? Math.round(ratio) : ratio.toFixed(1)}x the upper bound of normal`];
  if (bytes >= t.bytes.critical) {
    level = 3;
    reasons.push(`${formatBytes(bytes)} moved`);
  } else if (bytes >= t.bytes.high) {
    level = Math.max(level, 2);
    reasons.push(`${formatBytes(bytes)} moved`);
  }
  return { severity: ORDER[level]!, reason: reasons.join(', ') };
}

/** A severity raised by n steps (capped at critical). */
export function raise(s: Severity, n = 1): Severity {
  return ORDER[Math.min(ORDER.length - 1, ORDER.indexOf(s) + n)]!;
}
