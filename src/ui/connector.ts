/**
 * How every UI page talks to the background: one typed request function.
 * Components take a Connector, so tests drive them with a fake that speaks
 * the same protocol.
 */
import type { z } from 'zod';
import type { ErrorCode, Reply, RequestSchema, ResponseMap } from '../core/protocol';
import { sendToBackground } from '../platform/runtime';

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
  ) {
    super(message);
  }
}

export const backgroundConnector: Connector = {
  async request(request) {
    const reply = (await sendToBackground(request)) as Reply<never> | undefined;
    if (!reply) throw new BackgroundError('internal', 'no answer from the background');
    if (!reply.ok) throw new BackgroundError(reply.code, reply.error, reply.retryAt);
    return reply.value;
  },
};
