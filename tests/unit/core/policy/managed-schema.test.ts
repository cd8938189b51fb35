import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { checkManagedPolicy, managedSchema, toChromeSchema, type ChromeSchema } from '../../../../src/core/policy/managed-schema';
import { PolicySchema, parsePolicy } from '../../../../src/core/policy/policy';

const ROOT = join(__dirname, '../../../..');
const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
const EXAMPLES = ['manifest/examples/primary-school.json', 'manifest/examples/secondary-school.json'];

const schema = managedSchema();

/**
 * The attributes Chrome allows per type, and the JSON type each must have,
 * from Chrome's schema validator (components/policy/core/common/schema.cc,
 * kAttributesAndTypesFor*). Chrome ignores other attributes when it loads an
 * extension's schema, but the generated schema should not rely on that.
 */
const CHROME_ATTRIBUTES: Record<string, Record<string, string>> = {
  array: { description: 'string', id: 'string', items: 'object', sensitiveValue: 'boolean', title: 'string', type: 'string' },
  boolean: { description: 'string', id: 'string', sensitiveValue: 'boolean', title: 'string', type: 'string' },
  integer: { description: 'string', enum: 'array', id: 'string', maximum: 'number', minimum: 'number', sensitiveValue: 'boolean', title: 'string', type: 'string' },
  number: { description: 'string', id: 'string', sensitiveValue: 'boolean', title: 'string', type: 'string' },
  object: {
    additionalProperties: 'object',
    description: 'string',
    id: 'string',
    patternProperties: 'object',
    properties: 'object',
    required: 'array',
    sensitiveValue: 'boolean',
    title: 'string',
    type: 'string',
  },
  string: { description: 'string', enum: 'array', id: 'string', pattern: 'string', sensitiveValue: 'boolean', title: 'string', type: 'string' },
};
/** What this generator emits on purpose: no restrictions, which zod checks instead (see managed-schema.ts). */
const EMITTED = new Set(['type', 'description', 'title', 'properties', 'items', 'sensitiveValue']);

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

/** Walks every schema node, with its path. */
function* nodes(node: ChromeSchema, path = '(root)'): Generator<[string, ChromeSchema]> {
  yield [path, node];
  for (const [key, child] of Object.entries(node.properties ?? {})) yield* nodes(child, path === '(root)' ? key : `${path}.${key}`);
  if (node.items) yield* nodes(node.items, `${path}[]`);
}

describe('the generated Chrome schema', () => {
  it('is an object at the top level, with properties and without additionalProperties or patternProperties', () => {
    const raw = schema as unknown as Record<string, unknown>;
    expect(raw.type).toBe('object');
    expect(typeof raw.properties).toBe('object');
    expect(raw).not.toHaveProperty('additionalProperties');
    expect(raw).not.toHaveProperty('patternProperties');
  });

  it('gives every node exactly one Chrome type and only attributes Chrome allows for it', () => {
    for (const [path, node] of nodes(schema)) {
      const raw = node as unknown as Record<string, unknown>;
      expect([path, typeof raw.type]).toEqual([path, 'string']);
      const allowed = CHROME_ATTRIBUTES[raw.type as string];
      expect([path, allowed === undefined ? `unknown type ${String(raw.type)}` : 'ok']).toEqual([path, 'ok']);
      for (const [attribute, value] of Object.entries(raw)) {
        expect([path, attribute, attribute in allowed! ? jsonType(value) : 'not allowed']).toEqual([path, attribute, allowed![attribute]]);
        expect([path, attribute, EMITTED.has(attribute)]).toEqual([path, attribute, true]);
      }
      if (raw.type === 'array') expect([path, typeof raw.items]).toEqual([path, 'object']);
      if (raw.sensitiveValue !== undefined) expect(raw.sensitiveValue).toBe(true);
    }
  });

  it('has none of the JSON Schema constructs Chrome rejects or that would make it stricter than zod', () => {
    const text = JSON.stringify(schema);
    for (const word of ['anyOf', 'oneOf', 'allOf', '$schema', '$ref', '$defs', 'format', 'default', 'const', 'enum', 'pattern', 'minimum', 'maximum', 'required', 'additionalProperties', '"null"']) {
      expect([word, text.includes(`"${word.replace(/"/g, '')}":`)]).toEqual([word, false]);
    }
  });

  it('declares every policy field, each with a description', () => {
    expect(Object.keys(schema.properties!).sort()).toEqual(Object.keys(PolicySchema.shape).sort());
    for (const [path, node] of nodes(schema)) {
      if (path.endsWith('[]') || path === '(root)') continue;
      expect([path, node.description]).toEqual([path, expect.stringMatching(/\w{3}/)]);
    }
  });

  it('masks the secrets on chrome://policy', () => {
    const masked = [...nodes(schema)].filter(([, node]) => node.sensitiveValue).map(([path]) => path);
    expect(masked.sort()).toEqual(['classFeed.authorization', 'schoolSigningKey', 'teacherPin']);
  });

  it('writes defaults into the descriptions, since Chrome has no place for them', () => {
    expect(schema.properties!.maxLessonMinutes!.description).toMatch(/Default: 240\.$/);
    expect(schema.properties!.classFeed!.properties!.pollSeconds!.description).toMatch(/Default: 30\.$/);
  });

  it('is what manifest/chrome.json points Chrome to', () => {
    expect(readJson('manifest/chrome.json').storage).toEqual({ managed_schema: 'managed_schema.json' });
  });
});

