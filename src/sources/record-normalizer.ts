import type { Normalized } from '../core/event.js';

/** A pure normaliser for one family of audit records. */
export interface RecordNormalizer {
  /** Short name shown in summaries, e.g. `aws-cloudtrail`. */
  readonly format: string;
  /** True when the raw record is of this family (decided from its content alone). */
  matches(record: Record<string, unknown>): boolean;
  /** Turns one raw record into an event, a skip or a rejection; never throws. */
  normalize(record: Record<string, unknown>): Normalized;
}
