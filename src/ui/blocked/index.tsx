import { render } from 'preact';
import { backgroundConnector } from '../shared/connector';
import { language } from '../shared/i18n';
import { BlockedView } from './blocked-view';
import type { PageHistory } from './leave-actions';

// The DNR redirect appends the blocked address after '#'; the address may itself contain '#'.
const hashAt = location.href.indexOf('#');
const blockedUrl = hashAt >= 0 ? location.href.slice(hashAt + 1) : '';
const inFrame = window.top !== window;

/**
 * The Navigation API knows whether there is an entry before this one; where
 * it is missing, a tab whose history holds more than this page has one
 * (history.length also counts entries ahead, which a blocked page rarely has).
 */
const navigationApi = (globalThis as { navigation?: { canGoBack?: boolean } }).navigation;
const history: PageHistory = {
  canGoBack: navigationApi?.canGoBack ?? window.history.length > 1,
  goBack: () => window.history.back(),
  // Allowed for a tab whose history holds only this page: exactly when there is no going back.
  closeTab: () => window.close(),
};

document.documentElement.lang = language();
document.body.classList.toggle('in-frame', inFrame);
const app = document.getElementById('app');
if (app) {
  render(
    <BlockedView
      connector={backgroundConnector}
      blockedUrl={blockedUrl}
      inFrame={inFrame}
      history={history}
      // The background's tab sweep usually gets there first; this covers a sweep that missed the tab.
      onAllowed={(url) => setTimeout(() => location.replace(url), 300)}
    />,
    app,
  );
}
