/**
 * The blocked page as a student meets it, in real Chromium and real Firefox
 * alike: the lesson, its end and its sites as links (also in a tab that is
 * not in front, where Firefox once showed only the heading), the blocked site
 * named and its full address on demand, a way back (or closing a tab with
 * nothing before it), and a site IT blocks outside lessons worded as the
 * school's rule. axe-core runs in the real page, colour contrast included.
 *
 * IT's policy (games.test blocked) comes as each browser takes it: a policy
 * file for Chromium (global to the machine: this suite runs under the shared
 * browser lock and removes its file after the suite and on exit), a
 * managed-storage manifest for Firefox.
 */
import type { Page } from 'puppeteer-core';
import { currentUrl, distDir, launchChromium, launchFirefox, waitFor, type ExtensionSession } from '../../src/dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID } from '../../src/dev/chromium-policy';
import { setLesson, stored } from '../../src/dev/extension-state';
import { axeViolations, blockedPageFor, open, waitForLanding } from '../../src/dev/pages';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';

const POLICY = { blocked: ['games.test'], timeZone: 'Europe/Amsterdam' };
const SITES = ['allowed.test', 'maths.test'];

/** What the blocked page shows, read from the page. */
interface Shown {
  readonly heading: string;
  readonly title: string;
  readonly lesson: string;
  readonly until: string;
  readonly links: ReadonlyArray<readonly [string, string]>;
  readonly host: string;
  readonly fullAddress: string;
  readonly fullAddressOpen: boolean;
  readonly rule: string;
  readonly ask: string;
  readonly buttons: readonly string[];
}

/** Runs in the page: no named inner functions (the harness's tsx would wrap them in a helper the page lacks). */
function readShown(): Shown {
  const text = (selector: string): string => document.querySelector(selector)?.textContent?.trim() ?? '';
  return {
    heading: text('h1'),
    title: document.title,
    lesson: text('.lesson strong'),
    until: text('.lesson .until'),
    links: [...document.querySelectorAll<HTMLAnchorElement>('.sites a')].map((link) => [link.textContent ?? '', link.href] as const),
    host: text('.blocked-host'),
    fullAddress: text('#blocked-url'),
    fullAddressOpen: document.querySelector('details.full-address')?.hasAttribute('open') ?? false,
    rule: text('.explain'),
    ask: text('.ask'),
    buttons: [...document.querySelectorAll('.leave-actions button')].map((button) => button.textContent ?? ''),
  };
}

const launches: Record<'chromium' | 'firefox', () => Promise<ExtensionSession>> = {
  chromium: () => launchChromium({ extensionDir: distDir('chrome') }),
  firefox: () => launchFirefox({ extensionDir: distDir('firefox'), managedStorage: POLICY }),
};

