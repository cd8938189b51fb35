/**
 * The enforcement core in real Firefox (ESR): the same built source, with
 * background scripts instead of a service worker. Lessons are stored the way
 * the popup stores them; DNR does the blocking, the navigation backstop and
 * the tab sweep catch what it cannot see.
 *
 * The cases of the Chromium suite run here too, but for three:
 * - a stopped service worker: Firefox runs background scripts, and the test
 *   has no worker of theirs to stop;
 * - Chromium's limit of regex rules, which the Chromium case measures
 *   against isRegexSupported, a Chrome-only call;
 * - Chromium's decoding of a percent-encoded path, one redirect per
 *   character: Firefox does not apply the rules again to the request a
 *   redirect rule made (measured in ESR 153), so Lesmodus sends such an
 *   address to the blocked page there, and the tab on to its decoded
 *   spelling when that is allowed; the case below asserts that.
 */
import type { Page } from 'puppeteer-core';
import { currentUrl, distDir, launchFirefox, waitFor, type FirefoxSession } from '../../src/dev/browsers';
import { ruleCount, setLesson } from '../../src/dev/extension-state';
import { blockedPageFor, frameNotices, framedSites, inFrames, open, startNavigation } from '../../src/dev/pages';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';

let session: FirefoxSession;
let server: TestServer;
let page: Page;

async function waitForRules(predicate: (count: number) => boolean): Promise<void> {
  await waitFor(async () => predicate(await ruleCount(session)), 'rules to be applied');
}

async function startLesson(sites: string[], extra: Parameters<typeof allowlistLesson>[3] = {}): Promise<void> {
  await setLesson(session, allowlistLesson(sites, Date.now() - 1000, 45, extra));
  await waitForRules((count) => count > 0);
}

