/**
 * The tab limit and the test switch of a lesson (core/rules/tabs.ts says
 * what they do): the editor's choice of them, and what the popup shows of
 * them to everyone — a "Test" banner while a test is in force, and the
 * limit of open tabs. Kept out of the editor, which only takes the field
 * and the values it gives.
 */
import { useState } from 'preact/hooks';
import type { ActiveLesson } from '../../core/rules/resolve';
import { effectiveTabLimit } from '../../core/rules/tabs';
import { t } from '../shared/text';

/** The limits a teacher picks from; IT's presets may name any limit from 1 to 20. */
const TAB_LIMITS = [1, 3, 5] as const;

/** What a lesson or preset carries of these: absent fields are no limit and no test. */
export interface Restrictions {
  readonly tabLimit?: number;
  readonly test?: boolean;
}

/** The fields a request carries for `value`: nothing for no limit and no test. */
export function restrictionFields(value: Restrictions): Restrictions {
  return { ...(value.tabLimit !== undefined ? { tabLimit: value.tabLimit } : {}), ...(value.test === true ? { test: true } : {}) };
}

/**
 * The editor's state for the tab limit and the test switch, starting from
 * the lesson or preset edited: `value` goes into the request, `field` into
 * the form.
 */
export function useRestrictions(initial: Restrictions | undefined | null): { value: Restrictions; field: preact.JSX.Element } {
  const [value, setValue] = useState<Restrictions>(restrictionFields(initial ?? {}));
  return { value, field: <RestrictionsField value={value} onChange={setValue} /> };
}

export function RestrictionsField({ value, onChange }: { value: Restrictions; onChange: (value: Restrictions) => void }) {
  // A preset of IT's may carry a limit the chips do not offer: it is shown as a chip of its own.
  const limits = value.tabLimit !== undefined && !(TAB_LIMITS as readonly number[]).includes(value.tabLimit) ? [...TAB_LIMITS, value.tabLimit].sort((a, b) => a - b) : TAB_LIMITS;
  const setLimit = (tabLimit: number | undefined) => onChange(restrictionFields({ ...value, tabLimit }));
  return (
    <>
      <fieldset class="field tab-limit-picker" disabled={value.test === true} aria-describedby={value.test === true ? 'tab-limit-test-hint' : undefined}>
        <legend>{t('tabLimitLabel')}</legend>
        <div class="chip-group">
          <label class="choice-chip">
            <input type="radio" name="tab-limit" value="" checked={value.tabLimit === undefined} onChange={() => setLimit(undefined)} />
            <span>{t('tabLimitNone')}</span>
          </label>
          {limits.map((limit) => (
            <label key={limit} class="choice-chip">
              <input type="radio" name="tab-limit" value={String(limit)} checked={value.tabLimit === limit} onChange={() => setLimit(limit)} />
              <span>{String(limit)}</span>
            </label>
          ))}
        </div>
        {value.test === true && (
          <p id="tab-limit-test-hint" class="hint">
            {t('tabLimitInTest')}
          </p>
        )}
      </fieldset>
      <div class="field">
        <label class="choice">
          <input type="checkbox" role="switch" checked={value.test === true} onChange={(event) => onChange(restrictionFields({ ...value, test: event.currentTarget.checked }))} />
          <span>{t('testSwitch')}</span>
        </label>
        <p class="hint">{t('testSwitchHint')}</p>
      </div>
    </>
  );
}

/** Shown to everyone who opens the popup while a test is in force. */
export function TestBanner({ lesson }: { lesson: ActiveLesson | null }) {
  if (lesson?.test !== true) return null;
  return (
    <p class="test-banner" role="note">
      <strong>{t('testBanner')}</strong> {t('testBannerDetail')}
    </p>
  );
}

/** "At most 3 tabs open", under the lesson's kind; nothing when there is no limit. */
export function TabLimitNote({ lesson }: { lesson: ActiveLesson | null }) {
  const limit = effectiveTabLimit(lesson);
  if (limit === null) return null;
  return <p class="tab-limit-note">{limit === 1 ? t('statusTabLimitOne') : t('statusTabLimit', String(limit))}</p>;
}
