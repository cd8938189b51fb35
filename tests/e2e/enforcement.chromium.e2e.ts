/**
 * The enforcement core in real Chromium: DNR rules from a lesson stored the
 * way the popup stores it, the navigation backstop (pages and frames), the
 * tab sweep (loading tabs and frames too), the end of a lesson, and a
 * service worker killed mid-lesson.
 */
import type { Page } from 'puppeteer-core';
import { currentUrl, distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { ruleCount, setLesson } from '../../src/dev/extension-state';
import { blockedPageFor, frameNotices, framedSites, inFrames, open, startNavigation } from '../../src/dev/pages';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';

let session: ChromiumSession;
let server: TestServer;
let page: Page;

/** Waits until the background has applied rules for the stored lesson. */
async function waitForRules(predicate: (count: number) => boolean): Promise<void> {
  await waitFor(async () => predicate(await ruleCount(session)), 'dynamic rules to be applied');
}

beforeAll(async () => {
  server = await startTestServer();
  session = await launchChromium({ extensionDir: distDir('chrome'), serviceWorkerOrigins: [server.origin('allowed.test'), server.origin('games.test')] });
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
  await setLesson(session, null);
  await waitForRules((count) => count === 0);
});

test('an allowlist lesson lets its sites and their subdomains through and blocks the rest', async () => {
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);

  expect(await open(session, page, server.origin('allowed.test') + '/page')).toBe(server.origin('allowed.test') + '/page');
  expect(await page.$eval('#where', (el) => el.textContent)).toContain('allowed.test');
  expect(await open(session, page, server.origin('sub.allowed.test') + '/x')).toBe(server.origin('sub.allowed.test') + '/x');

  const target = server.origin('other.test') + '/games?level=2';
  const landed = await open(session, page, target);
  expect(landed).toBe(blockedPageFor(session, target));
  await waitFor(async () => (await page.$('#blocked-url')) !== null, 'the blocked page to render');
  expect(await page.$eval('#blocked-url', (el) => el.textContent)).toBe(target);
  expect(await page.$eval('h1', (el) => el.textContent)).toMatch(/not part of the lesson/);
  // The allowed sites are offered as links.
  expect(await page.$$eval('.sites a', (links) => links.map((a) => a.getAttribute('href')))).toEqual(['https://allowed.test']);
  expect(server.requests.some((r) => r.host.startsWith('other.test'))).toBe(false);
});

test('an allowed page still loads images and scripts from hosts outside the lesson', async () => {
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  await open(session, page, server.origin('allowed.test') + '/with-image');
  await waitFor(async () => (await page.evaluate(() => document.body.dataset.imgLoaded)) !== undefined, 'the image to load or fail');
  expect(await page.evaluate(() => document.body.dataset.imgLoaded)).toBe('yes');
  expect(await page.evaluate(() => (window as unknown as { cdnScriptRan?: boolean }).cdnScriptRan)).toBe(true);
});

test('a frame of a blocked host inside an allowed page is blocked and names its host', async () => {
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  const before = server.requests.length;
  await open(session, page, `${server.origin('allowed.test')}/frame?src=${encodeURIComponent(server.origin('games.test') + '/play')}`);
  const blockedPage = session.extensionUrl('blocked.html');
  await waitFor(() => page.frames().some((frame) => frame.url().startsWith(blockedPage)), 'the frame to show the blocked notice');
  const frame = page.frames().find((f) => f.url().startsWith(blockedPage))!;
  await waitFor(async () => (await frame.$('.frame-notice')) !== null, 'the frame notice to render');
  expect(await frame.$eval('.frame-notice', (el) => el.textContent)).toContain('games.test');
  expect(server.requests.slice(before).some((r) => r.host.startsWith('games.test'))).toBe(false);
});

