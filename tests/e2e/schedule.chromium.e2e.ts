/**
 * Lessons that start later and a link for the class, in real Chromium with
 * the real reference feed server on 127.0.0.1: a teacher device (role
 * teacher, class 2B, a preset, the teacher PIN) driven only through its
 * popup, and a student device of 2B that trusts the key the teacher's
 * browser made (IT copies it into the students' policy; here the test does).
 *
 * Shown: a link sent from the popup during the class's lesson opens once on
 * the student's browser, and not again after the extension's service worker
 * restarts; a link the lesson would block is refused in the popup. A lesson
 * started from the popup for the next minute is not enforced before its
 * start and is enforced from then, with no action on the student's side,
 * with the feed server stopped and after a restart of the service worker:
 * the open games tab is swept to the blocked page at the start (the test
 * waits for that, not for a time). A lesson planned for later is listed in
 * the popup and cancelled there, and the student's browser then holds no
 * plan for it. Privacy: the student's service worker only fetches its class
 * feed (and holds its live socket).
 *
 * Run under the shared lock (the policy directory is global to the machine).
 */
import type { Page } from 'puppeteer-core';
import type { ClassDocument } from '../../src/core/feed/document';
import { hashPin } from '../../src/core/teacher/pin';
import { currentUrl, distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID, extensionCopies, type ExtensionCopies } from '../../src/dev/chromium-policy';
import { ruleCount, stored } from '../../src/dev/extension-state';
import { axeViolations, blockedPageFor, button, open, waitForText } from '../../src/dev/pages';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { FeedHost, WorkerRequests, clickUntil as clickUntilIn, follow, studentPolicy, teacherPolicy, waitForPolicy } from './support/classroom';

jest.setTimeout(180_000);

const PIN = '7351';
const M = 60_000;

const policyFile = new ChromiumPolicyFile('lesmodus-schedule-test');
const feed = new FeedHost();
let site: TestServer;
let copies: ExtensionCopies;
let teacher: ChromiumSession;
let student: ChromiumSession;
let popup: Page;
let tab: Page;
let studentRequests: WorkerRequests;

const siteUrl = (host: string, path: string): string => `${site.origin(host)}${path}`;
const clickUntil = (done: () => Promise<boolean>, what: string, timeoutMs?: number): Promise<void> => clickUntilIn(student, site.origin('allowed.test'), done, what, timeoutMs);

/** What the teacher's browser last published to 2B. */
const published = async (): Promise<ClassDocument> => (await stored<Record<string, { document: ClassDocument }>>(teacher, 'feedOutbox'))!['2B']!.document;
/** The 2B document the student's browser holds. */
const held = async (): Promise<ClassDocument | null> => (await stored<Record<string, { document: ClassDocument }>>(student, 'classFeed'))?.['2B']?.document ?? null;
/** Waits until the student holds what the teacher last published (its live socket brings it; clicking refetches it too). */
async function studentHasLatest(what: string): Promise<void> {
  const { issuedAt } = await published();
  await clickUntil(async () => (await held())?.issuedAt === issuedAt, what, 30_000);
}
const tabsAt = async (url: string): Promise<number> => (await student.browser.pages()).filter((page) => page.url() === url).length;

/** The student's service worker stops and starts again (the recorder lets go of it first: an attached worker is never stopped; it attaches to the new one). */
async function restartStudentWorker(): Promise<void> {
  await studentRequests.detach();
  await student.stopWorker();
  await student.worker();
}

/**
 * The zone both browsers run in: one where it is day now, between 01:00 and
 * 21:00. The popup plans a lesson for a time of day today, and the suite
 * plans one an hour ahead: in the last hour before midnight that time would
 * be tomorrow's, which the popup rightly refuses as past. A teacher plans in
 * school hours; the suite must pass whenever it runs.
 */
const TIME_ZONE = ((): string => {
  for (const timeZone of ['Europe/Amsterdam', 'America/New_York', 'Asia/Tokyo']) {
    const [hour, minute] = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).format(Date.now()).split(':').map(Number);
    const minutes = hour! * 60 + minute!;
    if (minutes >= 60 && minutes <= 21 * 60) return timeZone;
  }
  throw new Error('no time zone where it is between 01:00 and 21:00 now');
})();

