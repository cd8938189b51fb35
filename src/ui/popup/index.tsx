import { render } from 'preact';
import { backgroundConnector } from '../shared/connector';
import { language } from '../shared/i18n';
import { browser, type Storage } from '../../platform/browser';
import { activeTabUrl } from '../../platform/tabs';
import { Popup } from './popup';
import type { PopupServices } from './services';

/** storage.session key of the class picked in the popup; storage.session is gone when the browser closes. */
const CLASS_CHOICE_KEY = 'popupClass';
const sessionArea = (): Storage.StorageArea | undefined => (browser.storage as { session?: Storage.StorageArea }).session;

const services: PopupServices = {
  connector: backgroundConnector,
  currentTabUrl: activeTabUrl,
  now: () => Date.now(),
  classChoice: {
    load: async () => {
      const value: unknown = (await sessionArea()?.get(CLASS_CHOICE_KEY))?.[CLASS_CHOICE_KEY];
      return typeof value === 'string' ? value : null;
    },
    save: async (classId) => {
      await sessionArea()?.set({ [CLASS_CHOICE_KEY]: classId });
    },
  },
};

document.documentElement.lang = language();
const app = document.getElementById('app');
if (app) render(<Popup services={services} />, app);
