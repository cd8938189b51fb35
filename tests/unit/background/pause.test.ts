// A class pause ("eyes on me") over the real background: the pages already
// open are covered where they are (their work kept), not sent away; a page
// the lesson blocks beneath the pause, and one no extension may script, get
// the pause page; new pages are stopped by the rules; when the teacher
// resumes, the covers go and nothing is reloaded. The teacher's pause goes
// through the real handlers and a live feed host in memory.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { restartBackground, startBackground, type OpenTabSetup, type TestBackground } from './support/background';
import { useClock } from './support/clock';
import { FeedHost } from './support/feed-host';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const FEED = { urlTemplate: 'https://feed.school.test/{class}.jws', authorization: 'Bearer teacher-token' };
const BLOCKED_PAGE = 'chrome-extension://test-extension-id/blocked.html';
const blockedPageFor = (url: string): string => `${BLOCKED_PAGE}#${url}`;
const lesson = { title: 'Breuken', mode: 'allowlist' as const, sites: ['rekenen.nl'], embeds: [], minutes: 45 };

const started: TestBackground[] = [];
let host: FeedHost;
let teacher: TestBackground;
let token: string;
let student: TestBackground;

beforeEach(async () => {
  useClock(T0);
  host = new FeedHost();
  host.live = true;
  teacher = await startBackground({ policy: { role: 'teacher', classes: ['2B'], classFeed: FEED }, pin: '1234', feedHost: host });
  started.push(teacher);
  token = (await teacher.connector.request({ type: 'unlock', pin: '1234' })).token;
});

afterEach(async () => {
  for (const background of started.splice(0)) await background.stop();
  jest.useRealTimers();
});

/** A student of 2B with these tabs open, in a lesson that allows rekenen.nl. */
async function studentWith(tabs: OpenTabSetup[]): Promise<TestBackground> {
  const key = (await teacher.connector.request({ type: 'getStatus' })).feed!.signingKey!;
  student = await startBackground({
    policy: { role: 'student', classes: ['2B'], classFeed: { urlTemplate: FEED.urlTemplate, pollSeconds: 30 }, teacherKeys: [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }] },
    feedHost: host,
    tabs,
  });
  started.push(student);
  await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson });
  await student.idle();
  return student;
}

async function pause(message = 'Pennen neer', minutes = 5): Promise<void> {
  jest.setSystemTime(Date.now() + 1000);
  await teacher.connector.request({ type: 'pauseClass', token, classId: '2B', message, minutes });
  await student.idle();
}

async function resume(): Promise<void> {
  jest.setSystemTime(Date.now() + 1000);
  await teacher.connector.request({ type: 'resumeClass', token, classId: '2B' });
  await student.idle();
}

describe('a class pause', () => {
  it('covers an open page of the lesson where it is, with the message and the time left, and sends no tab anywhere', async () => {
    await studentWith([{ url: 'https://rekenen.nl/opgave-3' }]);
    const sentBefore = student.tabsSent.length;
    await pause('Pennen neer, kijk naar het bord', 5);
    expect(await student.coverOf(1)).toEqual({
      lang: 'en',
      heading: 'Eyes on your teacher',
      message: 'Pennen neer, kijk naar het bord',
      until: expect.stringMatching(/^Back to your work at \d\d:\d\d( [AP]M)?$/),
      note: 'Your work stays just as you left it.',
      remainingMs: 5 * M,
    });
    expect(await student.tabUrl(1)).toBe('https://rekenen.nl/opgave-3');
    expect(student.tabsSent.slice(sentBefore)).toEqual([]);
  });

  it("speaks the student's language", async () => {
    await studentWith([{ url: 'https://rekenen.nl/opgave-3' }]);
    student.controls.language = 'nl';
    await pause();
    expect(await student.coverOf(1)).toMatchObject({ lang: 'nl', heading: 'Even opletten', until: expect.stringMatching(/^Om \d\d:\d\d ga je weer verder$/), note: 'Je werk blijft staan zoals je het achterliet.' });
  });

  it('stops new pages and leaves frames to the lesson: the rules redirect pages only', async () => {
    await studentWith([]);
    await pause();
    expect(student.dnr.evaluate('https://rekenen.nl/nieuw').redirectUrl).toBe(blockedPageFor('https://rekenen.nl/nieuw'));
    expect(student.dnr.evaluate('https://rekenen.nl/video', 'sub_frame').redirectUrl).toBeUndefined();
    expect(student.dnr.evaluate('https://games.test/', 'sub_frame').redirectUrl).toBe(blockedPageFor('https://games.test/'));
  });

  it('sends a page the lesson blocks beneath the pause, and one no extension may script, to the pause page; leaves the browser\'s own pages', async () => {
    // Opened with no lesson yet: the lesson's own sweep would have sent the games tab away already.
    await studentWith([{ url: 'https://rekenen.nl/fout' }, { url: 'about:blank' }]);
    student.controls.unscriptable.add('https://rekenen.nl/fout');
    await pause();
    expect(await student.tabUrl(1)).toBe(blockedPageFor('https://rekenen.nl/fout'));
    expect(await student.tabUrl(2)).toBe('about:blank');
    expect(await student.coverOf(2)).toBeNull();
    // A page that commits during the pause (it was on its way, or came back from the back-forward cache) is covered too.
    await student.commit(1, 'https://rekenen.nl/opgave-4');
    await student.idle();
    expect(await student.coverOf(1)).toMatchObject({ message: 'Pennen neer' });
    await student.commit(1, 'https://wikipedia.org/');
    await student.idle();
    expect(await student.tabUrl(1)).toBe(blockedPageFor('https://wikipedia.org/'));
  });

  it('ends when the teacher resumes: the covers go, nothing is reloaded, and the pause page goes back to its page', async () => {
    await studentWith([{ url: 'https://rekenen.nl/opgave-3' }, { url: 'https://rekenen.nl/pdf' }]);
    student.controls.unscriptable.add('https://rekenen.nl/pdf');
    await pause();
    expect(await student.coverOf(1)).not.toBeNull();
    expect(await student.tabUrl(2)).toBe(blockedPageFor('https://rekenen.nl/pdf'));
    const sentBefore = student.tabsSent.length;
    await resume();
    expect(await student.coverOf(1)).toBeNull();
    expect(student.tabsSent.slice(sentBefore)).toEqual([{ tabId: 2, url: 'https://rekenen.nl/pdf' }]);
    expect(student.dnr.evaluate('https://rekenen.nl/nieuw').redirectUrl).toBeUndefined();
  });

  it('a new message reaches the covers already up', async () => {
    await studentWith([{ url: 'https://rekenen.nl/opgave-3' }]);
    await pause('Pennen neer');
    await pause('Laptops dicht', 3);
    expect(await student.coverOf(1)).toMatchObject({ message: 'Laptops dicht', remainingMs: 3 * M });
  });

  it('a worker started since still takes the covers off when the teacher resumes', async () => {
    await studentWith([{ url: 'https://rekenen.nl/opgave-3' }]);
    await pause();
    student = await restartBackground(student);
    started.push(student);
    expect(await student.coverOf(1)).not.toBeNull();
    await resume();
    expect(await student.coverOf(1)).toBeNull();
    expect(await student.tabUrl(1)).toBe('https://rekenen.nl/opgave-3');
  });
});
