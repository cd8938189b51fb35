import { describe, expect, it } from '@jest/globals';
import { decide, prepare, withoutPause, type NavigationKind, type Reason } from '../../../../src/core/rules/decide';
import { parseUrl } from '../../../../src/core/rules/patterns';
import { PolicySchema } from '../../../../src/core/policy/policy';
import { resolve, type ClassLesson, type EffectiveRules, type Pause, type ResolveInputs } from '../../../../src/core/rules/resolve';
import type { Lesson, TemporaryAllow } from '../../../../src/core/schemas';
import { rules } from '../../support/rules';

const allowlist = (sites: string[], embeds: string[] = []): EffectiveRules['lesson'] => ({ mode: 'allowlist', sites, embeds });
const blocklist = (sites: string[], embeds: string[] = []): EffectiveRules['lesson'] => ({ mode: 'blocklist', sites, embeds });

/** "allowed (reason)" or "blocked (reason)": one string, easy to read in a table. */
function verdict(effective: EffectiveRules, href: string, kind: NavigationKind = 'page'): string {
  const result = decide(href, prepare(effective), kind);
  return `${result.allowed ? 'allowed' : 'blocked'} (${result.reason})`;
}

const A = (reason: Reason): string => `allowed (${reason})`;
const B = (reason: Reason): string => `blocked (${reason})`;

describe('decide: IT blocked vs IT allowed (the more specific wins, allowed on a tie)', () => {
  const youtube = rules({ itBlocked: ['youtube.com'], itAllowed: ['youtube.com/edu'] });
  it.each([
    [youtube, 'https://youtube.com/', B('it-blocked')],
    [youtube, 'https://www.youtube.com/watch?v=1', B('it-blocked')],
    [youtube, 'https://youtube.com/edu', A('it-allowed')],
    [youtube, 'https://www.youtube.com/edu/maths', A('it-allowed')],
    [youtube, 'https://youtube.com/education', B('it-blocked')],
    [youtube, 'https://example.com/', A('open')],
    [rules({ itBlocked: ['example.com'], itAllowed: ['example.com'] }), 'https://example.com/', A('it-allowed')],
    [rules({ itBlocked: ['https://example.com'], itAllowed: ['example.com:443'] }), 'https://example.com/', A('it-allowed')],
    [rules({ itBlocked: ['www.example.com'], itAllowed: ['example.com'] }), 'https://www.example.com/', B('it-blocked')],
    [rules({ itBlocked: ['www.example.com'], itAllowed: ['example.com'] }), 'https://example.com/', A('it-allowed')],
    [rules({ itBlocked: ['.example.com'], itAllowed: ['example.com'] }), 'https://example.com/', B('it-blocked')],
    [rules({ itBlocked: ['.example.com'], itAllowed: ['example.com'] }), 'https://www.example.com/', A('it-allowed')],
    [rules({ itBlocked: ['example.com/games'], itAllowed: ['example.com'] }), 'https://example.com/games/1', B('it-blocked')],
    [rules({ itBlocked: ['example.com/games'], itAllowed: ['example.com'] }), 'https://example.com/maths', A('it-allowed')],
    // a longer host beats a longer path, as in Chrome's URL policies
    [rules({ itBlocked: ['www.example.com'], itAllowed: ['example.com/maths/algebra'] }), 'https://www.example.com/maths/algebra', B('it-blocked')],
    [rules({ itBlocked: ['*'], itAllowed: ['school.nl'] }), 'https://leerling.school.nl/', A('it-allowed')],
    [rules({ itBlocked: ['*'], itAllowed: ['school.nl'] }), 'https://example.com/', B('it-blocked')],
    [rules({ itBlocked: ['school.nl'], itAllowed: ['*'] }), 'https://school.nl/', B('it-blocked')],
  ])('%#: %s', (effective, href, expected) => {
    expect(verdict(effective, href)).toBe(expected);
  });
});