describe('toChromeSchema', () => {
  it('takes the one type of a union of one type, and of nullable values', () => {
    expect(toChromeSchema(z.object({ a: z.union([z.string().regex(/^x$/), z.string().email()]), b: z.number().int().nullable() }))).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'integer' } },
    });
  });

  it('refuses a union of several types nobody chose one for, naming where it is', () => {
    expect(() => toChromeSchema(z.object({ a: z.array(z.union([z.string(), z.number()])) }))).toThrow(/a\[\]: the policy allows string or number here/);
  });

  it('uses the type chosen for a union', () => {
    expect(toChromeSchema(z.object({ a: z.array(z.union([z.string(), z.object({ b: z.string() })])) }), { 'a[]': 'object' })).toEqual({
      type: 'object',
      properties: { a: { type: 'array', items: { type: 'object', properties: { b: { type: 'string' } } } } },
    });
  });

  it('merges object branches and infers types from literals and enums', () => {
    const merged = toChromeSchema(z.union([z.object({ a: z.literal('x') }), z.object({ b: z.enum(['p', 'q']), c: z.literal(3) })]));
    expect(merged).toEqual({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' }, c: { type: 'number' } } });
  });

  it('inlines a schema that zod would put behind a $ref', () => {
    const Site = z.string().meta({ id: 'LesmodusTestSite', description: 'A site.' });
    const shape = z.object({ a: Site, b: z.array(Site) });
    expect(JSON.stringify(z.toJSONSchema(shape, { io: 'input' }))).toContain('"$ref"'); // the case being tested
    expect(toChromeSchema(shape)).toEqual({
      type: 'object',
      properties: { a: { type: 'string', description: 'A site.' }, b: { type: 'array', items: { type: 'string', description: 'A site.' } } },
    });
  });
});

describe('checkManagedPolicy: what Chrome and Edge pass on', () => {
  it('drops a top-level field whose value has the wrong type, and keeps the rest', () => {
    expect(checkManagedPolicy({ maxLessonMinutes: '90', blocked: ['x.nl'] }, schema)).toEqual({
      dropped: [{ path: 'maxLessonMinutes', message: 'expected integer, got string: Chrome and Edge drop the whole "maxLessonMinutes" field' }],
      unknown: [],
    });
  });

  it('drops the whole field for one bad entry deep inside', () => {
    const result = checkManagedPolicy({ presets: [{ id: 'a', title: 'A', mode: 'allowlist' }, { id: 'b', title: 'B', mode: 'allowlist', minutes: 45.5 }] }, schema);
    expect(result.dropped).toEqual([{ path: 'presets.1.minutes', message: 'expected integer, got number: Chrome and Edge drop the whole "presets" field' }]);
  });

  it.each([
    [45, true],
    [45.5, false],
    [2 ** 31 - 1, true],
    [2 ** 31, false],
    [-(2 ** 31), true],
  ])('an integer field takes %d: %s (Chrome integers are 32-bit)', (value, fits) => {
    expect(checkManagedPolicy({ maxLessonMinutes: value }, schema).dropped).toHaveLength(fits ? 0 : 1);
  });

  it('reports unknown fields, top-level and nested, without dropping anything', () => {
    expect(checkManagedPolicy({ alowed: ['x.nl'], classFeed: { urlTemplate: 'https://x.nl/{class}', pollSecs: 5 } }, schema)).toEqual({
      dropped: [],
      unknown: [
        { path: 'alowed', message: 'not a Lesmodus policy field: ignored (a typo?)' },
        { path: 'classFeed.pollSecs', message: 'unknown field: ignored' },
      ],
    });
  });

  it('rejects a policy that is not an object', () => {
    expect(checkManagedPolicy(['x'], schema).dropped).toEqual([{ path: '(root)', message: 'expected object, got array' }]);
  });

  it.each(EXAMPLES)('passes %s on whole, with no unknown fields', (file) => {
    expect(checkManagedPolicy(readJson(file), schema)).toEqual({ dropped: [], unknown: [] });
  });
});

