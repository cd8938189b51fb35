// The tab sweep and the navigation backstop of the real background over an
// in-memory browser: what a tab shows when the rules change — loading or
// not, with a navigation under way, in a frame or on the blocked page — and
// what a committed navigation is judged by.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { startBackground, type TestBackground } from './support/background';
import { useClock } from './support/clock';
import type { Lesson } from '../../../src/core/schemas';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const BLOCKED_PAGE = 'chrome-extension://test-extension-id/blocked.html';
const blockedPageFor = (url: string): string => `${BLOCKED_PAGE}#${url}`;
const POLICY = { blocked: ['games.test'], allowed: ['login.microsoftonline.com'] };

const lesson = (extra: Partial<Lesson> = {}): Lesson => ({ id: 'l1', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: ['player.vimeo.com'], startsAt: T0 - 5 * M, endsAt: T0 + 40 * M, ...extra });

let background: TestBackground;

beforeEach(() => useClock(T0));

afterEach(async () => {
  await background.stop();
  jest.useRealTimers();
});

/** The lesson ends: the clock reaches its end and the wake-up fires. */
async function endLesson(subject: TestBackground, endsAt: number): Promise<void> {
  jest.setSystemTime(endsAt);
  await subject.fireAlarm('lesmodus-next-change');
}

describe('the sweep, when a lesson starts', () => {
  it('sends a tab to the blocked page while its page is still loading (a response still arriving, an image that never ends)', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'https://wikipedia.org/wiki/Breuk', loading: true }] });
    await background.setLocal({ lesson: lesson() });
    expect(await background.tabUrl(1)).toBe(blockedPageFor('https://wikipedia.org/wiki/Breuk'));
  });

  it('leaves a navigation under way to go on: the rules judge its request, the backstop its commit', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'https://rekenen.nl/', pendingUrl: 'https://wikipedia.org/' }] });
    await background.setLocal({ lesson: lesson() });
    expect(background.tabsSent).toEqual([]);
    await background.commit(1, 'https://wikipedia.org/');
    await background.idle();
    expect(await background.tabUrl(1)).toBe(blockedPageFor('https://wikipedia.org/'));
  });

  it('judges a navigation that commits while the new rules are being applied by the new rules', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'https://rekenen.nl/', pendingUrl: 'https://wikipedia.org/' }] });
    // The lesson is written, and its pass is under way when the browser reports the commit (the sweep read the tab before it).
    await background.writeLocal({ lesson: lesson() });
    await background.commit(1, 'https://wikipedia.org/', { reportOnly: true });
    await background.idle();
    expect(await background.tabUrl(1)).toBe(blockedPageFor('https://wikipedia.org/'));
  });

  it('sends a frame of a site outside the lesson to the blocked notice, and leaves the page, embeds and empty frames alone', async () => {
    background = await startBackground({
      policy: POLICY,
      tabs: [{ url: 'https://rekenen.nl/les', frames: ['https://games.test/play', 'https://player.vimeo.com/video/1', 'about:blank', 'https://rekenen.nl/som'] }],
    });
    await background.setLocal({ lesson: lesson() });
    expect(await background.tabUrl(1)).toBe('https://rekenen.nl/les');
    expect([1, 2, 3, 4].map((frameId) => background.frameUrl(1, frameId))).toEqual([blockedPageFor('https://games.test/play'), 'https://player.vimeo.com/video/1', 'about:blank', 'https://rekenen.nl/som']);
  });

  it('sends a view-source: tab of a blocked site to the blocked page for the site', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'view-source:https://wikipedia.org/wiki/Breuk' }] });
    await background.setLocal({ lesson: lesson() });
    expect(await background.tabUrl(1)).toBe(blockedPageFor('https://wikipedia.org/wiki/Breuk'));
  });
});

