/**
 * IT's school-wide configuration, pushed through browser enterprise policy.
 * This schema is the single source of truth: the managed_schema.json that
 * Chrome and Edge need is generated from it (see managed-schema.ts), and so
 * is docs/policy-reference.md, from the same `.describe()` texts (`npm run
 * docs`; a test fails when a field has no description).
 *
 * Unknown fields are ignored, not rejected: Chrome drops them before
 * Lesmodus sees them anyway, and a policy written for a newer Lesmodus must
 * not freeze an older one on its last good policy. `npm run policy -- check`
 * warns about them, so a typo does not go unnoticed.
 */
import { z } from 'zod';
import { sameEnds } from '../lists';
import { coded, codedIssue, codedParams, problemCodeOf, type ProblemCode } from '../problem-codes';
import { judgesWebPages, matchesEverything, parsePattern, patternsOneForOne, rememberPatterns, siteOf, type SitePattern } from '../rules/patterns';
import { categoryEntryProblem } from '../rules/categories';
import { CATEGORY_ID_RE, categoryCatalog, isBuiltinCategory } from '../rules/categories/catalog';
import { MIN_PIN_CHARACTERS, MIN_PIN_DIGITS, PIN_ITERATIONS, strongEnough, weakPinProblem } from '../teacher/pin';
import {
  LessonMode,
  PeriodSchema,
  PinHashSchema,
  PinStrengthSchema,
  PresetSchema,
  SitePatternString,
  TimeZone,
  checkLessonSites,
  type NoLessonDate,
} from '../schemas';

/**
 * Runs a check on an object only when the object itself and the fields the
 * check reads are valid, so that other fields' problems and this one are
 * reported together, and a malformed field is not reported twice.
 */
function whenValid(fields: readonly string[]) {
  return {
    when: (payload: z.core.ParsePayload): boolean =>
      isPlainObject(payload.value) && !payload.issues.some((issue) => issue.path === undefined || issue.path.length === 0 || fields.includes(String(issue.path[0]))),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------
// Presets, timetable and PIN: the shapes of schemas.ts, with the policy's
// field documentation added (zod's describe() returns a copy, so the shared
// schemas are not changed).

const PolicyPresetSchema = PresetSchema.safeExtend({
  id: PresetSchema.shape.id.describe('Unique id, used by schedule, outsideLessons and teachers: letters, digits, "-", "_" or ".".'),
  title: PresetSchema.shape.title.describe('What students see on the blocked page, e.g. "Rekenen".'),
  mode: PresetSchema.shape.mode.describe('"allowlist": only these sites (plus the policy\'s allowed sites). "blocklist": these sites are blocked.'),
  sites: PresetSchema.shape.sites.describe('Site patterns (Chrome URLBlocklist syntax), at most 1000.'),
  embeds: PresetSchema.shape.embeds.describe('Sites allowed inside pages (video players) during this preset, never as a page of their own.'),
  minutes: PresetSchema.shape.minutes.describe('Suggested length in minutes when a teacher starts this preset.'),
  tabLimit: PresetSchema.shape.tabLimit.describe(
    'At most this many tabs open during this preset, 1 to 20; leave it out for no limit. Tabs open before it took effect are kept; a tab opened beyond the limit shows a notice naming the lesson and the limit, and nothing else.',
  ),
  test: PresetSchema.shape.test.describe(
    'A test preset (an exam platform, say), always an allowlist: only its sites, at most one tab (those open before are kept), no new windows, incognito windows closed where the browser lets Lesmodus see them, nobody let through from the blocked page, and "Test" shown in the popup.',
  ),
  categories: PresetSchema.shape.categories.describe('Ids of the site categories the preset blocks, e.g. ["ai", "social"]: the shipped ones (ai, social, games, video) or the id of one of the school\'s own under categories.'),
})
  .superRefine((preset, ctx) => {
    // Only once mode and sites are valid; their own problems are reported already.
    if (LessonMode.safeParse(preset.mode).success && Array.isArray(preset.sites)) checkLessonSites(preset, ctx);
  })
  .describe('A named set of rules that teachers can start and the timetable can apply.');

// Rebuilt from PeriodSchema's fields rather than extended: PeriodSchema's
// "end after start" check also runs when a time is malformed ("8:30"), and
// then adds a second, misleading error. Here it runs only on valid times.
const PolicyPeriodSchema = z
  .object({
    days: PeriodSchema.shape.days.describe('Weekdays of the period: "mon", "tue", "wed", "thu", "fri", "sat", "sun".'),
    start: PeriodSchema.shape.start.describe('Local start time, HH:MM (24-hour), in timeZone.'),
    end: PeriodSchema.shape.end.describe('Local end time, HH:MM, later on the same day than start.'),
    preset: PeriodSchema.shape.preset.describe('Id of the preset that applies during the period.'),
    title: PeriodSchema.shape.title.describe('Shown to students instead of the preset\'s title, e.g. "2B wiskunde".'),
  })
  .refine((period) => period.end > period.start, {
    message: 'a period must end after it starts, on the same day',
    path: ['end'],
    params: codedParams('period-order'),
    ...whenValid(['start', 'end']),
  })
  .describe('A recurring lesson period.');

const PolicyPinHashSchema = PinHashSchema.safeExtend({
  algorithm: PinHashSchema.shape.algorithm.describe('Always "PBKDF2-SHA256".'),
  iterations: PinHashSchema.shape.iterations.describe(
    'PBKDF2 iterations: the command writes 600000, and `npm run policy -- check` asks for at least that. A device still accepts 100000 and more, so that an update never drops a policy in force.',
  ),
  salt: PinHashSchema.shape.salt.describe('Random salt, base64.'),
  hash: PinHashSchema.shape.hash.describe('The derived 32-byte key, base64.'),
  strength: z
    .object({
      length: PinStrengthSchema.shape.length.describe('How many characters the PIN has.'),
      digitsOnly: PinStrengthSchema.shape.digitsOnly.describe('Whether the PIN is digits only.'),
    })
    .optional()
    .describe(
      'What the command declares about the PIN (never the PIN itself). Student devices need a PIN of at least 6 digits or 8 characters: `npm run policy -- check` fails a student policy whose teacherPin does not declare that.',
    ),
});

// ---------------------------------------------------------------------------
// Days without lessons.
//
// Chrome's policy schema gives every value exactly one JSON type, so a list of
// "a date or an object" cannot be declared for Chrome: it would drop the whole
// list. The string form therefore carries everything: a date, a range and an
// optional name ("2025-10-18/2025-10-26 Herfstvakantie"). The object form
// {from, to, name} from schemas.ts stays accepted for Firefox and for
// policies written before; `policy check` says Chrome would drop it.

const DATE_ENTRY_RE = /^(\d{4}-\d{2}-\d{2})(?:\/(\d{4}-\d{2}-\d{2}))?(?:\s+(\S.*))?$/;
const DATE_ENTRY_HELP = coded('date-entry', 'write a date as YYYY-MM-DD or a range as YYYY-MM-DD/YYYY-MM-DD, optionally followed by a name, e.g. "2025-10-18/2025-10-26 Herfstvakantie"');

function isCalendarDate(value: string): boolean {
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
}

/** "2026-04-27", "2026-04-27 Koningsdag", "2025-10-18/2025-10-26 Herfstvakantie". */
const NoLessonDateString = z.string().transform((text, ctx): NoLessonDate => {
  const match = DATE_ENTRY_RE.exec(text.trim());
  if (!match) {
    ctx.addIssue(codedIssue('date-entry', DATE_ENTRY_HELP));
    return z.NEVER;
  }
  const from = match[1]!;
  const to = match[2] ?? from;
  const name = match[3]?.trim();
  for (const date of [from, to]) {
    if (!isCalendarDate(date)) {
      ctx.addIssue(codedIssue('calendar-date-in-entry', `"${date}" is not a calendar date`, [date]));
      return z.NEVER;
    }
  }
  if (to < from) {
    ctx.addIssue(codedIssue('date-range-order', `the range ends (${to}) before it starts (${from})`, [to, from]));
    return z.NEVER;
  }
  if (name !== undefined && name.length > 120) {
    ctx.addIssue(codedIssue('date-name-long', 'the name is longer than 120 characters'));
    return z.NEVER;
  }
  if (name === undefined && to === from) return from;
  return name === undefined ? { from, to } : { from, to, name };
});

/** A date, checked once: a malformed date is not also reported as "not a calendar date". */
const PolicyDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: coded('date-format', 'write a date as YYYY-MM-DD'), abort: true })
  .refine(isCalendarDate, { message: 'not a calendar date', params: codedParams('calendar-date') });

