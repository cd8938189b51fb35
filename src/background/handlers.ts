/**
 * The background's answers to the UI, one handler per request type. Every
 * request is validated with the protocol's zod schema here, where it enters
 * the background, and only the extension's own pages may send them.
 */
import { decide } from '../core/decide';
import { RequestSchema, type ErrorCode, type Reply, type Request, type ResponseMap } from '../core/protocol';
import type { Runtime } from '../platform/browser';
import { isOwnPage } from '../platform/runtime';
import { ensureCurrent } from './flow';
import { buildStatus } from './status';

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

type Handlers = { [K in Request['type']]: (request: Extract<Request, { type: K }>, now: number) => Promise<ResponseMap[K]> };

const notYet = async (): Promise<never> => {
  throw new RequestError('forbidden', 'this action is not available on this device yet');
};

export const handlers: Handlers = {
  getStatus: async (_request, now) => buildStatus(await ensureCurrent(now), now),
  checkUrl: async (request, now) => decide(request.url, (await ensureCurrent(now)).prepared, request.kind),
  unlock: notYet,
  lock: notYet,
  setPin: notYet,
  startLesson: notYet,
  extendLesson: notYet,
  updateLesson: notYet,
  endLesson: notYet,
  savePreset: notYet,
  deletePreset: notYet,
  allowTemporarily: notYet,
};

/** Validates and dispatches one message; never throws, always replies. */
export async function handleMessage(message: unknown, sender: Runtime.MessageSender): Promise<Reply<unknown>> {
  if (!isOwnPage(sender)) return { ok: false, code: 'forbidden', error: 'messages are only accepted from Lesmodus pages' };
  const parsed = RequestSchema.safeParse(message);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, code: 'invalid', error: `invalid request${issue && issue.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? ''}` };
  }
  const request = parsed.data;
  try {
    const handler = handlers[request.type] as (request: Request, now: number) => Promise<unknown>;
    return { ok: true, value: await handler(request, Date.now()) };
  } catch (error) {
    if (error instanceof RequestError) return { ok: false, code: error.code, error: error.message, ...(error.retryAt !== undefined ? { retryAt: error.retryAt } : {}) };
    return { ok: false, code: 'internal', error: error instanceof Error ? error.message : String(error) };
  }
}