describe('decide: what IT decides, nobody in the classroom changes', () => {
  it.each([
    // IT blocked beats the lesson, exceptions and embeds
    [rules({ itBlocked: ['games.com'], lesson: allowlist(['games.com']) }), 'https://games.com/', 'page', B('it-blocked')],
    [rules({ itBlocked: ['games.com'], exceptions: ['games.com'] }), 'https://games.com/', 'page', B('it-blocked')],
    [rules({ itBlocked: ['games.com'], lesson: allowlist([], ['games.com']) }), 'https://games.com/', 'frame', B('it-blocked')],
    // IT allowed is reachable in every lesson: an allowlist that forgot it, a blocklist that names it
    [rules({ itAllowed: ['login.microsoftonline.com'], lesson: allowlist(['wikipedia.org']) }), 'https://login.microsoftonline.com/common', 'page', A('it-allowed')],
    [rules({ itAllowed: ['login.microsoftonline.com'], lesson: allowlist([]) }), 'https://login.microsoftonline.com/', 'frame', A('it-allowed')],
    [rules({ itAllowed: ['school.nl'], lesson: blocklist(['school.nl']) }), 'https://school.nl/', 'page', A('it-allowed')],
  ])('%#: %s %s', (effective, href, kind, expected) => {
    expect(verdict(effective, href, kind as NavigationKind)).toBe(expected);
  });
});

describe('decide: pause ("eyes on me")', () => {
  const paused = rules({ paused: true, itAllowed: ['school.nl'], itBlocked: ['games.com'], exceptions: ['example.com'], lesson: allowlist(['wikipedia.org']) });
  it.each([
    ['https://wikipedia.org/', 'page', B('paused')],
    ['https://school.nl/', 'page', B('paused')],
    ['https://example.com/', 'page', B('paused')],
    ['https://anything.else/', 'page', B('paused')],
    ['https://games.com/', 'page', B('it-blocked')],
    ['about:blank', 'page', A('not-web')],
    // Frames load as the lesson has it: the page around them is covered, not replaced.
    ['https://wikipedia.org/', 'frame', A('lesson-allowed')],
    ['https://school.nl/', 'frame', A('it-allowed')],
    ['https://anything.else/', 'frame', B('not-in-lesson')],
    ['https://games.com/', 'frame', B('it-blocked')],
  ])('%s (%s)', (href, kind, expected) => {
    expect(verdict(paused, href, kind as NavigationKind)).toBe(expected);
  });

  it.each([
    ['https://wikipedia.org/', A('lesson-allowed')],
    ['https://example.com/', A('exception')],
    ['https://anything.else/', B('not-in-lesson')],
    ['https://games.com/', B('it-blocked')],
  ])('beneath the pause (what a covered page is judged by): %s', (href, expected) => {
    const beneath = decide(href, withoutPause(prepare(paused)), 'page');
    expect(`${beneath.allowed ? 'allowed' : 'blocked'} (${beneath.reason})`).toBe(expected);
  });

  it('blocks everything with no lesson too', () => {
    expect(verdict(rules({ paused: true }), 'https://example.com/')).toBe(B('paused'));
  });
});

describe('decide: exceptions (a teacher let a site through for a while)', () => {
  it.each([
    [rules({ exceptions: ['example.com'], lesson: allowlist(['wikipedia.org']) }), 'https://www.example.com/x', A('exception')],
    [rules({ exceptions: ['example.com/maths'], lesson: allowlist(['wikipedia.org']) }), 'https://example.com/games', B('not-in-lesson')],
    [rules({ exceptions: ['example.com'], lesson: blocklist(['example.com']) }), 'https://example.com/', A('exception')],
    [rules({ exceptions: ['example.com'] }), 'https://example.com/', A('exception')],
    [rules({ exceptions: ['example.com'], lesson: allowlist([]) }), 'https://example.community/', B('not-in-lesson')],
  ])('%#: %s', (effective, href, expected) => {
    expect(verdict(effective, href)).toBe(expected);
  });
});

