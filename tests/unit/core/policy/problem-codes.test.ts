// Every problem of IT's policy carries a stable code and the values its message names, so the
// status page can word it in the reader's language; the English message stays for the CLI.
import { describe, expect, it } from '@jest/globals';
import { parsePolicy } from '../../../../src/core/policy/policy';
import { GENERIC_CODES, POLICY_CODES } from '../../../../src/core/problem-codes';

// Real P-256 public keys (made with WebCrypto); the private halves were discarded.
const KEY_A = { kty: 'EC', crv: 'P-256', x: 'vj6hKToI5vYLDnY4sxpOxCjGrG2ZoVFvj-vBV9VxiKE', y: 'DhPBObjplL6Qqha1QaWkf7A6pbJX7ewnBJrhiprYz6I' };
const KEY_B = { kty: 'EC', crv: 'P-256', x: 'kfrx6TyU2v6-Kz5HaVtRUhvxnBCUQkeUIIgrlzqWfec', y: 'SiJxsio91jS8wf7x8q62pJv-GWP9oHckBfNX4mwbfYM' };
const SCHOOL_PRIVATE = {
  kty: 'EC',
  crv: 'P-256',
  x: 'VdRLOGzOF10oI1S3Ubki0pCZoUnOaVu3g8paiP8bo28',
  y: 'TOKKzr8KOrofQU4RiTJYwlBlm7KOBoPOLMeoyrIIss0',
  d: 'ZQNFYI7CBm8hbfyCxT8ajyVxDJDvq9pq49GhBVdRc8o',
  kid: 'school',
};
const PIN = { algorithm: 'PBKDF2-SHA256', iterations: 600000, salt: 'MQAazjFDR+36Zcl9Ls55cg==', hash: 'HoUe+2sS1UiGKBccSMaIUd4qVvRqSgr8+z6fkoMWbjE=' };
const PRESET = { id: 'rekenen', title: 'Rekenen', mode: 'allowlist', sites: ['snappet.org'] };
const FEED = { urlTemplate: 'https://feed.school.nl/lesmodus/{class}.json' };
const key = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: `Teacher ${id}`, publicKey: KEY_A, ...extra });
/** A valid student policy with a class feed, to which each case adds one mistake. */
const student = (extra: Record<string, unknown>) => ({ classes: ['2B'], classFeed: FEED, teacherKeys: [key('anne')], presets: [PRESET], ...extra });
const teacher = (extra: Record<string, unknown>) => ({ role: 'teacher', classes: ['2B'], classFeed: FEED, ...extra });
const period = (extra: Record<string, unknown>) => ({ days: ['mon'], start: '08:30', end: '09:20', preset: 'rekenen', ...extra });

/** Throws when the policy's keys are listed: a check that throws on odd input. */
const unreadable = new Proxy(
  {},
  {
    ownKeys() {
      throw new Error('cannot list the keys');
    },
  },
);

