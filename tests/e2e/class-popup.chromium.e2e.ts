/**
 * The whole class at once, from the teacher's popup, in real Chromium with
 * the real reference feed server on 127.0.0.1: three browsers, each with IT's
 * policy from one managed policy file — a teacher device (role teacher,
 * classes 2B and 3A, the class feed with its write token, the teacher PIN),
 * a student device of 2B and a student device of 3A, which trust the
 * signing key the teacher's browser made for itself (IT copies it from the
 * teacher's status page into the students' policy; here the test does, after
 * the teacher's browser made it).
 *
 * The teacher's popup is driven only by clicking and typing: unlock with the
 * PIN, pick class 2B, start an allowlist lesson with a start page, see
 * "Delivered"; the 2B student enforces it and the start page opens once (not
 * again when the teacher extends the lesson), the 3A student is untouched,
 * and the teacher's own browser too (the lesson was not applied there). The
 * teacher ends it and the student is released. The teacher pauses the class
 * while the feed server is down: the popup says it is retrying, then, without
 * being reopened, that it was delivered; the student sees the message, and
 * Resume lifts it. Privacy: every request the extensions' service workers
 * make is recorded; the student's are only GETs of its class feed (besides
 * its live socket), the teacher's only PUTs of the class it published to and
 * GETs of the count of connected browsers, which the popup shows beside
 * "Delivered".
 *
 * Run under the shared lock (the policy directory is global to the machine).
 */
import type { Page } from 'puppeteer-core';
import { hashPin } from '../../src/core/teacher/pin';
import type { Lesson } from '../../src/core/schemas';
import { currentUrl, distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID, extensionCopies, type ExtensionCopies } from '../../src/dev/chromium-policy';
import { FeedHost, WorkerRequests, acceptedIssuedAt, clickUntil as clickUntilIn, follow, studentPolicy, teacherPolicy, waitForPolicy } from './support/classroom';
import { coverText, covered, uncovered } from '../../src/dev/cover';
import { ruleCount, stored } from '../../src/dev/extension-state';
import { axeViolations, blockedPageFor, button, open, pageText, waitForText } from '../../src/dev/pages';
import { startTestServer, type TestServer } from '../../src/dev/test-server';

jest.setTimeout(120_000);

const PIN = '7351';
const M = 60_000;

const policyFile = new ChromiumPolicyFile('lesmodus-class-popup-test');
const feed = new FeedHost();
let site: TestServer;
let copies: ExtensionCopies;
let teacher: ChromiumSession;
let student2B: ChromiumSession;
let student3A: ChromiumSession;
let popup: Page;
let page2B: Page;
let studentRequests: WorkerRequests;
let teacherRequests: WorkerRequests;

const siteUrl = (host: string, path: string): string => `${site.origin(host)}${path}`;
const clickUntil = (session: ChromiumSession, done: () => Promise<boolean>, what: string, timeoutMs?: number): Promise<void> =>
  clickUntilIn(session, site.origin('allowed.test'), done, what, timeoutMs);

/** The delivery line of the chosen class in the teacher's popup. */
const delivery = (): Promise<string> => popup.$eval('.class-panel .delivery', (element) => element.textContent ?? '');

/** Tabs of the 2B student's browser showing `url`. */
const tabsAt = async (url: string): Promise<number> => (await student2B.browser.pages()).filter((page) => page.url() === url).length;

