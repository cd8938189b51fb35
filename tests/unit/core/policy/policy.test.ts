import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMPTY_POLICY, PolicySchema, isAdminConsoleWrapped, parsePolicy, unwrapAdminConsole } from '../../../../src/core/policy/policy';

const ROOT = join(__dirname, '../../../..');
const example = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, 'manifest/examples', name), 'utf8'));

// Real P-256 public keys (made with WebCrypto); the private halves were discarded.
const KEY_A = { kty: 'EC', crv: 'P-256', x: 'vj6hKToI5vYLDnY4sxpOxCjGrG2ZoVFvj-vBV9VxiKE', y: 'DhPBObjplL6Qqha1QaWkf7A6pbJX7ewnBJrhiprYz6I' };
const KEY_B = { kty: 'EC', crv: 'P-256', x: 'kfrx6TyU2v6-Kz5HaVtRUhvxnBCUQkeUIIgrlzqWfec', y: 'SiJxsio91jS8wf7x8q62pJv-GWP9oHckBfNX4mwbfYM' };
// A private key and its public half (a test fixture, signs nothing real).
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
const teacherKey = (id: string, publicKey: Record<string, unknown> = KEY_A) => ({ id, name: `Teacher ${id}`, publicKey });

/** A valid student policy with a class feed, to which each case adds one mistake. */
const base = (): Record<string, unknown> => ({
  classes: ['2B'],
  classFeed: { ...FEED },
  teacherKeys: [teacherKey('anne')],
  presets: [PRESET],
});

function errorsOf(raw: unknown): Array<{ path: string; message: string }> {
  const result = parsePolicy(raw);
  if (result.ok) throw new Error('expected the policy to be rejected');
  return [...result.errors];
}

describe('parsePolicy: defaults', () => {
  it('an empty policy is open browsing for a student device with nothing configured', () => {
    expect(EMPTY_POLICY).toEqual({
      blocked: [],
      allowed: [],
      embeds: [],
      categories: [],
      presets: [],
      timeZone: 'Europe/Amsterdam',
      schedule: [],
      noLessonDates: [],
      allowBlocklistLessons: true,
      maxLessonMinutes: 240,
      showBlockedAddress: true,
      role: 'student',
      classes: [],
      teacherKeys: [],
    });
  });

  it('fills in pollSeconds', () => {
    const result = parsePolicy(base());
    expect(result.ok && result.policy.classFeed).toEqual({ ...FEED, pollSeconds: 30 });
  });

  it('ignores unknown fields (Chrome drops them; a newer policy must not freeze an older extension)', () => {
    const result = parsePolicy({ ...base(), futureField: 1 });
    expect(result.ok).toBe(true);
  });

  it('accepts a teacher device with a write token and a school key', () => {
    const result = parsePolicy({
      role: 'teacher',
      classes: ['2B', 'H4a'],
      classFeed: { ...FEED, authorization: 'Bearer s3cret', pollSeconds: 60 },
      schoolSigningKey: SCHOOL_PRIVATE,
      teacherKeys: [teacherKey('school', { kty: 'EC', crv: 'P-256', x: SCHOOL_PRIVATE.x, y: SCHOOL_PRIVATE.y })],
    });
    expect(result.ok).toBe(true);
  });

  it('accepts a public key as WebCrypto exports it (ext, key_ops) and with alg/use/kid', () => {
    const exported = { ...KEY_A, ext: true, key_ops: ['verify'], alg: 'ES256', use: 'sig', kid: 'x' };
    expect(parsePolicy({ ...base(), teacherKeys: [teacherKey('anne', exported)] }).ok).toBe(true);
  });

  it('accepts a teacher key scoped to classes, and keeps the scope', () => {
    const result = parsePolicy({ ...base(), teacherKeys: [{ ...teacherKey('anne'), classes: ['2B', 'H4a'] }, teacherKey('school', KEY_B)] });
    expect(result.ok && result.policy.teacherKeys.map((key) => key.classes)).toEqual([['2B', 'H4a'], undefined]);
  });

  it('accepts http for a feed on localhost or 127.0.0.1, and {class} in the query', () => {
    for (const urlTemplate of ['http://localhost:8080/feed/{class}', 'http://127.0.0.1/feed?class={class}', 'https://x.nl/{class}/{class}.json']) {
      expect(parsePolicy({ ...base(), classFeed: { urlTemplate } }).ok).toBe(true);
    }
  });
});

