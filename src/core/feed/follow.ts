/**
 * Following the class feed on a student device, as pure functions: when to
 * fetch, what a fetch leads to (a document to accept, a rejection to count,
 * nothing), and which lessons and pauses the accepted documents put into the
 * rules flow. The background does the fetching, verifying and storing.
 *
 * Two storage.local values (keys in state.ts):
 *   classFeed   the last accepted document per class: a rules input
 *   feedFollow  per-class bookkeeping (last fetch, ETag, rejections): not a
 *               rules input, so a poll that finds nothing new costs no rules run
 */
import { z } from 'zod';
import { ClassDocumentSchema, RejectReasonSchema, keyMaySignFor, type ClassDocument, type ClassLink, type RejectReason, type TrustedKey, type VerifyResult } from './document';
import { shortDigest } from './format';
import { classTimeline } from './plan';
import { FeedProblemSchema, type FeedProblem } from './problem';
import type { Policy } from '../policy/policy';
import type { ActiveLesson, ClassLesson, Pause } from '../rules/resolve';
import type { Lesson } from '../schemas';

/**
 * A navigation refetches the feed only when the last fetch began longer ago
 * than this. Three seconds keeps a student who clicks right after the
 * teacher publishes inside the 5-second budget (gap + fetch + rules), while
 * a class of 30 browsing students costs the server at most 10 polls a second.
 */
const NAVIGATION_FETCH_GAP_MS = 3_000;
/** How many opened start pages are remembered (a lesson is never reopened while it is among them). */
const START_PAGES_REMEMBERED = 50;

const Instant = z.number().int().nonnegative();

export { RejectReasonSchema };

const AcceptedDocumentSchema = z.object({
  /** The document as fetched, kept so that the next fetch of the same one is recognised. */
  jws: z.string(),
  document: ClassDocumentSchema,
  acceptedAt: Instant,
  /** The key it verified against: when IT withdraws or replaces that key, the document stops counting. */
  signer: z.object({ kid: z.string(), name: z.string().nullable(), x: z.string(), y: z.string() }),
});
export type AcceptedDocument = z.infer<typeof AcceptedDocumentSchema>;
export const StoredClassFeed = z.record(z.string(), AcceptedDocumentSchema);
export type ClassFeedStore = z.infer<typeof StoredClassFeed>;

export const FollowEntrySchema = z.object({
  lastFetchAt: Instant.nullable(),
  lastOutcome: z.enum(['accepted', 'unchanged', 'rejected', 'not-found', 'error']).nullable(),
  /** Why the last fetch failed (network, HTTP status), in English for IT; null after a fetch that worked. */
  lastError: z.string().nullable(),
  /** The same as a code for the UI to word in the reader's language. Optional: entries stored before it have none. */
  lastProblem: FeedProblemSchema.nullable().optional(),
  /** ETag of the last document fetched (accepted or not), for If-None-Match. */
  etag: z.string().nullable(),
  /** The trusted keys when that ETag was stored: a document refused under other keys is fetched again. */
  trust: z.string().nullable(),
  /** Documents refused, counted once each. */
  rejections: z.number().int().nonnegative(),
  lastRejection: z.object({ reason: RejectReasonSchema, detail: z.string(), at: Instant, digest: z.string() }).nullable(),
});
export type FollowEntry = z.infer<typeof FollowEntrySchema>;
export const StoredFeedFollow = z.record(z.string(), FollowEntrySchema);
export type FeedFollowStore = z.infer<typeof StoredFeedFollow>;

export const NO_FOLLOW: FollowEntry = { lastFetchAt: null, lastOutcome: null, lastError: null, lastProblem: null, etag: null, trust: null, rejections: 0, lastRejection: null };

export const StoredStartPages = z.array(z.string()).max(START_PAGES_REMEMBERED);

/** True when this device follows class feeds: a student device with classes and a feed. */
export function follows(policy: Policy): boolean {
  return policy.role === 'student' && policy.classFeed !== undefined && policy.classes.length > 0;
}

/** A digest of the keys this device trusts (and the classes each may sign for), to tell when they changed. */
export function trustDigest(keys: readonly TrustedKey[]): string {
  const parts = keys.map((key) => `${key.id}:${key.publicKey.x}:${key.publicKey.y}${key.classes === undefined ? '' : `:${[...key.classes].sort().join(',')}`}`).sort();
  return shortDigest(parts.join('|'));
}

