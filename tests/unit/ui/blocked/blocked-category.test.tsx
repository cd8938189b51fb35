/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The CommonJS builds of Testing Library: under jsdom Jest would pick their ESM ("browser") builds, which it cannot run untransformed.
// The blocked page for a site of a category the lesson blocks: it says which category is off, in the student's language.
import { describe, expect, it } from '@jest/globals';
import { act, render, screen } from '@testing-library/preact';
import { startExtension, type ExtensionOptions, type TestBackground } from '../support/extension';
import type { Lesson } from '../../../../src/core/schemas';
import { BlockedView } from '../../../../src/ui/blocked/blocked-view';
import { setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations } from '../support/axe';
import { eachPageTest } from '../support/lifecycle';
import { localeSource } from '../support/locale';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const lesson = (extra: Partial<Lesson> = {}): Lesson => ({ id: 'l1', title: 'Essay 3A', mode: 'blocklist', sites: [], embeds: [], startsAt: T0 - 10 * M, endsAt: T0 + 35 * M, categories: ['ai', 'social', 'games', 'video', 'exam-cheats'], ...extra });
const EXAM = { id: 'exam-cheats', name: { en: 'Exam help', nl: 'Spiekhulp' }, sites: ['answers.example'] };

let background: TestBackground | null = null;

eachPageTest(T0, async () => {
  await background?.stop();
  background = null;
});

async function show(url: string, options: ExtensionOptions = {}, lang: 'en' | 'nl' = 'en') {
  setMessageSource(localeSource(lang));
  background = await startExtension({ lesson: lesson(), policy: { categories: [EXAM] }, ...options });
  render(<BlockedView connector={background.connector} blockedUrl={url} inFrame={false} now={() => Date.now()} />);
  await act(async () => {
    await background!.settled();
  });
}

describe('the blocked page for a category the lesson blocks', () => {
  it.each([
    ['https://chatgpt.com/c/1', 'en', 'AI tools are off in this lesson'],
    ['https://chatgpt.com/c/1', 'nl', 'AI-tools staan uit in deze les'],
    ['https://www.tiktok.com/@x', 'en', 'Social media are off in this lesson'],
    ['https://www.tiktok.com/@x', 'nl', 'Sociale media staan uit in deze les'],
    ['https://www.roblox.com/', 'en', 'Games are off in this lesson'],
    ['https://www.youtube.com/watch?v=1', 'nl', 'Videosites staan uit in deze les'],
    ['https://answers.example/q/1', 'en', 'Off in this lesson: Exam help'],
    ['https://answers.example/q/1', 'nl', 'Staat uit in deze les: Spiekhulp'],
  ] as const)('%s in %s: "%s"', async (url, lang, heading) => {
    await show(url, {}, lang);
    expect(await screen.findByRole('heading', { level: 1, name: heading })).toBeTruthy();
    expect(document.title).toBe(heading);
  });

  it('in an allowlist lesson too, a category site says the category rather than "not part of the lesson"', async () => {
    await show('https://gemini.google.com/app', { lesson: lesson({ mode: 'allowlist', sites: ['google.com'], categories: ['ai'] }) });
    expect(await screen.findByRole('heading', { level: 1, name: 'AI tools are off in this lesson' })).toBeTruthy();
    expect(screen.getByText('Lesson: Essay 3A')).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
  });

  it('a site outside the categories keeps the lesson\'s own words', async () => {
    await show('https://wikipedia.org/', { lesson: lesson({ mode: 'allowlist', sites: ['school.nl'], categories: ['ai'] }) });
    expect(await screen.findByRole('heading', { level: 1, name: 'This site is not part of the lesson' })).toBeTruthy();
  });
});
