/**
 * The categories in force on a device: the ones Lesmodus ships, as IT's
 * policy changes them (sites added to a list, a list replaced) and with IT's
 * own categories beside them. Lessons and presets name categories by id;
 * this is where an id becomes sites, and where an unknown id is found.
 */
import { BUILTIN_CATEGORIES, CATEGORY_IDS, type CategoryId } from './index';

/** A category id: lower-case letters, digits and "-", starting with a letter (`ai`, `exam-cheats`). */
export const CATEGORY_ID_RE = /^[a-z][a-z0-9-]{0,39}$/;

/** The most categories a lesson or preset can name. */
export const MAX_LESSON_CATEGORIES = 20;

/** How IT's policy changes or adds a category (the policy's `categories` entries, validated there). */
export interface CategoryChange {
  readonly id: string;
  /** A category of IT's own: its name in both languages (a shipped category keeps Lesmodus's). */
  readonly name?: { readonly en: string; readonly nl: string };
  /** A category of IT's own: its sites. */
  readonly sites?: readonly string[];
  /** A shipped category: sites added to its list. */
  readonly add?: readonly string[];
  /** A shipped category: sites that replace its list. */
  readonly replace?: readonly string[];
  /** While a lesson blocks the category, it blocks IT's allowed sites too (the more specific pattern wins, allowed on a tie). */
  readonly aboveAllowed?: boolean;
}

/** Where a category's list comes from, as the status page says it. */
export type CategoryOrigin = 'builtin' | 'added' | 'replaced' | 'school';

/** A category as a device enforces it. */
export interface CategoryInfo {
  readonly id: string;
  readonly title: { readonly en: string; readonly nl: string };
  readonly sites: readonly string[];
  readonly origin: CategoryOrigin;
  /** See {@link CategoryChange.aboveAllowed}. */
  readonly aboveAllowed?: boolean;
}

export function isBuiltinCategory(id: string): id is CategoryId {
  return (CATEGORY_IDS as readonly string[]).includes(id);
}

const catalogs = new WeakMap<readonly CategoryChange[], ReadonlyMap<string, CategoryInfo>>();
const EMPTY: readonly CategoryChange[] = Object.freeze([]);

/**
 * Every category in force, by id: the shipped ones first, in their order,
 * then IT's own in the policy's order. IT's changes are applied as the
 * policy (already validated) gives them. The result is kept per policy
 * list, so the site lists keep their identity and are parsed once.
 */
export function categoryCatalog(changes: readonly CategoryChange[] = EMPTY): ReadonlyMap<string, CategoryInfo> {
  const cached = catalogs.get(changes);
  if (cached) return cached;
  const byId = new Map(changes.map((change) => [change.id, change]));
  const catalog = new Map<string, CategoryInfo>();
  for (const id of CATEGORY_IDS) {
    const shipped = BUILTIN_CATEGORIES[id];
    const change = byId.get(id);
    const above = change?.aboveAllowed === true ? { aboveAllowed: true } : {};
    if (change?.replace !== undefined) catalog.set(id, { id, title: shipped.title, sites: unique(change.replace), origin: 'replaced', ...above });
    else if (change?.add !== undefined) catalog.set(id, { id, title: shipped.title, sites: unique([...shipped.sites, ...change.add]), origin: 'added', ...above });
    else catalog.set(id, { id, title: shipped.title, sites: shipped.sites, origin: 'builtin', ...above });
  }
  for (const change of changes) {
    if (isBuiltinCategory(change.id) || change.name === undefined || change.sites === undefined) continue;
    catalog.set(change.id, { id: change.id, title: change.name, sites: unique(change.sites), origin: 'school', ...(change.aboveAllowed === true ? { aboveAllowed: true } : {}) });
  }
  catalogs.set(changes, catalog);
  return catalog;
}

function unique(sites: readonly string[]): readonly string[] {
  return Object.freeze([...new Set(sites.map((site) => site.trim()))]);
}

/**
 * The categories a lesson blocks: the ones it names, and AI in a test
 * (core/rules/tabs.ts), whatever it names. The one place a lesson's other
 * settings add to them, so that the rules, the popup and the blocked page
 * agree.
 */
export function lessonCategories(lesson: { readonly categories?: readonly string[]; readonly test?: boolean }): readonly string[] {
  const named = lesson.categories ?? [];
  return lesson.test === true && !named.includes('ai') ? [...named, 'ai'] : named;
}

/** The first id that is not a category in force, or null. */
export function unknownCategory(ids: readonly string[], catalog: ReadonlyMap<string, CategoryInfo>): string | null {
  return ids.find((id) => !catalog.has(id)) ?? null;
}