/** The object form of schemas.ts's NoLessonDateSchema, with the range check only on valid dates. */
const NoLessonDateObject = z
  .object({
    from: PolicyDate.describe('First day without lessons, YYYY-MM-DD.'),
    to: PolicyDate.describe('Last day without lessons (inclusive), YYYY-MM-DD; the same as from for one day.'),
    name: z.string().max(120).optional().describe('What the days are, e.g. "Herfstvakantie": a note for whoever reads the policy.'),
  })
  .refine((range) => range.to >= range.from, { message: '"to" must not be before "from"', path: ['to'], params: codedParams('date-to-before-from'), ...whenValid(['from', 'to']) })
  .describe('The object form of an entry, {"from", "to", "name"}: accepted from Firefox and from older policies; Chrome and Edge drop it, so write the string form there.');

const PolicyNoLessonDate = z
  .union([NoLessonDateString, NoLessonDateObject], { error: DATE_ENTRY_HELP })
  .describe('A date, or a range of dates (inclusive), optionally named: "2026-04-27 Koningsdag", "2025-10-18/2025-10-26 Herfstvakantie".');

// ---------------------------------------------------------------------------
// Classes and the class feed.

/** Class ids go into the feed URL as they are, so they stay URL-safe. */
const ClassId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, coded('class-id', 'a class id is 1 to 32 letters, digits, "-", "_" or ".", starting with a letter or digit, e.g. "2B" or "groep-7"'))
  .describe('A class id, e.g. "2B", "H4a" or "groep-7".');

