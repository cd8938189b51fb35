/**
 * "Block AI" and the other site categories, switched for a lesson or preset
 * in one click each: AI first and larger (the one teachers ask for most),
 * the others (social media, games, video, and IT's own) beside it. The
 * editor keeps the choice with {@link useCategoryChoice} and adds
 * {@link CategoryChoice.fields} to what it sends.
 */
import { useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import { categoriesOf, categoryName } from '../shared/categories';
import { t } from '../shared/text';

export interface CategoryChoice {
  /** The ids chosen, in the order the device lists its categories. */
  readonly ids: readonly string[];
  /** What a lesson or preset request carries: `categories` when any is chosen. */
  readonly fields: { categories?: string[] };
  readonly toggle: (id: string, on: boolean) => void;
}

/** The categories chosen in an editor, starting from the lesson's or preset's own. */
export function useCategoryChoice(status: Status, initial: { readonly categories?: readonly string[] } | null | undefined): CategoryChoice {
  const [chosen, setChosen] = useState<readonly string[]>(initial?.categories ?? []);
  const order = categoriesOf(status).map((category) => category.id);
  // Ids the device does not list stay chosen (the background names them if it refuses), after the known ones.
  const ids = [...order.filter((id) => chosen.includes(id)), ...chosen.filter((id) => !order.includes(id))];
  return {
    ids,
    fields: ids.length > 0 ? { categories: [...ids] } : {},
    toggle: (id, on) => setChosen((current) => (on ? [...current.filter((other) => other !== id), id] : current.filter((other) => other !== id))),
  };
}

interface CategoryTogglesProps {
  readonly status: Status;
  readonly choice: CategoryChoice;
}

export function CategoryToggles({ status, choice }: CategoryTogglesProps) {
  const categories = categoriesOf(status);
  if (categories.length === 0) return null;
  const ai = categories.find((category) => category.id === 'ai');
  const others = categories.filter((category) => category.id !== 'ai');
  return (
    <fieldset class="field categories">
      <legend>{t('categoriesLegend')}</legend>
      {ai && (
        <label class="choice category-main">
          <input type="checkbox" name="category" value="ai" checked={choice.ids.includes('ai')} onChange={(event) => choice.toggle('ai', event.currentTarget.checked)} />
          <span>{t('categoryBlockAi')}</span>
        </label>
      )}
      {others.length > 0 && (
        <div class="category-others">
          {others.map((category) => (
            <label class="choice" key={category.id}>
              <input
                type="checkbox"
                name="category"
                value={category.id}
                checked={choice.ids.includes(category.id)}
                onChange={(event) => choice.toggle(category.id, event.currentTarget.checked)}
              />
              <span>{categoryName(category.id, status)}</span>
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}
