/**
 * Every string a person sees exists in Dutch and English, with the same
 * placeholders, and every key the UI asks for exists.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { RejectReasonSchema } from '../../../src/core/feed/follow';
import { FeedProblemSchema, type FeedProblem } from '../../../src/core/feed/problem';
import { feedProblemText, feedRejectionText, setMessageSource } from '../../../src/ui/shared/text';
import { localeSource, readLocale } from './support/locale';

const en = readLocale('en');
const nl = readLocale('nl');

function placeholders(entry: { message: string; placeholders?: Record<string, unknown> }): string[] {
  return [...entry.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((match) => match[1]!.toLowerCase()).sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('_locales', () => {
  it('has the same keys in Dutch and English', () => {
    expect(Object.keys(nl).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(Object.keys(en))('%s has the same placeholders in both, each defined', (key) => {
    const english = en[key]!;
    const dutch = nl[key]!;
    expect(placeholders(dutch)).toEqual(placeholders(english));
    for (const name of placeholders(english)) expect(Object.keys(english.placeholders ?? {}).map((p) => p.toLowerCase())).toContain(name);
  });

  it.each(['en', 'nl'])('names each key once in %s (a duplicate is silently lost, and the Firefox linter refuses it)', (language) => {
    const text = readFileSync(join(__dirname, '../../../src/_locales', language, 'messages.json'), 'utf8');
    const keys = [...text.matchAll(/^\s*"([A-Za-z0-9_]+)":\s*\{/gm)].map((match) => match[1]!);
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
  });

  it("has every key the popup and the blocked page ask for with t('…')", () => {
    const root = join(__dirname, '../../../src/ui');
    const files = [...sourceFiles(join(root, 'popup')), ...sourceFiles(join(root, 'blocked')), ...sourceFiles(join(root, 'shared'))];
    const keys = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // t('key' …), and keys chosen in an expression: t(cond ? 'a' : 'b'), Record<…, string> maps of keys.
      for (const match of text.matchAll(/\bt\(\s*'([A-Za-z]+)'/g)) keys.add(match[1]!);
      for (const match of text.matchAll(/\?\s*'([a-z][A-Za-z]+)'\s*:\s*'([a-z][A-Za-z]+)'/g)) if (match[1]! in en || match[2]! in en) keys.add(match[1]!).add(match[2]!);
    }
    expect(keys.size).toBeGreaterThan(50);
    expect([...keys].filter((key) => !(key in en))).toEqual([]);
  });

  // Dutch schools name the teacher differently (primary: leerkracht, secondary: docent): src/ui/shared/text.ts picks the word.
  it('names the teacher in Dutch only through {teacher} and {teachers}, never with a fixed word', () => {
    // The words themselves, and the store description (the manifest's, read before any policy), which says the neutral leraar.
    const words = new Set(['teacherNoun', 'teacherNounPrimary', 'teacherNounSecondary', 'teachersNoun', 'teachersNounPrimary', 'teachersNounSecondary', 'extDescription']);
    const fixed = Object.entries(nl).filter(([key, entry]) => !words.has(key) && /\b(docent|leerkracht|leraar|leraren)/i.test(entry.message));
    expect(fixed.map(([key]) => key)).toEqual([]);
  });

  // These keys are picked from core's codes, not written as t('…') where the test above finds them.
  it.each(['en', 'nl'] as const)('words every class-feed problem code and rejection reason in %s', (language) => {
    setMessageSource(localeSource(language));
    const problems: FeedProblem[] = FeedProblemSchema.options.flatMap((option) => option.shape.code.options.map((code) => ('status' in option.shape ? { code, status: 503 } : { code }) as FeedProblem));
    expect(problems).toHaveLength(6);
    for (const problem of problems) expect(feedProblemText(problem, null)).toMatch(language === 'en' ? /^the school's server .*\S/ : /^de server van school .*\S/);
    for (const problem of problems.filter((entry) => 'status' in entry)) expect(feedProblemText(problem, null)).toContain('HTTP 503');
    for (const reason of RejectReasonSchema.options) expect(feedRejectionText(reason)).not.toMatch(/^feedRejection/);
  });
});
