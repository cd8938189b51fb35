/**
 * The enforcement core in real Chromium: DNR rules from a lesson stored the
 * way the popup stores it, the navigation backstop, the tab sweep, the end of
 * a lesson, and a service worker killed mid-lesson.
 */
import type { Page } from 'puppeteer-core';
import { currentUrl, distDir, launchChromium, waitFor, type ChromiumSession } from './support/browsers';
import { startTestServer, type TestServer } from './support/test-server';
import { allowlistLesson } from './lesson';
import type { Lesson } from '../../src/core/schemas';

let session: ChromiumSession;
let server: TestServer;
let page: Page;

async function setLesson(lesson: Lesson | null): Promise<void> {
  await session.evalInWorker(async (value) => {
    await chrome.storage.local.set({ lesson: value });
  }, lesson);
}

/** Waits until the background has applied rules for the stored lesson. */
async function waitForRules(predicate: (count: number) => boolean): Promise<void> {
  await waitFor(async () => predicate(await session.evalInWorker(async () => (await chrome.declarativeNetRequest.getDynamicRules()).length)), 'dynamic rules to be applied');
}

/**
 * Navigates and returns where the tab ended up. A navigation that the
 * background redirects a second time (a freshly woken worker sweeping tabs)
 * reports ERR_ABORTED for the first one; what counts is where the tab lands.
 */
async function open(url: string): Promise<string> {
  try {
    await session.goto(page, url);
  } catch (error) {
    if (!String(error).includes('ERR_ABORTED')) throw error;
    await page.waitForNavigation({ waitUntil: 'load', timeout: 5000 }).catch(() => undefined);
  }
  return currentUrl(page);
}

const blockedPage = (): string => session.extensionUrl('blocked.html');

beforeAll(async () => {
  server = await startTestServer();
  session = await launchChromium({ extensionDir: distDir('chrome'), serviceWorkerOrigins: [server.origin('allowed.test')] });
  await session.worker();
});

afterAll(async () => {
  await session?.close();
  await server?.close();
});

beforeEach(async () => {
  page = await session.browser.newPage();
});

afterEach(async () => {
  await page.close();
  await setLesson(null);
  await waitForRules((count) => count === 0);
});

test('an allowlist lesson lets its sites and their subdomains through and blocks the rest', async () => {
  await setLesson(allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);

  expect(await open(server.origin('allowed.test') + '/page')).toBe(server.origin('allowed.test') + '/page');
  expect(await page.$eval('#where', (el) => el.textContent)).toContain('allowed.test');
  expect(await open(server.origin('sub.allowed.test') + '/x')).toBe(server.origin('sub.allowed.test') + '/x');

  const target = server.origin('other.test') + '/games?level=2';
  const landed = await open(target);
  expect(landed).toBe(`${blockedPage()}#${target}`);
  await waitFor(async () => (await page.$('#blocked-url')) !== null, 'the blocked page to render');
  expect(await page.$eval('#blocked-url', (el) => el.textContent)).toBe(target);
  expect(await page.$eval('h1', (el) => el.textContent)).toMatch(/not part of the lesson/);
  // The allowed sites are offered as links.
  expect(await page.$$eval('.sites a', (links) => links.map((a) => a.getAttribute('href')))).toEqual(['https://allowed.test']);
  expect(server.requests.some((r) => r.host.startsWith('other.test'))).toBe(false);
});

test('an allowed page still loads images and scripts from hosts outside the lesson', async () => {
  await setLesson(allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  await open(server.origin('allowed.test') + '/with-image');
  await waitFor(async () => (await page.evaluate(() => document.body.dataset.imgLoaded)) !== undefined, 'the image to load or fail');
  expect(await page.evaluate(() => document.body.dataset.imgLoaded)).toBe('yes');
  expect(await page.evaluate(() => (window as unknown as { cdnScriptRan?: boolean }).cdnScriptRan)).toBe(true);
});

test('a frame of a blocked host inside an allowed page is blocked and names its host', async () => {
  await setLesson(allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  const before = server.requests.length;
  await open(`${server.origin('allowed.test')}/frame?src=${encodeURIComponent(server.origin('games.test') + '/play')}`);
  await waitFor(() => page.frames().some((frame) => frame.url().startsWith(blockedPage())), 'the frame to show the blocked notice');
  const frame = page.frames().find((f) => f.url().startsWith(blockedPage()))!;
  await waitFor(async () => (await frame.$('.frame-notice')) !== null, 'the frame notice to render');
  expect(await frame.$eval('.frame-notice', (el) => el.textContent)).toContain('games.test');
  expect(server.requests.slice(before).some((r) => r.host.startsWith('games.test'))).toBe(false);
});

test('a tab already open on a blocked site is moved to the blocked page when the lesson starts', async () => {
  const target = server.origin('other.test') + '/reading';
  expect(await open(target)).toBe(target);
  await setLesson(allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitFor(async () => (await currentUrl(page)) === `${blockedPage()}#${target}`, 'the open tab to be swept to the blocked page');
});

test('an in-page pushState to a path outside the lesson is caught', async () => {
  await setLesson(allowlistLesson(['allowed.test/pushstate', 'allowed.test/maths'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  const start = `${server.origin('allowed.test')}/pushstate?to=/games`;
  expect(await open(start)).toBe(start);
  await page.click('#go');
  await waitFor(async () => (await currentUrl(page)) === `${blockedPage()}#${server.origin('allowed.test')}/games`, 'the pushState navigation to be caught');
});

test('when the lesson ends, blocked sites load again without anyone doing anything', async () => {
  const target = server.origin('other.test') + '/after';
  await setLesson(allowlistLesson(['allowed.test'], Date.now() - 1000, 0.05)); // ends in about 2 s
  await waitForRules((count) => count > 0);
  expect(await open(target)).toBe(`${blockedPage()}#${target}`);
  // The blocked tab returns to its page by itself when the lesson ends.
  await waitFor(async () => (await currentUrl(page)) === target, 'the blocked tab to return to its page after the lesson', 15_000);
  await waitForRules((count) => count === 0);
  expect(await open(server.origin('games.test') + '/free')).toBe(server.origin('games.test') + '/free');
});

test('after the service worker is stopped, rules hold and a rule change still applies', async () => {
  await setLesson(allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  await session.stopWorker();

  const target = server.origin('other.test') + '/while-asleep';
  expect(await open(target)).toBe(`${blockedPage()}#${target}`);

  // A rule change (the teacher adds other.test) wakes the worker and applies.
  await setLesson(allowlistLesson(['allowed.test', 'other.test'], Date.now() - 1000, 45));
  await waitFor(async () => {
    const rules = await session.evalInWorker(async () => chrome.declarativeNetRequest.getDynamicRules());
    return rules.some((rule) => rule.condition.requestDomains?.includes('other.test'));
  }, 'the new rules to apply after the restart');
  expect(await open(target)).toBe(target);
});

test('a page served from a site service worker cache is caught by the backstop', async () => {
  // Visit while open so the site's service worker caches the page.
  await open(server.origin('allowed.test') + '/sw');
  await waitFor(async () => (await page.evaluate(() => document.body.dataset.swReady)) === 'yes', 'the site service worker to be ready');
  await setLesson(allowlistLesson(['allowed.test/sw', 'allowed.test/sw.js'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  const cached = server.origin('allowed.test') + '/sw-cached';
  await open(cached).catch(() => undefined);
  await waitFor(async () => (await currentUrl(page)) === `${blockedPage()}#${cached}`, 'the cached page to be sent to the blocked page');
});
