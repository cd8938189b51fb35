/** Localised strings from _locales (Dutch and English, following the browser). */
import { browser } from './browser';

export function t(key: string, substitutions?: string | string[]): string {
  return browser.i18n.getMessage(key, substitutions) || key;
}

/** The UI language, for number and time formatting: "nl" or "en". */
export function uiLanguage(): string {
  return browser.i18n.getUILanguage();
}
