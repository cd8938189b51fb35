/**
 * The shapes of everything that crosses a boundary: lessons, presets, the
 * timetable, IT's policy and the state kept in storage. Types are inferred
 * from these schemas, never written twice.
 */
import { z } from 'zod';
import { codedIssue, codedParams, coded } from './problem-codes';
import { lessonSiteProblem, parsePattern } from './rules/patterns';
import { CATEGORY_ID_RE, MAX_LESSON_CATEGORIES } from './rules/categories/catalog';

// zod runs without eval in the extension: see src/zod-config.ts, which every
// bundle evaluates before this module.

/** A site pattern, checked with the same parser that matching uses. */
export const SitePatternString = z.string().superRefine((value, ctx) => {
  const result = parsePattern(value);
  if (!result.ok) ctx.addIssue(codedIssue(`pattern-${result.code}`, result.error, result.params));
});

export const LessonMode = z.enum(['allowlist', 'blocklist']);
export type LessonMode = z.infer<typeof LessonMode>;

/**
 * Why a lesson's sites cannot be, or null: an allowlist lesson whose sites
 * include `*` (or another pattern of every site) allows everything, which is
 * no lesson. A blocklist lesson may block `*`: everything but IT's allowed
 * sites, a lesson with nothing but those.
 */
export function lessonSitesProblem(mode: LessonMode, sites: readonly string[]): { index: number; message: string; problem: NonNullable<ReturnType<typeof lessonSiteProblem>> } | null {
  for (const [index, site] of sites.entries()) {
    const problem = typeof site === 'string' && parsePattern(site).ok ? lessonSiteProblem(site, mode) : null;
    if (problem !== null) return { index, message: problem.error, problem };
  }
  return null;
}

/** A test allows only its own sites: one that blocks some sites is no test. */
export const TEST_NEEDS_ALLOWLIST = 'a test allows only its own sites: make it an allowlist ("mode": "allowlist")';

/**
 * {@link lessonSitesProblem} as a zod check, reported at `sites.N`; and a
 * test that is not an allowlist, reported at `test`.
 */
export function checkLessonSites(value: { readonly mode: LessonMode; readonly sites: readonly string[]; readonly test?: unknown }, ctx: z.RefinementCtx): void {
  const problem = lessonSitesProblem(value.mode, value.sites);
  if (problem !== null) ctx.addIssue(codedIssue(`pattern-${problem.problem.code}`, problem.message, problem.problem.params, ['sites', problem.index]));
  if (value.test === true && value.mode !== 'allowlist') ctx.addIssue(codedIssue('test-allowlist', TEST_NEEDS_ALLOWLIST, [], ['test']));
}

/** An instant, in milliseconds since 1970 (UTC). */
const Instant = z.number().int().nonnegative();

const Title = z.string().trim().min(1, coded('title-missing', 'a title is needed')).max(120);

/** The fewest and most tabs a lesson can cap open tabs at (core/rules/tabs.ts says what the cap means). */
export const TAB_LIMIT_MIN = 1;
export const TAB_LIMIT_MAX = 20;
const TAB_LIMIT_HELP = coded('tab-limit', `a tab limit is a whole number from ${TAB_LIMIT_MIN} to ${TAB_LIMIT_MAX}; leave it out for no limit`, [String(TAB_LIMIT_MIN), String(TAB_LIMIT_MAX)]);

/** How many tabs may be open during a lesson; absent: no limit. */
export const TabLimit = z.number(TAB_LIMIT_HELP).int(TAB_LIMIT_HELP).min(TAB_LIMIT_MIN, TAB_LIMIT_HELP).max(TAB_LIMIT_MAX, TAB_LIMIT_HELP);
/**
 * A site category by id (`ai`, or one of IT's own). Whether the device knows
 * it is checked where the policy is at hand: the background for a teacher's
 * lesson, the policy for its presets (core/rules/categories/catalog.ts).
 */
export const CategoryRef = z.string().regex(CATEGORY_ID_RE, coded('category-id', 'a category id is lower-case letters, digits and "-", starting with a letter, e.g. "ai"'));