describe('parsePolicy: days without lessons', () => {
  it.each([
    ['2026-04-27', '2026-04-27'],
    ['2026-04-27 Koningsdag', { from: '2026-04-27', to: '2026-04-27', name: 'Koningsdag' }],
    ['2025-10-18/2025-10-26', { from: '2025-10-18', to: '2025-10-26' }],
    ['2025-10-18/2025-10-26 Herfstvakantie (regio midden)', { from: '2025-10-18', to: '2025-10-26', name: 'Herfstvakantie (regio midden)' }],
    [' 2026-02-29 ', null],
    ['2028-02-29', '2028-02-29'],
    [{ from: '2025-12-20', to: '2026-01-04', name: 'Kerstvakantie' }, { from: '2025-12-20', to: '2026-01-04', name: 'Kerstvakantie' }],
    [{ from: '2025-12-20', to: '2026-01-04' }, { from: '2025-12-20', to: '2026-01-04' }],
  ])('%j becomes %j', (entry, expected) => {
    const result = parsePolicy({ noLessonDates: [entry] });
    if (expected === null) expect(result.ok).toBe(false);
    else expect(result.ok && result.policy.noLessonDates).toEqual([expected]);
  });
});

/**
 * Every rule, one mistake at a time: the input, the path reported and (part
 * of) the message. Each input is otherwise valid, so the error is the only one.
 */
