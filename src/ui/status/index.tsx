import { render } from 'preact';
import { backgroundConnector } from '../shared/connector';
import { language, t } from '../shared/i18n';
import { StatusPage, type StatusPageServices } from './status-page';

const services: StatusPageServices = {
  connector: backgroundConnector,
  copyText: (text) => navigator.clipboard.writeText(text),
  userAgent: navigator.userAgent,
};

document.documentElement.lang = language();
document.title = t('statusPageTitle');
const app = document.getElementById('app');
if (app) render(<StatusPage services={services} />, app);