beforeAll(async () => {
  site = await startTestServer();
  await feed.start();
  copies = await extensionCopies();
  const teacherCopy = copies.copy('teacher');
  const copy3A = copies.copy('3a');

  // The teacher's browser first: it makes its signing key on its first start.
  const teacherPin = await hashPin(PIN, crypto.getRandomValues(new Uint8Array(16)));
  const teacherEntry = teacherPolicy(feed, ['2B', '3A'], { teacherPin });
  policyFile.write({ [teacherCopy.id]: teacherEntry });
  teacher = await launchChromium({ extensionDir: teacherCopy.dir, allowLoopbackAddress: true });
  teacherRequests = new WorkerRequests(teacher);
  await teacherRequests.start();
  await waitForPolicy(teacher);
  await waitFor(async () => (await stored(teacher, 'feedKey')) !== undefined, 'the teacher device to make its signing key', 15_000);
  const key = (await stored<{ kid: string; publicKey: { kty: 'EC'; crv: 'P-256'; x: string; y: string } }>(teacher, 'feedKey'))!;

  // IT lists that key in the students' policy.
  const trusted = [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }];
  policyFile.write({ [teacherCopy.id]: teacherEntry, [DEV_EXTENSION_ID]: studentPolicy(feed, '2B', trusted), [copy3A.id]: studentPolicy(feed, '3A', trusted) });
  student2B = await launchChromium({ extensionDir: distDir('chrome'), allowLoopbackAddress: true });
  studentRequests = new WorkerRequests(student2B);
  await studentRequests.start();
  student3A = await launchChromium({ extensionDir: copy3A.dir, allowLoopbackAddress: true });
  for (const session of [student2B, student3A]) await waitForPolicy(session);
  page2B = await student2B.browser.newPage();

  popup = await teacher.browser.newPage();
  await teacher.goto(popup, teacher.extensionUrl('popup.html'));
  await waitFor(async () => (await popup.$('.status-card:not(.skeleton)')) !== null, 'the popup status to render');
});

afterAll(async () => {
  policyFile.remove();
  await Promise.all([teacher?.close(), student2B?.close(), student3A?.close()]);
  await feed.remove();
  await site?.close();
  await copies?.remove();
});

test('the teacher unlocks the popup, picks 2B and starts an allowlist lesson with a start page by clicking; the popup says it was delivered', async () => {
  await button(popup, 'Teacher').click();
  await popup.locator('#pin').fill(PIN);
  await button(popup, 'Open').click();
  await popup.locator('.class-panel #status-title').wait();
  expect(await axeViolations(popup)).toEqual([]);

  await popup.locator('::-p-aria([name="3A"][role="radio"])').click();
  await waitForText(popup, 'Start a lesson for 3A');
  await popup.locator('::-p-aria([name="2B"][role="radio"])').click();
  await waitForText(popup, 'Start a lesson for 2B');
  expect(await popup.$eval('#status-title', (element) => element.textContent)).toBe('2B: no lesson');

  await button(popup, 'New lesson…').click();
  await popup.locator('#lesson-title').fill('Rekenen 2B');
  await popup.locator('#site-input').fill('allowed.test');
  await popup.keyboard.press('Enter');
  await button(popup, 'Remove allowed.test').wait();
  await popup.locator('::-p-aria([name="45 min"][role="radio"])').click();
  await popup.locator('#start-page').fill(siteUrl('allowed.test', '/start-here'));
  // Not on the teacher's own browser unless ticked.
  expect(await popup.$eval('::-p-aria([name="Also apply on this browser"][role="checkbox"])', (box) => (box as HTMLInputElement).checked)).toBe(false);
  expect(await axeViolations(popup)).toEqual([]);
  await button(popup, 'Start lesson').click();

  await waitForText(popup, 'Lesson started for 2B: Rekenen 2B');
  await waitFor(async () => /^Sent to 2B at \d\d:\d\d/.test(await delivery()), '"Sent" in the popup');
  expect(await popup.$eval('#status-title', (element) => element.textContent)).toBe('2B: Rekenen 2B');
  expect(await pageText(popup)).toMatch(/until \d\d:\d\d/);
  // Beside it, who is listening: the feed's own count of the class's connections (the 2B student's), never who.
  await waitFor(async () => (await popup.$eval('.class-panel .connected', (element) => element.textContent ?? '')) === '1 browser of 2B is connected', 'the count of connected browsers');
  expect(await axeViolations(popup)).toEqual([]);

  // The feed has it, signed by the teacher's browser; the teacher's own browser enforces nothing.
  const outbox = (await stored<Record<string, { state: string; document: { lesson: Lesson } }>>(teacher, 'feedOutbox'))!;
  expect(outbox['2B']).toMatchObject({ state: 'delivered', document: { lesson: { title: 'Rekenen 2B', sites: ['allowed.test'], startPage: siteUrl('allowed.test', '/start-here') } } });
  const { startsAt, endsAt } = outbox['2B']!.document.lesson;
  expect(endsAt - startsAt).toBe(45 * M);
  expect(await stored(teacher, 'lesson')).toBeUndefined();
  expect(await ruleCount(teacher)).toBe(0);
});