const BAD: Array<[string, () => unknown, string, string | RegExp]> = [
  ['not an object', () => ['blocked'], '(root)', /expected object/],
  // sites
  ['allowed not a list', () => ({ allowed: 'school.nl' }), 'allowed', /expected array/],
  ['a site that is not text', () => ({ blocked: ['ok.nl', 5] }), 'blocked.1', /expected string/],
  ['a bad preset site', () => ({ presets: [{ ...PRESET, sites: ['*.games.com'] }] }), 'presets.0.sites.0', /write "games.com" instead/],
  // presets
  ['a preset without title', () => ({ presets: [{ id: 'a', mode: 'allowlist' }] }), 'presets.0.title', 'required: string missing'],
  ['a preset with an unknown mode', () => ({ presets: [{ ...PRESET, mode: 'whitelist' }] }), 'presets.0.mode', /allowlist/],
  ['a preset id with a space', () => ({ presets: [{ ...PRESET, id: 'reken les' }] }), 'presets.0.id', /letters, digits/],
  ['two presets with one id', () => ({ presets: [PRESET, { ...PRESET, title: 'Other' }] }), 'presets.1.id', 'preset id "rekenen" is listed twice'],
  ['a preset minutes not whole', () => ({ presets: [{ ...PRESET, minutes: 45.5 }] }), 'presets.0.minutes', /expected int/],
  // timetable
  ['an unknown time zone', () => ({ timeZone: 'Europe/Amsterdan' }), 'timeZone', /time zone name/],
  ['a time without leading zero', () => ({ presets: [PRESET], schedule: [{ days: ['mon'], start: '8:30', end: '09:15', preset: 'rekenen' }] }), 'schedule.0.start', /HH:MM/],
  ['a period ending before it starts', () => ({ presets: [PRESET], schedule: [{ days: ['mon'], start: '10:00', end: '09:00', preset: 'rekenen' }] }), 'schedule.0.end', /end after it starts/],
  ['a period without days', () => ({ presets: [PRESET], schedule: [{ days: [], start: '08:30', end: '09:00', preset: 'rekenen' }] }), 'schedule.0.days', /at least one weekday/],
  ['a Dutch weekday', () => ({ presets: [PRESET], schedule: [{ days: ['ma'], start: '08:30', end: '09:00', preset: 'rekenen' }] }), 'schedule.0.days.0', /mon/],
  ['a period with an unknown preset', () => ({ presets: [PRESET], schedule: [{ days: ['mon'], start: '08:30', end: '09:00', preset: 'taal' }] }), 'schedule.0.preset', 'no preset with id "taal"'],
  ['outsideLessons with an unknown preset', () => ({ presets: [PRESET], outsideLessons: 'pauze' }), 'outsideLessons', 'no preset with id "pauze"'],
  ['a date that is not a date', () => ({ noLessonDates: ['2025-10-18', 'herfstvakantie'] }), 'noLessonDates.1', /write a date as YYYY-MM-DD/],
  ['a date that does not exist', () => ({ noLessonDates: ['2026-02-29 Schrikkeldag'] }), 'noLessonDates.0', '"2026-02-29" is not a calendar date'],
  ['a range ending before it starts', () => ({ noLessonDates: ['2025-10-26/2025-10-18'] }), 'noLessonDates.0', /ends \(2025-10-18\) before it starts/],
  ['a range object ending before it starts', () => ({ noLessonDates: [{ from: '2025-10-26', to: '2025-10-18' }] }), 'noLessonDates.0.to', /must not be before/],
  ['a range object with a bad date', () => ({ noLessonDates: [{ from: '2025-10-26', to: '26-10-2025' }] }), 'noLessonDates.0.to', /YYYY-MM-DD/],
  ['a number as a date', () => ({ noLessonDates: [20251018] }), 'noLessonDates.0', /write a date as YYYY-MM-DD/],
  // PIN
  ['a PIN hash with too few iterations', () => ({ teacherPin: { ...PIN, iterations: 1000 } }), 'teacherPin.iterations', /at least 100000/],
  ['a PIN hash with another algorithm', () => ({ teacherPin: { ...PIN, algorithm: 'SHA1' } }), 'teacherPin.algorithm', /PBKDF2-SHA256/],
  ['a PIN hash in plain text', () => ({ teacherPin: '1234' }), 'teacherPin', /expected object/],
  // switches
  ['allowBlocklistLessons as a string', () => ({ allowBlocklistLessons: 'false' }), 'allowBlocklistLessons', /expected boolean/],
  ['maxLessonMinutes too short', () => ({ maxLessonMinutes: 2 }), 'maxLessonMinutes', />=5/],
  ['maxLessonMinutes over a day', () => ({ maxLessonMinutes: 1441 }), 'maxLessonMinutes', /<=1440/],
  ['showBlockedAddress as a number', () => ({ showBlockedAddress: 0 }), 'showBlockedAddress', /expected boolean/],
  ['a school type in Dutch', () => ({ schoolType: 'basisschool' }), 'schoolType', 'schoolType is "primary" or "secondary"'],
  // role and classes
  ['an unknown role', () => ({ role: 'leerling' }), 'role', 'role is "student" or "teacher"'],
  ['a class id with a space', () => ({ ...base(), classes: ['groep 7'] }), 'classes.0', /a class id is 1 to 32/],
  ['a class id with a slash', () => ({ ...base(), classes: ['2B/../x'] }), 'classes.0', /a class id/],
  ['a class listed twice', () => ({ ...base(), classes: ['2B', 'H4a', '2B'] }), 'classes.2', 'class "2B" is listed twice'],
  ['classes without a class feed', () => ({ ...base(), classFeed: undefined }), 'classFeed', /only used with a classFeed/],
  // class feed
  ['a feed without {class}', () => ({ ...base(), classFeed: { urlTemplate: 'https://feed.school.nl/2B.json' } }), 'classFeed.urlTemplate', /must contain \{class\}/],
  ['a feed over plain http', () => ({ ...base(), classFeed: { urlTemplate: 'http://feed.school.nl/{class}' } }), 'classFeed.urlTemplate', /use https:\/\//],
  ['a feed on another scheme', () => ({ ...base(), classFeed: { urlTemplate: 'ftp://feed.school.nl/{class}' } }), 'classFeed.urlTemplate', /use an https/],
  ['a feed that is not an address', () => ({ ...base(), classFeed: { urlTemplate: 'feed.school.nl/{class}' } }), 'classFeed.urlTemplate', /not a web address/],
  ['a feed with {class} in the host', () => ({ ...base(), classFeed: { urlTemplate: 'https://{class}.feed.school.nl/' } }), 'classFeed.urlTemplate', /not in the host name/],
  ['a feed with {class} only in the fragment', () => ({ ...base(), classFeed: { urlTemplate: 'https://feed.school.nl/#{class}' } }), 'classFeed.urlTemplate', /fragment is never sent/],
  ['a feed with credentials in the address', () => ({ ...base(), classFeed: { urlTemplate: 'https://user:pw@feed.school.nl/{class}' } }), 'classFeed.urlTemplate', /classFeed.authorization/],
  ['polling too often', () => ({ ...base(), classFeed: { ...FEED, pollSeconds: 5 } }), 'classFeed.pollSeconds', /at most every 10 seconds/],
  ['polling too rarely', () => ({ ...base(), classFeed: { ...FEED, pollSeconds: 3600 } }), 'classFeed.pollSeconds', /at least every 600 seconds/],
  ['a multi-line authorization', () => ({ ...base(), role: 'teacher', classFeed: { ...FEED, authorization: 'Bearer a\r\nX-Evil: 1' } }), 'classFeed.authorization', /single line/],
  ['a write token on a student device', () => ({ ...base(), classFeed: { ...FEED, authorization: 'Bearer s3cret' } }), 'classFeed.authorization', /only teacher devices publish/],
  // keys
  ['students with classes but no teacher keys', () => ({ ...base(), teacherKeys: [] }), 'teacherKeys', /list at least one/],
  ['two teacher keys with one id', () => ({ ...base(), teacherKeys: [teacherKey('anne'), teacherKey('anne', KEY_B)] }), 'teacherKeys.1.id', 'key id "anne" is listed twice'],
  ['a teacher key without a name', () => ({ ...base(), teacherKeys: [{ id: 'anne', name: ' ', publicKey: KEY_A }] }), 'teacherKeys.0.name', /give the key a name/],
  ['a teacher key id with a space', () => ({ ...base(), teacherKeys: [teacherKey('juf anne')] }), 'teacherKeys.0.id', /a key id is/],
  ['an RSA key', () => ({ ...base(), teacherKeys: [teacherKey('anne', { ...KEY_A, kty: 'RSA' })] }), 'teacherKeys.0.publicKey.kty', 'kty must be "EC"'],
  ['a P-384 key', () => ({ ...base(), teacherKeys: [teacherKey('anne', { ...KEY_A, crv: 'P-384' })] }), 'teacherKeys.0.publicKey.crv', 'crv must be "P-256"'],
  ['a key cut short when copied', () => ({ ...base(), teacherKeys: [teacherKey('anne', { ...KEY_A, x: KEY_A.x.slice(0, 40) })] }), 'teacherKeys.0.publicKey.x', /43 base64url characters/],
  ['a key with x and y of different keys', () => ({ ...base(), teacherKeys: [teacherKey('anne', { ...KEY_A, y: KEY_B.y })] }), 'teacherKeys.0.publicKey.x', /not a point of P-256/],
  ['a private key among the teacher keys', () => ({ ...base(), teacherKeys: [teacherKey('anne', SCHOOL_PRIVATE)] }), 'teacherKeys.0.publicKey.d', /this is a private key/],
  ['a key scoped to no class', () => ({ ...base(), teacherKeys: [{ ...teacherKey('anne'), classes: [] }] }), 'teacherKeys.0.classes', /leave classes out to let the key sign for every class/],
  ['a key scoped to a class id with a space', () => ({ ...base(), teacherKeys: [{ ...teacherKey('anne'), classes: ['2B', 'groep 7'] }] }), 'teacherKeys.0.classes.1', /a class id is/],
  ['a key scoped to one class twice', () => ({ ...base(), teacherKeys: [{ ...teacherKey('anne'), classes: ['2B', '2B'] }] }), 'teacherKeys.0.classes.1', 'class "2B" is listed twice'],
  ['a key with another algorithm', () => ({ ...base(), teacherKeys: [teacherKey('anne', { ...KEY_A, alg: 'ES384' })] }), 'teacherKeys.0.publicKey.alg', /ES256/],
  ['a school signing key on a student device', () => ({ ...base(), schoolSigningKey: SCHOOL_PRIVATE }), 'schoolSigningKey', /lets students sign lessons/],
  ['a school signing key without d', () => ({ role: 'teacher', schoolSigningKey: { ...SCHOOL_PRIVATE, d: undefined } }), 'schoolSigningKey.d', 'required: string missing'],
  ['a school signing key without kid', () => ({ role: 'teacher', schoolSigningKey: { ...SCHOOL_PRIVATE, kid: undefined } }), 'schoolSigningKey.kid', 'required: string missing'],
  [
    'a school key whose id lists another public key',
    () => ({ role: 'teacher', schoolSigningKey: SCHOOL_PRIVATE, teacherKeys: [teacherKey('school', KEY_A)] }),
    'schoolSigningKey.kid',
    'teacherKeys lists a different public key under id "school"',
  ],
];

describe('parsePolicy: every rule reports its path and reason', () => {
  it.each(BAD)('%s', (_name, input, path, message) => {
    const errors = errorsOf(input());
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe(path);
    if (typeof message === 'string') expect(errors[0]!.message).toBe(message);
    else expect(errors[0]!.message).toMatch(message);
  });

  it('reports every problem at once, cross-field checks included', () => {
    const errors = errorsOf({
      ...base(),
      blocked: [7],
      schedule: [{ days: ['mon'], start: '08:30', end: '09:00', preset: 'taal' }],
      teacherKeys: [],
      maxLessonMinutes: 0,
      noLessonDates: ['2026-13-01'],
    });
    expect(errors.map((error) => error.path).sort()).toEqual(['blocked.0', 'maxLessonMinutes', 'noLessonDates.0', 'schedule.0.preset', 'teacherKeys'].sort());
  });

  it.each([null, 5, 'policy', [], { teacherKeys: ['x', 'x', 5, null] }, { classes: [1, 1] }, { presets: 'x', schedule: 3, outsideLessons: 'y' }, { classFeed: 'x', classes: ['2B'] }])(
    'never throws, whatever arrives: %j',
    (raw) => {
      const result = parsePolicy(raw);
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.errors.every((error) => error.path !== '' && !/could not be checked/.test(error.message))).toBe(true);
    },
  );

  it('does not run a cross-field check on a field that is itself invalid', () => {
    // With presets invalid, "no preset with id" would only add noise.
    const errors = errorsOf({ presets: [{ id: 'rekenen' }], schedule: [{ days: ['mon'], start: '08:30', end: '09:00', preset: 'rekenen' }] });
    expect(errors.map((error) => error.path)).toEqual(['presets.0.title', 'presets.0.mode']);
  });
});