const cases: Array<[string, unknown, { path: string; code: string; params: string[] }]> = [
  ['a field missing', { presets: [{ id: 'x', mode: 'allowlist' }] }, { path: 'presets.0.title', code: 'required', params: ['string'] }],
  ['a wrong type', { maxLessonMinutes: 'long' }, { path: 'maxLessonMinutes', code: 'type', params: ['number'] }],
  ['a fraction where a whole number belongs', { maxLessonMinutes: 45.5 }, { path: 'maxLessonMinutes', code: 'integer', params: [] }],
  ['a number too small', { maxLessonMinutes: 2 }, { path: 'maxLessonMinutes', code: 'at-least', params: ['5'] }],
  ['a number too large', { maxLessonMinutes: 5000 }, { path: 'maxLessonMinutes', code: 'at-most', params: ['1440'] }],
  ['an empty string', { outsideLessons: '' }, { path: 'outsideLessons', code: 'min-length', params: ['1'] }],
  ['a string too long', { teacherKeys: [key('anne', { name: 'x'.repeat(121) })], classes: ['2B'], classFeed: FEED }, { path: 'teacherKeys.0.name', code: 'max-length', params: ['120'] }],
  ['an empty list', student({ schedule: [period({ days: [] })] }), { path: 'schedule.0.days', code: 'min-items', params: ['1'] }],
  ['a list too long', { classes: Array.from({ length: 51 }, (_, index) => `k${index}`), classFeed: FEED, teacherKeys: [key('anne')] }, { path: 'classes', code: 'max-items', params: ['50'] }],
  ['a fixed value', student({ teacherKeys: [key('anne', { publicKey: { ...KEY_A, kty: 'RSA' } })] }), { path: 'teacherKeys.0.publicKey.kty', code: 'must-be', params: ['"EC"'] }],
  ['one of some values', { role: 'parent' }, { path: 'role', code: 'one-of', params: ['"student", "teacher"'] }],
  ['a forbidden key', JSON.parse('{"__proto__": {"blocked": []}}'), { path: '__proto__', code: 'forbidden-key', params: ['__proto__'] }],
  ['a policy that cannot be checked', unreadable, { path: '(root)', code: 'unchecked', params: ['cannot list the keys'] }],
  ['a period ending before it starts', student({ schedule: [period({ start: '10:00', end: '09:00' })] }), { path: 'schedule.0.end', code: 'period-order', params: [] }],
  ['an unreadable date entry', { noLessonDates: ['27 april'] }, { path: 'noLessonDates.0', code: 'date-entry', params: [] }],
  ['a date not on the calendar', { noLessonDates: [{ from: '2026-02-30', to: '2026-03-01' }] }, { path: 'noLessonDates.0.from', code: 'calendar-date', params: [] }],
  ['a date not on the calendar, in an entry', { noLessonDates: ['2026-02-30'] }, { path: 'noLessonDates.0', code: 'calendar-date-in-entry', params: ['2026-02-30'] }],
  ['a range the wrong way round', { noLessonDates: ['2026-03-02/2026-03-01'] }, { path: 'noLessonDates.0', code: 'date-range-order', params: ['2026-03-01', '2026-03-02'] }],
  ['a range the wrong way round, as an object', { noLessonDates: [{ from: '2026-03-02', to: '2026-03-01' }] }, { path: 'noLessonDates.0.to', code: 'date-to-before-from', params: [] }],
  ['a name too long', { noLessonDates: [`2026-03-02 ${'x'.repeat(121)}`] }, { path: 'noLessonDates.0', code: 'date-name-long', params: [] }],
  ['a malformed date', { noLessonDates: [{ from: '2-3-2026', to: '2026-03-01' }] }, { path: 'noLessonDates.0.from', code: 'date-format', params: [] }],
  ['a malformed class id', student({ classes: ['2 B'] }), { path: 'classes.0', code: 'class-id', params: [] }],
  ['a feed address without {class}', student({ classFeed: { urlTemplate: 'https://feed.school.nl/x.json' } }), { path: 'classFeed.urlTemplate', code: 'feed-url-placeholder', params: [] }],
  ['a feed address that is no address', student({ classFeed: { urlTemplate: 'feed {class}' } }), { path: 'classFeed.urlTemplate', code: 'feed-url-invalid', params: [] }],
  ['a feed address over http', student({ classFeed: { urlTemplate: 'http://feed.school.nl/{class}' } }), { path: 'classFeed.urlTemplate', code: 'feed-url-http', params: [] }],
  ['a feed address of another scheme', student({ classFeed: { urlTemplate: 'ftp://feed.school.nl/{class}' } }), { path: 'classFeed.urlTemplate', code: 'feed-url-scheme', params: [] }],
  ['a feed address with a password', student({ classFeed: { urlTemplate: 'https://a:b@feed.school.nl/{class}' } }), { path: 'classFeed.urlTemplate', code: 'feed-url-credentials', params: [] }],
  ['{class} in the host', student({ classFeed: { urlTemplate: 'https://{class}.school.nl/feed' } }), { path: 'classFeed.urlTemplate', code: 'feed-url-placeholder-host', params: [] }],
  ['{class} in the fragment', student({ classFeed: { urlTemplate: 'https://feed.school.nl/feed#{class}' } }), { path: 'classFeed.urlTemplate', code: 'feed-url-placeholder-fragment', params: [] }],
  ['a header of two lines', teacher({ classFeed: { ...FEED, authorization: 'Bearer a\nb' } }), { path: 'classFeed.authorization', code: 'single-line', params: [] }],
  ['a key coordinate cut short', student({ teacherKeys: [key('anne', { publicKey: { ...KEY_A, y: 'abc' } })] }), { path: 'teacherKeys.0.publicKey.y', code: 'key-part', params: ['y'] }],
  ['a key off the curve', student({ teacherKeys: [key('anne', { publicKey: { ...KEY_A, y: KEY_B.y } })] }), { path: 'teacherKeys.0.publicKey.x', code: 'not-on-curve', params: [] }],
  ['a private key listed', student({ teacherKeys: [key('anne', { publicKey: { ...SCHOOL_PRIVATE } })] }), { path: 'teacherKeys.0.publicKey.d', code: 'private-key', params: [] }],
  ['a malformed key id', student({ teacherKeys: [key('anne de vries')] }), { path: 'teacherKeys.0.id', code: 'key-id', params: [] }],
  ['a key without a name', student({ teacherKeys: [key('anne', { name: ' ' })] }), { path: 'teacherKeys.0.name', code: 'key-name', params: [] }],
  ['a key for no class', student({ teacherKeys: [key('anne', { classes: [] })] }), { path: 'teacherKeys.0.classes', code: 'key-classes-empty', params: [] }],
  ['a class twice', student({ classes: ['2B', '2B'] }), { path: 'classes.1', code: 'duplicate-class', params: ['2B'] }],
  ['a preset id twice', student({ presets: [PRESET, PRESET] }), { path: 'presets.1.id', code: 'duplicate-preset-id', params: ['rekenen'] }],
  ['a key id twice', student({ teacherKeys: [key('anne'), key('anne', { publicKey: KEY_B })] }), { path: 'teacherKeys.1.id', code: 'duplicate-key-id', params: ['anne'] }],
  ['an unknown preset', student({ schedule: [period({ preset: 'nope' })] }), { path: 'schedule.0.preset', code: 'preset-unknown', params: ['nope'] }],
  ['classes without a feed', { classes: ['2B'] }, { path: 'classFeed', code: 'classes-without-feed', params: [] }],
  ['write credentials on a student device', student({ classFeed: { ...FEED, authorization: 'Bearer x' } }), { path: 'classFeed.authorization', code: 'authorization-on-student', params: [] }],
  ['a school key on a student device', student({ schoolSigningKey: SCHOOL_PRIVATE }), { path: 'schoolSigningKey', code: 'school-key-on-student', params: [] }],
  ['no teacher keys for a student device', student({ teacherKeys: [] }), { path: 'teacherKeys', code: 'teacher-keys-missing', params: [] }],
  ['another key under the school key id', teacher({ schoolSigningKey: SCHOOL_PRIVATE, teacherKeys: [key('school')] }), { path: 'schoolSigningKey.kid', code: 'school-key-mismatch', params: ['school'] }],
  ['a preset id with a space', { presets: [{ ...PRESET, id: 'reken les' }] }, { path: 'presets.0.id', code: 'id-characters', params: [] }],
  ['a malformed time', student({ schedule: [period({ start: '8:30' })] }), { path: 'schedule.0.start', code: 'time-format', params: [] }],
  ['an unknown time zone', { timeZone: 'Europe/Lutjebroek' }, { path: 'timeZone', code: 'time-zone', params: [] }],
  ['a salt that is not base64', { teacherPin: { ...PIN, salt: 'not base64 at all!' } }, { path: 'teacherPin.salt', code: 'base64', params: [] }],
  ['a preset without a title', { presets: [{ ...PRESET, title: ' ' }] }, { path: 'presets.0.title', code: 'title-missing', params: [] }],
  ['a preset with a tab limit of 0', { presets: [{ ...PRESET, tabLimit: 0 }] }, { path: 'presets.0.tabLimit', code: 'tab-limit', params: ['1', '20'] }],
  ['a preset with a tab limit of 500', { presets: [{ ...PRESET, tabLimit: 500 }] }, { path: 'presets.0.tabLimit', code: 'tab-limit', params: ['1', '20'] }],
  ['a test preset that blocks sites', { allowBlocklistLessons: true, presets: [{ ...PRESET, mode: 'blocklist', test: true }] }, { path: 'presets.0.test', code: 'test-allowlist', params: [] }],
  ['an unreadable site in a preset', { presets: [{ ...PRESET, sites: ['exa mple.org'] }] }, { path: 'presets.0.sites.0', code: 'pattern-space', params: ['exa mple.org'] }],
  ['every site allowed by a preset', { presets: [{ ...PRESET, sites: ['*'] }] }, { path: 'presets.0.sites.0', code: 'pattern-allows-everything', params: ['*'] }],
  ['a malformed category id', { categories: [{ id: 'AI tools', add: ['a.example'] }] }, { path: 'categories.0.id', code: 'category-id', params: [] }],
  ['a preset naming an unknown category', { presets: [{ ...PRESET, categories: ['ai', 'chat'] }] }, { path: 'presets.0.categories.1', code: 'category-unknown', params: ['chat'] }],
  ['every site in a category', { categories: [{ id: 'ai', add: ['*'] }] }, { path: 'categories.0.add.0', code: 'category-every-site', params: ['*'] }],
  ['a whole top-level domain in a category', { categories: [{ id: 'games', add: ['com'] }] }, { path: 'categories.0.add.0', code: 'category-whole-tld', params: ['com', 'com'] }],
  ['a category twice', { categories: [{ id: 'ai', add: ['a.example'] }, { id: 'ai', add: ['b.example'] }] }, { path: 'categories.1.id', code: 'duplicate-category-id', params: ['ai'] }],
  ['a shipped category given sites', { categories: [{ id: 'video', sites: ['a.example'] }] }, { path: 'categories.0', code: 'category-shipped-change', params: ['video'] }],
  ['a shipped category changed twice over', { categories: [{ id: 'video', add: ['a.example'], replace: ['b.example'] }] }, { path: 'categories.0', code: 'category-shipped-change', params: ['video'] }],
  ['a shipped category with nothing to change', { categories: [{ id: 'games' }] }, { path: 'categories.0', code: 'category-shipped-change', params: ['games'] }],
  ['a category of the school\'s own without a name', { categories: [{ id: 'exam-cheats', sites: ['a.example'] }] }, { path: 'categories.0', code: 'category-own-needs', params: ['exam-cheats'] }],
];

describe('policy problems carry a code and the values their message names', () => {
  it.each(cases)('%s', (_name, raw, expected) => {
    const result = parsePolicy(raw);
    if (result.ok) throw new Error('expected the policy to be rejected');
    const problem = result.errors.find((error) => error.path === expected.path);
    expect(problem).toMatchObject({ code: expected.code, params: expected.params });
    // The English message stays as the command line says it.
    expect(problem?.message).toEqual(expect.any(String));
    expect(problem?.message).not.toBe('');
  });

  it('covers every code of the policy and of zod', () => {
    const covered = new Set(cases.map(([, , expected]) => expected.code));
    expect([...GENERIC_CODES, ...POLICY_CODES].filter((code) => !covered.has(code))).toEqual([]);
  });
});