test('the student of 2B enforces it and its start page opens once; the student of 3A does not', async () => {
  const lessonId = (await stored<Record<string, { document: { lesson: Lesson } }>>(teacher, 'feedOutbox'))!['2B']!.document.lesson.id;
  await clickUntil(student2B, async () => (await stored<Record<string, { document: { lesson: Lesson | null } }>>(student2B, 'classFeed'))?.['2B']?.document.lesson?.id === lessonId, 'the 2B student to accept the lesson');
  const games = siteUrl('games.test', '/play');
  expect(await open(student2B, page2B, games)).toBe(blockedPageFor(student2B, games));
  expect(await page2B.$eval('h1', (element) => element.textContent)).toBe('This site is not part of the lesson');
  expect(await open(student2B, page2B, siteUrl('allowed.test', '/sums'))).toBe(siteUrl('allowed.test', '/sums'));

  const startPage = siteUrl('allowed.test', '/start-here');
  await waitFor(async () => (await tabsAt(startPage)) === 1, 'the start page to open on the student browser');
  expect(await stored<string[]>(student2B, 'feedStartPages')).toEqual([`2B/${lessonId}`]);

  // The 3A student fetched its own class (nothing published) and is as free as before.
  const page3A = await student3A.browser.newPage();
  await clickUntil(student3A, async () => (await follow(student3A, '3A'))?.lastOutcome === 'not-found', 'the 3A student to fetch class 3A');
  expect(await open(student3A, page3A, games)).toBe(games);
  expect(await ruleCount(student3A)).toBe(0);
  expect((await student3A.browser.pages()).some((page) => page.url() === startPage)).toBe(false);
  await page3A.close();
});

test('the teacher extends the lesson in the popup: the student follows, and the start page does not open again', async () => {
  const before = (await stored<Record<string, { document: { issuedAt: number; lesson: Lesson } }>>(teacher, 'feedOutbox'))!['2B']!.document;
  await popup.bringToFront();
  await popup.locator('::-p-aria([name="Extend:"][role="group"]) ::-p-aria([name="+5 min"][role="button"])').click();
  await waitForText(popup, /The lesson of 2B now ends at \d\d:\d\d/);
  const after = (await stored<Record<string, { state: string; document: { issuedAt: number; lesson: Lesson } }>>(teacher, 'feedOutbox'))!['2B']!;
  expect(after.state).toBe('delivered');
  expect(after.document.lesson).toMatchObject({ id: before.lesson.id, endsAt: before.lesson.endsAt + 5 * M });

  await clickUntil(student2B, async () => (await acceptedIssuedAt(student2B)) === after.document.issuedAt, 'the student to accept the longer lesson');
  await new Promise((wait) => setTimeout(wait, 1500));
  expect(await tabsAt(siteUrl('allowed.test', '/start-here'))).toBe(1);
  for (const page of await student2B.browser.pages()) if (page.url() === siteUrl('allowed.test', '/start-here')) await page.close();
});

test('the teacher ends the lesson in the popup and the student is released', async () => {
  const blocked = siteUrl('other.test', '/after');
  expect(await open(student2B, page2B, blocked)).toBe(blockedPageFor(student2B, blocked));

  await popup.bringToFront();
  await button(popup, 'End now').click();
  await waitForText(popup, 'The lesson of 2B has ended.');
  await waitForText(popup, '2B: no lesson');
  await waitFor(async () => /^Sent to 2B at/.test(await delivery()), '"Sent" for the end');
  const issuedAt = (await stored<Record<string, { document: { issuedAt: number; lesson: null } }>>(teacher, 'feedOutbox'))!['2B']!.document.issuedAt;

  await clickUntil(student2B, async () => (await acceptedIssuedAt(student2B)) === issuedAt, 'the student to accept the end');
  // The blocked tab goes back to its page without anyone touching it.
  await waitFor(async () => (await currentUrl(page2B)) === blocked, 'the blocked tab to return to its page');
  expect(await ruleCount(student2B)).toBe(0);
});