const CLASS_PLACEHOLDER = '{class}';
/** Hosts where a plain-http feed is allowed: a developer's or a test's own machine. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1']);

/** Why a class feed URL template is unusable, or null when it is fine. */
function urlTemplateProblem(template: string): { code: ProblemCode; message: string } | null {
  if (!template.includes(CLASS_PLACEHOLDER)) {
    return { code: 'feed-url-placeholder', message: `the address must contain ${CLASS_PLACEHOLDER} where the class id goes, e.g. https://lesmodus.school.nl/feed/${CLASS_PLACEHOLDER}.json` };
  }
  const marker = 'lesmodusclassplaceholder';
  let url: URL;
  try {
    url = new URL(template.split(CLASS_PLACEHOLDER).join(marker));
  } catch {
    return { code: 'feed-url-invalid', message: 'not a web address: write it in full, e.g. https://lesmodus.school.nl/feed/{class}.json' };
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return { code: 'feed-url-http', message: 'use https:// (http:// only for localhost or 127.0.0.1, for testing)' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { code: 'feed-url-scheme', message: 'use an https:// address' };
  if (url.username !== '' || url.password !== '') {
    return { code: 'feed-url-credentials', message: 'no user name or password in the address: put the write credentials in classFeed.authorization (teacher devices only)' };
  }
  if (url.hostname.includes(marker)) return { code: 'feed-url-placeholder-host', message: `${CLASS_PLACEHOLDER} must be in the path or the query, not in the host name` };
  if (!url.pathname.includes(marker) && !url.search.includes(marker)) {
    return { code: 'feed-url-placeholder-fragment', message: `${CLASS_PLACEHOLDER} must be in the path or the query: a #fragment is never sent to the server` };
  }
  return null;
}

const ClassFeedSchema = z
  .object({
    urlTemplate: z
      .string()
      .superRefine((template, ctx) => {
        const problem = urlTemplateProblem(template);
        if (problem !== null) ctx.addIssue(codedIssue(problem.code, problem.message));
      })
      .describe('Address of a class\'s lesson document, with {class} where the class id goes: https://, or http:// for localhost/127.0.0.1 only.'),
    authorization: z
      .string()
      .min(1)
      .max(4096)
      .regex(/^[^\r\n]*$/, coded('single-line', 'must be a single line'))
      .meta({ sensitiveValue: true })
      .optional()
      .describe('Teacher devices only: the Authorization header sent with each PUT that publishes a lesson, e.g. "Bearer …".'),
    pollSeconds: z
      .number()
      .int()
      .min(10, 'poll at most every 10 seconds')
      .max(600, 'poll at least every 600 seconds (10 minutes)')
      .default(30)
      .describe('How often student devices fetch the class feed, in seconds (10 to 600).'),
  });

// ---------------------------------------------------------------------------
// Keys. Lessons in the class feed are signed with ECDSA P-256; students check
// them against the public keys IT lists. Keys are JSON Web Keys (RFC 7518), as
// WebCrypto exports them.

/** base64url of a 32-byte P-256 coordinate or scalar, without padding. */
const KEY_PART_RE = /^[A-Za-z0-9_-]{43}$/;
const KeyPart = (what: string) => z.string().regex(KEY_PART_RE, coded('key-part', `${what}: 43 base64url characters (32 bytes) expected`, [what]));

/** P-256 curve: y² = x³ - 3x + b (mod p). */
const P256_P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const P256_B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function base64UrlToBigInt(text: string): bigint {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  let hex = '0x0';
  for (let index = 0; index < binary.length; index++) hex += binary.charCodeAt(index).toString(16).padStart(2, '0');
  return BigInt(hex);
}

function mod(value: bigint): bigint {
  const rest = value % P256_P;
  return rest < 0n ? rest + P256_P : rest;
}

/** True when (x, y) is a point of P-256: catches keys that were cut short or mixed up when copied. */
function isOnP256(x: string, y: string): boolean {
  const px = base64UrlToBigInt(x);
  const py = base64UrlToBigInt(y);
  if (px >= P256_P || py >= P256_P) return false;
  return mod(py * py) === mod(px * px * px - 3n * px + P256_B);
}

const EcKeyFields = {
  kty: z.literal('EC', { error: 'kty must be "EC"' }).describe('Always "EC".'),
  crv: z.literal('P-256', { error: 'crv must be "P-256"' }).describe('Always "P-256".'),
  x: KeyPart('x').describe('The x coordinate, base64url.'),
  y: KeyPart('y').describe('The y coordinate, base64url.'),
  // Members WebCrypto and other tools add when they export a key: declared so
  // that a key pasted as exported is accepted as it is, without warnings.
  alg: z.literal('ES256', { error: 'alg, when given, must be "ES256"' }).optional().describe('Optional; "ES256" when given.'),
  use: z.literal('sig', { error: 'use, when given, must be "sig"' }).optional().describe('Optional; "sig" when given.'),
  key_ops: z.array(z.string()).optional().describe('Optional; ignored.'),
  ext: z.boolean().optional().describe('Optional; ignored.'),
};

function checkOnCurve(key: { x: string; y: string }, ctx: z.RefinementCtx): void {
  // A malformed coordinate has its own error already.
  if (!KEY_PART_RE.test(key.x) || !KEY_PART_RE.test(key.y)) return;
  if (!isOnP256(key.x, key.y)) ctx.addIssue(codedIssue('not-on-curve', 'x and y are not a point of P-256: was the key copied in full?', [], ['x']));
}

const PublicJwkSchema = z
  .object({
    ...EcKeyFields,
    // Declared (not just rejected) so that Chrome hands it over and the device
    // reports it too: a private key pasted where the public one belongs would
    // give every student the power to sign lessons.
    d: z.string().optional().describe('Must be absent: a public key has no "d".'),
    kid: z.string().optional().describe('Optional; the key\'s id is the id beside publicKey.'),
  })
  .superRefine((key, ctx) => {
    if (key.d !== undefined) ctx.addIssue(codedIssue('private-key', 'this is a private key: remove "d" and list only the public key', [], ['d']));
    checkOnCurve(key, ctx);
  })
  .describe('The public key as a JSON Web Key: {"kty": "EC", "crv": "P-256", "x": …, "y": …}.');

const KeyId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, coded('key-id', 'a key id is 1 to 64 letters, digits, "-", "_" or "."'));

const TeacherKeySchema = z
  .object({
    id: KeyId.describe('Short unique id of the key; signed lessons name it.'),
    name: z.string().trim().min(1, coded('key-name', 'give the key a name, e.g. the teacher\'s name')).max(120).describe('Whose key this is, shown on the status page, e.g. "J. de Vries".'),
    publicKey: PublicJwkSchema,
    classes: z
      .array(ClassId)
      .min(1, coded('key-classes-empty', 'list at least one class, or leave classes out to let the key sign for every class'))
      .max(500)
      .superRefine((classes, ctx) => duplicates(classes, (id) => id, ctx, (index) => [index], 'class', 'duplicate-class'))
      .optional()
      .describe('The classes this key may sign lessons for, e.g. ["2B", "3A"]; a lesson it signs for another class is refused. Absent: every class.'),
  })
  .describe('A teacher\'s (or the school\'s) public signing key.');

const SchoolSigningKeySchema = z
  .object({
    ...EcKeyFields,
    d: KeyPart('d').describe('The private scalar, base64url.'),
    kid: KeyId.describe('The id under which student devices list the public half in teacherKeys.'),
  })
  .superRefine(checkOnCurve)
  .meta({ sensitiveValue: true });

// ---------------------------------------------------------------------------
// Site categories. A list of entries with an id, like presets and keys: an
// object keyed by category id would need a schema Chrome cannot declare for
// every id IT may choose.

/** A site in a category: a valid pattern that names a site (not `*`, not a whole top-level domain). */
const CategorySite = SitePatternString.superRefine((value, ctx) => {
  const result = parsePattern(value);
  if (!result.ok) return;
  const problem = categoryEntryProblem(value, result.pattern);
  if (problem !== null) ctx.addIssue(codedIssue(problem.code, problem.message, problem.params));
});

const CategorySites = z.array(CategorySite).max(5000);

const CategoryName = z.string().trim().min(1).max(80);

const PolicyCategorySchema = z
  .object({
    id: z
      .string()
      .regex(CATEGORY_ID_RE, coded('category-id', 'a category id is lower-case letters, digits and "-", starting with a letter, e.g. "ai"'))
      .describe('"ai", "social", "games" or "video" to change a category Lesmodus ships; any other id (lower-case letters, digits, "-") for a category of the school\'s own, e.g. "exam-cheats".'),
    name: z
      .object({ en: CategoryName.describe('The name in English.'), nl: CategoryName.describe('The name in Dutch.') })
      .optional()
      .describe('A category of the school\'s own: the name teachers and students see ("Exam help" is off in this lesson).'),
    sites: CategorySites.optional().describe('A category of the school\'s own: its sites (Chrome URLBlocklist syntax; no "*", no whole top-level domain).'),
    add: CategorySites.optional().describe('A shipped category: sites added to Lesmodus\'s list.'),
    replace: CategorySites.optional().describe('A shipped category: sites that replace Lesmodus\'s list.'),
    aboveAllowed: z
      .boolean()
      .optional()
      .describe(
        'true: while a lesson blocks the category, it blocks sites in allowed too (the more specific pattern wins, allowed on a tie), and no teacher can let them through. Absent: allowed sites stay open.',
      ),
  })
  .superRefine((entry, ctx) => {
    if (typeof entry.id !== 'string' || !CATEGORY_ID_RE.test(entry.id)) return;
    if (isBuiltinCategory(entry.id)) {
      const changes = [entry.add, entry.replace].filter((list) => list !== undefined).length;
      // `aboveAllowed` alone is a change too: the shipped list, set above IT's allowed sites.
      if (entry.sites !== undefined || entry.name !== undefined || changes > 1 || (changes === 0 && entry.aboveAllowed === undefined)) {
        ctx.addIssue(
          codedIssue(
            'category-shipped-change',
            `"${entry.id}" is a category Lesmodus ships: change it with "add" (sites added to its list) or "replace" (a list of your own instead), one of the two, and/or "aboveAllowed"; its name stays Lesmodus's`,
            [entry.id],
          ),
        );
      }
    } else if (entry.name === undefined || entry.sites === undefined || entry.add !== undefined || entry.replace !== undefined) {
      ctx.addIssue(
        codedIssue(
          'category-own-needs',
          `"${entry.id}" is a category of your own: give it a "name" (en and nl) and "sites"; "add" and "replace" change the categories Lesmodus ships (ai, social, games, video)`,
          [entry.id],
        ),
      );
    }
  })
  .describe('A change to a category Lesmodus ships, or a category of the school\'s own.');

/** Reports each category id a preset names that is not in the catalog, at presets.N.categories.M. */
function checkPresetCategories(policy: { presets: ReadonlyArray<{ categories?: readonly string[] | undefined }>; categories: z.output<typeof PolicyCategorySchema>[] }, ctx: z.RefinementCtx): void {
  const catalog = categoryCatalog(policy.categories);
  policy.presets.forEach((preset, index) => {
    preset.categories?.forEach((id, at) => {
      if (!catalog.has(id)) {
        ctx.addIssue(codedIssue('category-unknown', `no category with id "${id}": the shipped ones are ai, social, games and video; add your own under categories`, [id], ['presets', index, 'categories', at]));
      }
    });
  });
}

// ---------------------------------------------------------------------------

/** Reports each entry of a list whose key an earlier entry already used, at the path `pathOf(index)`. */
function duplicates<T>(
  items: readonly T[],
  keyOf: (item: T) => unknown,
  ctx: z.RefinementCtx,
  pathOf: (index: number) => Array<string | number>,
  what: string,
  code: ProblemCode,
): void {
  if (!Array.isArray(items)) return;
  const seen = new Set<string>();
  items.forEach((item, index) => {
    // An entry that is itself malformed (and reported as such) has no key to compare.
    const key = item === null || item === undefined ? undefined : keyOf(item);
    if (typeof key !== 'string') return;
    if (seen.has(key)) ctx.addIssue(codedIssue(code, `${what} "${key}" is listed twice`, [key], pathOf(index)));
    seen.add(key);
  });
}

export const PolicySchema = z
  .object({
    blocked: z.array(SitePatternString).default([]).describe('Sites blocked for everyone, always: nobody in the classroom can lift this. Chrome URLBlocklist syntax.'),
    allowed: z
      .array(SitePatternString)
      .default([])
      .describe('Sites reachable in every lesson (sign-in, the school\'s systems). The more specific of allowed and blocked wins; on a tie, allowed.'),
    embeds: z.array(SitePatternString).default([]).describe('Sites allowed inside pages (frames) in every lesson, never as a page of their own: video players such as youtube-nocookie.com.'),
    presets: z.array(PolicyPresetSchema).default([]).describe('Lesson presets for teachers and the timetable.'),
    categories: z
      .array(PolicyCategorySchema)
      .max(50)
      .default([])
      .superRefine((entries, ctx) => duplicates(entries, (entry) => entry.id, ctx, (index) => [index, 'id'], 'category id', 'duplicate-category-id'))
      .describe(
        'Site categories that teachers switch off for a lesson in one click. Lesmodus ships ai, social, games and video; here IT adds sites to one ({"id": "ai", "add": [...]}), replaces one\'s list ({"id": "video", "replace": [...]}), or defines its own ({"id": "exam-cheats", "name": {"en": ..., "nl": ...}, "sites": [...]}).',
      ),
    timeZone: TimeZone.default('Europe/Amsterdam').describe('IANA time zone of the timetable and the dates without lessons.'),
    schedule: z.array(PolicyPeriodSchema).default([]).describe('The timetable: recurring periods that apply a preset when no teacher lesson is active. Where periods overlap, the first wins.'),
    noLessonDates: z.array(PolicyNoLessonDate).default([]).describe('Days without timetable lessons (holidays, study days): "YYYY-MM-DD" or "YYYY-MM-DD/YYYY-MM-DD", optionally followed by a name.'),
    outsideLessons: z.string().min(1).optional().describe('Id of the preset in force outside lessons; open browsing (only blocked applies) when absent.'),
    teacherPin: PolicyPinHashSchema.meta({ sensitiveValue: true })
      .optional()
      .describe(
        'PBKDF2-SHA256 hash of the teacher PIN or password, made with `npm run policy -- pin`. Required on student devices, which take the PIN from the policy only. When absent on a teacher device, the teacher sets one on the device.',
      ),
    allowBlocklistLessons: z.boolean().default(true).describe('Whether teachers may start blocklist lessons (only some sites blocked) as well as allowlist lessons.'),
    maxLessonMinutes: z.number().int().min(5).max(24 * 60).default(240).describe('The longest lesson a teacher may set, in minutes (5 to 1440).'),
    showBlockedAddress: z.boolean().default(true).describe('Whether the blocked page shows the address that was blocked.'),
    schoolType: z
      .enum(['primary', 'secondary'], { error: 'schoolType is "primary" or "secondary"' })
      .optional()
      .describe(
        'How the Dutch screens name the teacher: "primary" says leerkracht (basisonderwijs), "secondary" says docent (voortgezet onderwijs); when absent, the neutral leraar. English always says teacher.',
      ),
    role: z
      .enum(['student', 'teacher'], { error: 'role is "student" or "teacher"' })
      .default('student')
      .describe('"student": the device follows its classes\' lessons from the class feed. "teacher": the device publishes lessons to the class feed.'),
    classes: z
      .array(ClassId)
      .max(50)
      .default([])
      .superRefine((classes, ctx) => duplicates(classes, (id) => id, ctx, (index) => [index], 'class', 'duplicate-class'))
      .describe('Student devices: the classes whose lessons this device follows. Teacher devices: the classes this teacher publishes lessons for.'),
    classFeed: ClassFeedSchema.optional().describe(
      'Where teachers publish signed lessons for their classes and student devices fetch them: any server that stores a PUT and serves it back with an ETag.',
    ),
    teacherKeys: z
      .array(TeacherKeySchema)
      .max(500)
      .default([])
      .superRefine((keys, ctx) => duplicates(keys, (key) => key.id, ctx, (index) => [index, 'id'], 'key id', 'duplicate-key-id'))
      .describe('Public keys whose signed lessons student devices accept from the class feed.'),
    schoolSigningKey: SchoolSigningKeySchema.optional().describe(
      'Teacher devices only, for schools that prefer one school key to a key per teacher: the private P-256 JSON Web Key that signs lessons (npm run policy -- key). Its public half goes into the students\' teacherKeys under id kid.',
    ),
  })
  .superRefine(
    (policy, ctx) => {
      duplicates(policy.presets, (preset) => preset.id, ctx, (index) => ['presets', index, 'id'], 'preset id', 'duplicate-preset-id');
      const presetIds = new Set(policy.presets.map((preset) => preset.id));
      policy.schedule.forEach((period, index) => {
        if (!presetIds.has(period.preset)) ctx.addIssue(codedIssue('preset-unknown', `no preset with id "${period.preset}"`, [period.preset], ['schedule', index, 'preset']));
      });
      if (policy.outsideLessons !== undefined && !presetIds.has(policy.outsideLessons)) {
        ctx.addIssue(codedIssue('preset-unknown', `no preset with id "${policy.outsideLessons}"`, [policy.outsideLessons], ['outsideLessons']));
      }
    },
    whenValid(['presets', 'schedule', 'outsideLessons']),
  )
  .superRefine(checkPresetCategories, whenValid(['presets', 'categories']))
  .superRefine(
    (policy, ctx) => {
      const student = policy.role === 'student';
      if (policy.classes.length > 0 && policy.classFeed === undefined) {
        ctx.addIssue(codedIssue('classes-without-feed', 'classes are only used with a classFeed: add one, or remove classes', [], ['classFeed']));
      }
      if (student && policy.classFeed?.authorization !== undefined) {
        ctx.addIssue(
          codedIssue(
            'authorization-on-student',
            'only teacher devices publish: a student who reads this value (chrome://policy, the policy file) could overwrite the class feed. Push it only to teacher devices',
            [],
            ['classFeed', 'authorization'],
          ),
        );
      }
      if (student && policy.schoolSigningKey !== undefined) {
        ctx.addIssue(
          codedIssue(
            'school-key-on-student',
            'a private key on a student device lets students sign lessons: push it only to teacher devices, and list its public half in teacherKeys',
            [],
            ['schoolSigningKey'],
          ),
        );
      }
      if (student && policy.classes.length > 0 && policy.teacherKeys.length === 0) {
        ctx.addIssue(codedIssue('teacher-keys-missing', 'student devices accept only lessons signed with a key listed here: list at least one', [], ['teacherKeys']));
      }
      const school = policy.schoolSigningKey;
      const listed = school === undefined ? undefined : policy.teacherKeys.find((key) => key.id === school.kid);
      if (school !== undefined && listed !== undefined && (listed.publicKey.x !== school.x || listed.publicKey.y !== school.y)) {
        ctx.addIssue(codedIssue('school-key-mismatch', `teacherKeys lists a different public key under id "${school.kid}"`, [school.kid], ['schoolSigningKey', 'kid']));
      }
    },
    whenValid(['role', 'classes', 'classFeed', 'teacherKeys', 'schoolSigningKey']),
  );

export type Policy = z.infer<typeof PolicySchema>;

/**
 * What a device of the policy's role needs beyond a valid policy, as
 * problems at their field paths. `npm run policy -- check` fails a policy
 * with any of them; a device still applies such a policy (refusing it would
 * leave the device on an older policy or none at all, with browsing open),
 * and where a requirement protects the device it fails closed by itself: a
 * student device without a teacherPin has no PIN, and no teacher panel.
 */
export function deviceRequirements(policy: Policy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const pin = policy.teacherPin;
  const student = policy.role === 'student';
  if (student && pin === undefined) {
    problems.push({
      path: 'teacherPin',
      message:
        'a student device (role "student", the default) takes the teacher PIN from the policy only, so that no student can choose it by clicking Teacher first: make one with npm run policy -- pin. Without it no teacher can unlock Lesmodus on these devices',
    });
  }
  if (pin === undefined) return problems;
  if (pin.iterations < PIN_ITERATIONS) {
    problems.push({
      path: 'teacherPin.iterations',
      message: `${pin.iterations} iterations make guessing the PIN from its hash ${Math.round(PIN_ITERATIONS / pin.iterations)} times cheaper than the ${PIN_ITERATIONS} Lesmodus asks for: make a new entry with npm run policy -- pin`,
    });
  }
  if (student && pin.strength === undefined) {
    problems.push({
      path: 'teacherPin.strength',
      message: `a student device needs a teacher PIN of at least ${MIN_PIN_DIGITS} digits or ${MIN_PIN_CHARACTERS} characters, and this entry does not say how strong its PIN is: make a new one with npm run policy -- pin, which checks the PIN and declares it`,
    });
  } else if (student && pin.strength !== undefined && !strongEnough(pin.strength)) {
    problems.push({
      path: 'teacherPin.strength',
      message: `${weakPinProblem(pin.strength)}. Anyone who can read the policy can read this hash: choose a stronger PIN and make a new entry with npm run policy -- pin`,
    });
  }
  return problems;
}

/** The policy in force when IT has pushed none: open browsing, nothing blocked. */
export const EMPTY_POLICY: Policy = PolicySchema.parse({});

export interface PolicyProblem {
  /** Dotted field path, e.g. `schedule.2.start`; `(root)` for the policy as a whole. */
  readonly path: string;
  /** In English: for the command line, the diagnostics and searching. */
  readonly message: string;
  /** For the UI to word the problem in the reader's language (see problem-codes.ts); absent when there is none. */
  readonly code?: ProblemCode;
  /** The values the message names, in order, for the worded text. */
  readonly params?: readonly string[];
}

/**
 * The outcome of checking IT's policy. Warnings are what the policy in force
 * does differently from what IT wrote, loudly: list entries left out or
 * widened, an allowed list that lifts every block. `policy check` prints them
 * and the status page lists them.
 */
export type PolicyResult =
  | { readonly ok: true; readonly policy: Policy; readonly warnings: ReadonlyArray<PolicyProblem> }
  | { readonly ok: false; readonly errors: ReadonlyArray<PolicyProblem>; readonly warnings: ReadonlyArray<PolicyProblem> };

/**
 * Keys that name the machinery of JavaScript objects, not policy fields: a
 * policy `{"__proto__": {"Value": …}}` would change what every other field
 * reads. Refused wherever they appear.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Every forbidden key in the document, at its dotted path. A policy is JSON,
 * whose arrays have no keys but their indices: of an array only the objects
 * in it are looked into, so a 50,000-entry list costs one pass over it.
 */
function forbiddenKeys(value: unknown, path: string[] = [], found: PolicyProblem[] = [], depth = 0): PolicyProblem[] {
  if (typeof value !== 'object' || value === null || depth > 64) return found;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      if (typeof item === 'object' && item !== null) forbiddenKeys(item, [...path, String(index)], found, depth + 1);
    }
    return found;
  }
  for (const key of Object.keys(value)) {
    const at = [...path, key];
    if (FORBIDDEN_KEYS.has(key)) found.push({ path: at.join('.'), message: `"${key}" is not a policy field and is refused: remove it`, code: 'forbidden-key', params: [key] });
    else forbiddenKeys((value as Record<string, unknown>)[key], at, found, depth + 1);
  }
  return found;
}

