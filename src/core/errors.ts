/** Machine-readable reasons a storage-watch operation failed. */
export type ErrorCode =
  | 'input_not_found'
  | 'unknown_format'
  | 'bad_config'
  | 'bad_arguments'
  | 'store_failed'
  /** The cloud refused for lack of a permission; the message names it. */
  | 'source_permission'
  /** No usable credentials were found, or they were rejected. */
  | 'source_credentials'
  /** The bucket, event data store, project or workspace does not exist. */
  | 'source_not_found'
  /** The service kept failing or throttling after retries. */
  | 'source_unavailable'
  /** The service answered something we could not read. */
  | 'source_bad_response';

/** An error a user can act on: it carries a code and a message that names the culprit. */
export class StorageWatchError extends Error {
  /** Why it failed. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StorageWatchError';
    this.code = code;
  }
}
