import { render } from 'preact';
import { backgroundConnector } from '../connector';
import { language } from '../i18n';
import { activeTabUrl } from '../../platform/tabs';
import { Popup } from './popup';
import type { PopupServices } from './services';

const services: PopupServices = {
  connector: backgroundConnector,
  currentTabUrl: activeTabUrl,
  now: () => Date.now(),
};

document.documentElement.lang = language();
const app = document.getElementById('app');
if (app) render(<Popup services={services} />, app);