beforeAll(async () => {
  server = await startTestServer();
  session = await launchFirefox({ extensionDir: distDir('firefox'), serviceWorkerOrigins: [server.origin('allowed.test')] });
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

test('an allowlist lesson lets its sites through and sends the rest to the blocked page', async () => {
  await startLesson(['allowed.test']);

  const allowed = server.origin('allowed.test') + '/page';
  expect(await open(session, page, allowed)).toBe(allowed);
  const sub = server.origin('sub.allowed.test') + '/x';
  expect(await open(session, page, sub)).toBe(sub);

  const target = server.origin('other.test') + '/games';
  expect(await open(session, page, target)).toBe(blockedPageFor(session, target));
  await waitFor(async () => (await page.evaluate(() => document.getElementById('blocked-url')?.textContent ?? null)) === target, 'the blocked page to show the address');
  expect(server.requests.some((r) => r.host.startsWith('other.test'))).toBe(false);
});

test('an allowed page keeps its images and scripts from other hosts, and a blocked frame shows the blocked notice', async () => {
  await startLesson(['allowed.test']);
  await open(session, page, server.origin('allowed.test') + '/with-image');
  await waitFor(async () => (await page.evaluate(() => document.body.dataset.imgLoaded ?? null)) !== null, 'the image to load or fail');
  expect(await page.evaluate(() => document.body.dataset.imgLoaded)).toBe('yes');

  const before = server.requests.length;
  await open(session, page, `${server.origin('allowed.test')}/frame?src=${encodeURIComponent(server.origin('games.test') + '/play')}`);
  // Firefox reports the frame's old address to the test once it shows an extension page: its document says what it shows.
  await waitFor(async () => (await frameNotices(page)).some((notice) => notice.includes('games.test')), 'the frame to show the blocked notice');
  expect(server.requests.slice(before).some((r) => r.host.startsWith('games.test'))).toBe(false);
});

test('a frame of a site outside the lesson, open when the lesson starts, is sent to the blocked notice', async () => {
  await open(session, page, `${server.origin('allowed.test')}/frame?src=${encodeURIComponent(`${server.origin('games.test')}/already-open`)}`);
  await waitFor(async () => (await framedSites(page)).includes('games.test /already-open'), 'the game to show in its frame');
  await startLesson(['allowed.test']);
  await waitFor(async () => (await frameNotices(page)).some((notice) => notice.includes('games.test')), 'the frame to show the blocked notice');
});

test.each(['object', 'embed'])('an <%s> of a blocked site inside an allowed page never loads it', async (element) => {
  await startLesson(['allowed.test']);
  server.requests.length = 0;
  // The page's load event waits for what its <object> or <embed> loads.
  await open(session, page, `${server.origin('allowed.test')}/${element}?src=${encodeURIComponent(`${server.origin('games.test')}/plug-in`)}`);
  expect(server.requests.filter((request) => request.host === 'games.test')).toEqual([]);
  expect(await framedSites(page)).toEqual([]);
});

test('a blocked page still loading when the lesson starts is sent to the blocked page', async () => {
  const target = `${server.origin('other.test')}/stall`;
  await startNavigation(page, target);
  await waitFor(async () => (await page.evaluate(() => document.getElementById('where')?.textContent)) === 'other.test /stall', 'the page to show while it loads');
  await startLesson(['allowed.test']);
  await waitFor(async () => (await currentUrl(page)) === blockedPageFor(session, target), 'the loading tab to be sent to the blocked page');
});

test('a blocked page whose response arrives after the lesson started is sent to the blocked page', async () => {
  const target = `${server.origin('other.test')}/held?key=firefox-straddle`;
  await open(session, page, `${server.origin('allowed.test')}/before`);
  await startNavigation(page, target);
  await waitFor(() => server.requests.some((request) => request.path === '/held?key=firefox-straddle'), 'the request to reach the site');
  await startLesson(['allowed.test']);
  server.release('firefox-straddle');
  await waitFor(async () => (await currentUrl(page)) === blockedPageFor(session, target), 'the page to be sent to the blocked page when it commits');
});

test('the sweep never opens what a page wrote after blocked.html#', async () => {
  // Firefox itself refuses to send a tab to about:config, file: or data: addresses; about:blank it opens.
  const landing = blockedPageFor(session, 'about:blank');
  const tab = await session.browser.newPage();
  const witnessTab = await session.browser.newPage();
  try {
    await open(session, tab, `${server.origin('other.test')}/link?to=${encodeURIComponent(landing)}`);
    await tab.click('#go');
    await waitFor(async () => (await currentUrl(tab)) === landing, 'the page to open the blocked page');
    // Opened after it, so swept after it.
    const witness = server.origin('other.test') + '/witness';
    expect(await open(session, witnessTab, witness)).toBe(witness);
    await startLesson(['allowed.test']);
    await waitFor(async () => (await currentUrl(witnessTab)) === blockedPageFor(session, witness), 'the sweep at the start of the lesson');
    await setLesson(session, null);
    await waitFor(async () => (await currentUrl(witnessTab)) === witness, 'the sweep at the end of the lesson');
    expect(await currentUrl(tab)).toBe(landing);
  } finally {
    await tab.close();
    await witnessTab.close();
  }
});

test('a host written with a trailing dot is the same site: allowed when allowed, blocked when blocked', async () => {
  await startLesson(['allowed.test']);
  const allowed = `http://allowed.test.:${server.port}/page`;
  expect(await open(session, page, allowed)).toBe(allowed);
  server.requests.length = 0;
  const other = `http://other.test.:${server.port}/games`;
  expect(await open(session, page, other)).toBe(blockedPageFor(session, other));
  expect(server.requests).toEqual([]);
  // Away from the blocked page first: a blocklist lesson allows other.test., and the tab would go back to it.
  expect(await open(session, page, allowed)).toBe(allowed);
  await setLesson(session, allowlistLesson(['games.test'], Date.now() - 1000, 45, { mode: 'blocklist' }));
  await waitFor(async () => (await session.evalInExtension(async () => chrome.declarativeNetRequest.getDynamicRules())).some((rule) => rule.condition.requestDomains?.includes('games.test')), 'the blocklist lesson to apply');
  const game = `http://games.test.:${server.port}/play`;
  expect(await open(session, page, game)).toBe(blockedPageFor(session, game));
  expect(server.requests.filter((request) => request.host.startsWith('games.test'))).toEqual([]);
});

test('a percent-encoded path is the same path: allowed.test/%66orbidden never loads when allowed.test/forbidden is blocked', async () => {
  await setLesson(session, allowlistLesson(['allowed.test/forbidden'], Date.now() - 1000, 45, { mode: 'blocklist' }));
  await waitForRules((count) => count > 0);
  server.requests.length = 0;
  for (const encoded of [`${server.origin('allowed.test')}/%66%6Frbidden/page`, `${server.origin('allowed.test')}/%66%6frbidden`, `${server.origin('allowed.test')}/%%36%36orbidden`]) {
    expect(await open(session, page, encoded)).toBe(blockedPageFor(session, encoded));
  }
  expect(server.requests.filter((request) => request.host.startsWith('allowed.test'))).toEqual([]);
  // Another path of the site, encoded: on from the blocked page to its decoded spelling, which loads.
  const free = `${server.origin('allowed.test')}/free`;
  await open(session, page, `${server.origin('allowed.test')}/%66ree`).catch(() => undefined);
  await waitFor(async () => (await currentUrl(page)) === free, 'the tab to go on to the decoded address');
  expect(server.requests.map((request) => request.path)).toContain('/free');
  expect(server.requests.filter((request) => request.path.includes('orbidden'))).toEqual([]);
});

test('the source of a blocked page (view-source:) is sent to the blocked page for it', async () => {
  await startLesson(['allowed.test']);
  const target = `${server.origin('other.test')}/source`;
  await open(session, page, `view-source:${target}`).catch(() => undefined);
  await waitFor(async () => (await currentUrl(page)) === blockedPageFor(session, target), 'the view-source: tab to be sent to the blocked page');
});

test('a game in a frame, served from its own service worker, is sent to the blocked notice', async () => {
  const game = server.origin('games.test');
  await open(session, page, `${server.origin('allowed.test')}/frame?src=${encodeURIComponent(`${game}/sw`)}`);
  await waitFor(async () => (await inFrames(page, () => document.body.dataset.swReady ?? null)).includes('yes'), "the game's service worker to control its frame");
  await startLesson(['allowed.test']);
  server.requests.length = 0;
  await open(session, page, `${server.origin('allowed.test')}/frame?src=${encodeURIComponent(`${game}/sw-cached`)}`);
  await waitFor(async () => (await frameNotices(page)).some((notice) => notice.includes('games.test')), 'the frame to show the blocked notice');
});

test('a tab already open on a blocked site is moved to the blocked page when the lesson starts', async () => {
  const target = server.origin('other.test') + '/reading';
  expect(await open(session, page, target)).toBe(target);
  await startLesson(['allowed.test']);
  await waitFor(async () => (await currentUrl(page)) === blockedPageFor(session, target), 'the open tab to be swept to the blocked page');
});

test('an in-page pushState to a path outside the lesson is caught', async () => {
  await startLesson(['allowed.test/pushstate', 'allowed.test/maths']);
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
  await waitFor(async () => (await currentUrl(page)) === target, 'the blocked tab to return to its page after the lesson', 15_000);
  await waitForRules((count) => count === 0);
});

test('a page served from a site service worker cache is caught', async () => {
  await open(session, page, server.origin('allowed.test') + '/sw');
  await waitFor(async () => (await page.evaluate(() => document.body.dataset.swReady)) === 'yes', 'the site service worker to be ready');
  await startLesson(['allowed.test/sw', 'allowed.test/sw.js']);
  const cached = server.origin('allowed.test') + '/sw-cached';
  await open(session, page, cached).catch(() => undefined);
  await waitFor(async () => (await currentUrl(page)) === blockedPageFor(session, cached), 'the cached page to be sent to the blocked page');
});

test('an allowed video does not let another through a repeated query key (?v=123&v=XYZ)', async () => {
  await startLesson(['allowed.test/watch?v=XYZ']);
  const allowed = `${server.origin('allowed.test')}/watch?v=XYZ`;
  expect(await open(session, page, allowed)).toBe(allowed);
  server.requests.length = 0;
  for (const smuggled of [`${server.origin('allowed.test')}/watch?v=123&v=XYZ`, `${server.origin('allowed.test')}/watch?v=XYZ&v=123`]) {
    expect(await open(session, page, smuggled)).toBe(blockedPageFor(session, smuggled));
  }
  expect(server.requests).toEqual([]);
});

test('ending the lesson opens the web again', async () => {
  await startLesson(['allowed.test']);
  await setLesson(session, null);
  await waitForRules((count) => count === 0);
  const target = server.origin('other.test') + '/free';
  expect(await open(session, page, target)).toBe(target);
});