describe('decide: the lesson', () => {
  const maths = rules({ lesson: allowlist(['wikipedia.org', 'example.com/maths']), itEmbeds: ['youtube-nocookie.com'] });
  it.each([
    // allowlist: only its sites
    [maths, 'https://nl.wikipedia.org/wiki/Breuk', 'page', A('lesson-allowed')],
    [maths, 'https://example.com/maths/fractions', 'page', A('lesson-allowed')],
    [maths, 'https://example.com/games', 'page', B('not-in-lesson')],
    [maths, 'https://wikipedia.org.evil.net/', 'page', B('not-in-lesson')],
    [maths, 'https://games.com/', 'frame', B('not-in-lesson')],
    // embeds: inside pages, never as a page of their own
    [maths, 'https://www.youtube-nocookie.com/embed/x', 'frame', A('lesson-embed')],
    [maths, 'https://www.youtube-nocookie.com/embed/x', 'page', B('not-in-lesson')],
    [rules({ lesson: allowlist([], ['player.vimeo.com']) }), 'https://player.vimeo.com/video/1', 'frame', A('lesson-embed')],
    [rules({ lesson: allowlist([], ['player.vimeo.com']) }), 'https://player.vimeo.com/video/1', 'page', B('not-in-lesson')],
    [rules({ lesson: allowlist([], ['player.vimeo.com']) }), 'https://vimeo.com/', 'frame', B('not-in-lesson')],
    // an allowlist of nothing but layer 2, and one of everything
    [rules({ lesson: allowlist([]) }), 'https://example.com/', 'page', B('not-in-lesson')],
    [rules({ lesson: allowlist(['*']) }), 'https://example.com/', 'page', A('lesson-allowed')],
    // blocklist: its sites are blocked, pages and frames alike; embeds play no part
    [rules({ lesson: blocklist(['games.com']) }), 'https://www.games.com/', 'page', B('lesson-blocked')],
    [rules({ lesson: blocklist(['games.com']) }), 'https://games.com/', 'frame', B('lesson-blocked')],
    [rules({ lesson: blocklist(['games.com'], ['games.com']), itEmbeds: ['games.com'] }), 'https://games.com/', 'frame', B('lesson-blocked')],
    [rules({ lesson: blocklist(['games.com']) }), 'https://example.com/', 'page', A('open')],
    [rules({ lesson: blocklist(['*']) }), 'https://example.com/', 'page', B('lesson-blocked')],
    // no lesson: open, embeds or not
    [rules({ itEmbeds: ['youtube-nocookie.com'] }), 'https://youtube-nocookie.com/', 'page', A('open')],
    [rules(), 'https://example.com/', 'frame', A('open')],
  ])('%#: %s (%s)', (effective, href, kind, expected) => {
    expect(verdict(effective, href, kind as NavigationKind)).toBe(expected);
  });
});

describe('decide: only web pages are judged', () => {
  const everything = rules({ itBlocked: ['*'], paused: true, lesson: allowlist([]) });
  it.each(['about:blank', 'about:srcdoc', 'data:text/html,<b>hi</b>', 'file:///home/student/a.html', 'chrome://settings/', 'chrome-extension://abc/blocked.html', 'moz-extension://abc/x', 'ftp://example.com/', 'blob:https://example.com/1', 'javascript:void(0)', 'not a url', ''])(
    '%j',
    (href) => {
      expect(verdict(everything, href)).toBe(A('not-web'));
      expect(verdict(everything, href, 'frame')).toBe(A('not-web'));
    },
  );

  // Firefox's rules never see a view-source load: the backstop judges the address it shows.
  it.each([
    ['view-source:https://games.test/play', rules({ lesson: allowlist(['school.nl']) }), B('not-in-lesson')],
    ['VIEW-SOURCE:http://games.test/', rules({ itBlocked: ['games.test'] }), B('it-blocked')],
    ['view-source:view-source:https://games.test/', rules({ lesson: blocklist(['games.test']) }), B('lesson-blocked')],
    ['view-source:https://school.nl/les', rules({ lesson: allowlist(['school.nl']) }), A('lesson-allowed')],
    ['view-source:about:blank', rules({ lesson: allowlist([]) }), A('not-web')],
  ])('judges %s as the address it shows', (href, effective, expected) => {
    expect(verdict(effective, href)).toBe(expected);
  });

  it('judges http and https alike, and takes a parsed URL too', () => {
    expect(verdict(everything, 'http://example.com/')).toBe(B('it-blocked'));
    expect(decide(parseUrl('https://example.com/')!, prepare(rules({ lesson: allowlist(['example.com']) })))).toEqual({ allowed: true, reason: 'lesson-allowed' });
  });

  it('skips invalid patterns instead of failing', () => {
    expect(verdict(rules({ lesson: allowlist(['*.example.com', 'example.com']) }), 'https://www.example.com/')).toBe(A('lesson-allowed'));
  });
});

