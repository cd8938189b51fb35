/**
 * What the suites do with a tab or an extension page, in Chromium and
 * Firefox alike: navigate and see where the tab lands, find a button, wait
 * for a text, and run axe-core in the real page.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { currentUrl, waitFor, type ExtensionSession } from './browsers';

/**
 * Navigates and returns where the tab ended up. A navigation that the
 * background redirects a second time (a freshly woken worker sweeping tabs)
 * reports ERR_ABORTED for the first one; what counts is where the tab lands.
 */
export async function open(session: ExtensionSession, page: Page, url: string): Promise<string> {
  try {
    await session.goto(page, url);
  } catch (error) {
    if (!String(error).includes('ERR_ABORTED')) throw error;
    await page.waitForNavigation({ waitUntil: 'load', timeout: 5000 }).catch(() => undefined);
  }
  return currentUrl(page);
}

/** The blocked page as it shows `url`. */
export const blockedPageFor = (session: ExtensionSession, url: string): string => `${session.extensionUrl('blocked.html')}#${url}`;

/** Waits until `url` lands on `landing`: rules apply a moment after the storage write that changes them. */
export async function waitForLanding(session: ExtensionSession, page: Page, url: string, landing: string, what: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(async () => (await open(session, page, url)) === landing, what, timeoutMs);
}

/**
 * The page itself starts a navigation (as a link or a script would) and
 * nothing waits for it: for a page that keeps loading, or whose response is
 * held back, where waiting for `load` would never end.
 */
export async function startNavigation(page: Page, url: string): Promise<void> {
  await page.evaluate((to) => {
    location.href = to;
  }, url);
}

/** Evaluates `fn` in every frame inside the page (not the page itself); a frame that cannot be read gives null. */
export async function inFrames<T>(page: Page, fn: () => T): Promise<Array<Awaited<T> | null>> {
  const frames = page.frames().filter((frame) => frame !== page.mainFrame());
  return Promise.all(frames.map((frame) => frame.evaluate(fn).then((value) => value as Awaited<T>, () => null)));
}

/**
 * The blocked notices that frames inside the page show (`<iframe>`,
 * `<object>`, `<embed>`), as their text. Read from the frames' documents:
 * in Firefox a frame's reported address stays the one it had before it was
 * sent to an extension page.
 */
export async function frameNotices(page: Page): Promise<string[]> {
  const texts = await inFrames(page, () => document.querySelector('.frame-notice')?.textContent ?? null);
  return texts.filter((text): text is string => text !== null);
}

/** What the test site's pages in frames inside the page say they are (`#where`: "host path"). */
export async function framedSites(page: Page): Promise<string[]> {
  const texts = await inFrames(page, () => document.getElementById('where')?.textContent ?? null);
  return texts.filter((text): text is string => text !== null);
}

export function button(page: Page, name: string) {
  return page.locator(`::-p-aria([name="${name}"][role="button"])`);
}

/** The text of the page as the user sees it. */
export async function pageText(page: Page): Promise<string> {
  return page.evaluate(() => document.body.innerText);
}

export async function waitForText(page: Page, wanted: string | RegExp, timeoutMs = 10_000): Promise<void> {
  await waitFor(async () => {
    const body = await pageText(page);
    return typeof wanted === 'string' ? body.includes(wanted) : wanted.test(body);
  }, String(wanted), timeoutMs);
}

let axeSource: string | undefined;

/** axe-core in the real page: every rule, colour contrast included (jsdom cannot check it). */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through DevTools, which the extension page's script-src 'self' does not restrict.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const results = await axe.run(document);
    return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  });
}
