import { describe, expect, it } from '@jest/globals';
import { changeLesson, exceptionSiteFor, extendLesson, lessonFromRequest, lessonToChange, MAX_EXCEPTIONS, withException, type LessonLimits, type LessonRequest } from '../../../../src/core/teacher/lessons';
import type { ActiveLesson } from '../../../../src/core/rules/resolve';
import type { Lesson } from '../../../../src/core/schemas';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const M = 60_000;
const LIMITS: LessonLimits = { maxLessonMinutes: 240, allowBlocklistLessons: true };

const request = (extra: Partial<LessonRequest> = {}): LessonRequest => ({ title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl'], minutes: 45, ...extra });
const lesson = (extra: Partial<Lesson> = {}): Lesson => ({ id: 'l1', title: 'Rekenen', mode: 'allowlist', sites: ['a.nl'], embeds: [], startsAt: T0 - 10 * M, endsAt: T0 + 20 * M, ...extra });

describe('lessonFromRequest', () => {
  it('starts now and ends after the chosen minutes', () => {
    const result = lessonFromRequest(request({ sites: [' rekenen.nl ', 'rekenen.nl', 'wikipedia.org'] }), LIMITS, T0, 'id1');
    expect(result).toEqual({
      ok: true,
      lesson: { id: 'id1', title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl', 'wikipedia.org'], embeds: [], startsAt: T0, endsAt: T0 + 45 * M },
    });
  });

  it('takes an end time instead of minutes', () => {
    const result = lessonFromRequest(request({ minutes: undefined, endsAt: T0 + 50 * M }), LIMITS, T0, 'id1');
    expect(result.ok && result.lesson.endsAt).toBe(T0 + 50 * M);
  });

  it.each<[string, Partial<LessonRequest>, LessonLimits, string]>([
    ['longer than IT allows', { minutes: 241 }, LIMITS, 'too-long'],
    ['an end time beyond the limit', { minutes: undefined, endsAt: T0 + 100 * M }, { ...LIMITS, maxLessonMinutes: 90 }, 'too-long'],
    ['an end time that has passed', { minutes: undefined, endsAt: T0 - M }, LIMITS, 'invalid'],
    ['neither minutes nor an end', { minutes: undefined }, LIMITS, 'invalid'],
    ['a blocklist lesson where IT allows none', { mode: 'blocklist' }, { ...LIMITS, allowBlocklistLessons: false }, 'mode-not-allowed'],
  ])('refuses %s', (_name, extra, limits, problem) => {
    const result = lessonFromRequest(request(extra), limits, T0, 'id1');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toBe(problem);
      expect(result.message.length).toBeGreaterThan(10);
    }
  });

  it('accepts exactly the longest lesson, and a blocklist lesson where allowed', () => {
    expect(lessonFromRequest(request({ minutes: 240 }), LIMITS, T0, 'x').ok).toBe(true);
    expect(lessonFromRequest(request({ mode: 'blocklist' }), LIMITS, T0, 'x').ok).toBe(true);
  });

  it('carries a start page (a lesson for a class), and keeps it when the lesson is extended or changed', () => {
    const result = lessonFromRequest(request({ startPage: ' https://rekenen.nl/les-1 ' }), LIMITS, T0, 'id1');
    expect(result.ok && result.lesson.startPage).toBe('https://rekenen.nl/les-1');
    if (!result.ok) return;
    const extended = extendLesson(result.lesson, 5, LIMITS, T0);
    expect(extended.ok && extended.lesson).toMatchObject({ id: 'id1', startPage: 'https://rekenen.nl/les-1' });
    const changed = changeLesson(result.lesson, { sites: ['wikipedia.org'] });
    expect(changed.ok && changed.lesson).toMatchObject({ id: 'id1', startPage: 'https://rekenen.nl/les-1' });
    const without = lessonFromRequest(request({ startPage: '' }), LIMITS, T0, 'id2');
    expect(without.ok && 'startPage' in without.lesson).toBe(false);
  });

  it('names the limit in its message', () => {
    const result = lessonFromRequest(request({ minutes: 100 }), { ...LIMITS, maxLessonMinutes: 90 }, T0, 'x');
    expect(!result.ok && result.message).toMatch(/90 minutes/);
  });
});

describe('lessonToChange', () => {
  const timetable: ActiveLesson = { origin: 'timetable', id: 'p1', title: '2B maths', mode: 'allowlist', sites: ['maths.nl'], embeds: ['player.vimeo.com'], startsAt: T0 - 20 * M, endsAt: T0 + 5 * M };

  it('is the stored lesson while it runs', () => {
    expect(lessonToChange(lesson(), timetable, T0, 'new')).toEqual(lesson());
  });

  it('copies the timetable lesson in force into a teacher lesson from now', () => {
    expect(lessonToChange(lesson({ endsAt: T0 - M }), timetable, T0, 'new')).toEqual({
      id: 'new',
      title: '2B maths',
      mode: 'allowlist',
      sites: ['maths.nl'],
      embeds: ['player.vimeo.com'],
      startsAt: T0,
      endsAt: T0 + 5 * M,
    });
  });

  it('is null with nothing in force, or only the endless outside-lessons preset', () => {
    expect(lessonToChange(null, null, T0, 'new')).toBeNull();
    expect(lessonToChange(null, { ...timetable, origin: 'outside', startsAt: null, endsAt: null }, T0, 'new')).toBeNull();
  });
});

describe('extendLesson', () => {
  it.each([
    [5, T0 + 25 * M],
    [15, T0 + 35 * M],
  ])('+%i minutes', (minutes, endsAt) => {
    const result = extendLesson(lesson(), minutes, LIMITS, T0);
    expect(result.ok && result.lesson.endsAt).toBe(endsAt);
  });

  it('refuses to go beyond the longest lesson from now', () => {
    const result = extendLesson(lesson({ endsAt: T0 + 230 * M }), 15, LIMITS, T0);
    expect(!result.ok && result.problem).toBe('too-long');
  });

  it('refuses nonsense', () => {
    expect(extendLesson(lesson(), 0, LIMITS, T0).ok).toBe(false);
    expect(extendLesson(lesson(), 2.5, LIMITS, T0).ok).toBe(false);
  });
});

describe('changeLesson', () => {
  it('replaces the sites, keeping the times; a title is changed only when given', () => {
    const result = changeLesson(lesson(), { sites: ['b.nl', 'b.nl', ' c.nl'] });
    expect(result).toEqual({ ok: true, lesson: { ...lesson(), sites: ['b.nl', 'c.nl'] } });
    const renamed = changeLesson(lesson(), { sites: [], title: ' Taal ' });
    expect(renamed.ok && renamed.lesson.title).toBe('Taal');
  });
});

describe('letting one student through', () => {
  it.each([
    ['http://games.test:8080/play?level=2', 'games.test'],
    ['https://www.youtube.com/watch?v=x', 'youtube.com'],
    ['chrome://settings', null],
    ['not a url', null],
  ])('the exception for %s is %s', (url, site) => {
    expect(exceptionSiteFor(url)).toBe(site);
  });

  it('replaces an entry for the same site and drops expired ones', () => {
    const list = [
      { site: 'old.test', until: T0 - 1 },
      { site: 'games.test', until: T0 + M },
      { site: 'maps.test', until: T0 + 2 * M },
    ];
    expect(withException(list, 'games.test', T0 + 10 * M, T0)).toEqual([
      { site: 'maps.test', until: T0 + 2 * M },
      { site: 'games.test', until: T0 + 10 * M },
    ]);
  });

  it('keeps at most the stored limit, dropping the oldest', () => {
    const list = Array.from({ length: MAX_EXCEPTIONS }, (_, index) => ({ site: `s${index}.test`, until: T0 + M }));
    const next = withException(list, 'new.test', T0 + 5 * M, T0);
    expect(next).toHaveLength(MAX_EXCEPTIONS);
    expect(next.at(-1)).toEqual({ site: 'new.test', until: T0 + 5 * M });
    expect(next[0]?.site).toBe('s1.test');
  });
});