// ---------------------------------------------------------------------------
// resolve()

const MIN = 60_000;
const at = (iso: string): number => Date.parse(iso);

const lesson = (over: Partial<Lesson> = {}): Lesson => ({
  id: 'l1',
  title: 'Maths',
  mode: 'allowlist',
  sites: ['wikipedia.org'],
  embeds: [],
  startsAt: at('2026-03-30T09:00:00+02:00'),
  endsAt: at('2026-03-30T10:00:00+02:00'),
  ...over,
});

/** A small school: a preset, a Monday period (08:30-09:20 local), an outside-lessons preset when asked. */
const policy = (over: Record<string, unknown> = {}) =>
  PolicySchema.parse({
    allowed: ['school.nl'],
    blocked: ['games.com'],
    embeds: ['youtube-nocookie.com'],
    timeZone: 'Europe/Amsterdam',
    presets: [
      { id: 'maths', title: 'Maths', mode: 'allowlist', sites: ['rekenen.nl'] },
      { id: 'free', title: 'Break', mode: 'blocklist', sites: ['tiktok.com'] },
    ],
    schedule: [{ days: ['mon'], start: '08:30', end: '09:20', preset: 'maths', title: '2B maths' }],
    ...over,
  });

const inputs = (over: Partial<ResolveInputs> = {}): ResolveInputs => ({
  policy: policy(),
  teacherLesson: null,
  classLessons: [],
  pauses: [],
  exceptions: [],
  ...over,
});

const iso = (instant: number | null): string | null => (instant === null ? null : new Date(instant).toISOString());

describe('resolve: a teacher lesson holds from its start (inclusive) to its end (exclusive)', () => {
  const teacher = lesson();
  it.each([
    ['a minute before', teacher.startsAt - MIN, null, teacher.startsAt],
    ['at the start', teacher.startsAt, 'l1', teacher.endsAt],
    ['a millisecond before the end', teacher.endsAt - 1, 'l1', teacher.endsAt],
    ['at the end', teacher.endsAt, null, null],
  ])('%s', (_name, now, activeId, nextChange) => {
    // No timetable, so the lesson's own boundaries are the only changes.
    const resolution = resolve(inputs({ policy: policy({ schedule: [] }), teacherLesson: teacher }), now);
    expect(resolution.active?.id ?? null).toBe(activeId);
    expect(resolution.rules.lesson).toEqual(activeId === null ? null : { mode: 'allowlist', sites: ['wikipedia.org'], embeds: [] });
    expect(iso(resolution.nextChange)).toBe(iso(nextChange));
  });

  it('a lesson that ended while the device slept is over: no lesson, and no change in the past', () => {
    const now = teacher.endsAt + 3 * 24 * 60 * MIN + 17 * MIN; // Thursday, long after
    const resolution = resolve(inputs({ teacherLesson: teacher }), now);
    expect(resolution.active).toBeNull();
    expect(resolution.rules.lesson).toBeNull();
    expect(resolution.nextChange).not.toBeNull();
    expect(resolution.nextChange!).toBeGreaterThan(now);
    expect(iso(resolution.nextChange)).toBe(iso(at('2026-04-06T08:30:00+02:00'))); // the next Monday period
  });

  it('without a timetable, a finished lesson leaves nothing to wait for', () => {
    expect(resolve(inputs({ policy: policy({ schedule: [] }), teacherLesson: teacher }), teacher.endsAt + 1).nextChange).toBeNull();
  });
});

