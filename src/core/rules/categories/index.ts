/**
 * Site categories shipped with Lesmodus: curated, versioned lists of sites
 * (AI chatbots, social media, games, video) that a lesson can block in one
 * go. Each list is a JSON file beside this module, in the same pattern
 * syntax as lesson sites, and says how it was compiled and when it was last
 * checked.
 *
 * The files are checked here when the module loads, with the same pattern
 * parser that matching uses, and with the curation rules that keep a list
 * short and honest: sorted, no entry another entry already covers, nothing
 * that would block every site or a whole top-level domain, and none of the
 * sites the list deliberately leaves out (`leftOut`, e.g. google.com in
 * `ai`) blocked by it. A list that breaks a rule throws with the file, the
 * entry and what is wrong; the unit tests load every shipped list, so that
 * never reaches a student's device.
 */
import { z } from 'zod';
import { matches, parsePattern, parseUrl, type SitePattern } from '../patterns';
import ai from './ai.json';
import games from './games.json';
import social from './social.json';
import video from './video.json';

// zod runs without eval in the extension: src/zod-config.ts, which every
// bundle evaluates first, configures it before these schemas parse the lists
// at load (configuring it here too would hide from tests a bundle without it).

/** The categories Lesmodus ships, in the order a list of them is shown. */
export const CATEGORY_IDS = ['ai', 'social', 'games', 'video'] as const;
export type CategoryId = (typeof CATEGORY_IDS)[number];
/** A category id, for the schemas of lessons, presets and the policy. */
export const CategoryIdSchema = z.enum(CATEGORY_IDS);

/** A date, YYYY-MM-DD, that exists on the calendar. */
const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'write a date as YYYY-MM-DD')
  .refine((value) => {
    const [year, month, day] = value.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }, 'not a calendar date');

/**
 * Why a site cannot be a category entry, beyond being a valid pattern, or
 * null: it must name at least a second-level name. `*` would block every
 * site and `com` every .com site; neither is a category entry. The shipped
 * files and the entries IT adds in its policy are held to this alike.
 */
export function categoryEntryProblem(value: string, pattern: SitePattern): { code: 'category-every-site' | 'category-whole-tld'; message: string; params: string[] } | null {
  if (pattern.anyHost) return { code: 'category-every-site', message: `"${value}": "*" is every site; a category names sites`, params: [value] };
  if (!pattern.host.includes('.')) return { code: 'category-whole-tld', message: `"${value}": "${pattern.host}" alone is a whole top-level domain; name a site in it`, params: [value, pattern.host] };
  return null;
}

/** A site in a shipped category: a pattern the lesson-site parser accepts, written without spaces, and a category entry. */
export const CategorySiteString = z.string().superRefine((value, ctx) => {
  const result = parsePattern(value);
  if (!result.ok) {
    ctx.addIssue({ code: 'custom', message: result.error });
    return;
  }
  const { pattern } = result;
  if (value !== pattern.source) ctx.addIssue({ code: 'custom', message: `"${value}": remove the spaces around it` });
  const problem = categoryEntryProblem(value, pattern);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem.message });
});

const Title = z.string().trim().min(1, 'a title is needed').max(80);

const LeftOutSchema = z.strictObject({
  site: CategorySiteString,
  reason: z.string().trim().min(1, 'say why the site is left out').max(300),
});

/**
 * The pattern of an entry; null for one {@link CategorySiteString} refuses
 * (zod runs the file's checks even then, so that every fault is named at once).
 */
function parsed(site: string): SitePattern | null {
  const result = parsePattern(site);
  return result.ok && !result.pattern.anyHost ? result.pattern : null;
}

function pathCovers(prefix: string, path: string): boolean {
  if (prefix === '' || path === prefix) return true;
  return path.startsWith(prefix) && (prefix.endsWith('/') || path.charAt(prefix.length) === '/');
}

/**
 * True when every URL `b` matches, `a` matches too: listing `b` beside `a`
 * adds nothing (`chat.openai.com` beside `openai.com`).
 */
export function patternCovers(a: SitePattern, b: SitePattern): boolean {
  if (!a.anyHost) {
    if (b.anyHost) return false;
    if (a.exact ? !(b.exact && b.host === a.host) : !(b.host === a.host || b.host.endsWith(`.${a.host}`))) return false;
  }
  if (a.scheme !== null && a.scheme !== b.scheme) return false;
  if (a.port !== null && a.port !== b.port) return false;
  if (!pathCovers(a.path, b.path)) return false;
  // Each condition of `a` is met by one of `b` that asks at least as much: a key alone by the same key
  // with any value, a prefix by a text that starts with it, and a plain `k=v` by the same text.
  return a.query.every((need) =>
    b.query.some((have) => {
      if (have.key !== need.key && !need.prefix) return false;
      if (need.prefix) return have.text.startsWith(need.text);
      if (need.value === null) return true;
      return !have.prefix && have.text === need.text;
    }),
  );
}

