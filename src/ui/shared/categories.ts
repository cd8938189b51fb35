/**
 * Site categories in words: the short name a teacher toggles ("AI",
 * "Social media") and what the blocked page says ("AI tools are off in this
 * lesson"). The shipped categories have words of their own in both
 * languages; a category of the school's own is named as IT's policy names
 * it, in the reader's language.
 */
import type { CategorySummary, Status } from '../../core/protocol';
import { language, t } from './text';

const SHIPPED: Readonly<Record<string, { readonly name: string; readonly off: string }>> = {
  ai: { name: 'categoryAi', off: 'blockedTitleCategoryAi' },
  social: { name: 'categorySocial', off: 'blockedTitleCategorySocial' },
  games: { name: 'categoryGames', off: 'blockedTitleCategoryGames' },
  video: { name: 'categoryVideo', off: 'blockedTitleCategoryVideo' },
};

/** The categories in force, as the status lists them (none from a background that predates them). */
export function categoriesOf(status: Status): readonly CategorySummary[] {
  return status.categories ?? [];
}

/** The short name of a category: "AI", "Social media", or the school's own name; the id when the device does not know it. */
export function categoryName(id: string, status: Status): string {
  const shipped = SHIPPED[id];
  if (shipped) return t(shipped.name);
  const own = categoriesOf(status).find((category) => category.id === id);
  return own ? own.title[language()] : id;
}

/** The blocked page's heading for an address a category blocks: "AI tools are off in this lesson". */
export function categoryOffHeading(id: string, status: Status | null): string {
  const shipped = SHIPPED[id];
  if (shipped) return t(shipped.off);
  return t('blockedTitleCategory', status ? categoryName(id, status) : id);
}

/** The categories a lesson or preset blocks, named and joined: "AI, Games". */
export function categoryList(ids: readonly string[], status: Status): string {
  return ids.map((id) => categoryName(id, status)).join(', ');
}
