/**
 * The background's answers to the UI, one handler per request type. Every
 * request is validated with the protocol's zod schema here, where it enters
 * the background, and only the extension's own pages may send them. Every
 * request that changes anything passes the teacher's token check first
 * (`withToken`); letting a student through checks the PIN itself. A lesson
 * request naming a class goes to that class's feed (teacher devices).
 */
import { problemCodeOf } from '../core/problem-codes';
import { decide } from '../core/rules/decide';
import { RequestSchema, type Reply, type Request, type ResponseMap } from '../core/protocol';
import type { Runtime } from '../platform/browser';
import { isOwnPage } from '../platform/runtime';
import {
  allowSite,
  cancelScheduledLesson,
  countClass,
  deletePresetAction,
  endClassLesson,
  endLesson,
  extendClassLesson,
  extendRunningLesson,
  pauseClass,
  pinSourceForSetting,
  pinSourceOf,
  renamePresetAction,
  savePresetAction,
  sendClassLink,
  siteToLetThrough,
  startClassLesson,
  startLesson,
  statusOf,
  updateClassLesson,
  updateRunningLesson,
} from './teacher/actions';
import { trustedNow } from './clock';
import { RequestError } from './errors';
import { ensureCurrent } from './rules/flow';
import { checkPin, lock, requireToken, setPin, unlock } from './teacher/auth';

type Handlers = { [K in Request['type']]: (request: Extract<Request, { type: K }>, now: number) => Promise<ResponseMap[K]> };

/** Runs `action` only for a request that carries the current, unexpired unlock token. */
function withToken<K extends Request['type']>(action: (request: Extract<Request, { type: K }>, now: number) => Promise<ResponseMap[K]>) {
  return async (request: Extract<Request, { type: K }> & { token: string }, now: number): Promise<ResponseMap[K]> => {
    await requireToken(request.token, now);
    return action(request, now);
  };
}

const handlers: Handlers = {
  getStatus: async (_request, now) => statusOf(await ensureCurrent(now), now),
  checkUrl: async (request, now) => decide(request.url, (await ensureCurrent(now)).prepared, request.kind),
  unlock: async (request, now) => unlock(pinSourceOf(await ensureCurrent(now)), request.pin),
  lock: async (request, now) => lock(request.token, now),
  setPin: async (request, now) => setPin(await pinSourceForSetting(now), request),
  startLesson: withToken<'startLesson'>((request, now) =>
    request.classId !== undefined ? startClassLesson(request.classId, request.lesson, request.applyHere, now) : startLesson(request.lesson, now),
  ),
  extendLesson: withToken<'extendLesson'>((request, now) =>
    request.classId !== undefined ? extendClassLesson(request.classId, request.minutes, now) : extendRunningLesson(request.minutes, now),
  ),
  updateLesson: withToken<'updateLesson'>((request, now) => {
    const change = { sites: request.sites, ...(request.embeds ? { embeds: request.embeds } : {}), ...(request.title ? { title: request.title } : {}), ...(request.categories ? { categories: request.categories } : {}) };
    return request.classId !== undefined ? updateClassLesson(request.classId, change, now) : updateRunningLesson(change, now);
  }),
  endLesson: withToken<'endLesson'>((request, now) => (request.classId !== undefined ? endClassLesson(request.classId, now) : endLesson(now))),
  pauseClass: withToken<'pauseClass'>((request, now) => pauseClass(request.classId, { message: request.message, minutes: request.minutes }, now)),
  resumeClass: withToken<'resumeClass'>((request, now) => pauseClass(request.classId, null, now)),
  cancelScheduled: withToken<'cancelScheduled'>((request, now) => cancelScheduledLesson(request.classId, request.lessonId, now)),
  sendLink: withToken<'sendLink'>((request, now) => sendClassLink(request.classId, request.url, now)),
  countConnected: withToken<'countConnected'>((request, now) => countClass(request.classId, now)),
  savePreset: withToken<'savePreset'>((request) => savePresetAction({ preset: request.preset, ...(request.id !== undefined ? { id: request.id } : {}) })),
  renamePreset: withToken<'renamePreset'>((request) => renamePresetAction(request.id, request.title)),
  deletePreset: withToken<'deletePreset'>((request) => deletePresetAction(request.id)),
  allowTemporarily: async (request, now) => {
    // The site is checked first: a PIN typed for an IT-blocked site is not counted as a guess.
    const site = await siteToLetThrough(request.url, now);
    await checkPin(pinSourceOf(await ensureCurrent(now)), request.pin);
    return allowSite(site, request.minutes, await trustedNow());
  },
};

/** Validates and dispatches one message; never throws, always replies. */
export async function handleMessage(message: unknown, sender: Runtime.MessageSender): Promise<Reply<unknown>> {
  if (!isOwnPage(sender)) return { ok: false, code: 'forbidden', error: 'messages are only accepted from Lesmodus pages' };
  const parsed = RequestSchema.safeParse(message);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const error = `invalid request${issue && issue.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? ''}`;
    // Its code lets the page say what is wrong in the reader's language (a tab limit of 500, say).
    const coded = issue === undefined ? null : problemCodeOf(issue);
    const problem = issue === undefined || coded === null ? undefined : { path: issue.path.join('.'), message: issue.message, code: coded.code, params: coded.params };
    return { ok: false, code: 'invalid', error, ...(problem ? { problem } : {}) };
  }
  const request = parsed.data;
  try {
    const handler = handlers[request.type] as (request: Request, now: number) => Promise<unknown>;
    return { ok: true, value: await handler(request, await trustedNow()) };
  } catch (error) {
    if (error instanceof RequestError) {
      return { ok: false, code: error.code, error: error.message, ...(error.retryAt !== undefined ? { retryAt: error.retryAt } : {}), ...(error.params ? { params: error.params } : {}) };
    }
    return { ok: false, code: 'internal', error: error instanceof Error ? error.message : String(error) };
  }
}
