import { render } from 'preact';
import { readNoticeAddress } from '../../core/rules/tabs';
import { closeOwnTab } from '../../platform/tabs';
import { language } from '../shared/i18n';
import { TabLimitView } from './tab-limit-view';

const notice = readNoticeAddress(location.search);

document.documentElement.lang = language();
const app = document.getElementById('app');
if (app) render(<TabLimitView {...notice} closeTab={() => void closeOwnTab().catch(() => window.close())} />, app);