/** Whether a navigation should fetch the feed now: when no fetch began within the last few seconds. */
export function shouldFetch(lastFetchStartedAt: number | null, now: number, gapMs: number = NAVIGATION_FETCH_GAP_MS): boolean {
  // A clock set back counts as "long ago".
  return lastFetchStartedAt === null || now - lastFetchStartedAt >= gapMs || now < lastFetchStartedAt;
}

/** The ETag to send as If-None-Match, or null: never one stored under other trusted keys. */
export function conditionalEtag(follow: FollowEntry, trust: string): string | null {
  return follow.trust === trust ? follow.etag : null;
}

/** A body seen before needs no second verification: the accepted document again, or the same refused one. */
export function knownBody(body: string, accepted: AcceptedDocument | undefined, follow: FollowEntry, trust: string): 'same-as-accepted' | 'same-as-rejected' | null {
  if (accepted !== undefined && accepted.jws === body) return 'same-as-accepted';
  if (follow.lastRejection !== null && follow.trust === trust && follow.lastRejection.digest === shortDigest(body)) return 'same-as-rejected';
  return null;
}

export type FetchOutcome =
  | { readonly kind: 'not-modified' }
  | { readonly kind: 'not-found' }
  /** `message` in English for IT, `problem` the same as a code for the UI. */
  | { readonly kind: 'error'; readonly message: string; readonly problem: FeedProblem }
  | { readonly kind: 'document'; readonly body: string; readonly etag: string | null; readonly verdict: VerifyResult | 'same-as-accepted' | 'same-as-rejected' };

/** A fetch that failed: the feed answered with an HTTP `status`, or (null) did not answer. `message` is English, for IT. */
export function fetchError(message: string, status: number | null): FetchOutcome {
  return { kind: 'error', message, problem: status === null ? { code: 'unreachable' } : { code: 'http', status } };
}

export interface FetchResult {
  readonly follow: FollowEntry;
  /** The document to store as this class's accepted one; null when it stays as it is. */
  readonly accept: AcceptedDocument | null;
  readonly rejected: { readonly reason: RejectReason; readonly detail: string } | null;
}

/**
 * What one fetch leads to. Only a verified, newer document changes what is
 * in force; a 404, a network error or a refused document leave the last
 * accepted document as it is (offline, the last valid lesson holds).
 */
export function afterFetch(follow: FollowEntry, outcome: FetchOutcome, trust: string, now: number): FetchResult {
  const fetched = { ...follow, lastFetchAt: now, lastError: null, lastProblem: null };
  switch (outcome.kind) {
    case 'not-modified':
      return { follow: { ...fetched, lastOutcome: follow.lastOutcome === 'rejected' ? 'rejected' : 'unchanged' }, accept: null, rejected: null };
    case 'not-found':
      return { follow: { ...fetched, lastOutcome: 'not-found', etag: null, trust: null }, accept: null, rejected: null };
    case 'error':
      return { follow: { ...follow, lastFetchAt: now, lastOutcome: 'error', lastError: outcome.message, lastProblem: outcome.problem }, accept: null, rejected: null };
    case 'document': {
      const tagged = { ...fetched, etag: outcome.etag, trust };
      const { verdict } = outcome;
      if (verdict === 'same-as-accepted') return { follow: { ...tagged, lastOutcome: 'unchanged' }, accept: null, rejected: null };
      if (verdict === 'same-as-rejected') return { follow: { ...tagged, lastOutcome: 'rejected' }, accept: null, rejected: null };
      if (verdict.ok) {
        return {
          follow: { ...tagged, lastOutcome: 'accepted' },
          accept: { jws: outcome.body, document: verdict.document, acceptedAt: now, signer: verdict.signer },
          rejected: null,
        };
      }
      const rejection = { reason: verdict.reason, detail: verdict.detail, at: now, digest: shortDigest(outcome.body) };
      return { follow: { ...tagged, lastOutcome: 'rejected', rejections: follow.rejections + 1, lastRejection: rejection }, accept: null, rejected: { reason: verdict.reason, detail: verdict.detail } };
    }
  }
}

/**
 * A minute of grace before a lesson counts as too long: the teacher's popup
 * turns "until 11:15" into an instant on its own clock (core/teacher/lessons.ts
 * allows the same minute), and that must not be reported as clipped.
 */