/** The address a left-out site is reached at: its host and path. */
function frontDoor(pattern: SitePattern): string {
  return `https://${pattern.host}${pattern.path === '' ? '/' : pattern.path}`;
}

export const CategoryFileSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and "-", starting with a letter'),
    title: z.strictObject({ en: Title, nl: Title }),
    /** The date the list's content last changed. */
    version: CalendarDate,
    /** The date every entry was last checked to still be the service it names. */
    checked: CalendarDate,
    /** How the list was compiled. */
    source: z.string().trim().min(1, 'say how the list was compiled').max(2000),
    sites: z.array(CategorySiteString).min(1, 'a category needs sites').max(1000),
    /** Sites deliberately not in the list, and why; the list must not block them. */
    leftOut: z.array(LeftOutSchema).max(100).default([]),
  })
  .superRefine((file, ctx) => {
    if (file.checked < file.version) ctx.addIssue({ code: 'custom', path: ['checked'], message: `checked (${file.checked}) is before version (${file.version}): a list is checked when it changes` });
    const patterns = file.sites.map(parsed);
    file.sites.forEach((site, i) => {
      const previous = file.sites[i - 1];
      if (previous !== undefined && previous >= site) {
        ctx.addIssue({ code: 'custom', path: ['sites', i], message: `"${site}" ${previous === site ? 'is listed twice' : `is out of order: sort the sites (it comes before "${previous}")`}` });
      }
      const own = patterns[i];
      if (own === null || own === undefined) return;
      patterns.forEach((other, j) => {
        if (other === null || j === i || file.sites[j] === site || !patternCovers(other, own)) return;
        // Two entries that cover each other are one site written twice (`YouTube.com`, `youtube.com`); report it once.
        if (patternCovers(own, other) && j > i) return;
        ctx.addIssue({ code: 'custom', path: ['sites', i], message: `"${site}" is already covered by "${file.sites[j]}": leave it out` });
      });
    });
    file.leftOut.forEach(({ site }, i) => {
      const pattern = parsed(site);
      const url = pattern === null ? null : parseUrl(frontDoor(pattern));
      const blocking = url === null ? -1 : patterns.findIndex((candidate) => candidate !== null && matches(candidate, url));
      if (blocking >= 0) ctx.addIssue({ code: 'custom', path: ['leftOut', i, 'site'], message: `"${site}" is left out, yet "${file.sites[blocking]}" blocks it` });
    });
  });

/** Read-only all the way down, as {@link parseCategory} freezes it. */
type Frozen<T> = T extends readonly (infer U)[] ? readonly Frozen<U>[] : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;

/** A checked category: what the file holds, frozen. */
export type Category = Frozen<z.output<typeof CategoryFileSchema>>;

function where(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('').replace(/^\./, '');
}

/**
 * Checks one category file. `id` is the id its file name gives it
 * (`ai.json`: `ai`). Throws an error naming the file, every entry that is
 * wrong and what is wrong with it.
 */
export function parseCategory(data: unknown, id: string): Category {
  const file = `categories/${id}.json`;
  const result = CategoryFileSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => (issue.path.length > 0 ? `${where(issue.path)}: ${issue.message}` : issue.message));
    throw new Error(`${file}: ${problems.join('; ')}`);
  }
  if (result.data.id !== id) throw new Error(`${file}: id: "${result.data.id}" must be the file's name, "${id}"`);
  const category = result.data;
  Object.freeze(category.title);
  Object.freeze(category.sites);
  category.leftOut.forEach((entry) => Object.freeze(entry));
  Object.freeze(category.leftOut);
  return Object.freeze(category);
}

/** Every category Lesmodus ships, by id. */
export const BUILTIN_CATEGORIES: Readonly<Record<CategoryId, Category>> = Object.freeze({
  ai: parseCategory(ai, 'ai'),
  social: parseCategory(social, 'social'),
  games: parseCategory(games, 'games'),
  video: parseCategory(video, 'video'),
});

/**
 * The sites of the given categories, each once, in the order the categories
 * are given: what a lesson that blocks them adds to its blocked sites.
 */
export function categorySites(ids: readonly CategoryId[], categories: Readonly<Record<CategoryId, Category>> = BUILTIN_CATEGORIES): string[] {
  return [...new Set(ids.flatMap((id) => categories[id].sites))];
}
