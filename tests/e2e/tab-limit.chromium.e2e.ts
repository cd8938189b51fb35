/**
 * The tab limit and a test in real Chromium: tabs open before the lesson are
 * kept (more of them than the limit, too), a tab opened beyond the limit
 * shows the notice naming the lesson and the limit, a newer one replaces it,
 * and when the lesson ends new tabs stay. A test: the popup says Test, the
 * blocked page offers no let-through and the background refuses one, and a
 * new window holds nothing but the notice; a teacher starts one from the
 * popup by clicking, and the banner passes axe in the real page.
 */
import type { Page } from 'puppeteer-core';
import { currentUrl, distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { ruleCount, setLesson } from '../../src/dev/extension-state';
import { axeViolations, blockedPageFor, button, open, waitForText } from '../../src/dev/pages';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';
import { browserTabs, noticeTabs, tabGuard } from './support/tabs';

let session: ChromiumSession;
let server: TestServer;
const pages: Page[] = [];

async function newPage(): Promise<Page> {
  const page = await session.browser.newPage();
  pages.push(page);
  return page;
}

beforeAll(async () => {
  server = await startTestServer();
  session = await launchChromium({ extensionDir: distDir('chrome') });
  await waitFor(async () => session.evalInWorker(() => typeof chrome !== 'undefined' && chrome.storage !== undefined), 'the extension APIs in the service worker');
});

afterAll(async () => {
  await session?.close();
  await server?.close();
});

afterEach(async () => {
  await setLesson(session, null);
  await waitFor(async () => (await ruleCount(session)) === 0 && (await tabGuard(session)) === undefined, 'the lesson and its tab limit to be gone');
  for (const page of pages.splice(0)) await page.close().catch(() => undefined);
  // Notice tabs the background opened are closed too: each test starts from the browser's own tab.
  await session.evalInWorker(async (notice) => {
    const tabs = await chrome.tabs.query({});
    await Promise.all(tabs.filter((tab) => (tab.url ?? tab.pendingUrl ?? '').startsWith(notice)).map((tab) => chrome.tabs.remove(tab.id!)));
  }, session.extensionUrl('tab-limit.html'));
});

test('a lesson with a tab limit of 2 keeps the tabs open before it, refuses one beyond it with a notice, and is free again when it ends', async () => {
  const first = await newPage();
  await open(session, first, server.origin('allowed.test') + '/one');
  const second = await newPage();
  await open(session, second, server.origin('allowed.test') + '/two');
  const before = await browserTabs(session);
  expect(before.length).toBeGreaterThanOrEqual(3);

  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45, { tabLimit: 2 }));
  await waitFor(async () => (await tabGuard(session))?.counted.length === before.length, 'the tabs open before the lesson to be counted');

  const refused = await newPage();
  const notice = `${session.extensionUrl('tab-limit.html')}?lesson=Rekenen+2B&limit=2`;
  await waitFor(async () => (await currentUrl(refused)) === notice, 'the new tab to show the notice');
  await waitForText(refused, 'Rekenen 2B allows at most 2 open tabs.');
  expect(await refused.$eval('h1', (heading) => heading.textContent)).toBe('No more tabs in this lesson');
  // Every tab open before the lesson is still there, showing what it showed.
  const during = await browserTabs(session);
  for (const tab of before) expect(during).toContainEqual(tab);
  expect(await noticeTabs(session)).toHaveLength(1);

  // A second tab beyond the limit shows the notice instead; the older notice tab goes.
  const again = await newPage();
  await waitFor(async () => (await currentUrl(again)) === notice, 'the newer tab to show the notice');
  await waitFor(async () => (await noticeTabs(session)).length === 1, 'one notice tab to remain');

  await setLesson(session, null);
  await waitFor(async () => (await tabGuard(session)) === undefined, 'the tab limit to end with the lesson');
  const free = await newPage();
  expect(await open(session, free, server.origin('allowed.test') + '/three')).toBe(server.origin('allowed.test') + '/three');
  const alsoFree = await newPage();
  expect(await open(session, alsoFree, server.origin('other.test') + '/four')).toBe(server.origin('other.test') + '/four');
});

const PIN = '246813';

