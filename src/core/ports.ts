import type { Normalized } from './event.js';

/** Where a record came from: a file or a page of an API (`s3://bucket/key`, `gcp:my-project page 3`), and its position. */
export interface RecordOrigin {
  /** File path or page description. */
  file: string;
  /** Position among the records of that file or page (0-based). */
  index: number;
  /** Line number, for line-based files. */
  line?: number;
}

/** One raw record after normalisation, with where it came from. */
export type SourceItem = (
  | { kind: 'event'; event: Extract<Normalized, { kind: 'event' }>['event'] }
  | { kind: 'skip'; reason: string }
  | { kind: 'reject'; reason: string }
) & { origin: RecordOrigin };

/** Read position of one source scope, in the source's own terms (stored as JSON). */
export type Cursor = Record<string, unknown>;

/** One page pulled from a source scope: its records, and where to resume once it is stored. */
export interface SourcePage {
  /** Normalised records of the page, including duplicates of the previous page's boundary already removed. */
  items: SourceItem[];
  /** Position after this page; stored in the same transaction as the page's rollups. */
  cursor: Cursor;
  /** API calls made and bytes downloaded for this page. */
  apiCalls: number;
  bytes: number;
}

/** Bounds of a pull. */
export interface PullOptions {
  /** Where a scope with no cursor starts (epoch ms of arrival time). */
  since: number;
  /** Do not read records that arrived after this instant (epoch ms). */
  until: number;
  /** Aborts the pull (shutdown). */
  signal?: AbortSignal;
}

/** A configured place audit records are pulled from (a trail bucket, a Lake event data store, projects, workspaces). */
export interface EventSource {
  /** Name used for cursors and reports: `aws-trail`, `aws-lake`, `aws-management`, `gcp-audit`, `azure-blob`. */
  readonly name: string;
  /** Provider, as `scan --source` selects it. */
  readonly provider: 'aws' | 'gcp' | 'azure';
  /** Scopes read, each with its own cursor: `<account>/<region>`, a project id, a workspace id. */
  scopes(): Promise<string[]>;
  /**
   * Pages after the cursor (from `since` when there is none), oldest arrival first. Throws a
   * StorageWatchError with a source_* code on credential or permission problems (naming the
   * permission); retries throttling and transient failures itself.
   */
  pull(scope: string, cursor: Cursor | undefined, opts: PullOptions): AsyncIterable<SourcePage>;
}