// Real P-256 public key (made with WebCrypto); the private half was discarded.
const KEY = { kty: 'EC', crv: 'P-256', x: 'vj6hKToI5vYLDnY4sxpOxCjGrG2ZoVFvj-vBV9VxiKE', y: 'DhPBObjplL6Qqha1QaWkf7A6pbJX7ewnBJrhiprYz6I' };
const STUDENT = {
  classes: ['2B'],
  classFeed: { urlTemplate: 'https://feed.school.nl/{class}.json' },
  teacherKeys: [{ id: 'anne', name: 'Anne', publicKey: KEY }],
  presets: [{ id: 'rekenen', title: 'Rekenen', mode: 'allowlist', sites: ['snappet.org'], minutes: 45 }],
  schedule: [{ days: ['mon'], start: '08:30', end: '09:15', preset: 'rekenen', title: '2B rekenen' }],
};

/** Policies zod accepts: Chrome must pass every one of them on whole ("never stricter"). */
const GOOD: Array<[string, Record<string, unknown>]> = [
  ['empty', {}],
  ['a student device with a class feed', STUDENT],
  ['a teacher device', { role: 'teacher', classes: ['2B'], classFeed: { urlTemplate: 'https://x.nl/{class}', authorization: 'Bearer t', pollSeconds: 60 } }],
  ['a key as WebCrypto exports it', { ...STUDENT, teacherKeys: [{ id: 'anne', name: 'Anne', publicKey: { ...KEY, ext: true, key_ops: ['verify'], alg: 'ES256' } }] }],
  ['a teacher key scoped to classes', { ...STUDENT, teacherKeys: [{ id: 'anne', name: 'Anne', publicKey: KEY, classes: ['2B', 'H4a'] }] }],
  ['dates in every string form', { noLessonDates: ['2026-04-27', '2026-04-27 Koningsdag', '2025-10-18/2025-10-26', '2025-10-18/2025-10-26 Herfstvakantie'] }],
  ['every switch', { allowBlocklistLessons: false, maxLessonMinutes: 5, showBlockedAddress: false, schoolType: 'secondary', timeZone: 'Europe/Brussels', outsideLessons: 'rekenen', presets: STUDENT.presets }],
  [
    'a PIN hash',
    { teacherPin: { algorithm: 'PBKDF2-SHA256', iterations: 600000, salt: 'MQAazjFDR+36Zcl9Ls55cg==', hash: 'HoUe+2sS1UiGKBccSMaIUd4qVvRqSgr8+z6fkoMWbjE=' } },
  ],
  ['an unknown field (both ignore it)', { futureField: { a: 1 } }],
  // Read with a warning, as Chrome reads its own lists: the site is blocked, the rest applies.
  ['an unreadable blocked entry', { blocked: ['*.games.com'] }],
  ...EXAMPLES.map((file): [string, Record<string, unknown>] => [file, readJson(file)]),
];

/**
 * Policies zod rejects, and what Chrome does with them: 'drops' the field (a
 * JSON type mismatch; `policy check` reports it), or 'passes' it on because
 * its schema is looser, and then zod in the extension rejects the policy.
 */