describe.each(['chromium', 'firefox'] as const)('the blocked page in %s', (kind) => {
  const policyFile = new ChromiumPolicyFile('lesmodus-blocked-page-test');
  let server: TestServer;
  let session: ExtensionSession;
  let lessonEnd: number;

  beforeAll(async () => {
    server = await startTestServer();
    if (kind === 'chromium') policyFile.write({ [DEV_EXTENSION_ID]: POLICY });
    session = await launches[kind]();
    // The policy is read (Chromium answers managed storage after a few seconds).
    await waitFor(async () => (await stored<{ found: boolean }>(session, 'policyStatus'))?.found === true, 'the policy to be read', 20_000);
  });

  afterAll(async () => {
    await session?.close();
    policyFile.remove();
    await server?.close();
  });

  /** Puts a lesson of SITES in force, and waits until a site outside it lands on the blocked page. */
  async function withLesson(): Promise<void> {
    const lesson = allowlistLesson(SITES, Date.now() - 1000, 45);
    lessonEnd = lesson.endsAt;
    await setLesson(session, lesson);
    const page = await session.browser.newPage();
    const probe = `${server.origin('probe.test')}/`;
    await waitForLanding(session, page, probe, blockedPageFor(session, probe), "the lesson's rules to apply");
    await page.close();
  }

  async function shown(page: Page, ready: (shown: Shown) => boolean, what: string): Promise<Shown> {
    let last: Shown | undefined;
    await waitFor(async () => {
      last = await page.evaluate(readShown);
      return ready(last);
    }, what);
    return last!;
  }

  test('shows the lesson, its end and its sites as links, in a tab that is not in front', async () => {
    await withLesson();
    const page = await session.browser.newPage();
    // Another tab comes to the front: the blocked page loads behind it.
    const front = await session.browser.newPage();
    await front.bringToFront();
    const target = `${server.origin('other.test')}/games/level-2?session=8f3a9c&ref=newsletter`;
    expect(await open(session, page, target)).toBe(blockedPageFor(session, target));

    const seen = await shown(page, (now) => now.links.length > 0, 'the lesson and its sites');
    const until = await page.evaluate((end) => `Until ${new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit' }).format(end)}`, lessonEnd);
    expect(seen).toMatchObject({
      heading: 'This site is not part of the lesson',
      title: 'This site is not part of the lesson',
      lesson: 'Lesson: Rekenen 2B',
      until,
      links: [
        ['allowed.test', 'https://allowed.test/'],
        ['maths.test', 'https://maths.test/'],
      ],
      ask: 'Need this site for your work? Ask your teacher.',
    });
    await front.close();
    await page.close();
  });

  test('names the blocked site, with the full address only on demand, and passes axe', async () => {
    await withLesson();
    const page = await session.browser.newPage();
    const target = `${server.origin('other.test')}/games?level=2&utm_source=mail`;
    await open(session, page, target);
    const seen = await shown(page, (now) => now.host !== '', 'the blocked site');
    expect(seen).toMatchObject({ host: 'other.test', fullAddress: target, fullAddressOpen: false });
    await page.click('details.full-address summary');
    expect((await page.evaluate(readShown)).fullAddressOpen).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  test('Go back returns to the page before', async () => {
    await withLesson();
    const page = await session.browser.newPage();
    const before = `${server.origin('allowed.test')}/page`;
    expect(await open(session, page, before)).toBe(before);
    await open(session, page, `${server.origin('other.test')}/games`);
    await shown(page, (now) => now.buttons.includes('Go back'), 'Go back');
    await page.click('.leave-actions button');
    await waitFor(async () => (await currentUrl(page)) === before, 'the tab to be back on the page before');
    await page.close();
  });

  test('a tab with no page before it (a link opened in a new tab) offers to close itself, and closes', async () => {
    await withLesson();
    const page = await session.browser.newPage();
    await open(session, page, `${server.origin('allowed.test')}/page`);
    const target = `${server.origin('other.test')}/games?tab=${kind}`;
    const landing = blockedPageFor(session, target);
    await page.evaluate((href) => {
      const link = Object.assign(document.createElement('a'), { href, target: '_blank', rel: 'noopener', textContent: 'a game' });
      link.id = 'new-tab-link';
      document.body.append(link);
    }, target);
    const pagesBefore = new Set(await session.browser.pages());
    await page.click('#new-tab-link');
    // The new tab, found by what it shows: over BiDi its target's address lags behind the redirect.
    let tab: Page | undefined;
    await waitFor(async () => {
      tab = (await session.browser.pages()).find((candidate) => !pagesBefore.has(candidate));
      return tab !== undefined && (await currentUrl(tab)) === landing;
    }, 'the link to open the blocked page in a new tab');
    const seen = await shown(tab!, (now) => now.buttons.length > 0, 'a way off the page');
    expect(seen.buttons).toEqual(['Close this tab']);
    await tab!.click('.leave-actions button');
    // Asked of the browser: puppeteer over BiDi does not see a tab the page closed itself.
    await waitFor(async () => !(await session.evalInExtension(async (url) => (await chrome.tabs.query({})).some((open) => open.url === url), landing)), 'the tab to close');
    await page.close();
  });

  test("a site IT blocks outside lessons is the school's rule: what to do, and a way back", async () => {
    await setLesson(session, null);
    const page = await session.browser.newPage();
    const before = `${server.origin('other.test')}/page`;
    await waitForLanding(session, page, before, before, 'the lesson to end');
    const games = `${server.origin('games.test')}/play`;
    expect(await open(session, page, games)).toBe(blockedPageFor(session, games));
    const seen = await shown(page, (now) => now.rule !== '', "the school's rule");
    expect(seen).toMatchObject({
      heading: 'Your school blocks this site',
      title: 'Your school blocks this site',
      rule: 'This is a rule of your school. It always applies, in lessons and outside them.',
      ask: "Do you need this site for school work? Ask your teacher or the school's IT staff.",
      buttons: ['Go back'],
      links: [],
    });
    expect(await axeViolations(page)).toEqual([]);
    await page.click('.leave-actions button');
    await waitFor(async () => (await currentUrl(page)) === before, 'the tab to be back on the page before');
    await page.close();
  });
});
