/**
 * The enforcement core in real Firefox (ESR): the same built source, with
 * background scripts instead of a service worker. Lessons are stored the way
 * the popup stores them; DNR does the blocking.
 */
import type { Page } from 'puppeteer-core';
import { distDir, launchFirefox, waitFor, type FirefoxSession } from '../../src/dev/browsers';
import { ruleCount, setLesson } from '../../src/dev/extension-state';
import { blockedPageFor, open } from '../../src/dev/pages';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';

let session: FirefoxSession;
let server: TestServer;
let page: Page;

beforeAll(async () => {
  server = await startTestServer();
  session = await launchFirefox({ extensionDir: distDir('firefox') });
  page = await session.browser.newPage();
});

afterAll(async () => {
  await session?.close();
  await server?.close();
});

test('an allowlist lesson lets its sites through and sends the rest to the blocked page', async () => {
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitFor(async () => (await ruleCount(session)) > 0, 'rules to be applied');

  const allowed = server.origin('allowed.test') + '/page';
  expect(await open(session, page, allowed)).toBe(allowed);
  const sub = server.origin('sub.allowed.test') + '/x';
  expect(await open(session, page, sub)).toBe(sub);

  const target = server.origin('other.test') + '/games';
  expect(await open(session, page, target)).toBe(blockedPageFor(session, target));
  await waitFor(async () => (await page.evaluate(() => document.getElementById('blocked-url')?.textContent ?? null)) === target, 'the blocked page to show the address');
  expect(server.requests.some((r) => r.host.startsWith('other.test'))).toBe(false);
});

test('an allowed page keeps its images and scripts from other hosts, and a blocked frame is stopped', async () => {
  await open(session, page, server.origin('allowed.test') + '/with-image');
  await waitFor(async () => (await page.evaluate(() => document.body.dataset.imgLoaded ?? null)) !== null, 'the image to load or fail');
  expect(await page.evaluate(() => document.body.dataset.imgLoaded)).toBe('yes');

  const before = server.requests.length;
  await open(session, page, `${server.origin('allowed.test')}/frame?src=${encodeURIComponent(server.origin('games.test') + '/play')}`);
  await waitFor(async () => (await page.evaluate(() => document.body.dataset.frameLoaded ?? null)) === 'yes', 'the frame to settle');
  // Firefox stops the frame but, unlike Chromium, leaves it empty instead of showing the blocked notice.
  expect(page.frames().some((frame) => frame !== page.mainFrame() && frame.url().includes('games.test'))).toBe(false);
  expect(server.requests.slice(before).some((r) => r.host.startsWith('games.test'))).toBe(false);
});

test('ending the lesson opens the web again', async () => {
  await setLesson(session, null);
  await waitFor(async () => (await ruleCount(session)) === 0, 'rules to be removed');
  const target = server.origin('other.test') + '/free';
  expect(await open(session, page, target)).toBe(target);
});