describe('the sweep, when a lesson ends', () => {
  it('sends a blocked page back to its address, also one still on its way to the tab', async () => {
    background = await startBackground({
      policy: POLICY,
      local: { lesson: lesson() },
      tabs: [{ url: blockedPageFor('https://wikipedia.org/a') }, { url: 'https://rekenen.nl/', pendingUrl: blockedPageFor('https://wikipedia.org/b') }],
    });
    await endLesson(background, T0 + 40 * M);
    expect(await background.tabUrl(1)).toBe('https://wikipedia.org/a');
    expect(await background.tabUrl(2)).toBe('https://wikipedia.org/b');
  });

  it.each([
    ['a browser page', 'chrome://version/'],
    ['a settings page', 'chrome://settings/'],
    ['a local file', 'file:///etc/passwd'],
    ['a script', 'javascript:alert(1)'],
    ['a data address', 'data:text/html,<h1>hi</h1>'],
    ['the source of an allowed page', 'view-source:https://wikipedia.org/'],
    ['an extension page', 'chrome-extension://test-extension-id/status.html'],
    ['a site IT blocks', 'https://games.test/play'],
  ])('never opens what a page wrote after blocked.html#: %s', async (_name, address) => {
    background = await startBackground({ policy: POLICY, local: { lesson: lesson() }, tabs: [{ url: blockedPageFor(address) }] });
    await endLesson(background, T0 + 40 * M);
    await background.commit(1, blockedPageFor(address));
    await background.idle();
    expect(background.tabsSent).toEqual([]);
    expect(await background.tabUrl(1)).toBe(blockedPageFor(address));
  });
});

describe('the backstop', () => {
  it('sends a blocked page that commits after the lesson ended back to its address', async () => {
    background = await startBackground({ policy: POLICY, local: { lesson: lesson() }, tabs: [{ url: 'https://rekenen.nl/', pendingUrl: 'https://wikipedia.org/' }] });
    await endLesson(background, T0 + 40 * M);
    // Firefox does not name a navigation under way: the sweep saw the page it came from, and the blocked page commits now.
    await background.commit(1, blockedPageFor('https://wikipedia.org/'));
    await background.idle();
    expect(await background.tabUrl(1)).toBe('https://wikipedia.org/');
  });

  it('sends a tab back once per address and rules, were the browser to block what the rules allow', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'https://rekenen.nl/' }] });
    for (let round = 0; round < 3; round += 1) {
      await background.commit(1, blockedPageFor('https://wikipedia.org/'));
      await background.idle();
    }
    expect(background.tabsSent).toEqual([{ tabId: 1, url: 'https://wikipedia.org/' }]);
  });

  it('sends a frame a site served from its own service worker to the blocked notice', async () => {
    background = await startBackground({ policy: POLICY, local: { lesson: lesson() }, tabs: [{ url: 'https://rekenen.nl/les', frames: ['about:blank'] }] });
    await background.commit(1, 'https://games.test/sw-cached', { frameId: 1 });
    await background.idle();
    expect(background.frameUrl(1, 1)).toBe(blockedPageFor('https://games.test/sw-cached'));
    expect(await background.tabUrl(1)).toBe('https://rekenen.nl/les');
  });

  it('lets a frame show a lesson embed, and leaves a frame notice alone', async () => {
    background = await startBackground({ policy: POLICY, local: { lesson: lesson() }, tabs: [{ url: 'https://rekenen.nl/les', frames: ['about:blank', 'about:blank'] }] });
    await background.commit(1, 'https://player.vimeo.com/video/1', { frameId: 1 });
    await background.commit(1, blockedPageFor('https://games.test/play'), { frameId: 2 });
    await background.idle();
    expect([background.frameUrl(1, 1), background.frameUrl(1, 2)]).toEqual(['https://player.vimeo.com/video/1', blockedPageFor('https://games.test/play')]);
    expect(background.tabsSent).toEqual([]);
  });

  it('sends a view-source: page of a blocked site to the blocked page for the site', async () => {
    background = await startBackground({ policy: POLICY, local: { lesson: lesson() }, tabs: [{ url: 'https://rekenen.nl/' }] });
    await background.commit(1, 'view-source:https://wikipedia.org/wiki/Breuk');
    await background.idle();
    expect(await background.tabUrl(1)).toBe(blockedPageFor('https://wikipedia.org/wiki/Breuk'));
  });
});
