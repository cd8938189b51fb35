/**
 * Following the class feed, as pure functions with the time passed in: when
 * to fetch, what each kind of answer leads to, and what the accepted
 * documents put into the rules.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK } from 'jose';
import { signClassDocument, verifyClassDocument, type PublicKeyJwk, type VerifyResult } from '../../../../src/core/feed/document';
import {
  NO_FOLLOW,
  afterFetch,
  classInputs,
  FollowEntrySchema,
  conditionalEtag,
  fetchError,
  follows,
  knownBody,
  lessonInForce,
  rememberStartPage,
  shouldFetch,
  startPageToOpen,
  trustDigest,
  type AcceptedDocument,
} from '../../../../src/core/feed/follow';
import { classFeedUrl, shortDigest } from '../../../../src/core/feed/format';
import { feedStatus } from '../../../../src/core/feed/status';
import type { z } from 'zod';
import { parsePolicy, type Policy, type PolicySchema } from '../../../../src/core/policy/policy';
import { resolve, type ActiveLesson } from '../../../../src/core/rules/resolve';
import type { Lesson } from '../../../../src/core/schemas';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const NOW = Date.UTC(2026, 2, 10, 9, 0);

let privateKey: CryptoKey;
let publicKey: PublicKeyJwk;

beforeAll(async () => {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = await exportJWK(pair.publicKey);
  privateKey = pair.privateKey;
  publicKey = { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! };
});

function policy(extra: Partial<z.input<typeof PolicySchema>> = {}): Policy {
  const parsed = parsePolicy({
    role: 'student',
    classes: ['2B'],
    classFeed: { urlTemplate: 'https://feed.school.nl/lesmodus/{class}.jws' },
    teacherKeys: [{ id: 'devries', name: 'J. de Vries', publicKey }],
    ...extra,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

function lesson(extra: Partial<Lesson> = {}): Lesson {
  return { id: 'l-1', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: NOW - MIN, endsAt: NOW + 45 * MIN, ...extra };
}

async function accepted(extra: { lesson?: Lesson | null; pause?: { message: string; startsAt: number; until: number }; issuedAt?: number } = {}): Promise<AcceptedDocument> {
  const { jws } = await signClassDocument({ class: '2B', issuedAt: extra.issuedAt ?? NOW, lesson: extra.lesson === undefined ? lesson() : extra.lesson, ...(extra.pause ? { pause: extra.pause } : {}) }, privateKey, 'devries');
  const verdict = await verifyClassDocument(jws, { trustedKeys: policy().teacherKeys, classId: '2B', lastIssuedAt: null, now: NOW });
  if (!verdict.ok) throw new Error(verdict.detail);
  return { jws, document: verdict.document, acceptedAt: NOW, signer: verdict.signer };
}

describe('when to fetch', () => {
  it.each([
    [null, NOW, true],
    [NOW - 6000, NOW, true],
    [NOW - 3000, NOW, true],
    [NOW - 2999, NOW, false],
    [NOW, NOW, false],
    [NOW + 60_000, NOW, true], // the clock was set back
  ])('last fetch began at %p, now %p: fetch %p', (last, now, expected) => {
    expect(shouldFetch(last, now)).toBe(expected);
  });

  it('follows only on student devices with classes and a feed', () => {
    expect(follows(policy())).toBe(true);
    expect(follows(policy({ role: 'teacher', teacherKeys: [] }))).toBe(false);
    expect(follows(policy({ classes: [], classFeed: undefined }))).toBe(false);
  });

  it('puts the class id into the address, encoded', () => {
    expect(classFeedUrl('https://feed.school.nl/lesmodus/{class}.jws', '2B')).toBe('https://feed.school.nl/lesmodus/2B.jws');
    expect(classFeedUrl('https://feed.school.nl/feed?class={class}&c={class}', 'groep-7')).toBe('https://feed.school.nl/feed?class=groep-7&c=groep-7');
  });

  it('sends If-None-Match only with an ETag stored under the same trusted keys', () => {
    const trust = trustDigest(policy().teacherKeys);
    const follow = { ...NO_FOLLOW, etag: '"abc"', trust };
    expect(conditionalEtag(follow, trust)).toBe('"abc"');
    // IT added or changed a key: a document refused before may now be accepted, so fetch it in full.
    expect(conditionalEtag(follow, trustDigest([]))).toBeNull();
    // The same when IT changes the classes a key may sign for.
    const keys = policy().teacherKeys;
    const scoped = keys.map((key) => ({ ...key, classes: ['2B'] }));
    expect(trustDigest(scoped)).not.toBe(trust);
    expect(trustDigest(scoped)).not.toBe(trustDigest(keys.map((key) => ({ ...key, classes: ['2B', '3A'] }))));
    expect(trustDigest(keys.map((key) => ({ ...key, classes: ['3A', '2B'] })))).toBe(trustDigest(keys.map((key) => ({ ...key, classes: ['2B', '3A'] }))));
  });
});

describe('what a fetch leads to', () => {
  const trust = 'trust-1';

  it('accepts a verified document and keeps its ETag', async () => {
    const doc = await accepted();
    const verdict: VerifyResult = { ok: true, document: doc.document, signer: doc.signer };
    const result = afterFetch(NO_FOLLOW, { kind: 'document', body: doc.jws, etag: '"e1"', verdict }, trust, NOW);
    expect(result.accept).toEqual({ jws: doc.jws, document: doc.document, acceptedAt: NOW, signer: doc.signer });
    expect(result.follow).toMatchObject({ lastFetchAt: NOW, lastOutcome: 'accepted', etag: '"e1"', trust, rejections: 0 });
  });

  it('counts a refused document once, with its reason, and keeps what was accepted', () => {
    const body = 'a.b.c';
    const verdict: VerifyResult = { ok: false, reason: 'unknown-key', detail: 'key "x" not listed' };
    const first = afterFetch(NO_FOLLOW, { kind: 'document', body, etag: '"bad"', verdict }, trust, NOW);
    expect(first.accept).toBeNull();
    expect(first.rejected).toEqual({ reason: 'unknown-key', detail: 'key "x" not listed' });
    expect(first.follow).toMatchObject({ lastOutcome: 'rejected', rejections: 1, lastRejection: { reason: 'unknown-key', at: NOW, digest: shortDigest(body) }, etag: '"bad"' });
    // The same body again (a server without ETags) is recognised and not counted twice.
    expect(knownBody(body, undefined, first.follow, trust)).toBe('same-as-rejected');
    const again = afterFetch(first.follow, { kind: 'document', body, etag: null, verdict: 'same-as-rejected' }, trust, NOW + MIN);
    expect(again.follow.rejections).toBe(1);
    // A 304 for it keeps saying "rejected".
    expect(afterFetch(first.follow, { kind: 'not-modified' }, trust, NOW + MIN).follow.lastOutcome).toBe('rejected');
    // Under other keys it is looked at afresh.
    expect(knownBody(body, undefined, first.follow, 'trust-2')).toBeNull();
  });

  it('recognises the accepted document fetched again (no 304 support) as unchanged, not as a replay', async () => {
    const doc = await accepted();
    expect(knownBody(doc.jws, doc, NO_FOLLOW, trust)).toBe('same-as-accepted');
    const result = afterFetch(NO_FOLLOW, { kind: 'document', body: doc.jws, etag: null, verdict: 'same-as-accepted' }, trust, NOW);
    expect(result).toMatchObject({ accept: null, rejected: null, follow: { lastOutcome: 'unchanged', rejections: 0 } });
  });

  it('changes nothing in force on 304, 404 or a network error; an error is kept for the status page', () => {
    const before = { ...NO_FOLLOW, etag: '"e1"', trust, lastOutcome: 'accepted' as const };
    expect(afterFetch(before, { kind: 'not-modified' }, trust, NOW)).toMatchObject({ accept: null, follow: { lastOutcome: 'unchanged', etag: '"e1"', lastFetchAt: NOW } });
    expect(afterFetch(before, { kind: 'not-found' }, trust, NOW)).toMatchObject({ accept: null, follow: { lastOutcome: 'not-found', etag: null } });
    const offline = afterFetch(before, fetchError('Failed to fetch', null), trust, NOW);
    expect(offline).toMatchObject({ accept: null, follow: { lastOutcome: 'error', lastError: 'Failed to fetch', lastProblem: { code: 'unreachable' }, etag: '"e1"' } });
    expect(afterFetch(offline.follow, { kind: 'not-modified' }, trust, NOW + MIN).follow).toMatchObject({ lastError: null, lastProblem: null });
  });

  // The status page words the code from _locales; the English lastError stays for IT's diagnostics.
  it('keeps a failed fetch as a code with its HTTP status beside the English text, and reads entries stored before codes', () => {
    expect(fetchError('the class feed answered HTTP 502', 502)).toEqual({ kind: 'error', message: 'the class feed answered HTTP 502', problem: { code: 'http', status: 502 } });
    expect(fetchError('no answer within 10 s', null)).toEqual({ kind: 'error', message: 'no answer within 10 s', problem: { code: 'unreachable' } });
    const failed = afterFetch(NO_FOLLOW, fetchError('the class feed answered HTTP 502', 502), trust, NOW).follow;
    expect(failed).toMatchObject({ lastError: 'the class feed answered HTTP 502', lastProblem: { code: 'http', status: 502 } });
    const { lastProblem: _none, ...older } = failed;
    expect(FollowEntrySchema.parse(older)).toMatchObject({ lastError: 'the class feed answered HTTP 502' });
    const status = feedStatus(policy({ classes: ['2B', '3A'] }), { classFeed: {}, follow: { '2B': failed, '3A': FollowEntrySchema.parse(older) }, outbox: {}, key: null });
    expect(status.classes.map((entry) => entry.lastProblem)).toEqual([{ code: 'http', status: 502 }, null]);
  });
});

describe('what the accepted documents put into the rules', () => {
  it('gives the lesson and the pause of each followed class', async () => {
    const pause = { message: 'Kijk naar het bord', startsAt: NOW, until: NOW + 5 * MIN };
    const doc = await accepted({ pause });
    const inputs = classInputs({ '2B': doc }, policy());
    expect(inputs.classLessons).toEqual([{ classId: '2B', lesson: doc.document.lesson }]);
    expect(inputs.pauses).toEqual([{ ...pause, classId: '2B' }]);
    expect(inputs.notes).toEqual([]);
    const resolution = resolve({ policy: policy(), teacherLesson: null, classLessons: inputs.classLessons, pauses: inputs.pauses, exceptions: [] }, NOW + MIN);
    expect(resolution.rules.paused).toBe(true);
    expect(resolution.active).toMatchObject({ origin: 'class', classId: '2B', title: 'Rekenen' });
  });

  it('gives nothing for a class the device no longer follows, or on a teacher device', async () => {
    const doc = await accepted();
    expect(classInputs({ '2B': doc }, policy({ classes: ['3A'] })).classLessons).toEqual([]);
    expect(classInputs({ '2B': doc }, policy({ role: 'teacher', teacherKeys: [] })).classLessons).toEqual([]);
  });

  it('drops a document whose key IT withdrew or replaced, and says so', async () => {
    const doc = await accepted();
    const other = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const otherJwk = await exportJWK(other.publicKey);
    const replaced = policy({ teacherKeys: [{ id: 'devries', name: 'J. de Vries', publicKey: { kty: 'EC', crv: 'P-256', x: otherJwk.x!, y: otherJwk.y! } }] });
    const inputs = classInputs({ '2B': doc }, replaced);
    expect(inputs.classLessons).toEqual([]);
    expect(inputs.notes[0]).toMatch(/no longer lists that key/);
  });

  it('drops a document whose key IT has since scoped to other classes, and says so', async () => {
    const doc = await accepted();
    const scoped = policy({ teacherKeys: [{ id: 'devries', name: 'J. de Vries', publicKey, classes: ['3A'] }] });
    const inputs = classInputs({ '2B': doc }, scoped);
    expect(inputs.classLessons).toEqual([]);
    expect(inputs.notes).toEqual(['class 2B: the lesson signed with key "devries" no longer counts: IT\'s policy no longer lets that key sign for this class']);
    expect(classInputs({ '2B': doc }, policy({ teacherKeys: [{ id: 'devries', name: 'J. de Vries', publicKey, classes: ['3A', '2B'] }] })).classLessons).toHaveLength(1);
  });

  it('ends a signed lesson "until next year" at IT\'s maxLessonMinutes, counted from when it was set', async () => {
    const doc = await accepted({ lesson: lesson({ startsAt: NOW - MIN, endsAt: NOW + 3650 * DAY }) });
    const inputs = classInputs({ '2B': doc }, policy({ maxLessonMinutes: 90 }));
    expect(inputs.classLessons).toEqual([{ classId: '2B', lesson: { ...doc.document.lesson, endsAt: NOW + 90 * MIN } }]);
    const rules = (at: number) => resolve({ policy: policy({ maxLessonMinutes: 90 }), teacherLesson: null, classLessons: inputs.classLessons, pauses: [], exceptions: [] }, at);
    expect(rules(NOW + 89 * MIN).active).toMatchObject({ origin: 'class', endsAt: NOW + 90 * MIN });
    expect(rules(NOW + 90 * MIN).active).toBeNull();
  });

  it.each([
    // [what, startsAt, issuedAt, endsAt, limit, end in force, clipped to]
    ['within the limit', NOW, NOW, NOW + 90 * MIN, 90, NOW + 90 * MIN, null],
    ['a minute over: the popup\'s "until 10:30" on a clock a little ahead', NOW, NOW, NOW + 91 * MIN, 90, NOW + 91 * MIN, null],
    ['over the limit', NOW, NOW, NOW + 92 * MIN, 90, NOW + 90 * MIN, 90],
    ['planned ahead: from its start', NOW + 2 * DAY, NOW, NOW + 2 * DAY + 5 * 60 * MIN, 240, NOW + 2 * DAY + 240 * MIN, 240],
    ['extended during the lesson: from the new signature', NOW - 200 * MIN, NOW, NOW + 100 * MIN, 240, NOW + 100 * MIN, null],
    ['started long ago and never ending: already over', NOW - 10 * DAY, NOW - 10 * DAY + MIN, NOW + 3650 * DAY, 240, NOW - 10 * DAY + MIN + 240 * MIN, 240],
  ])('lessonInForce: %s', (_what, startsAt, issuedAt, endsAt, limit, end, clippedTo) => {
    const inForce = lessonInForce({ issuedAt, lesson: lesson({ startsAt, endsAt }) }, limit);
    expect(inForce).toEqual({ lesson: lesson({ startsAt, endsAt: end }), clippedTo });
  });

  it('lessonInForce: nothing for a document without a lesson', () => {
    expect(lessonInForce({ issuedAt: NOW, lesson: null }, 90)).toBeNull();
  });

  it('an ended lesson (lesson: null) leaves the class without a lesson', async () => {
    const doc = await accepted({ lesson: null, issuedAt: NOW + 1 });
    expect(classInputs({ '2B': doc }, policy())).toEqual({ classLessons: [], pauses: [], links: [], notes: [] });
  });
});

describe('start pages', () => {
  const active = (extra: Partial<ActiveLesson> = {}): ActiveLesson => ({
    origin: 'class',
    id: 'l-1',
    classId: '2B',
    title: 'Rekenen',
    mode: 'allowlist',
    sites: [],
    embeds: [],
    startsAt: NOW,
    endsAt: NOW + MIN,
    startPage: 'https://rekenen.nl/start',
    ...extra,
  });

  it('opens a class lesson\'s start page once', () => {
    const first = startPageToOpen(active(), []);
    expect(first).toEqual({ url: 'https://rekenen.nl/start', key: '2B/l-1' });
    expect(startPageToOpen(active(), rememberStartPage([], first!.key))).toBeNull();
    // Another lesson opens its own.
    expect(startPageToOpen(active({ id: 'l-2' }), ['2B/l-1'])).toEqual({ url: 'https://rekenen.nl/start', key: '2B/l-2' });
  });

  it('opens nothing for lessons without a start page or not from the class feed', () => {
    expect(startPageToOpen(active({ startPage: undefined }), [])).toBeNull();
    expect(startPageToOpen(active({ origin: 'teacher' }), [])).toBeNull();
    expect(startPageToOpen(null, [])).toBeNull();
  });

  it('remembers the newest 50', () => {
    let opened: string[] = [];
    for (let index = 0; index < 60; index++) opened = rememberStartPage(opened, `2B/l-${index}`);
    expect(opened).toHaveLength(50);
    expect(opened[0]).toBe('2B/l-10');
    expect(opened.at(-1)).toBe('2B/l-59');
  });
});

describe('the status page\'s feed section', () => {
  it('shows per class the last fetch, the lesson in force and the refusals', async () => {
    const doc = await accepted();
    const follow = { ...NO_FOLLOW, lastFetchAt: NOW, lastOutcome: 'rejected' as const, rejections: 2, lastRejection: { reason: 'replayed' as const, detail: 'old', at: NOW, digest: 'x' } };
    const status = feedStatus(policy({ classes: ['2B', '3A'] }), { classFeed: { '2B': doc }, follow: { '2B': follow }, outbox: {}, key: null });
    expect(status).toMatchObject({ role: 'student', configured: true, urlTemplate: 'https://feed.school.nl/lesmodus/{class}.jws', pollSeconds: 30, signingKey: null });
    expect(status.classes[0]).toMatchObject({
      classId: '2B',
      lastFetchAt: NOW,
      accepted: { issuedAt: NOW, signer: 'J. de Vries', lessonTitle: 'Rekenen' },
      rejections: 2,
      lastRejection: { reason: 'replayed', detail: 'old', at: NOW },
      delivery: null,
    });
    expect(status.classes[1]).toMatchObject({ classId: '3A', lastFetchAt: null, accepted: null, rejections: 0 });
    expect(status.classes[0]!.accepted).toMatchObject({ lessonEndsAt: NOW + 45 * MIN, lessonClippedTo: null });
  });

  it('says when IT\'s maxLessonMinutes cut the lesson short, and shows the end in force', async () => {
    const doc = await accepted({ lesson: lesson({ startsAt: NOW, endsAt: NOW + 3650 * DAY }) });
    const status = feedStatus(policy({ maxLessonMinutes: 90 }), { classFeed: { '2B': doc }, follow: {}, outbox: {}, key: null });
    expect(status.classes[0]!.accepted).toMatchObject({ lessonEndsAt: NOW + 90 * MIN, lessonClippedTo: 90 });
  });
});
