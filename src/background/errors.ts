import type { ErrorCode } from '../core/protocol';

/** An error whose message a person can read, with a code the UI can act on. */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAt?: number,
  ) {
    super(message);
  }
}
