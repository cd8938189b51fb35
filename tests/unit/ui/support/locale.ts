/**
 * A stand-in for the browser's i18n API that reads the real _locales files
 * and substitutes placeholders the way Chrome and Firefox do, so component
 * tests see the strings a teacher sees. A key missing from the file throws:
 * a test cannot pass on a string that does not exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageSource } from '../../../../src/ui/shared/text';

interface Entry {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

export function readLocale(language: 'en' | 'nl'): Record<string, Entry> {
  return JSON.parse(readFileSync(join(__dirname, '../../../../src/_locales', language, 'messages.json'), 'utf8')) as Record<string, Entry>;
}

/** The message with its $NAME$ placeholders and $1…$9 substitutions filled in. */
export function format(entry: Entry, substitutions: string[]): string {
  const withPlaceholders = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
    const placeholder = Object.entries(entry.placeholders ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase());
    return placeholder ? placeholder[1].content : whole;
  });
  return withPlaceholders.replace(/\$(\d)/g, (_whole, digit: string) => substitutions[Number(digit) - 1] ?? '').replace(/\$\$/g, '$');
}

export function localeSource(language: 'en' | 'nl' = 'en'): MessageSource {
  const messages = readLocale(language);
  return {
    getMessage(key, substitutions) {
      const entry = messages[key];
      if (!entry) throw new Error(`no message "${key}" in _locales/${language}`);
      return format(entry, substitutions === undefined ? [] : Array.isArray(substitutions) ? substitutions : [substitutions]);
    },
    getUILanguage: () => language,
  };
}
