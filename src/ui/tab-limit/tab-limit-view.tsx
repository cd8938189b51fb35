/**
 * The notice a tab opened beyond the lesson's tab limit shows
 * (core/rules/tabs.ts): which lesson, how many tabs it allows, and the way
 * back — closing this tab. Calm: nothing went wrong, the lesson asks for
 * fewer tabs. The background sends the tab back here from any other
 * address, so closing it is all there is to do.
 */
import { t } from '../shared/text';
import { useFocusOnMount } from '../shared/use-focus';

interface TabLimitViewProps {
  /** The lesson's title; null when the address does not carry it. */
  readonly lesson: string | null;
  readonly limit: number | null;
  readonly test: boolean;
  readonly closeTab: () => void;
}

function explanation(lesson: string, limit: number | null, test: boolean): string {
  if (test) return t('tabLimitTest', lesson);
  if (limit === 1) return t('tabLimitOne', lesson);
  return t('tabLimitMany', [lesson, String(limit ?? '')]);
}

export function TabLimitView({ lesson, limit, test, closeTab }: TabLimitViewProps) {
  const closeRef = useFocusOnMount<HTMLButtonElement>();
  const title = lesson ?? t('tabLimitThisLesson');
  return (
    <main class="card tab-limit">
      <img class="mark" src="icons/icon-128.png" alt="" width={64} height={64} />
      <h1>{t(test ? 'tabLimitTestTitle' : 'tabLimitTitle')}</h1>
      <p class="explain">{explanation(title, limit, test)}</p>
      <p class="hint">{t('tabLimitHint')}</p>
      <p class="leave-actions">
        <button ref={closeRef} type="button" class="primary" onClick={closeTab}>
          {t('blockedCloseTab')}
        </button>
      </p>
    </main>
  );
}
