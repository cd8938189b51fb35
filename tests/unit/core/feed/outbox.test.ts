/** Publishing on a teacher device: the next document of a class, and delivery with backoff. */
import { describe, expect, it } from '@jest/globals';
import { ClassDocumentSchema, type ClassDocument } from '../../../../src/core/feed/document';
import {
  FIRST_RETRY_MS,
  MAX_RETRY_MS,
  afterAttempt,
  backoffMs,
  OutboxEntrySchema,
  StoredOutbox,
  deliveryResultOf,
  deliveryUnreachable,
  dueForDelivery,
  newEntry,
  nextDeliveryAt,
  nextDocument,
  retryUntil,
  type OutboxEntry,
} from '../../../../src/core/feed/outbox';
import { deliveryOf } from '../../../../src/core/feed/status';
import type { Lesson } from '../../../../src/core/schemas';

const MIN = 60_000;
const NOW = Date.UTC(2026, 2, 10, 9, 0);

function lesson(extra: Partial<Lesson> = {}): Lesson {
  return { id: 'l-1', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: NOW, endsAt: NOW + 45 * MIN, ...extra };
}

function document(draft: ReturnType<typeof nextDocument>): ClassDocument {
  return ClassDocumentSchema.parse({ ...draft, v: 1, kid: 'k' });
}

const pause = { message: 'Kijk naar het bord', startsAt: NOW, until: NOW + 5 * MIN };

describe('the next document of a class', () => {
  it('starts a lesson with a fresh issue time', () => {
    expect(nextDocument('2B', undefined, { lesson: lesson() }, NOW)).toEqual({ class: '2B', issuedAt: NOW, lesson: lesson() });
  });

  it('keeps a running pause when the lesson changes, and the running lesson when pausing or resuming', () => {
    const started = document(nextDocument('2B', undefined, { lesson: lesson() }, NOW));
    const paused = document(nextDocument('2B', started, { pause }, NOW + 1000));
    expect(paused).toMatchObject({ lesson: lesson(), pause });
    const extended = document(nextDocument('2B', paused, { lesson: lesson({ endsAt: NOW + 60 * MIN }) }, NOW + 2000));
    expect(extended).toMatchObject({ lesson: { endsAt: NOW + 60 * MIN }, pause });
    const resumed = document(nextDocument('2B', extended, { pause: null }, NOW + 3000));
    expect(resumed.pause).toBeUndefined();
    expect(resumed.lesson?.endsAt).toBe(NOW + 60 * MIN);
    const ended = document(nextDocument('2B', resumed, { lesson: null }, NOW + 4000));
    expect(ended.lesson).toBeNull();
  });

  it('does not carry a lesson or pause that is over (students would refuse the document as expired)', () => {
    const old = document(nextDocument('2B', undefined, { lesson: lesson({ endsAt: NOW + MIN }), pause }, NOW));
    const later = nextDocument('2B', old, { pause: null }, NOW + 10 * MIN);
    expect(later.lesson).toBeNull();
    expect(nextDocument('2B', old, { lesson: lesson({ id: 'l-2', startsAt: NOW + 10 * MIN, endsAt: NOW + 50 * MIN }) }, NOW + 10 * MIN).pause).toBeUndefined();
  });

  it('orders two changes in the same millisecond, and a clock that went back', () => {
    const first = document(nextDocument('2B', undefined, { lesson: lesson() }, NOW));
    expect(nextDocument('2B', first, { lesson: null }, NOW).issuedAt).toBe(NOW + 1);
    expect(nextDocument('2B', first, { lesson: null }, NOW - 5000).issuedAt).toBe(NOW + 1);
  });
});

