/**
 * The tab limit in real Firefox (ESR), as in the Chromium suite: tabs open
 * before the lesson are kept (more of them than the limit, too), a tab
 * opened beyond the limit shows the notice naming the lesson and the limit,
 * a newer one replaces it, and when the lesson ends new tabs stay. The
 * extension page the harness talks to the extension through is open before
 * the lesson, so it is one of the tabs kept.
 *
 * New tabs are opened as a student opens them, with a click on a link that
 * opens in a new tab: puppeteer's own newPage() waits for the new browsing
 * context, which Firefox replaces when the background sends the tab to an
 * extension page (seen: "BrowsingContext does no longer exist"). The
 * notice's text is read in the extension (extension.getViews) for the same
 * reason.
 */
import type { Page } from 'puppeteer-core';
import { distDir, launchFirefox, waitFor, type FirefoxSession } from '../../src/dev/browsers';
import { ruleCount, setLesson } from '../../src/dev/extension-state';
import { open } from '../../src/dev/pages';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';
import { browserTabs, noticeTabs, tabGuard } from './support/tabs';

let session: FirefoxSession;
let server: TestServer;
const pages: Page[] = [];

async function newPage(): Promise<Page> {
  const page = await session.browser.newPage();
  pages.push(page);
  return page;
}

/** A student opens `url` in a new tab from `page`: a click on a link with target=_blank. */
async function clickToNewTab(page: Page, url: string): Promise<void> {
  await page.evaluate((href) => {
    document.getElementById('new-tab')?.remove();
    const link = document.createElement('a');
    link.id = 'new-tab';
    link.href = href;
    link.target = '_blank';
    link.textContent = 'open in a new tab';
    document.body.append(link);
  }, url);
  await page.click('#new-tab');
}

/** The text of every open notice page, read in the extension. */
async function noticeTexts(): Promise<string[]> {
  return session.evalInExtension(() =>
    (chrome.extension.getViews({ type: 'tab' }) as Window[]).filter((view) => view.location.pathname.endsWith('/tab-limit.html')).map((view) => view.document.body.innerText),
  );
}

beforeAll(async () => {
  server = await startTestServer();
  session = await launchFirefox({ extensionDir: distDir('firefox') });
  // The extension page the harness uses, opened now: before any lesson.
  await session.extensionPage();
});

afterAll(async () => {
  await session?.close();
  await server?.close();
});

test('a lesson with a tab limit of 2 keeps the tabs open before it, refuses one beyond it with a notice, and is free again when it ends', async () => {
  const first = await newPage();
  await open(session, first, server.origin('allowed.test') + '/one');
  const second = await newPage();
  await open(session, second, server.origin('allowed.test') + '/two');
  const before = await browserTabs(session);
  expect(before.length).toBeGreaterThanOrEqual(3);

  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45, { tabLimit: 2 }));
  await waitFor(async () => (await ruleCount(session)) > 0 && (await tabGuard(session))?.counted.length === before.length, 'the tabs open before the lesson to be counted');

  const notice = `${session.extensionUrl('tab-limit.html')}?lesson=Rekenen+2B&limit=2`;
  await clickToNewTab(first, server.origin('allowed.test') + '/new');
  await waitFor(async () => (await noticeTabs(session)).map((tab) => tab.url).join() === notice, 'the new tab to show the notice');
  const [refused] = await noticeTabs(session);
  await waitFor(async () => (await noticeTexts()).some((text) => text.includes('No more tabs in this lesson') && text.includes('Rekenen 2B allows at most 2 open tabs.')), 'the notice to say why');
  const during = await browserTabs(session);
  for (const tab of before) expect(during).toContainEqual(tab);

  // A second tab beyond the limit shows the notice instead; the older notice tab goes.
  await clickToNewTab(second, server.origin('allowed.test') + '/newer');
  await waitFor(async () => {
    const notices = await noticeTabs(session);
    return notices.length === 1 && notices[0]!.id !== refused!.id;
  }, 'the newer tab to show the notice, and the older one to go');

  await setLesson(session, null);
  await waitFor(async () => (await tabGuard(session)) === undefined, 'the tab limit to end with the lesson');
  const free = await newPage();
  expect(await open(session, free, server.origin('allowed.test') + '/three')).toBe(server.origin('allowed.test') + '/three');
  const alsoFree = await newPage();
  expect(await open(session, alsoFree, server.origin('other.test') + '/four')).toBe(server.origin('other.test') + '/four');
});
