/**
 * The site categories teachers can switch off, as this device has them:
 * each with where its list comes from (Lesmodus, changed by IT, or IT's
 * own) and how many sites it lists, so IT can see its policy took hold.
 */
import type { CategoryOrigin } from '../../core/rules/categories/catalog';
import type { Status } from '../../core/protocol';
import { categoriesOf, categoryName } from '../shared/categories';
import { plural, t } from '../shared/text';

const ORIGIN_KEYS: Readonly<Record<CategoryOrigin, string>> = {
  builtin: 'statusPageCategoryBuiltin',
  added: 'statusPageCategoryAdded',
  replaced: 'statusPageCategoryReplaced',
  school: 'statusPageCategorySchool',
};

export function CategoriesList({ status }: { status: Status }) {
  const categories = categoriesOf(status);
  if (categories.length === 0) return null;
  return (
    <details class="it-list" id="categories">
      <summary>{t('statusPageCategories', String(categories.length))}</summary>
      <ul class="site-list">
        {categories.map((category) => (
          <li key={category.id}>
            <strong>{categoryName(category.id, status)}</strong> ({category.id}): {t(ORIGIN_KEYS[category.origin])} · {plural('statusPageCategorySites', category.count)}
            {category.aboveAllowed && <> · {t('statusPageCategoryAboveAllowed')}</>}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** "Blocked categories: AI, Games" for a lesson that blocks any. */
export function LessonCategories({ ids, status }: { ids: readonly string[] | undefined; status: Status }) {
  if (ids === undefined || ids.length === 0) return null;
  return <p class="lesson-categories">{t('statusPageLessonCategories', ids.map((id) => categoryName(id, status)).join(', '))}</p>;
}
