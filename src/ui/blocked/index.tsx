import { render } from 'preact';
import { closeOwnTab } from '../../platform/tabs';
import { backgroundConnector } from '../shared/connector';
import { language } from '../shared/i18n';
import { BlockedView } from './blocked-view';
import type { PageHistory } from './leave-actions';

// The DNR redirect appends the blocked address after '#'; the address may itself contain '#'.
const hashAt = location.href.indexOf('#');
const blockedUrl = hashAt >= 0 ? location.href.slice(hashAt + 1) : '';
const inFrame = window.top !== window;

/**
 * history.length, not the Navigation API: its canGoBack counts only entries
 * of this page's origin, so a blocked page reached from a web page (the
 * usual way) would offer no way back. history.length also counts entries
 * ahead of this one, which a blocked page rarely has.
 */
const history: PageHistory = {
  canGoBack: window.history.length > 1,
  goBack: () => window.history.back(),
  closeTab: () => void closeOwnTab().catch(() => window.close()),
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
