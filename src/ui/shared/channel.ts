/**
 * The typed channel from a UI page to the background, without the browser:
 * components take a Connector, and tests give them one over a fake
 * background that answers the same protocol.
 */
import type { z } from 'zod';
import type { ErrorCode, Problem, Reply, RequestSchema, ResponseMap } from '../../core/protocol';

export type RequestInput = z.input<typeof RequestSchema>;

export interface Connector {
  request<R extends RequestInput>(request: R): Promise<ResponseMap[R['type']]>;
}

/** A refusal from the background, with a message a person can read. */
export class BackgroundError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAt?: number,
    /** An invalid request: which field, and its problem's code. */
    readonly problem?: Problem,
    /** The values the message names (an unknown category's id). */
    readonly params: readonly string[] = [],
  ) {
    super(message);
  }
}

/** A Connector over a raw send function: unwraps replies, turning refusals into BackgroundErrors. */
export function connectorOver(send: (message: unknown) => Promise<unknown>): Connector {
  return {
    async request(request) {
      const reply = (await send(request)) as Reply<never> | undefined;
      if (!reply) throw new BackgroundError('internal', 'no answer from the background');
      if (!reply.ok) throw new BackgroundError(reply.code, reply.error, reply.retryAt, reply.problem, reply.params);
      return reply.value;
    },
  };
}