/** A time as the popup words it in English ("05:12 PM"), in the browsers' zone. */
const shown = (instant: number): string => new Intl.DateTimeFormat('en', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit' }).format(instant);

/** "HH:MM" of an instant in the browsers' zone, as a time field takes it. */
function hhmm(instant: number): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).format(instant);
}

beforeAll(async () => {
  site = await startTestServer();
  await feed.start();
  copies = await extensionCopies();
  const teacherCopy = copies.copy('teacher');
  const teacherPin = await hashPin(PIN, crypto.getRandomValues(new Uint8Array(16)));
  const presets = [{ id: 'rekenen', title: 'Rekenen', mode: 'allowlist', sites: ['allowed.test'], minutes: 30 }];
  const teacherEntry = teacherPolicy(feed, ['2B'], { teacherPin, presets });
  policyFile.write({ [teacherCopy.id]: teacherEntry });
  teacher = await launchChromium({ extensionDir: teacherCopy.dir, allowLoopbackAddress: true, env: { TZ: TIME_ZONE } });
  await waitForPolicy(teacher);
  await waitFor(async () => (await stored(teacher, 'feedKey')) !== undefined, 'the teacher device to make its signing key', 15_000);
  const key = (await stored<{ kid: string; publicKey: { kty: 'EC'; crv: 'P-256'; x: string; y: string } }>(teacher, 'feedKey'))!;

  policyFile.write({ [teacherCopy.id]: teacherEntry, [DEV_EXTENSION_ID]: studentPolicy(feed, '2B', [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }]) });
  student = await launchChromium({ extensionDir: distDir('chrome'), allowLoopbackAddress: true, env: { TZ: TIME_ZONE } });
  studentRequests = new WorkerRequests(student);
  await studentRequests.start();
  await waitForPolicy(student);
  tab = await student.browser.newPage();

  popup = await teacher.browser.newPage();
  await teacher.goto(popup, teacher.extensionUrl('popup.html'));
  await waitFor(async () => (await popup.$('.status-card:not(.skeleton)')) !== null, 'the popup status to render');
  await button(popup, 'Teacher').click();
  await popup.locator('#pin').fill(PIN);
  await button(popup, 'Open').click();
  await popup.locator('.class-panel #status-title').wait();
});

afterAll(async () => {
  policyFile.remove();
  await Promise.all([teacher?.close(), student?.close()]);
  await feed.remove();
  await site?.close();
  await copies?.remove();
});

test('a link sent from the popup during the lesson opens once on the student\'s browser, also not again after a restart', async () => {
  await popup.locator('li.preset ::-p-aria([name="Start"][role="button"])').click();
  await waitForText(popup, 'Lesson started for 2B: Rekenen');
  await studentHasLatest('the student to accept the lesson');

  // A link the lesson would block is refused, in the teacher's words.
  await popup.locator('#class-link').fill('games.test/play');
  await button(popup, 'Send link').click();
  await waitForText(popup, 'The lesson blocks this link. Add its site to the lesson first.');

  const link = siteUrl('allowed.test', '/opdracht-3');
  await popup.locator('#class-link').fill(link);
  expect(await axeViolations(popup)).toEqual([]);
  await button(popup, 'Send link').click();
  await waitForText(popup, '2B: link sent.');
  // Two clicks after unlocking (the field, Send), and the student sits still: the tab opens by itself.
  await waitFor(async () => (await tabsAt(link)) === 1, 'the link to open on the student\'s browser', 30_000);
  const id = (await published()).link!.id;
  expect(await stored(student, 'feedLinks')).toEqual([`2B/${id}`]);

  // The worker restarts, runs the rules and fetches the feed again: no second tab.
  const fetchedAt = async (): Promise<number> => (await stored<Record<string, { lastFetchAt: number | null }>>(student, 'feedFollow'))?.['2B']?.lastFetchAt ?? 0;
  const before = await fetchedAt();
  await restartStudentWorker();
  // Its own fetch on starting (or the poll alarm's): nobody clicks, so no tab is opened meanwhile but the link's.
  await waitFor(async () => (await fetchedAt()) > before && (await follow(student))?.lastOutcome === 'unchanged' && (await ruleCount(student)) > 0, 'the restarted worker to fetch the feed', 45_000);
  expect(await tabsAt(link)).toBe(1);
  for (const page of await student.browser.pages()) if (page.url() === link) await page.close();

  await button(popup, 'End now').click();
  await waitForText(popup, 'The lesson of 2B has ended.');
  await studentHasLatest('the student to accept the end');
});