const LIMIT_GRACE_MS = 60_000;

export interface LessonInForce {
  /** The lesson as it goes into the rules: ending no later than IT's limit allows. */
  readonly lesson: Lesson;
  /** IT's maxLessonMinutes when the lesson was cut short by it; null when it was not. */
  readonly clippedTo: number | null;
}

/**
 * The lesson of an accepted document as this device enforces it: a signed
 * lesson holds the class at most IT's `maxLessonMinutes` from when it was
 * set, so a lesson "until next year" (a mistake, or a stolen key) ends like
 * any long lesson. "When it was set" is the later of the lesson's start and
 * the document's issuedAt, which is the rule a teacher's own device applies:
 * a lesson may end at most maxLessonMinutes from now, so a lesson extended
 * during the period, re-signed then, stays whole. Null when the document
 * carries no lesson.
 */
export function lessonInForce(document: Pick<ClassDocument, 'lesson' | 'issuedAt'>, maxLessonMinutes: number): LessonInForce | null {
  const { lesson } = document;
  if (lesson === null) return null;
  const latestEnd = Math.max(lesson.startsAt, document.issuedAt) + maxLessonMinutes * 60_000;
  if (lesson.endsAt <= latestEnd + LIMIT_GRACE_MS) return { lesson, clippedTo: null };
  return { lesson: { ...lesson, endsAt: latestEnd }, clippedTo: maxLessonMinutes };
}

export interface ClassInputs {
  readonly classLessons: ClassLesson[];
  readonly pauses: Pause[];
  /** The link each class's document carries (opened once, during that class's lesson: plan.ts, linkToOpen). */
  readonly links: { readonly classId: string; readonly link: ClassLink }[];
  readonly notes: string[];
}

/**
 * The lessons and pauses that the accepted documents put into resolve().
 * The stored documents were verified when they were fetched and are trusted
 * as stored (storage.local is the extension's own, like the teacher's local
 * lesson); what is checked again on every load is what IT can change since:
 * the device still follows the class, and the signing key is still listed
 * with the same public key.
 */
export function classInputs(store: ClassFeedStore, policy: Policy): ClassInputs {
  const out: ClassInputs = { classLessons: [], pauses: [], links: [], notes: [] };
  if (!follows(policy)) return out;
  for (const classId of policy.classes) {
    const entry = store[classId];
    if (entry === undefined || entry.document.class !== classId) continue;
    const { signer, document } = entry;
    const listed = policy.teacherKeys.find((key) => key.id === signer.kid);
    if (listed === undefined || listed.publicKey.x !== signer.x || listed.publicKey.y !== signer.y) {
      out.notes.push(`class ${classId}: the lesson signed with key "${signer.kid}" no longer counts: IT's policy no longer lists that key`);
      continue;
    }
    if (!keyMaySignFor(listed, classId)) {
      out.notes.push(`class ${classId}: the lesson signed with key "${signer.kid}" no longer counts: IT's policy no longer lets that key sign for this class`);
      continue;
    }
    // The running lesson and those that start later, each ending where the next begins (plan.ts); the flow wakes at every start.
    for (const lesson of classTimeline(document.lesson, document.scheduled)) {
      const inForce = lessonInForce({ lesson, issuedAt: document.issuedAt }, policy.maxLessonMinutes);
      if (inForce !== null) out.classLessons.push({ classId, lesson: inForce.lesson });
    }
    if (document.pause !== undefined) out.pauses.push({ ...document.pause, classId });
    if (document.link !== undefined) out.links.push({ classId, link: document.link });
  }
  return out;
}

/** The start page to open for the lesson now in force, with the key to remember it by; null when there is none or it was opened. */
export function startPageToOpen(active: ActiveLesson | null, opened: readonly string[]): { readonly url: string; readonly key: string } | null {
  if (active === null || active.origin !== 'class' || active.startPage === undefined) return null;
  const key = `${active.classId ?? ''}/${active.id}`;
  return opened.includes(key) ? null : { url: active.startPage, key };
}

/** The remembered start pages after `key` was opened: the newest last, the oldest forgotten. */
export function rememberStartPage(opened: readonly string[], key: string): string[] {
  return [...opened.filter((entry) => entry !== key), key].slice(-START_PAGES_REMEMBERED);
}
