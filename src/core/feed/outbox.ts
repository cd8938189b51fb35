/**
 * Publishing on a teacher device, as pure functions: the next state of a
 * class (a new lesson keeps a running pause, a pause keeps the running
 * lesson), the issue time, and the delivery bookkeeping with exponential
 * backoff. The background signs, PUTs and stores.
 *
 * storage.local `feedOutbox` holds one entry per class: the newest document
 * and how its delivery is going. A newer document replaces the entry, so an
 * older one is never retried after it (superseded).
 */
import { z } from 'zod';
import { ClassDocumentSchema, documentInEffect, type ClassDocument, type ClassDocumentDraft, type ClassLink, type ClassPause } from './document';
import { planAt } from './plan';
import { FeedProblemSchema, type FeedProblem } from './problem';
import type { Lesson } from '../schemas';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** The first retry after a failed delivery; each next one waits twice as long. */
export const FIRST_RETRY_MS = 5 * SECOND;
export const MAX_RETRY_MS = 5 * MINUTE;
/** A document that changes nothing any more (an ended lesson's "end") is still delivered for this long. */
const MIN_DELIVERY_WINDOW_MS = 10 * MINUTE;

const DeliveryStateSchema = z.enum(['pending', 'delivered', 'superseded', 'failed', 'gave-up']);
export type DeliveryState = z.infer<typeof DeliveryStateSchema>;

const Instant = z.number().int().nonnegative();

export const OutboxEntrySchema = z.object({
  jws: z.string(),
  document: ClassDocumentSchema,
  /**
   * pending: not delivered yet, retried at nextAttemptAt. delivered: the feed
   * took it. superseded: the feed holds a newer one (another device of this
   * teacher published since). failed: the feed refused it for good (too big,
   * malformed). gave-up: it kept failing until it no longer mattered.
   */
  state: DeliveryStateSchema,
  attempts: z.number().int().nonnegative(),
  /** Why the last attempt failed, in English for IT (diagnostics); null after a delivery. */
  lastError: z.string().nullable(),
  /** The same as a code for the UI to word in the reader's language. Optional: entries stored before it have none. */
  lastProblem: FeedProblemSchema.nullable().optional(),
  lastAttemptAt: Instant.nullable(),
  nextAttemptAt: Instant.nullable(),
  deliveredAt: Instant.nullable(),
  /** Retries stop after this instant: the document's effect (and that of the one it replaced) is over by then. */
  retryUntil: Instant,
});
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;
export const StoredOutbox = z.record(z.string(), OutboxEntrySchema);
export type OutboxStore = z.infer<typeof StoredOutbox>;

/** A change a teacher makes to a class: a lesson (or its end), the lessons waiting to start, a pause (or its end), a link (or none). */
export interface ClassChange {
  readonly lesson?: Lesson | null;
  readonly scheduled?: readonly Lesson[];
  readonly pause?: ClassPause | null;
  readonly link?: ClassLink | null;
}

/**
 * The class's next document: what changes is replaced, the rest carried over
 * from the last published document while it is still running (a lesson that
 * has ended is not carried, so "resume" after the lesson does not resend a
 * lesson that students would refuse as expired). The issue time is strictly
 * after the last one, so two changes in the same millisecond stay ordered.
 */
export function nextDocument(classId: string, previous: ClassDocument | undefined, change: ClassChange, now: number): ClassDocumentDraft {
  // A scheduled lesson whose start has come is the running lesson now (plan.ts).
  const carried = planAt(previous?.lesson ?? null, previous?.scheduled, now);
  const carriedPause = previous?.pause !== undefined && previous.pause.until > now ? previous.pause : undefined;
  const lesson = change.lesson !== undefined ? change.lesson : carried.lesson;
  const scheduled = change.scheduled !== undefined ? change.scheduled.filter((entry) => entry.startsAt > now) : carried.scheduled;
  const pause = change.pause !== undefined ? (change.pause ?? undefined) : carriedPause;
  // A link belongs to the lesson it was sent in: it goes when that lesson does.
  const carriedLink = previous?.link !== undefined && lesson !== null && lesson.id === carried.lesson?.id ? previous.link : undefined;
  const link = change.link !== undefined ? (change.link ?? undefined) : carriedLink;
  const issuedAt = Math.max(now, (previous?.issuedAt ?? -1) + 1);
  return { class: classId, issuedAt, lesson, ...(scheduled.length > 0 ? { scheduled } : {}), ...(pause !== undefined ? { pause } : {}), ...(link !== undefined ? { link } : {}) };
}