/** What a lesson restricts: shared by lessons and presets. */
const RuleSetFields = {
  title: Title,
  mode: LessonMode,
  /** Allowlist: the only sites (besides IT's allowed sites). Blocklist: the sites blocked. */
  sites: z.array(SitePatternString).max(1000).default([]),
  /** Sites that may appear inside a page (video players) but not as a page of their own. */
  embeds: z.array(SitePatternString).max(200).default([]),
  /** At most this many tabs open (those open before the lesson are kept); absent: no limit. */
  tabLimit: TabLimit.optional(),
  /** A test: the tab limit at its strictest, no new windows, nobody let through (core/rules/tabs.ts). */
  test: z.boolean().optional(),
  /**
   * Ids of the site categories the lesson blocks (`ai`, `social`, …), in
   * allowlist and blocklist lessons alike. Absent: none (as in lessons and
   * presets made before categories; read it with lessonCategories()).
   */
  categories: z.array(CategoryRef).max(MAX_LESSON_CATEGORIES).optional(),
};

export const LessonSchema = z
  .object({
    id: z.string().min(1).max(100),
    ...RuleSetFields,
    startsAt: Instant,
    endsAt: Instant,
    /** Opened once in a new tab when the lesson takes hold (class feed). */
    startPage: z.url({ protocol: /^https?$/ }).optional(),
  })
  .refine((lesson) => lesson.endsAt > lesson.startsAt, { message: 'a lesson must end after it starts', path: ['endsAt'] })
  .superRefine(checkLessonSites);
export type Lesson = z.infer<typeof LessonSchema>;

export const PresetSchema = z.object({
  id: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/, coded('id-characters', 'use letters, digits, "-", "_" or "." only')),
  ...RuleSetFields,
  /** Suggested length in minutes when a teacher starts this preset. */
  minutes: z.number().int().min(1).max(24 * 60).optional(),
});
export type Preset = z.infer<typeof PresetSchema>;

export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof Weekday>;

/** Local wall-clock time, HH:MM, 24-hour. */
const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, coded('time-format', 'write a time as HH:MM, for example 08:30'));

export const PeriodSchema = z
  .object({
    days: z.array(Weekday).min(1, 'name at least one weekday'),
    start: LocalTime,
    end: LocalTime,
    /** The preset that applies during the period. */
    preset: z.string().min(1),
    /** Shown to students instead of the preset's title, e.g. "2B maths". */
    title: Title.optional(),
  })
  .refine((period) => period.end > period.start, { message: 'a period must end after it starts, on the same day', path: ['end'] });
export type Period = z.infer<typeof PeriodSchema>;

/**
 * Days without lessons: a local date (YYYY-MM-DD), or a range of dates
 * (inclusive), optionally named. The policy validates them (policy.ts).
 */
export type NoLessonDate = string | { readonly from: string; readonly to: string; readonly name?: string };

export const TimeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, { message: 'not a time zone name such as Europe/Amsterdam', params: codedParams('time-zone') });

/** What the tool that made a PIN hash declares about the PIN: its length and whether it is digits only. */
export const PinStrengthSchema = z.object({
  length: z.number().int().min(1).max(1024),
  digitsOnly: z.boolean(),
});

/**
 * A PIN or password, stored only as a PBKDF2-SHA256 hash. The device
 * accepts 100,000 iterations and more, so that no policy in force stops
 * validating when Lesmodus is updated (a device would then fall back to no
 * policy at all); `npm run policy -- check` asks for 600,000
 * (core/policy/policy.ts, deviceRequirements).
 */
export const PinHashSchema = z.object({
  algorithm: z.literal('PBKDF2-SHA256'),
  iterations: z.number().int().min(100_000, 'use at least 100000 iterations').max(10_000_000),
  /** Base64. */
  salt: z.string().regex(/^[A-Za-z0-9+/]+=*$/, coded('base64', 'base64')).min(16),
  /** Base64, 32 bytes. */
  hash: z.string().regex(/^[A-Za-z0-9+/]+=*$/, 'base64').min(43),
  /** Written by `npm run policy -- pin` and by the device; absent in hashes made before. */
  strength: PinStrengthSchema.optional(),
});
export type PinHash = z.infer<typeof PinHashSchema>;

/** A temporary exception a teacher granted on this device from the blocked page. */
export const TemporaryAllowSchema = z.object({
  site: SitePatternString,
  until: Instant,
});
export type TemporaryAllow = z.infer<typeof TemporaryAllowSchema>;