test('a tab already open on a blocked site is moved to the blocked page when the lesson starts', async () => {
  const target = server.origin('other.test') + '/reading';
  expect(await open(session, page, target)).toBe(target);
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitFor(async () => (await currentUrl(page)) === blockedPageFor(session, target), 'the open tab to be swept to the blocked page');
});

test('an in-page pushState to a path outside the lesson is caught', async () => {
  await setLesson(session, allowlistLesson(['allowed.test/pushstate', 'allowed.test/maths'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  const start = `${server.origin('allowed.test')}/pushstate?to=/games`;
  expect(await open(session, page, start)).toBe(start);
  await page.click('#go');
  await waitFor(async () => (await currentUrl(page)) === blockedPageFor(session, `${server.origin('allowed.test')}/games`), 'the pushState navigation to be caught');
});

test('when the lesson ends, blocked sites load again without anyone doing anything', async () => {
  const target = server.origin('other.test') + '/after';
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 0.05)); // ends in about 2 s
  await waitForRules((count) => count > 0);
  expect(await open(session, page, target)).toBe(blockedPageFor(session, target));
  // The blocked tab returns to its page by itself when the lesson ends.
  await waitFor(async () => (await currentUrl(page)) === target, 'the blocked tab to return to its page after the lesson', 15_000);
  await waitForRules((count) => count === 0);
  expect(await open(session, page, server.origin('games.test') + '/free')).toBe(server.origin('games.test') + '/free');
});

test('after the service worker is stopped, rules hold and a rule change still applies', async () => {
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  await session.stopWorker();

  const target = server.origin('other.test') + '/while-asleep';
  expect(await open(session, page, target)).toBe(blockedPageFor(session, target));

  // A rule change (the teacher adds other.test) wakes the worker and applies.
  await setLesson(session, allowlistLesson(['allowed.test', 'other.test'], Date.now() - 1000, 45));
  await waitFor(async () => {
    const rules = await session.evalInWorker(async () => chrome.declarativeNetRequest.getDynamicRules());
    return rules.some((rule) => rule.condition.requestDomains?.includes('other.test'));
  }, 'the new rules to apply after the restart');
  expect(await open(session, page, target)).toBe(target);
});

test('a page served from a site service worker cache is caught by the backstop', async () => {
  // Visit while open so the site's service worker caches the page.
  await open(session, page, server.origin('allowed.test') + '/sw');
  await waitFor(async () => (await page.evaluate(() => document.body.dataset.swReady)) === 'yes', 'the site service worker to be ready');
  await setLesson(session, allowlistLesson(['allowed.test/sw', 'allowed.test/sw.js'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  const cached = server.origin('allowed.test') + '/sw-cached';
  await open(session, page, cached).catch(() => undefined);
  await waitFor(async () => (await currentUrl(page)) === blockedPageFor(session, cached), 'the cached page to be sent to the blocked page');
});

test("a lesson with more path patterns than Chromium's regex-rule limit still applies, and says which patterns DNR left out", async () => {
  // 1,000 path patterns need 1,000 regex rules, plus the redirect rule: one over Chromium's limit of 1,000.
  const sites = Array.from({ length: 1000 }, (_, i) => `allowed.test/p${i}`);
  await setLesson(session, allowlistLesson(sites, Date.now() - 1000, 45));
  await waitForRules((count) => count >= 1000);
  const rules = await session.evalInWorker(async () => chrome.declarativeNetRequest.getDynamicRules());
  expect(rules.filter((rule) => rule.condition.regexFilter !== undefined)).toHaveLength(1000);
  const kept = server.origin('allowed.test') + '/p1/lesson';
  expect(await open(session, page, kept)).toBe(kept);
  const other = server.origin('allowed.test') + '/games';
  expect(await open(session, page, other)).toBe(blockedPageFor(session, other));
  const status = await page.evaluate(async () => chrome.runtime.sendMessage({ type: 'getStatus' }));
  expect(status).toMatchObject({ ok: true, value: { rules: { error: expect.stringMatching(/limit of regex rules/) } } });
});

test('a percent-encoded path is the same path: allowed.test/%66orbidden is blocked by a lesson that blocks allowed.test/forbidden', async () => {
  // Chromium itself leaves %66 as it is (it stopped decoding such characters in 2023)...
  const plain = `${server.origin('allowed.test')}/%66ree`;
  expect(await open(session, page, plain)).toBe(plain);
  expect(server.requests.at(-1)).toEqual({ host: expect.stringMatching(/^allowed\.test/), path: '/%66ree' });
  await setLesson(session, allowlistLesson(['allowed.test/forbidden'], Date.now() - 1000, 45, { mode: 'blocklist' }));
  await waitForRules((count) => count > 0);
  server.requests.length = 0;
  // ...so the rules decode it (one redirect per character) before judging.
  const encoded = `${server.origin('allowed.test')}/%66%6Frbidden/page`;
  expect(await open(session, page, encoded)).toBe(blockedPageFor(session, `${server.origin('allowed.test')}/forbidden/page`));
  const lowerHex = `${server.origin('allowed.test')}/%66%6frbidden`;
  expect(await open(session, page, lowerHex)).toBe(blockedPageFor(session, `${server.origin('allowed.test')}/forbidden`));
  expect(server.requests.some((request) => request.host.startsWith('allowed.test'))).toBe(false);
  // Other paths of the site, encoded or not, still load.
  const other = `${server.origin('allowed.test')}/%66ree`;
  expect(await open(session, page, other)).toBe(`${server.origin('allowed.test')}/free`);
});

test('an allowed video does not let another through a repeated query key (?v=123&v=XYZ)', async () => {
  await setLesson(session, allowlistLesson(['allowed.test/watch?v=XYZ'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  const allowed = `${server.origin('allowed.test')}/watch?v=XYZ`;
  expect(await open(session, page, allowed)).toBe(allowed);
  server.requests.length = 0;
  for (const smuggled of [`${server.origin('allowed.test')}/watch?v=123&v=XYZ`, `${server.origin('allowed.test')}/watch?v=XYZ&v=123`]) {
    expect(await open(session, page, smuggled)).toBe(blockedPageFor(session, smuggled));
  }
  expect(server.requests).toEqual([]);
});

test('a game in a frame, served from its own service worker, is sent to the blocked notice', async () => {
  // Outside the lesson, a page of an allowed site frames the game, whose service worker installs (partitioned under allowed.test).
  const game = server.origin('games.test');
  await open(session, page, `${server.origin('allowed.test')}/frame?src=${encodeURIComponent(`${game}/sw`)}`);
  await waitFor(async () => (await inFrames(page, () => document.body.dataset.swReady ?? null)).includes('yes'), "the game's service worker to control its frame");
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  server.requests.length = 0;
  await open(session, page, `${server.origin('allowed.test')}/frame?src=${encodeURIComponent(`${game}/sw-cached`)}`);
  await waitFor(async () => (await frameNotices(page)).some((notice) => notice.includes('games.test')), 'the frame to show the blocked notice');
  // The game's page never came over the network, where the rules would have stopped it: its service worker answered.
  expect(server.requests.filter((request) => request.host === 'games.test' && request.path === '/sw-cached')).toEqual([]);
});

test('a frame of a site outside the lesson, open when the lesson starts, is sent to the blocked notice', async () => {
  await open(session, page, `${server.origin('allowed.test')}/frame?src=${encodeURIComponent(`${server.origin('games.test')}/already-open`)}`);
  await waitFor(async () => (await framedSites(page)).includes('games.test /already-open'), 'the game to show in its frame');
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitFor(async () => (await frameNotices(page)).some((notice) => notice.includes('games.test')), 'the frame to show the blocked notice');
  expect(await currentUrl(page)).toBe(`${server.origin('allowed.test')}/frame?src=${encodeURIComponent(`${server.origin('games.test')}/already-open`)}`);
});

test.each(['object', 'embed'])('an <%s> of a blocked site inside an allowed page is blocked and names its host', async (element) => {
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  server.requests.length = 0;
  await open(session, page, `${server.origin('allowed.test')}/${element}?src=${encodeURIComponent(`${server.origin('games.test')}/plug-in`)}`);
  await waitFor(async () => (await frameNotices(page)).some((notice) => notice.includes('games.test')), `the <${element}> to show the blocked notice`);
  expect(server.requests.filter((request) => request.host === 'games.test')).toEqual([]);
});

test('a blocked page still loading when the lesson starts is sent to the blocked page', async () => {
  const target = `${server.origin('other.test')}/stall`;
  await startNavigation(page, target);
  // Committed and on screen; its body never ends, so the tab stays "loading".
  await waitFor(async () => (await page.evaluate(() => document.getElementById('where')?.textContent)) === 'other.test /stall', 'the page to show while it loads');
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitFor(async () => (await currentUrl(page)) === blockedPageFor(session, target), 'the loading tab to be sent to the blocked page');
});

test('a blocked page whose response arrives after the lesson started is sent to the blocked page', async () => {
  const target = `${server.origin('other.test')}/held?key=chromium-straddle`;
  await open(session, page, `${server.origin('allowed.test')}/before`);
  await startNavigation(page, target);
  await waitFor(() => server.requests.some((request) => request.path === '/held?key=chromium-straddle'), 'the request to reach the site');
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  server.release('chromium-straddle');
  await waitFor(async () => (await currentUrl(page)) === blockedPageFor(session, target), 'the page to be sent to the blocked page when it commits');
});

test('the sweep never opens what a page wrote after blocked.html# (chrome://, file://)', async () => {
  // blocked.html is open to every web page: a page can send its tab there with any address after '#'.
  const written = ['chrome://version/', 'file:///etc/passwd'];
  const tabs: Page[] = [];
  try {
    for (const address of written) {
      const tab = await session.browser.newPage();
      tabs.push(tab);
      const landing = blockedPageFor(session, address);
      await open(session, tab, `${server.origin('other.test')}/link?to=${encodeURIComponent(landing)}`);
      await tab.click('#go');
      await waitFor(async () => tab.url() === landing, `the page to open ${landing}`);
    }
    // A tab opened after them shows when a sweep has passed them by: the tabs are swept in the order they were opened.
    const witnessTab = await session.browser.newPage();
    tabs.push(witnessTab);
    const witness = server.origin('other.test') + '/witness';
    expect(await open(session, witnessTab, witness)).toBe(witness);
    await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
    await waitFor(async () => (await currentUrl(witnessTab)) === blockedPageFor(session, witness), 'the sweep at the start of the lesson');
    await setLesson(session, null);
    await waitFor(async () => (await currentUrl(witnessTab)) === witness, 'the sweep at the end of the lesson');
    expect(tabs.slice(0, written.length).map((tab) => tab.url())).toEqual(written.map((address) => blockedPageFor(session, address)));
  } finally {
    for (const tab of tabs) await tab.close();
  }
});

test('a host written with a trailing dot is the same site', async () => {
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  const allowed = `http://allowed.test.:${server.port}/page`;
  expect(await open(session, page, allowed)).toBe(allowed);
  server.requests.length = 0;
  const other = `http://other.test.:${server.port}/games`;
  expect(await open(session, page, other)).toBe(blockedPageFor(session, other));
  expect(server.requests.filter((request) => request.host.startsWith('other.test'))).toEqual([]);
});

test('the source of a blocked page (view-source:) is sent to the blocked page for it', async () => {
  await setLesson(session, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
  await waitForRules((count) => count > 0);
  const target = `${server.origin('other.test')}/source`;
  await open(session, page, `view-source:${target}`).catch(() => undefined);
  await waitFor(async () => (await currentUrl(page)) === blockedPageFor(session, target), 'the view-source: tab to be sent to the blocked page');
});