describe('delivery', () => {
  const started = document(nextDocument('2B', undefined, { lesson: lesson() }, NOW));
  const entry = (): OutboxEntry => newEntry('jws', started, undefined);

  it('backs off exponentially from 5 s to at most 5 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 12].map(backoffMs)).toEqual([5000, 10000, 20000, 40000, 80000, 160000, MAX_RETRY_MS, MAX_RETRY_MS]);
  });

  it('is due at once, then delivered', () => {
    expect(dueForDelivery({ '2B': entry() }, NOW)).toEqual(['2B']);
    const delivered = afterAttempt(entry(), { kind: 'stored' }, NOW + 100);
    expect(delivered).toMatchObject({ state: 'delivered', attempts: 1, deliveredAt: NOW + 100, nextAttemptAt: null, lastError: null });
    expect(dueForDelivery({ '2B': delivered }, NOW + MIN)).toEqual([]);
  });

  it('retries after a failure, later each time, and delivers in the end', () => {
    let current = entry();
    const waits: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const at = current.nextAttemptAt!;
      current = afterAttempt(current, deliveryUnreachable('offline'), at);
      waits.push(current.nextAttemptAt! - at);
    }
    expect(waits).toEqual([FIRST_RETRY_MS, 2 * FIRST_RETRY_MS, 4 * FIRST_RETRY_MS, 8 * FIRST_RETRY_MS]);
    expect(current).toMatchObject({ state: 'pending', attempts: 4, lastError: 'the class feed could not be reached: offline' });
    expect(nextDeliveryAt({ '2B': current, '3A': afterAttempt(entry(), { kind: 'stored' }, NOW) })).toBe(current.nextAttemptAt);
    expect(afterAttempt(current, { kind: 'stored' }, current.nextAttemptAt!).state).toBe('delivered');
  });

  it('gives up once the document no longer matters', () => {
    const until = retryUntil(undefined, started);
    expect(until).toBe(started.lesson!.endsAt);
    expect(afterAttempt(entry(), deliveryUnreachable('offline'), until - 1000)).toMatchObject({ state: 'gave-up', nextAttemptAt: null, lastProblem: { code: 'unreachable' } });
  });

  it('keeps delivering an "end" for as long as the lesson it ends would have run', () => {
    const end = document(nextDocument('2B', started, { lesson: null }, NOW + 5 * MIN));
    expect(retryUntil(started, end)).toBe(started.lesson!.endsAt);
    const afterwards = document(nextDocument('2B', started, { lesson: null }, NOW + 50 * MIN));
    expect(retryUntil(started, afterwards)).toBe(NOW + 60 * MIN);
  });

  it('stops at a newer document on the feed (409) or a refusal for good (400, 413)', () => {
    expect(afterAttempt(entry(), deliveryResultOf(409), NOW)).toMatchObject({ state: 'superseded', nextAttemptAt: null });
    expect(afterAttempt(entry(), deliveryResultOf(413), NOW)).toMatchObject({ state: 'failed', nextAttemptAt: null });
    expect(deliveryResultOf(201)).toEqual({ kind: 'stored' });
    expect(deliveryResultOf(204)).toEqual({ kind: 'stored' });
    expect(deliveryResultOf(403)).toMatchObject({ kind: 'retry', message: expect.stringContaining('classFeed.authorization') });
    expect(deliveryResultOf(503)).toMatchObject({ kind: 'retry' });
  });

  // The UI words these codes from _locales; the English lastError stays for IT's diagnostics.
  it.each([
    [400, 'refused', { code: 'refused', status: 400 }, 'the class feed refused the document (HTTP 400)'],
    [413, 'refused', { code: 'refused', status: 413 }, 'the class feed refused the document (HTTP 413)'],
    [415, 'refused', { code: 'refused', status: 415 }, 'the class feed refused the document (HTTP 415)'],
    [401, 'retry', { code: 'credentials', status: 401 }, 'the class feed refused the credentials (HTTP 401): check classFeed.authorization in the policy'],
    [403, 'retry', { code: 'credentials', status: 403 }, 'the class feed refused the credentials (HTTP 403): check classFeed.authorization in the policy'],
    [500, 'retry', { code: 'http', status: 500 }, 'the class feed answered HTTP 500'],
    [503, 'retry', { code: 'http', status: 503 }, 'the class feed answered HTTP 503'],
    [404, 'retry', { code: 'http', status: 404 }, 'the class feed answered HTTP 404'],
  ])('gives HTTP %d a code with its status beside the English text', (status, kind, problem, message) => {
    expect(deliveryResultOf(status)).toEqual({ kind, problem, message });
    expect(afterAttempt(entry(), deliveryResultOf(status), NOW)).toMatchObject({ lastProblem: problem, lastError: message });
  });

  it('codes an unreachable feed and a newer document, and clears the code once delivered', () => {
    expect(deliveryUnreachable('Failed to fetch')).toEqual({ kind: 'retry', problem: { code: 'unreachable' }, message: 'the class feed could not be reached: Failed to fetch' });
    const offline = afterAttempt(entry(), deliveryUnreachable('Failed to fetch'), NOW);
    expect(offline).toMatchObject({ state: 'pending', lastProblem: { code: 'unreachable' }, lastError: 'the class feed could not be reached: Failed to fetch' });
    expect(afterAttempt(offline, { kind: 'stored' }, offline.nextAttemptAt!)).toMatchObject({ state: 'delivered', lastProblem: null, lastError: null });
    expect(afterAttempt(entry(), deliveryResultOf(409), NOW)).toMatchObject({ state: 'superseded', lastProblem: { code: 'newer' }, lastError: expect.stringContaining('newer document') });
    // A device whose clock runs ahead: the feed's clock catches up, so the document is tried again.
    expect(afterAttempt(entry(), deliveryResultOf(422), NOW)).toMatchObject({ state: 'pending', lastProblem: { code: 'clock' }, lastError: expect.stringContaining('dated ahead of its clock') });
    expect(newEntry('jws', started, undefined).lastProblem).toBeNull();
  });

  it('reads entries stored before the codes, and hands the code to the status', () => {
    const { lastProblem: _none, ...stored } = afterAttempt(entry(), deliveryResultOf(503), NOW);
    const parsed = StoredOutbox.parse(JSON.parse(JSON.stringify({ '2B': stored })));
    expect(parsed['2B']).toMatchObject({ lastError: 'the class feed answered HTTP 503' });
    expect(deliveryOf('2B', parsed)).toMatchObject({ lastError: 'the class feed answered HTTP 503', lastProblem: null });
    const coded = OutboxEntrySchema.parse(JSON.parse(JSON.stringify(afterAttempt(entry(), deliveryResultOf(503), NOW))));
    expect(deliveryOf('2B', { '2B': coded })).toMatchObject({ lastProblem: { code: 'http', status: 503 } });
    expect(OutboxEntrySchema.safeParse({ ...coded, lastProblem: { code: 'http' } }).success).toBe(false);
  });

  it('describes delivery for the popup', () => {
    const delivered = afterAttempt(entry(), { kind: 'stored' }, NOW + 100);
    expect(deliveryOf('2B', { '2B': delivered })).toEqual({
      classId: '2B',
      issuedAt: NOW,
      state: 'delivered',
      attempts: 1,
      lastError: null,
      lastProblem: null,
      lastAttemptAt: NOW + 100,
      nextAttemptAt: null,
      deliveredAt: NOW + 100,
      lesson: { id: 'l-1', title: 'Rekenen', endsAt: NOW + 45 * MIN },
      pause: null,
    });
    expect(deliveryOf('3A', {})).toBeNull();
  });
});