/** A teacher PIN on this browser (the first test to need one chooses it), from an extension page. */
async function ensurePin(page: Page): Promise<void> {
  if (!(await currentUrl(page)).startsWith(session.extensionUrl(''))) await open(session, page, session.extensionUrl('popup.html'));
  await page.evaluate((pin) => chrome.runtime.sendMessage({ type: 'setPin', newPin: pin }), PIN);
  const status = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'getStatus' }).then((reply: { value: { teacher: { pinSet: boolean } } }) => reply.value));
  expect(status.teacher.pinSet).toBe(true);
}

test('a test: the popup says Test, nobody is let through, and a new window holds nothing but the notice', async () => {
  const page = await newPage();
  // A teacher PIN on this browser, so that the blocked page would offer a let-through outside a test.
  await ensurePin(page);

  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45, { title: 'Toets', test: true }));
  await waitFor(async () => (await ruleCount(session)) > 0 && (await tabGuard(session))?.test === true, 'the test to be in force');

  await open(session, page, session.extensionUrl('popup.html'));
  await waitFor(async () => (await page.$('.test-banner')) !== null, 'the Test banner');
  expect(await page.$eval('.test-banner', (banner) => (banner as HTMLElement).innerText)).toMatch(/^TEST\s+One tab, only the test's sites, AI off, nobody let through\.$/);

  const blocked = server.origin('games.test') + '/play';
  expect(await open(session, page, blocked)).toBe(blockedPageFor(session, blocked));
  await waitForText(page, "This is a test: only the test's sites can be opened, and nobody can be let through.");
  expect(await page.$$eval('button', (buttons) => buttons.map((button) => button.textContent))).not.toContain('Teacher: let this student through');
  const reply = await page.evaluate((url, pin) => chrome.runtime.sendMessage({ type: 'allowTemporarily', pin, url, minutes: 5 }), blocked, PIN);
  expect(reply).toMatchObject({ ok: false, code: 'test-mode' });

  // A new window, as Ctrl+N opens one.
  const windowsBefore = await session.evalInWorker(async () => (await chrome.windows.getAll()).length);
  const cdp = await session.browser.target().createCDPSession();
  await cdp.send('Target.createTarget', { url: 'about:blank', newWindow: true });
  const notice = `${session.extensionUrl('tab-limit.html')}?lesson=Toets&limit=1&test=1`;
  await waitFor(async () => (await noticeTabs(session)).some((tab) => tab.url === notice), 'the new window to show the notice');
  const windows = await session.evalInWorker(async () => (await chrome.windows.getAll({ populate: true })).map((window) => (window.tabs ?? []).map((tab) => tab.url ?? tab.pendingUrl)));
  expect(windows).toHaveLength(windowsBefore + 1);
  expect(windows.at(-1)).toEqual([notice]);
  await cdp.detach();
});

test('a teacher starts a test from the popup: New lesson, Test, Start lesson', async () => {
  const popup = await newPage();
  await ensurePin(popup);
  await open(session, popup, session.extensionUrl('popup.html'));
  await button(popup, 'Teacher').click();
  await popup.locator('#pin').fill(PIN);
  await button(popup, 'Open').click();
  await button(popup, 'New lesson…').click();
  await popup.locator('#lesson-title').fill('Toets');
  await popup.locator('#site-input').fill('allowed.test');
  await popup.locator('::-p-aria([name="Test"][role="switch"])').click();
  expect(await axeViolations(popup)).toEqual([]);
  await button(popup, 'Start lesson').click();
  await waitForText(popup, 'Lesson started: Toets');
  await waitFor(async () => (await popup.$('.test-banner')) !== null, 'the Test banner');
  expect(await axeViolations(popup)).toEqual([]);
  await waitFor(async () => (await tabGuard(session))?.test === true, 'the test to be in force');
  const refused = await newPage();
  await waitFor(async () => (await currentUrl(refused)) === `${session.extensionUrl('tab-limit.html')}?lesson=Toets&limit=1&test=1`, 'a new tab to show the notice');
  await waitForText(refused, 'Toets is a test: no new tabs or windows can be opened until it ends.');
  expect(await axeViolations(refused)).toEqual([]);
});
