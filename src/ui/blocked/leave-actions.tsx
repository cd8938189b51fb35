/**
 * A way off the blocked page: back to where the student came from, or, in a
 * tab with nowhere to go back to (a link opened in a new tab), closing it.
 * Neither navigates to an address of the page's own choosing.
 */
import { t } from '../shared/text';

/** The tab's history as the page can use it; the page's entry wires it to the browser. */
export interface PageHistory {
  /** True when the tab has a page before this one. */
  readonly canGoBack: boolean;
  readonly goBack: () => void;
  readonly closeTab: () => void;
}

export function LeaveActions({ history }: { history: PageHistory }) {
  return (
    <p class="leave-actions">
      {history.canGoBack ? (
        <button type="button" class="primary" onClick={history.goBack}>
          {t('blockedGoBack')}
        </button>
      ) : (
        <button type="button" class="primary" onClick={history.closeTab}>
          {t('blockedCloseTab')}
        </button>
      )}
    </p>
  );
}
