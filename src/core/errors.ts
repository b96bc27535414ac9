/** Machine-readable reasons a storage-watch operation failed. */
export type ErrorCode =
  | 'input_not_found'
  | 'unknown_format'
  | 'bad_config'
  | 'bad_arguments'
  | 'store_failed';

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