/**
 * Google Admin console's "Policy for extensions" takes each field wrapped as
 * `{"field": {"Value": …}}`. Unwraps every top-level field written that way
 * and leaves the others (and anything that is not an object) as they are, so
 * a policy copied from the Admin console validates like the plain form. The
 * result has no prototype, so no key of IT's can reach one.
 */
export function unwrapAdminConsole(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw)) {
    Object.defineProperty(out, key, {
      value: isPlainObject(value) && Object.keys(value).length === 1 && Object.hasOwn(value, 'Value') ? value.Value : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** IT's site lists, each an array of site patterns. */
const SITE_LISTS = ['blocked', 'allowed', 'embeds'] as const;
type SiteListField = (typeof SITE_LISTS)[number];

/** Chrome reads the first 1,000 entries of URLAllowlist and ignores the rest; so does Lesmodus for `allowed`. */
export const MAX_ALLOWED_ENTRIES = 1000;

/** Only a `*`-like pattern or one with a scheme can be warned about (readSiteLists' warnIfUnmeant). */
function mayWarn(pattern: SitePattern): boolean {
  return pattern.anyHost || pattern.scheme !== null;
}

/**
 * For each list of patterns a site list was read into, the indices of those
 * that {@link mayWarn}: a stretch of them taken into the next version of the
 * list is warned about without looking at each of its 50,000 patterns.
 */
const mayWarnAt = new WeakMap<readonly SitePattern[], readonly number[]>();

function mayWarnIn(patterns: readonly SitePattern[]): readonly number[] {
  let found = mayWarnAt.get(patterns);
  if (found === undefined) {
    const indices: number[] = [];
    for (let index = 0; index < patterns.length; index += 1) if (mayWarn(patterns[index]!)) indices.push(index);
    mayWarnAt.set(patterns, (found = indices));
  }
  return found;
}

/**
 * IT's site lists as Lesmodus enforces them, with a warning for each entry
 * it reads otherwise than written. Chrome drops an entry it cannot read and
 * keeps the rest of the policy; refusing the whole policy instead would, on a
 * device without an earlier good policy, leave browsing open (blocking less
 * than Chrome), and elsewhere keep an older policy in force. So:
 *
 * - `allowed` and `embeds`: an unreadable entry is left out (allowing less,
 *   never more, than Chrome). Past the 1,000th, `allowed` entries are left
 *   out too, as Chrome leaves them out.
 * - `blocked`: an unreadable entry blocks the whole site it names, which
 *   covers whatever Chrome would block for it (Chrome blocks nothing for
 *   `*.tiktok.com` or `school.nl/login/..`); without a site to name it is
 *   left out, as Chrome leaves it out.
 *
 * Entries that are not strings stay, and fail the schema as before.
 *
 * With `previous`, a policy validated before, an entry written as the
 * previous list has it at the same place from the start or from the end
 * takes its pattern from there instead of being parsed again (its warnings
 * are still given): IT's change to a 50,000-entry list is usually a few
 * entries, and each of the others would give the same pattern. Only the
 * entries between the first and the last difference are parsed; the result
 * is the same as without `previous`.
 */
function readSiteLists(policy: Record<string, unknown>, previous: Policy | undefined): { lists: Record<string, unknown>; valid: Map<SiteListField, string[]>; warnings: PolicyProblem[] } {
  const lists: Record<string, unknown> = {};
  const valid = new Map<SiteListField, string[]>();
  const warnings: PolicyProblem[] = [];
  for (const field of SITE_LISTS) {
    const entries: unknown = policy[field];
    if (!Array.isArray(entries)) continue;
    // The list as read: IT's own array while every entry so far is kept as written (the usual case, and no
    // copy of 50,000 entries), a copy from the first entry that is not.
    let kept: unknown[] | null = null;
    let patterns: SitePattern[] = [];
    let allValid = true;
    // The previous list's entries at the same place from the start (before `head`) or the end (from `tail`).
    const before: readonly string[] = previous?.[field] ?? [];
    const known = patternsOneForOne(before);
    /** Where in `patterns` a pattern that may be warned about is. */
    const warnable: number[] = [];
    const same = known === undefined ? { head: 0, tail: 0 } : sameEnds(entries, before);
    const head = same.head;
    const tail = entries.length - same.tail;
    const warnIfUnmeant = (index: number, entry: string, pattern: SitePattern): void => {
      if (field !== 'blocked' && matchesEverything(pattern)) {
        warnings.push({
          path: `${field}.${index}`,
          message: field === 'allowed'
            ? `"${entry.trim()}" allows every site: nothing IT blocks is blocked, and no allowlist lesson holds. Remove it unless that is what you mean`
            : `"${entry.trim()}" lets every site show inside pages in every allowlist lesson. Remove it unless that is what you mean`,
        });
      } else if (!judgesWebPages(pattern)) {
        warnings.push({ path: `${field}.${index}`, message: `"${entry.trim()}" names no web page (http or https), which is all Lesmodus judges: it has no effect here. Keep such entries in Chrome's own URLBlocklist or URLAllowlist` });
      }
    };
    /**
     * Entries start..end, which the previous list has as they are from `from` on: their patterns as they
     * were (an entry the previous list has as written was a valid pattern there; one it widened is the
     * widened site, itself a valid pattern).
     */
    const reuse = (start: number, end: number, from: number): void => {
      if (end <= start) return;
      const at = patterns.length;
      // Whole stretches at a time: a copy of 50,000 references is one call, not 50,000 pushes.
      const taken = known!.slice(from, from + end - start);
      patterns = at === 0 ? taken : patterns.concat(taken);
      if (kept !== null) kept = kept.concat(entries.slice(start, end));
      // Of the stretch, only the few patterns that may be warned about are looked at.
      for (const index of mayWarnIn(known!)) {
        if (index < from || index >= from + taken.length) continue;
        warnable.push(at + index - from);
        warnIfUnmeant(start + index - from, entries[start + index - from] as string, known![index]!);
      }
    };
    /** One entry, read and parsed on its own. */
    const readEntry = (index: number): void => {
      const entry: unknown = entries[index];
      if (typeof entry !== 'string') {
        kept?.push(entry);
        allValid = false;
        return;
      }
      if (field === 'allowed' && index >= MAX_ALLOWED_ENTRIES) {
        kept ??= entries.slice(0, index);
        if (index === MAX_ALLOWED_ENTRIES) {
          warnings.push({ path: `${field}.${index}`, message: `left out, with the ${entries.length - MAX_ALLOWED_ENTRIES - 1} entries after it: Chrome reads only the first ${MAX_ALLOWED_ENTRIES} entries of an allowed list, and so does Lesmodus` });
        }
        return;
      }
      const result = parsePattern(entry);
      if (result.ok) {
        const pattern = result.pattern;
        kept?.push(entry);
        if (mayWarn(pattern)) warnable.push(patterns.length);
        patterns.push(pattern);
        warnIfUnmeant(index, entry, pattern);
        return;
      }
      const site = field === 'blocked' ? siteOf(entry) : null;
      const widened = site === null ? null : parsePattern(site);
      kept ??= entries.slice(0, index);
      if (site !== null && widened !== null) {
        kept.push(site);
        if (widened.ok) {
          if (mayWarn(widened.pattern)) warnable.push(patterns.length);
          patterns.push(widened.pattern);
        } else {
          allValid = false;
        }
        warnings.push({ path: `${field}.${index}`, message: `${result.error}. Until this is corrected, all of ${site} is blocked` });
      } else {
        warnings.push({ path: `${field}.${index}`, message: `${result.error}. This entry is left out; the rest of the policy applies` });
      }
    };
    // This runs for every entry of a 50,000-entry list: the stretches the previous version has as they are
    // take its patterns as whole slices, and only the rest is read entry by entry, in order. Past the
    // entries `allowed` reads, every entry is read on its own (they are left out, with one warning).
    const limit = field === 'allowed' ? Math.min(entries.length, MAX_ALLOWED_ENTRIES) : entries.length;
    const headEnd = Math.min(head, limit);
    const tailStart = Math.min(Math.max(tail, headEnd), limit);
    reuse(0, headEnd, 0);
    for (let index = headEnd; index < tailStart; index += 1) readEntry(index);
    reuse(tailStart, limit, before.length - (entries.length - tailStart));
    for (let index = limit; index < entries.length; index += 1) readEntry(index);
    lists[field] = kept ?? entries;
    if (allValid) {
      // Every entry is a string and a valid pattern: what the schema checks, done. Parsed here, the
      // patterns are not parsed again to compile the rules (parsedPatterns finds them by the list).
      const list = (kept ?? entries) as string[];
      rememberPatterns(list, patterns);
      mayWarnAt.set(patterns, warnable);
      valid.set(field, list);
    }
  }
  return { lists, valid, warnings };
}

/** True when at least one top-level field is in the Admin console's `{"Value": …}` form. */
export function isAdminConsoleWrapped(raw: unknown): boolean {
  return isPlainObject(raw) && Object.values(raw).some((value) => isPlainObject(value) && Object.keys(value).length === 1 && 'Value' in value);
}

type Issue = z.core.$ZodIssue;

/**
 * A union's issue lists every branch's problems. When the value had the type
 * of exactly one branch (a string where "string or object" was expected),
 * that branch's problems are the ones that help; otherwise the union's own
 * message says what was expected.
 */
function flatten(issues: readonly Issue[], prefix: ReadonlyArray<PropertyKey> = []): Array<{ path: ReadonlyArray<PropertyKey>; message: string; coded: ReturnType<typeof problemCodeOf> }> {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const typed = issue.errors.filter((branch) => !branch.some((sub) => sub.code === 'invalid_type' && (sub.path?.length ?? 0) === 0));
      if (typed.length === 1) return flatten(typed[0]!, path);
    }
    const coded = problemCodeOf(issue);
    // zod words a missing field as "expected string, received undefined".
    if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return [{ path, message: `required: ${issue.expected} missing`, coded }];
    // zod's generic prefix adds nothing next to a field path.
    return [{ path, message: issue.message.replace(/^Invalid input: /, ''), coded }];
  });
}

