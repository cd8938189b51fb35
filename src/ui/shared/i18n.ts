/**
 * The browser's wiring of ./text: importing this module installs the
 * extension's _locales (through src/platform) as the message source. Page
 * entries import it; components import ./text, which is pure and testable.
 */
import { t as browserMessage, uiLanguage } from '../../platform/i18n';
import { setMessageSource } from './text';

setMessageSource({
  // platform's t() answers the key itself for a missing message; text.t() expects ''.
  getMessage: (key, substitutions) => {
    const message = browserMessage(key, substitutions);
    return message === key ? '' : message;
  },
  getUILanguage: uiLanguage,
});

export { language, setSchoolType, t } from './text';