/** Until when a document is worth delivering: while it, or what it replaced, still has an effect. */
export function retryUntil(previous: ClassDocument | undefined, next: ClassDocument): number {
  const lastEnd = (document: ClassDocument): number => Math.max(document.lesson?.endsAt ?? 0, document.pause?.until ?? 0, ...(document.scheduled ?? []).map((lesson) => lesson.endsAt));
  const ends = [next.issuedAt + MIN_DELIVERY_WINDOW_MS, lastEnd(next)];
  if (previous !== undefined && documentInEffect(previous, next.issuedAt)) ends.push(lastEnd(previous));
  return Math.max(...ends);
}

/** A new outbox entry for a freshly signed document. */
export function newEntry(jws: string, document: ClassDocument, previous: ClassDocument | undefined): OutboxEntry {
  return { jws, document, state: 'pending', attempts: 0, lastError: null, lastProblem: null, lastAttemptAt: null, nextAttemptAt: document.issuedAt, deliveredAt: null, retryUntil: retryUntil(previous, document) };
}

/** The wait before retry number `attempts` + 1: 5 s, 10 s, 20 s, … at most 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

/** How one PUT went: `message` is English for IT, `problem` the same as a code for the UI. */
export type DeliveryResult =
  | { readonly kind: 'stored' }
  /** 409: the feed holds a newer document. */
  | { readonly kind: 'newer-stored' }
  /** 400, 413: the feed will never take this document. */
  | { readonly kind: 'refused'; readonly message: string; readonly problem: FeedProblem }
  /** Network errors, 5xx, 401/403 (IT may fix the token), 422 (the clocks may agree later), anything else: try again later. */
  | { readonly kind: 'retry'; readonly message: string; readonly problem: FeedProblem };

const NEWER_STORED = 'the class feed already holds a newer document (published from another device?)';

/** Classifies an HTTP status of a PUT. */
export function deliveryResultOf(status: number): DeliveryResult {
  if (status >= 200 && status < 300) return { kind: 'stored' };
  if (status === 409) return { kind: 'newer-stored' };
  if (status === 400 || status === 413 || status === 415) return { kind: 'refused', message: `the class feed refused the document (HTTP ${status})`, problem: { code: 'refused', status } };
  if (status === 422) {
    return { kind: 'retry', message: 'the class feed refused the document as dated ahead of its clock (HTTP 422): is this device\'s clock right?', problem: { code: 'clock' } };
  }
  if (status === 401 || status === 403) {
    return { kind: 'retry', message: `the class feed refused the credentials (HTTP ${status}): check classFeed.authorization in the policy`, problem: { code: 'credentials', status } };
  }
  return { kind: 'retry', message: `the class feed answered HTTP ${status}`, problem: { code: 'http', status } };
}

/** A PUT that got no answer (offline, DNS, TLS, a timeout): `detail` is the network's own words, kept for IT. */
export function deliveryUnreachable(detail: string): DeliveryResult {
  return { kind: 'retry', message: `the class feed could not be reached: ${detail}`, problem: { code: 'unreachable' } };
}

/** The entry after one delivery attempt. */
export function afterAttempt(entry: OutboxEntry, result: DeliveryResult, now: number): OutboxEntry {
  const attempted = { ...entry, attempts: entry.attempts + 1, lastAttemptAt: now };
  switch (result.kind) {
    case 'stored':
      return { ...attempted, state: 'delivered', lastError: null, lastProblem: null, nextAttemptAt: null, deliveredAt: now };
    case 'newer-stored':
      return { ...attempted, state: 'superseded', lastError: NEWER_STORED, lastProblem: { code: 'newer' }, nextAttemptAt: null };
    case 'refused':
      return { ...attempted, state: 'failed', lastError: result.message, lastProblem: result.problem, nextAttemptAt: null };
    case 'retry': {
      const next = now + backoffMs(attempted.attempts);
      if (next > entry.retryUntil) return { ...attempted, state: 'gave-up', lastError: result.message, lastProblem: result.problem, nextAttemptAt: null };
      return { ...attempted, state: 'pending', lastError: result.message, lastProblem: result.problem, nextAttemptAt: next };
    }
  }
}

/** Classes whose document is due for a delivery attempt at `now`. */
export function dueForDelivery(outbox: OutboxStore, now: number): string[] {
  return Object.entries(outbox)
    .filter(([, entry]) => entry.state === 'pending' && (entry.nextAttemptAt ?? 0) <= now)
    .map(([classId]) => classId);
}

/** The earliest pending retry, or null when nothing waits. */
export function nextDeliveryAt(outbox: OutboxStore): number | null {
  let earliest: number | null = null;
  for (const entry of Object.values(outbox)) {
    if (entry.state !== 'pending' || entry.nextAttemptAt === null) continue;
    if (earliest === null || entry.nextAttemptAt < earliest) earliest = entry.nextAttemptAt;
  }
  return earliest;
}
