import { describe, expect, it } from '@jest/globals';
import { effectiveTabLimit, guardFor, judgeNewTab, leavesNotice, lessonKeyOf, noticeAddress, readNoticeAddress, type NewTab, type TabGuard } from '../../../../src/core/rules/tabs';
import { LessonSchema, PresetSchema } from '../../../../src/core/schemas';
import { LessonDraftSchema } from '../../../../src/core/protocol';
import { problemCodeOf } from '../../../../src/core/problem-codes';
import { signClassDocument, verifyClassDocument } from '../../../../src/core/feed/document';

const LESSON = { key: 'k1', title: 'Rekenen', limit: 2, test: false };
const guard = (over: Partial<TabGuard> = {}): TabGuard => ({ ...LESSON, counted: [1, 2], notice: null, ...over });
const tab = (id: number, over: Partial<NewTab> = {}): NewTab => ({ id, incognito: false, inPopup: false, own: false, ...over });

describe('effectiveTabLimit', () => {
  it.each([
    ['no lesson', null, null],
    ['a lesson without a limit', {}, null],
    ['a lesson with a limit of 3', { tabLimit: 3 }, 3],
    ['a test without a limit of its own', { test: true }, 1],
    ['a test whose own limit is higher', { test: true, tabLimit: 5 }, 1],
    ['a lesson whose test flag is off', { test: false, tabLimit: 5 }, 5],
  ])('%s', (_name, lesson, expected) => {
    expect(effectiveTabLimit(lesson)).toBe(expected);
  });
});

describe('lessonKeyOf', () => {
  it('tells lessons apart by origin, class, id and start, and keeps a lesson changed while it runs', () => {
    const base = { origin: 'class' as const, id: 'l1', startsAt: 100, classId: '2B' };
    expect(lessonKeyOf(base)).toBe(lessonKeyOf({ ...base }));
    expect(lessonKeyOf(base)).not.toBe(lessonKeyOf({ ...base, classId: '2C' }));
    expect(lessonKeyOf(base)).not.toBe(lessonKeyOf({ ...base, startsAt: 200 }));
    expect(lessonKeyOf(base)).not.toBe(lessonKeyOf({ ...base, origin: 'teacher' }));
  });
});

describe('guardFor', () => {
  it.each<[string, TabGuard | null, typeof LESSON | null, number[], TabGuard | null]>([
    ['no limit in force: everything free', guard(), null, [1, 2, 3], null],
    ['a lesson takes effect: every open tab counts (and is kept)', null, LESSON, [4, 5, 6], guard({ counted: [4, 5, 6] })],
    ['the same lesson goes on: the tabs that count stay, closed ones drop out', guard({ counted: [1, 2], notice: 9 }), LESSON, [2, 3], guard({ counted: [2], notice: null })],
    ['the same lesson with another limit', guard(), { ...LESSON, limit: 5 }, [1, 2], guard({ limit: 5 })],
    ['another lesson: counted anew', guard({ counted: [1] }), { ...LESSON, key: 'k2' }, [1, 2, 3], guard({ key: 'k2', counted: [1, 2, 3] })],
  ])('%s', (_name, previous, lesson, open, expected) => {
    expect(guardFor(previous, lesson, open)).toEqual(expected);
  });
});

describe('judgeNewTab', () => {
  it.each<[string, TabGuard, NewTab, number[], string, Partial<TabGuard>]>([
    ['room left: let in, and it counts', guard({ counted: [1] }), tab(7), [1, 7], 'admit', { counted: [1, 7] }],
    ['at the limit: refused, it shows the notice', guard(), tab(7), [1, 2, 7], 'refuse', { notice: 7 }],
    ['more tabs kept from before than the limit: refused', guard({ counted: [1, 2, 3] }), tab(7), [1, 2, 3, 7], 'refuse', { notice: 7 }],
    ['a tab that counted was closed: room again', guard(), tab(7), [2, 7], 'admit', { counted: [2, 7] }],
    ['the notice does not count', guard({ counted: [1], notice: 5 }), tab(7), [1, 5, 7], 'admit', { counted: [1, 7], notice: 5 }],
    ['Lesmodus opened it (a start page): let in', guard(), tab(7, { own: true }), [1, 2, 7], 'admit', { counted: [1, 2, 7] }],
    ['a popup window a page opened (sign-in): let in, not counted', guard(), tab(7, { inPopup: true }), [1, 2, 7], 'admit', {}],
    ['a tab already counted (the event came twice)', guard(), tab(2), [1, 2], 'admit', {}],
    ['an incognito tab beyond the limit: closed, no notice there', guard(), tab(7, { incognito: true }), [1, 2, 7], 'close', {}],
    ['an incognito tab in a test: its window closed', guard({ test: true, limit: 1, counted: [] }), tab(7, { incognito: true }), [7], 'close-window', { test: true, limit: 1, counted: [] }],
    ['a test with one tab open: a new tab (or window) refused', guard({ test: true, limit: 1, counted: [1] }), tab(7), [1, 7], 'refuse', { test: true, limit: 1, counted: [1], notice: 7 }],
  ])('%s', (_name, before, created, open, verdict, after) => {
    const result = judgeNewTab(before, created, open);
    expect(result.verdict.kind).toBe(verdict);
    expect(result.guard).toEqual({ ...guard(), ...after, ...(after.counted === undefined ? { counted: before.counted.filter((id) => open.includes(id)) } : {}) });
  });

  it('closes the older notice when a newer tab is refused', () => {
    const result = judgeNewTab(guard({ notice: 5 }), tab(8), [1, 2, 5, 8]);
    expect(result.verdict).toEqual({ kind: 'refuse', closeNotice: 5 });
    expect(result.guard.notice).toBe(8);
  });
});