describe('resolve: which lesson is in force', () => {
  const monday0845 = at('2026-03-30T08:45:00+02:00'); // the day after the switch to summer time

  it('the timetable applies its preset when no teacher lesson is active', () => {
    const resolution = resolve(inputs(), monday0845);
    expect(resolution.active).toMatchObject({
      origin: 'timetable',
      id: 'maths',
      title: '2B maths',
      mode: 'allowlist',
      sites: ['rekenen.nl'],
      startsAt: at('2026-03-30T08:30:00+02:00'),
      endsAt: at('2026-03-30T09:20:00+02:00'),
    });
    expect(resolution.rules.lesson).toEqual({ mode: 'allowlist', sites: ['rekenen.nl'], embeds: [] });
    expect(iso(resolution.nextChange)).toBe(iso(at('2026-03-30T09:20:00+02:00')));
  });

  it('a teacher lesson replaces the timetable', () => {
    const teacher = lesson({ startsAt: at('2026-03-30T08:40:00+02:00'), endsAt: at('2026-03-30T09:10:00+02:00') });
    const resolution = resolve(inputs({ teacherLesson: teacher }), monday0845);
    expect(resolution.active).toMatchObject({ origin: 'teacher', id: 'l1' });
    expect(iso(resolution.nextChange)).toBe(iso(teacher.endsAt));
  });

  it('a class lesson applies over the timetable; the newest wins', () => {
    const older: ClassLesson = { classId: '2B', lesson: lesson({ id: 'old', startsAt: at('2026-03-30T08:00:00+02:00') }) };
    const newer: ClassLesson = { classId: '2B', lesson: lesson({ id: 'new', startsAt: at('2026-03-30T08:40:00+02:00'), endsAt: at('2026-03-30T09:30:00+02:00') }) };
    const resolution = resolve(inputs({ classLessons: [older, newer] }), monday0845);
    expect(resolution.active).toMatchObject({ origin: 'class', id: 'new', classId: '2B' });
  });

  // Whoever sits at a student's device must not replace the class's lesson with one set on the device.
  describe.each([
    ['a student device: the class lesson', 'student', 'class', 'feed'],
    ['a teacher device: the lesson set on the device', 'teacher', 'teacher', 'here'],
  ])('on %s wins', (_name, role, origin, id) => {
    const ofClass: ClassLesson = { classId: '2B', lesson: lesson({ id: 'feed', startsAt: at('2026-03-30T08:30:00+02:00'), endsAt: at('2026-03-30T09:15:00+02:00') }) };
    const onDevice = lesson({ id: 'here', mode: 'blocklist', sites: ['games.com'], startsAt: at('2026-03-30T08:40:00+02:00'), endsAt: at('2026-03-30T10:30:00+02:00') });
    const both = inputs({ policy: policy({ role, schedule: [] }), classLessons: [ofClass], teacherLesson: onDevice });

    it('while both run', () => {
      expect(resolve(both, monday0845).active).toMatchObject({ origin, id });
    });

    it('and the other takes over when it ends, with both ends as changes', () => {
      const afterClass = resolve(both, ofClass.lesson.endsAt);
      expect(afterClass.active).toMatchObject({ origin: 'teacher', id: 'here' });
      expect(iso(resolve(both, monday0845).nextChange)).toBe(iso(ofClass.lesson.endsAt));
      expect(iso(afterClass.nextChange)).toBe(iso(onDevice.endsAt));
    });
  });

  it('outside lessons: open, or IT\'s outside-lessons preset without an end', () => {
    const evening = at('2026-03-30T19:00:00+02:00');
    expect(resolve(inputs(), evening).active).toBeNull();
    expect(resolve(inputs(), evening).rules.lesson).toBeNull();
    const outside = resolve(inputs({ policy: policy({ outsideLessons: 'free' }) }), evening);
    expect(outside.active).toMatchObject({ origin: 'outside', id: 'free', mode: 'blocklist', startsAt: null, endsAt: null });
    expect(outside.rules.lesson).toEqual({ mode: 'blocklist', sites: ['tiktok.com'], embeds: [] });
    expect(iso(outside.nextChange)).toBe(iso(at('2026-04-06T08:30:00+02:00')));
  });

  it('carries IT\'s lists into the rules, whatever the lesson', () => {
    const { rules: effective } = resolve(inputs(), monday0845);
    expect(effective).toMatchObject({ itAllowed: ['school.nl'], itBlocked: ['games.com'], itEmbeds: ['youtube-nocookie.com'], paused: false });
  });
});

