// The tab limit and a test's closed doors, in the real background over an in-memory browser:
// which tabs count, what a tab beyond the limit shows, what a restarted worker still knows,
// and that everything is free again when the lesson ends.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { restartBackground, startBackground, type TestBackground } from './support/background';
import { useClock } from './support/clock';
import { FeedHost } from './support/feed-host';
import type { Lesson } from '../../../src/core/schemas';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const NOTICE = 'chrome-extension://test-extension-id/tab-limit.html';
const POLICY = { allowed: ['login.microsoftonline.com'] };

const lesson = (extra: Partial<Lesson> = {}): Lesson => ({ id: 'l1', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 5 * M, endsAt: T0 + 40 * M, ...extra });

let background: TestBackground;

beforeEach(() => useClock(T0));

afterEach(async () => {
  await background.stop();
  jest.useRealTimers();
});

/** A student opens a tab (Ctrl+T, a link in a new tab); resolves once the background has judged it. */
async function studentOpens(subject: TestBackground, url = 'https://rekenen.nl/'): Promise<number> {
  const tab = await subject.browser.tabs.create({ url });
  await subject.idle();
  return tab.id!;
}

/** The tabs the background turned into the notice. */
function noticesShown(subject: TestBackground): Array<{ tabId: number; url: string }> {
  return subject.tabsSent.filter((sent) => sent.url.startsWith(NOTICE));
}

async function openTabIds(subject: TestBackground): Promise<number[]> {
  return (await subject.browser.tabs.query({})).map((tab) => tab.id!);
}

// The in-memory browser always has one blank tab (id 0) besides those a test opens: it counts like any tab.
describe('a lesson with a tab limit', () => {
  it('keeps the tabs open before it, lets tabs in up to the limit, and shows the notice in the one beyond', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'https://rekenen.nl/les' }] });
    await background.setLocal({ lesson: lesson({ tabLimit: 3 }) });
    const third = await studentOpens(background);
    expect(noticesShown(background)).toEqual([]);
    const fourth = await studentOpens(background);
    expect(noticesShown(background)).toEqual([{ tabId: fourth, url: `${NOTICE}?lesson=Rekenen&limit=3` }]);
    expect(await openTabIds(background)).toEqual([0, 1, third, fourth]);
  });

  it('never closes tabs that were open before it, even more than the limit, and refuses new ones until one is closed', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'https://rekenen.nl/1' }, { url: 'https://rekenen.nl/2' }] });
    await background.setLocal({ lesson: lesson({ tabLimit: 1 }) });
    expect(await openTabIds(background)).toEqual([0, 1, 2]);
    const refused = await studentOpens(background);
    expect(noticesShown(background).map((sent) => sent.tabId)).toEqual([refused]);
    expect(await background.tabUrl(1)).toBe('https://rekenen.nl/1');
    expect(await background.tabUrl(2)).toBe('https://rekenen.nl/2');
  });

  it('keeps one notice: a newer refused tab shows it, the older notice tab is closed', async () => {
    background = await startBackground({ policy: POLICY });
    await background.setLocal({ lesson: lesson({ tabLimit: 1 }) });
    const first = await studentOpens(background);
    const second = await studentOpens(background);
    expect(noticesShown(background).map((sent) => sent.tabId)).toEqual([first, second]);
    expect(await openTabIds(background)).toEqual([0, second]);
  });

  it('lets a tab in again once a tab that counted is closed; the notice itself does not count', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'https://rekenen.nl/1' }] });
    await background.setLocal({ lesson: lesson({ tabLimit: 2 }) });
    const notice = await studentOpens(background);
    expect(noticesShown(background).map((sent) => sent.tabId)).toEqual([notice]);
    await background.browser.tabs.remove(1).catch(() => undefined);
    const admitted = await studentOpens(background);
    expect(noticesShown(background).map((sent) => sent.tabId)).toEqual([notice]);
    expect(await background.tabUrl(admitted)).toBe('https://rekenen.nl/');
  });

  it('sends the notice tab back to the notice from any other address', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'https://rekenen.nl/1' }] });
    await background.setLocal({ lesson: lesson({ tabLimit: 2 }) });
    const notice = await studentOpens(background);
    await background.commit(notice, 'https://rekenen.nl/anders');
    await background.idle();
    expect(await background.tabUrl(notice)).toBe(`${NOTICE}?lesson=Rekenen&limit=2`);
    // Other tabs go where they go.
    await background.commit(1, 'https://rekenen.nl/anders');
    await background.idle();
    expect(await background.tabUrl(1)).toBe('https://rekenen.nl/anders');
  });

  it('is free again when the lesson ends: no guard kept, new tabs stay', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'https://rekenen.nl/1' }] });
    await background.setLocal({ lesson: lesson({ tabLimit: 2 }) });
    expect(background.stored('lesson')).toBeDefined();
    expect((await background.browser.storage.session.get('tabGuard')).tabGuard).toMatchObject({ limit: 2, counted: [0, 1] });
    jest.setSystemTime(T0 + 40 * M);
    await background.fireAlarm('lesmodus-next-change');
    expect((await background.browser.storage.session.get('tabGuard')).tabGuard).toBeUndefined();
    await studentOpens(background);
    await studentOpens(background);
    expect(noticesShown(background)).toEqual([]);
  });

  it('applies no limit to a lesson without one', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'https://rekenen.nl/1' }] });
    await background.setLocal({ lesson: lesson() });
    for (let tab = 0; tab < 4; tab += 1) await studentOpens(background);
    expect(noticesShown(background)).toEqual([]);
  });

  it('still knows which tabs count after the browser stopped and restarted its worker', async () => {
    background = await startBackground({ policy: POLICY, tabs: [{ url: 'https://rekenen.nl/1' }] });
    await background.setLocal({ lesson: lesson({ tabLimit: 2 }) });
    const notice = await studentOpens(background);
    background = await restartBackground(background);
    await background.idle();
    // Counted anew after the restart, the notice would take the room that closing tab 1 makes.
    await background.browser.tabs.remove(1).catch(() => undefined);
    const admitted = await studentOpens(background);
    expect(noticesShown(background)).toEqual([]);
    expect(await openTabIds(background)).toEqual([0, notice, admitted]);
  });

  it('counts anew when another lesson with a limit takes effect', async () => {
    background = await startBackground({ policy: POLICY });
    await background.setLocal({ lesson: lesson({ tabLimit: 2 }) });
    const second = await studentOpens(background);
    await background.setLocal({ lesson: lesson({ id: 'l2', tabLimit: 2 }) });
    expect((await background.browser.storage.session.get('tabGuard')).tabGuard).toMatchObject({ counted: [0, second] });
  });
});