const BAD: Array<[string, Record<string, unknown>, 'drops' | 'passes', string]> = [
  ['a bad site pattern in a preset', { presets: [{ id: 'a', title: 'A', mode: 'blocklist', sites: ['*.games.com'] }] }, 'passes', 'presets.0.sites.0'],
  ['an unknown mode', { presets: [{ id: 'a', title: 'A', mode: 'whitelist' }] }, 'passes', 'presets.0.mode'],
  ['a preset without title', { presets: [{ id: 'a', mode: 'allowlist' }] }, 'passes', 'presets.0.title'],
  ['a time as 8:30', { ...STUDENT, schedule: [{ days: ['mon'], start: '8:30', end: '09:15', preset: 'rekenen' }] }, 'passes', 'schedule.0.start'],
  ['a Dutch weekday', { ...STUDENT, schedule: [{ days: ['ma'], start: '08:30', end: '09:15', preset: 'rekenen' }] }, 'passes', 'schedule.0.days.0'],
  ['a period with an unknown preset', { ...STUDENT, schedule: [{ days: ['mon'], start: '08:30', end: '09:15', preset: 'taal' }] }, 'passes', 'schedule.0.preset'],
  ['an unknown time zone', { timeZone: 'Amsterdam' }, 'passes', 'timeZone'],
  ['a date that does not exist', { noLessonDates: ['2026-02-30'] }, 'passes', 'noLessonDates.0'],
  ['too few PIN iterations', { teacherPin: { algorithm: 'PBKDF2-SHA256', iterations: 1000, salt: 'MQAazjFDR+36Zcl9Ls55cg==', hash: 'HoUe+2sS1UiGKBccSMaIUd4qVvRqSgr8+z6fkoMWbjE=' } }, 'passes', 'teacherPin.iterations'],
  ['maxLessonMinutes out of range', { maxLessonMinutes: 2000 }, 'passes', 'maxLessonMinutes'],
  ['an unknown role', { role: 'leerling' }, 'passes', 'role'],
  ['a class id with a space', { ...STUDENT, classes: ['groep 7'] }, 'passes', 'classes.0'],
  ['a feed without {class}', { ...STUDENT, classFeed: { urlTemplate: 'https://x.nl/feed.json' } }, 'passes', 'classFeed.urlTemplate'],
  ['polling every second', { ...STUDENT, classFeed: { urlTemplate: 'https://x.nl/{class}', pollSeconds: 1 } }, 'passes', 'classFeed.pollSeconds'],
  ['a write token on a student device', { ...STUDENT, classFeed: { urlTemplate: 'https://x.nl/{class}', authorization: 'Bearer t' } }, 'passes', 'classFeed.authorization'],
  ['a private key among the teacher keys', { ...STUDENT, teacherKeys: [{ id: 'a', name: 'A', publicKey: { ...KEY, d: 'ZQNFYI7CBm8hbfyCxT8ajyVxDJDvq9pq49GhBVdRc8o' } }] }, 'passes', 'teacherKeys.0.publicKey.d'],
  ['a teacher key scoped to a bad class id', { ...STUDENT, teacherKeys: [{ id: 'anne', name: 'Anne', publicKey: KEY, classes: ['groep 7'] }] }, 'passes', 'teacherKeys.0.classes.0'],
  ['a teacher key scoped with one string', { ...STUDENT, teacherKeys: [{ id: 'anne', name: 'Anne', publicKey: KEY, classes: '2B' }] }, 'drops', 'teacherKeys.0.classes'],
  ['classes without teacher keys', { ...STUDENT, teacherKeys: [] }, 'passes', 'teacherKeys'],
  ['a boolean as a string', { allowBlocklistLessons: 'false' }, 'drops', 'allowBlocklistLessons'],
  ['minutes as a string', { maxLessonMinutes: '90' }, 'drops', 'maxLessonMinutes'],
  ['a fractional minutes', { maxLessonMinutes: 90.5 }, 'drops', 'maxLessonMinutes'],
  ['a site list as one string', { allowed: 'school.nl' }, 'drops', 'allowed'],
  ['a PIN in plain text', { teacherPin: '1234' }, 'drops', 'teacherPin'],
  ['a number as a date', { noLessonDates: [20251018] }, 'drops', 'noLessonDates.0'],
];

describe('the Chrome schema and zod agree', () => {
  it.each(GOOD)('Chrome passes on whole what zod accepts: %s', (_name, policy) => {
    expect(parsePolicy(policy).ok).toBe(true);
    expect(checkManagedPolicy(policy, schema).dropped).toEqual([]);
  });

  it.each(BAD)('%s: zod rejects it; Chrome %s it', (_name, policy, chrome, path) => {
    const result = parsePolicy(policy);
    expect(result.ok ? [] : result.errors.map((error) => error.path)).toContain(path);
    const { dropped } = checkManagedPolicy(policy, schema);
    if (chrome === 'passes') {
      // Looser on purpose: zod, in the extension, rejects the policy as a whole.
      expect(dropped).toEqual([]);
    } else {
      expect(dropped.map((entry) => entry.path)).toEqual([path]);
    }
  });

  it('the object form of a date entry is the one thing zod accepts and Chrome drops', () => {
    // Chrome can give a list one JSON type; the string form carries ranges and
    // names too, and `policy check` reports the object form for Chrome files.
    const policy = { noLessonDates: ['2026-04-27', { from: '2025-10-18', to: '2025-10-26', name: 'Herfstvakantie' }] };
    expect(parsePolicy(policy).ok).toBe(true);
    expect(checkManagedPolicy(policy, schema).dropped).toEqual([
      { path: 'noLessonDates.1', message: 'expected string, got object: Chrome and Edge drop the whole "noLessonDates" field' },
    ]);
  });
});
