/**
 * What the category suites share: IT's policy (AI with a site of the
 * school's added, and one AI site the school allows), the real hosts of
 * the shipped AI list served by the stand-in sites on this machine, and how
 * a tab's blocked page or stand-in page is read in either browser.
 */
import type { Page } from 'puppeteer-core';
import { waitFor } from '../../../src/dev/browsers';
import { standInTitle } from '../../../src/dev/stand-in-sites';

/** Hosts of the shipped lists, answered on this machine by the stand-in sites (nothing leaves it). */
export const REAL_HOSTS = ['chatgpt.com', 'copilot.microsoft.com', 'gemini.google.com', 'www.google.com', 'www.tiktok.com'];

export const AI_OFF = 'AI tools are off in this lesson';

/** IT's policy: the shipped AI list with chatbot.test added; copilot.microsoft.com (in the AI list) allowed for everyone. */
export function categoriesPolicy(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { allowed: ['copilot.microsoft.com'], categories: [{ id: 'ai', add: ['chatbot.test'] }], ...extra };
}

/** The heading the tab shows once its page has rendered one. */
export async function headingOf(page: Page): Promise<string> {
  let heading = '';
  await waitFor(async () => {
    heading = await page.evaluate(() => document.querySelector('h1')?.textContent ?? '').catch(() => '');
    // The blocked page shows "This site is blocked" until the background has said why.
    return heading !== '' && heading !== 'This site is blocked';
  }, 'the page to show its heading');
  return heading;
}

/** True when the tab shows the stand-in page for `host`: the real site would have opened. */
export async function showsStandIn(page: Page, host: string): Promise<boolean> {
  return (await page.evaluate(() => document.title)) === standInTitle(host);
}