describe('the notice page', () => {
  const PAGE = 'chrome-extension://id/tab-limit.html';
  it('sends a notice tab back from anywhere else, and leaves every other tab alone', () => {
    expect(leavesNotice(guard({ notice: 5 }), 5, 'https://games.test/', PAGE)).toBe(true);
    expect(leavesNotice(guard({ notice: 5 }), 5, `${PAGE}?limit=2`, PAGE)).toBe(false);
    expect(leavesNotice(guard({ notice: 5 }), 6, 'https://games.test/', PAGE)).toBe(false);
    expect(leavesNotice(null, 5, 'https://games.test/', PAGE)).toBe(false);
  });

  it('carries the lesson, the limit and the test flag in its address', () => {
    const address = noticeAddress(PAGE, { ...LESSON, title: 'Toets & co', test: true });
    expect(readNoticeAddress(new URL(address).search)).toEqual({ lesson: 'Toets & co', limit: 2, test: true });
    expect(readNoticeAddress('?limit=0')).toEqual({ lesson: null, limit: null, test: false });
  });
});

describe('the class feed', () => {
  it('carries the tab limit and the test flag to every student, and refuses a document with a limit of 500', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const trustedKeys = [{ id: 'anne', publicKey: { kty: 'EC' as const, crv: 'P-256' as const, x: jwk.x!, y: jwk.y! } }];
    const now = Date.UTC(2026, 2, 2, 9);
    const classLesson = { id: 'l1', title: 'Toets', mode: 'allowlist' as const, sites: ['toets.nl'], embeds: [], startsAt: now, endsAt: now + 3_600_000, tabLimit: 3, test: true };
    const { jws } = await signClassDocument({ class: '2B', issuedAt: now, lesson: classLesson }, pair.privateKey, 'anne');
    const verified = await verifyClassDocument(jws, { trustedKeys, classId: '2B', lastIssuedAt: null, now });
    expect(verified).toMatchObject({ ok: true, document: { lesson: { tabLimit: 3, test: true } } });
    await expect(signClassDocument({ class: '2B', issuedAt: now, lesson: { ...classLesson, tabLimit: 500 } }, pair.privateKey, 'anne')).rejects.toThrow('lesson.tabLimit: a tab limit is a whole number from 1 to 20');
  });
});

describe('the tab limit at the boundary', () => {
  const lesson = { id: 'l1', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], startsAt: 0, endsAt: 1 };
  const draft = { title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], minutes: 45 };
  const preset = { id: 'toets', title: 'Toets', mode: 'allowlist', sites: ['toets.nl'] };

  it.each([[1], [3], [20]])('accepts a limit of %d', (limit) => {
    expect(LessonSchema.safeParse({ ...lesson, tabLimit: limit }).success).toBe(true);
    expect(LessonDraftSchema.safeParse({ ...draft, tabLimit: limit, test: true }).success).toBe(true);
    expect(PresetSchema.safeParse({ ...preset, tabLimit: limit }).success).toBe(true);
  });

  it.each([[0], [500], [2.5], [-1], ['3']])('refuses a limit of %p with its code, at tabLimit', (limit) => {
    for (const [schema, value] of [
      [LessonSchema, { ...lesson, tabLimit: limit }],
      [LessonDraftSchema, { ...draft, tabLimit: limit }],
      [PresetSchema, { ...preset, tabLimit: limit }],
    ] as const) {
      const result = schema.safeParse(value);
      expect(result.success).toBe(false);
      const issue = result.error!.issues[0]!;
      expect(issue.path).toEqual(['tabLimit']);
      expect(problemCodeOf(issue)).toEqual({ code: 'tab-limit', params: ['1', '20'] });
      expect(issue.message).toBe('a tab limit is a whole number from 1 to 20; leave it out for no limit');
    }
  });

  it('refuses a test flag that is not true or false', () => {
    expect(LessonSchema.safeParse({ ...lesson, test: 'yes' }).success).toBe(false);
  });

  it('refuses a test that blocks sites rather than allowing only its own, at test', () => {
    for (const [schema, value] of [
      [LessonSchema, { ...lesson, mode: 'blocklist', test: true }],
      [LessonDraftSchema, { ...draft, mode: 'blocklist', test: true }],
    ] as const) {
      const result = schema.safeParse(value);
      expect(result.success).toBe(false);
      const issue = result.error!.issues[0]!;
      expect(issue.path).toEqual(['test']);
      expect(problemCodeOf(issue)).toEqual({ code: 'test-allowlist', params: [] });
    }
    expect(LessonSchema.safeParse({ ...lesson, mode: 'blocklist', test: false }).success).toBe(true);
  });
});