test('a lesson set for the next minute is not enforced before its start and is, from then, with no action: offline and after a restart', async () => {
  const games = siteUrl('games.test', '/play');
  expect(await open(student, tab, games)).toBe(games);

  // At least 20 seconds ahead, at a whole minute (the popup's time field has minutes).
  let startsAt = Math.ceil(Date.now() / M) * M;
  if (startsAt - Date.now() < 20_000) startsAt += M;
  await popup.locator('#later-time').fill(hhmm(startsAt));
  await button(popup, `Start Rekenen at ${shown(startsAt)}`).click();
  await waitForText(popup, `2B: Rekenen starts at ${shown(startsAt)}.`);
  expect(await published()).toMatchObject({ lesson: null, scheduled: [{ title: 'Rekenen', startsAt, endsAt: startsAt + 30 * M }] });
  await studentHasLatest('the student to accept the planned lesson');

  // Before its start: nothing enforced, the games tab stays, a new page is open.
  expect(Date.now()).toBeLessThan(startsAt);
  expect(await ruleCount(student)).toBe(0);
  expect(await currentUrl(tab)).toBe(games);
  const spare = await student.browser.newPage();
  expect(await open(student, spare, siteUrl('other.test', '/before'))).toBe(siteUrl('other.test', '/before'));
  await spare.close();

  // The feed goes away and the worker restarts; nobody touches the student's browser.
  const port = feed.server.port;
  await feed.stop();
  await restartStudentWorker();
  await waitFor(async () => (await currentUrl(tab)) === blockedPageFor(student, games), 'the games tab to be swept at the start', 120_000);
  const sweptAt = Date.now();
  expect(sweptAt).toBeGreaterThanOrEqual(startsAt);
  console.log(`the planned lesson swept the games tab ${((sweptAt - startsAt) / 1000).toFixed(1)} s after its start (feed stopped, worker restarted)`);
  expect(await ruleCount(student)).toBeGreaterThan(0);
  await feed.start(port);
  // The popup now shows the planned lesson as the class's running one.
  await waitForText(popup, /2B: Rekenen[\s\S]*until \d\d:\d\d/, 15_000);
});

test('a planned lesson is listed in the popup and cancelled there; the student then holds no plan for it', async () => {
  const startsAt = Math.ceil((Date.now() + 60 * M) / M) * M;
  await popup.locator('#later-time').fill(hhmm(startsAt));
  await button(popup, `Start Rekenen at ${shown(startsAt)}`).click();
  await waitForText(popup, 'Planned lessons');
  await studentHasLatest('the student to accept the plan');
  expect((await held())?.scheduled?.map((lesson) => lesson.startsAt)).toEqual([startsAt]);
  expect(await axeViolations(popup)).toEqual([]);

  await button(popup, `Cancel Rekenen at ${shown(startsAt)}`).click();
  await waitForText(popup, '2B: Rekenen cancelled.');
  await studentHasLatest('the student to accept the cancellation');
  expect((await held())?.scheduled).toBeUndefined();
  // The lesson that runs keeps running.
  expect((await held())?.lesson?.title).toBe('Rekenen');
});

test('privacy: the student\'s service worker only fetched its class feed and held its live socket', async () => {
  const feedUrl = feed.classUrl('2B');
  const socketUrl = feedUrl.replace(/^http:/, 'ws:');
  const others = studentRequests.requests.filter((request) => !(request.method === 'GET' && request.url === feedUrl) && !(request.method === 'WEBSOCKET' && request.url === socketUrl));
  expect(others).toEqual([]);
});