describe('resolve: exceptions and pauses expire by themselves', () => {
  const now = at('2026-03-30T12:00:00+02:00');
  const exception = (site: string, minutes: number): TemporaryAllow => ({ site, until: now + minutes * MIN });

  it('an exception holds until its end (exclusive)', () => {
    const exceptions = [exception('example.com', 5), exception('old.nl', -1)];
    expect(resolve(inputs({ exceptions }), now).rules.exceptions).toEqual(['example.com']);
    expect(resolve(inputs({ exceptions }), now + 5 * MIN - 1).rules.exceptions).toEqual(['example.com']);
    expect(resolve(inputs({ exceptions }), now + 5 * MIN).rules.exceptions).toEqual([]);
    expect(iso(resolve(inputs({ exceptions }), now).nextChange)).toBe(iso(now + 5 * MIN));
  });

  it('a pause holds from its start (inclusive) to its end (exclusive); the latest one counts', () => {
    const first: Pause = { message: 'Look up', startsAt: now - 2 * MIN, until: now + 3 * MIN };
    const second: Pause = { message: 'Eyes on me', startsAt: now - MIN, until: now + 2 * MIN };
    expect(resolve(inputs({ pauses: [first, second] }), now).pause?.message).toBe('Eyes on me');
    expect(resolve(inputs({ pauses: [first] }), first.startsAt).rules.paused).toBe(true);
    expect(resolve(inputs({ pauses: [first] }), first.startsAt - 1).rules.paused).toBe(false);
    expect(resolve(inputs({ pauses: [first] }), first.until).rules.paused).toBe(false);
  });
});

describe('resolve: nextChange is the earliest boundary of them all', () => {
  const now = at('2026-03-30T08:45:00+02:00');
  const base = {
    teacherLesson: lesson({ startsAt: at('2026-03-30T08:40:00+02:00'), endsAt: at('2026-03-30T10:00:00+02:00') }), // ends 10:00
    classLessons: [{ classId: '2B', lesson: lesson({ id: 'c', startsAt: at('2026-03-30T09:50:00+02:00'), endsAt: at('2026-03-30T10:40:00+02:00') }) }], // starts 09:50
    exceptions: [{ site: 'example.com', until: at('2026-03-30T09:30:00+02:00') }],
    pauses: [{ message: 'Eyes on me', startsAt: at('2026-03-30T09:05:00+02:00'), until: at('2026-03-30T09:08:00+02:00') }], // starts 09:05
  };
  // The timetable period ends at 09:20.
  it.each([
    ['the pause starting', base, '2026-03-30T09:05:00+02:00'],
    ['the period ending', { ...base, pauses: [] }, '2026-03-30T09:20:00+02:00'],
    ['the exception ending', { ...base, pauses: [], policy: policy({ schedule: [] }) }, '2026-03-30T09:30:00+02:00'],
    ['the class lesson starting', { ...base, pauses: [], exceptions: [], policy: policy({ schedule: [] }) }, '2026-03-30T09:50:00+02:00'],
    ['the teacher lesson ending', { ...base, pauses: [], exceptions: [], classLessons: [], policy: policy({ schedule: [] }) }, '2026-03-30T10:00:00+02:00'],
  ])('%s', (_name, over, expected) => {
    expect(iso(resolve(inputs(over), now).nextChange)).toBe(iso(at(expected)));
  });

  it('is never in the past, whatever the inputs', () => {
    for (const offset of [-1000, -60, -1, 0, 1, 30, 60, 600, 100_000]) {
      const t = now + offset * MIN;
      const next = resolve(inputs(base), t).nextChange;
      if (next !== null) expect(next).toBeGreaterThan(t);
    }
  });
});
