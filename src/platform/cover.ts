/**
 * The pause cover in a tab's page (src/content/pause-cover.ts): the file is
 * run in the page's top frame, in the extension's content-script world
 * (the "scripting" permission and the extension's <all_urls> host access,
 * both already needed to send frames to the blocked notice), then told what
 * to show, or to go. Nothing is declared in the manifest: the cover is only
 * ever in a page while a pause lasts.
 *
 * Seen in Chromium 156 and Firefox ESR 153 (tests/e2e/pause.*): both run
 * it in an ordinary web page, loaded or still loading, and the cover holds.
 * Chromium covers a PDF in its viewer too (tried by hand); Firefox refuses
 * its PDF viewer ("Missing host permission for the tab"), as both refuse
 * pages no extension may script (their own pages, other extensions' pages,
 * error pages, the web stores): those give false here, and the background
 * sends such a tab to the pause page instead.
 */
import { browser } from './browser';

/** What the cover shows, in the student's language, and for how long (see pause-cover.ts). */
export interface CoverState {
  readonly lang: string;
  readonly heading: string;
  readonly message: string;
  readonly until: string;
  readonly note: string;
  readonly remainingMs: number;
}

/** The bundle webpack builds from src/content/pause-cover.ts. */
const COVER_FILE = 'pause-cover.js';

/**
 * Covers the page a tab shows (or updates its cover). True when it is
 * covered; false when the page cannot be scripted, or the tab is gone.
 */
export async function coverTab(tabId: number, state: CoverState): Promise<boolean> {
  try {
    // As soon as the page has a document, not when it finishes loading: a page that loads for long is covered at once.
    await browser.scripting.executeScript({ target: { tabId }, files: [COVER_FILE], injectImmediately: true });
    const [result] = await browser.scripting.executeScript({
      target: { tabId },
      injectImmediately: true,
      // Runs in the page's content-script world, serialised: it sees only its argument and what the file put there.
      func: (shown: CoverState) => globalThis.lesmodusPauseCover?.show(shown) === true,
      args: [state],
    });
    return result?.result === true;
  } catch {
    return false;
  }
}

/** Takes the cover off a tab's page; a tab gone, or a page without a cover, is no error. */
export async function uncoverTab(tabId: number): Promise<void> {
  try {
    await browser.scripting.executeScript({
      target: { tabId },
      injectImmediately: true,
      func: () => {
        globalThis.lesmodusPauseCover?.end();
      },
    });
  } catch {
    // The tab was closed, or shows a page no extension may script (it had no cover).
  }
}