describe('a test', () => {
  it('is the limit at its strictest: with one tab open no other opens, whatever limit the lesson names', async () => {
    background = await startBackground({ policy: POLICY });
    await background.setLocal({ lesson: lesson({ title: 'Toets', test: true, tabLimit: 5 }) });
    const refused = await studentOpens(background);
    expect(noticesShown(background)).toEqual([{ tabId: refused, url: `${NOTICE}?lesson=Toets&limit=1&test=1` }]);
  });

  it('refuses a tab in a new window (the window holds nothing but the notice)', async () => {
    background = await startBackground({ policy: POLICY });
    await background.setLocal({ lesson: lesson({ test: true }) });
    const window = (await background.browser.windows.create({}))!;
    const tab = await background.browser.tabs.create({ url: 'https://rekenen.nl/', windowId: window.id! });
    await background.idle();
    expect(noticesShown(background).map((sent) => sent.tabId)).toEqual([tab.id]);
  });

  it('closes a private window the extension can see', async () => {
    background = await startBackground({ policy: POLICY });
    await background.setLocal({ lesson: lesson({ test: true }) });
    const window = (await background.browser.windows.create({ incognito: true }))!;
    // The in-memory browser does not mark a tab of a private window private: the browser's event is reported as it would be.
    await background.browser.tabs.onCreated.trigger({ id: 50, index: 0, windowId: window.id!, incognito: true, highlighted: false, active: true, pinned: false } as never);
    await background.idle();
    expect(await background.browser.windows.get(window.id!)).toBeUndefined();
  });

  it('lets nobody through from the blocked page, before the PIN is even checked', async () => {
    background = await startBackground({ policy: POLICY, pin: '123456' });
    await background.setLocal({ lesson: lesson({ test: true }) });
    const refusal = await background.connector.request({ type: 'allowTemporarily', pin: '000000', url: 'https://wikipedia.org/', minutes: 5 }).catch((error: { code?: string }) => error.code);
    expect(refusal).toBe('test-mode');
    expect(background.exceptions).toEqual([]);
  });

  it('carries the test flag in the status, for the popup and the blocked page', async () => {
    background = await startBackground({ policy: POLICY });
    await background.setLocal({ lesson: lesson({ test: true }) });
    const status = await background.connector.request({ type: 'getStatus' });
    expect(status.active).toMatchObject({ title: 'Rekenen', test: true });
  });
});

describe('a class test', () => {
  it('reaches every student with its limit, and its start page opens although the one tab is taken', async () => {
    const host = new FeedHost();
    const feed = { urlTemplate: 'https://feed.school.test/{class}.jws' };
    const teacher = await startBackground({ policy: { role: 'teacher', classes: ['2B'], classFeed: { ...feed, authorization: 'Bearer t' } }, pin: '123456', feedHost: host });
    const { token } = await teacher.connector.request({ type: 'unlock', pin: '123456' });
    const key = (await teacher.connector.request({ type: 'getStatus' })).feed!.signingKey!;
    background = await startBackground({
      policy: { role: 'student', classes: ['2B'], classFeed: feed, teacherKeys: [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }] },
      feedHost: host,
      tabs: [{ url: 'https://toets.school.nl/' }],
    });
    try {
      const draft = { title: 'Toets', mode: 'allowlist' as const, sites: ['toets.school.nl'], minutes: 45, test: true, startPage: 'https://toets.school.nl/start' };
      await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: draft });
      await background.fireAlarm('lesmodus-feed-poll');
      await background.idle();
      const status = await background.connector.request({ type: 'getStatus' });
      expect(status.active).toMatchObject({ origin: 'class', title: 'Toets', test: true });
      const [startPage] = await background.browser.tabs.query({ url: 'https://toets.school.nl/start' });
      expect(startPage).toBeDefined();
      expect(noticesShown(background)).toEqual([]);
      // The start page counts: a tab of the student's own is refused.
      const refused = await studentOpens(background);
      expect(noticesShown(background).map((sent) => sent.tabId)).toEqual([refused]);
    } finally {
      await teacher.stop();
    }
  });
});