describe('the Google Admin console form', () => {
  const wrapped = {
    blocked: { Value: ['tiktok.com'] },
    role: { Value: 'student' },
    classes: { Value: ['2B'] },
    classFeed: { Value: FEED },
    teacherKeys: { Value: [teacherKey('anne')] },
    maxLessonMinutes: { Value: 90 },
  };

  it('unwraps each {"Value": …} field', () => {
    expect(unwrapAdminConsole(wrapped)).toEqual({ blocked: ['tiktok.com'], role: 'student', classes: ['2B'], classFeed: FEED, teacherKeys: [teacherKey('anne')], maxLessonMinutes: 90 });
  });

  it('leaves plain fields, objects with more keys and non-objects alone', () => {
    expect(unwrapAdminConsole({ a: 1, b: { Value: 2, Other: 3 }, c: { value: 4 }, d: { Value: 5 } })).toEqual({ a: 1, b: { Value: 2, Other: 3 }, c: { value: 4 }, d: 5 });
    expect(unwrapAdminConsole(['x'])).toEqual(['x']);
    expect(unwrapAdminConsole(null)).toBeNull();
    expect(unwrapAdminConsole('{}')).toBe('{}');
  });

  it('parsePolicy accepts the wrapped form like the plain one', () => {
    const plain = parsePolicy(unwrapAdminConsole(wrapped));
    const result = parsePolicy(wrapped);
    expect(result.ok).toBe(true);
    expect(result).toEqual(plain);
  });

  it('reports errors in the wrapped form with the plain path', () => {
    expect(errorsOf({ ...wrapped, maxLessonMinutes: { Value: 'lang' } })).toEqual([{ path: 'maxLessonMinutes', message: expect.stringMatching(/expected number/), code: 'type', params: ['number'] }]);
  });

  it('tells the two forms apart', () => {
    expect(isAdminConsoleWrapped(wrapped)).toBe(true);
    expect(isAdminConsoleWrapped(unwrapAdminConsole(wrapped))).toBe(false);
  });
});

describe('the example policies', () => {
  it.each(['primary-school.json', 'secondary-school.json'])('%s is valid', (name) => {
    const result = parsePolicy(example(name));
    if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2));
    expect(result.policy.role).toBe('student');
    expect(result.policy.classes.length).toBeGreaterThan(0);
    expect(result.policy.schedule.length).toBeGreaterThan(0);
    expect(result.policy.timeZone).toBe('Europe/Amsterdam');
  });

  it('use only forms that Chrome passes on (no object date entries)', () => {
    for (const name of ['primary-school.json', 'secondary-school.json']) {
      expect((example(name).noLessonDates as unknown[]).every((entry) => typeof entry === 'string')).toBe(true);
    }
  });
});

describe('documentation', () => {
  it('every top-level field has a description', () => {
    for (const [name, field] of Object.entries(PolicySchema.shape)) {
      expect([name, field.description]).toEqual([name, expect.stringMatching(/\w/)]);
    }
  });
});
