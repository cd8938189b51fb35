import { render } from 'preact';
import { backgroundConnector } from '../shared/connector';
import { language } from '../shared/i18n';
import { BlockedView } from './blocked-view';

// The DNR redirect appends the blocked address after '#'; the address may itself contain '#'.
const hashAt = location.href.indexOf('#');
const blockedUrl = hashAt >= 0 ? location.href.slice(hashAt + 1) : '';
const inFrame = window.top !== window;

document.documentElement.lang = language();
document.body.classList.toggle('in-frame', inFrame);
const app = document.getElementById('app');
if (app) {
  render(
    <BlockedView
      connector={backgroundConnector}
      blockedUrl={blockedUrl}
      inFrame={inFrame}
      // The background's tab sweep usually gets there first; this covers a sweep that missed the tab.
      onAllowed={(url) => setTimeout(() => location.replace(url), 300)}
    />,
    app,
  );
}
