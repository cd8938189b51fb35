import type { ErrorCode } from '../core/protocol';

/** An error whose message a person can read, with a code the UI can act on. */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAt?: number,
    /** The values the message names, for the UI to word it (see Reply). */
    readonly params?: readonly string[],
  ) {
    super(message);
  }
}