/**
 * Validates a policy as IT wrote it (plain, or in the Admin console's wrapped
 * form). Every problem is reported with its dotted field path and a reason
 * an IT admin can act on; an invalid policy is never applied in part.
 *
 * `previous`, a policy validated before (the one in force), changes nothing
 * in the result: entries its site lists have in the same place are not
 * parsed again (see readSiteLists).
 */
export function parsePolicy(raw: unknown, previous?: Policy): PolicyResult {
  let parsed: ReturnType<typeof PolicySchema.safeParse>;
  let warnings: PolicyProblem[] = [];
  try {
    const forbidden = forbiddenKeys(raw);
    if (forbidden.length > 0) return { ok: false, errors: forbidden, warnings };
    const unwrapped = unwrapAdminConsole(raw);
    let input = unwrapped;
    let checked = new Map<SiteListField, string[]>();
    if (isPlainObject(unwrapped)) {
      const read = readSiteLists(unwrapped, previous);
      warnings = read.warnings;
      checked = read.valid;
      const lists = Object.assign(Object.create(null) as Record<string, unknown>, unwrapped, read.lists);
      // A list that readSiteLists found valid entry by entry is not checked by the schema a second time:
      // for a 50,000-entry list zod's work per entry costs more than the check itself. The schema checks
      // the rest (none of its checks reads a site list), and the lists join its result.
      for (const field of checked.keys()) delete lists[field];
      input = lists;
    }
    parsed = PolicySchema.safeParse(input);
    if (parsed.success) for (const [field, list] of checked) parsed.data[field] = list;
  } catch (error) {
    // A check that throws on some odd input must not take the caller down
    // with it: the policy is then simply not valid, and says why.
    const reason = (error as Error).message;
    return { ok: false, errors: [{ path: '(root)', message: `the policy could not be checked: ${reason}`, code: 'unchecked', params: [reason] }], warnings };
  }
  if (parsed.success) return { ok: true, policy: parsed.data, warnings };
  return {
    ok: false,
    errors: flatten(parsed.error.issues).map(({ path, message, coded }) => ({
      path: path.map(String).join('.') || '(root)',
      message,
      ...(coded ? { code: coded.code, params: coded.params } : {}),
    })),
    warnings,
  };
}