test('the teacher pauses 2B while the feed is down: retrying, then delivered without reopening the popup; the student sees the message; Resume lifts it', async () => {
  const reading = siteUrl('allowed.test', '/reading');
  expect(await open(student2B, page2B, reading)).toBe(reading);

  const port = feed.server.port;
  await feed.stop();
  const message = 'Handen op tafel en kijk naar het bord';
  await popup.bringToFront();
  await popup.locator('#pause-message').fill(message);
  expect(await popup.$eval('#pause-minutes', (select) => (select as HTMLSelectElement).value)).toBe('5');
  await button(popup, 'Pause class 2B').click();
  await waitForText(popup, /Class 2B is paused until \d\d:\d\d/);
  await waitFor(async () => (await delivery()).startsWith("Not delivered yet — retrying (attempt 2): the school's server could not be reached"), '"retrying" in the popup');
  console.log(`popup while the feed is down: ${await delivery()}`);

  // The feed is back; the background's retry delivers it, and the open popup shows so by itself.
  await feed.start(port);
  await waitFor(async () => /^Sent to 2B at \d\d:\d\d/.test(await delivery()), '"Sent" after the retry', 30_000);
  const pausedAt = (await stored<Record<string, { document: { issuedAt: number } }>>(teacher, 'feedOutbox'))!['2B']!.document.issuedAt;

  await clickUntil(student2B, async () => (await acceptedIssuedAt(student2B)) === pausedAt, 'the student to accept the pause');
  // The open page is covered by the teacher's message where it is.
  await waitFor(() => covered(page2B), 'the open page to be covered by the pause');
  expect(await currentUrl(page2B)).toBe(reading);
  expect(await coverText(page2B)).toContain(message);
  // The teacher's own browser is not paused.
  expect(await ruleCount(teacher)).toBe(0);

  await popup.bringToFront();
  await button(popup, 'Resume').click();
  await waitForText(popup, 'Class 2B can carry on.');
  await waitFor(async () => /^Sent to 2B at/.test(await delivery()), '"Sent" for the resume');
  const resumedAt = (await stored<Record<string, { document: { issuedAt: number } }>>(teacher, 'feedOutbox'))!['2B']!.document.issuedAt;
  await clickUntil(student2B, async () => (await acceptedIssuedAt(student2B)) === resumedAt, 'the student to accept the resume');
  await waitFor(() => uncovered(page2B), 'the cover to go by itself');
  expect(await currentUrl(page2B)).toBe(reading);
});

test('privacy: the student extension only GETs its class feed, the teacher extension only PUTs the class it published to and asks how many are connected', async () => {
  const socketUrl = feed.classUrl('2B').replace(/^http:/, 'ws:');
  expect(studentRequests.requests.some((request) => request.method === 'WEBSOCKET' && request.url === socketUrl)).toBe(true);
  expect(studentRequests.requests.filter((request) => !(request.method === 'GET' && request.url === feed.classUrl('2B')) && !(request.method === 'WEBSOCKET' && request.url === socketUrl))).toEqual([]);
  expect(teacherRequests.requests.length).toBeGreaterThanOrEqual(5);
  const counting = (request: { method: string; url: string; accept?: string }): boolean =>
    request.method === 'GET' && request.accept === 'application/json' && [feed.classUrl('2B'), feed.classUrl('3A')].includes(request.url);
  expect(teacherRequests.requests.filter((request) => !(request.method === 'PUT' && request.url === feed.classUrl('2B')) && !counting(request))).toEqual([]);
  expect(teacherRequests.requests.some(counting)).toBe(true);
  // The server saw GETs of the followed classes and the teacher's PUTs of 2B, and logged nothing about who asked.
  const seen = new Set(feed.log.map((line) => line.split(' ').slice(1, 3).join(' ')));
  expect([...seen].sort()).toEqual(['GET 2B', 'GET 3A', 'PUT 2B']);
  expect(feed.log.every((line) => /^\S+ (GET|PUT) (2B|3A) \d{3}$/.test(line))).toBe(true);
});
