/**
 * The class feed in real Chromium with the real reference feed server on
 * 127.0.0.1. Student devices get IT's policy the way IT pushes it on Linux
 * (a managed policy file naming the extension): a student of 2B and a student
 * of 3A, each its own browser. The teacher side is driven from the test
 * through the same signing code the extension uses (signClassDocument) with
 * a key pair whose public half is in the students' policy, and PUT to the
 * server with a bearer token, as a teacher's browser does
 * (class-popup.chromium.e2e.ts drives a teacher's real popup instead).
 *
 * Shown: a lesson for 2B is enforced by the 2B student and not by the 3A
 * student; ending it releases the student; a pause reaches a student who sits
 * still (over its live socket), covers the open page, sends a new one to the
 * pause page, and is lifted; a start page opens once, also not
 * again after the service worker restarts; a document signed by an unknown
 * key is refused and counted; with the server stopped mid-lesson nothing
 * changes until the lesson's own end. And privacy, shown rather than
 * promised: every request the extension's service worker makes is recorded
 * (CDP Network domain on its target) and the only ones are class-feed GETs
 * and the live socket to the same address.
 *
 * Three browsers share one managed policy file (one entry per extension
 * ID: the 3A student and the teacher device run copies of dist/chrome-dev
 * with keys of their own; the setup is shared: support/classroom.ts,
 * src/dev/chromium-policy.ts, and src/dev/teacher.ts for signing and
 * publishing). The policy directory is global to the machine: run under the
 * shared lock; the file is removed after the suite, pass or fail.
 */
import type { Page } from 'puppeteer-core';
import type { ClassDocumentDraft } from '../../src/core/feed/document';
import { currentUrl, distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID, extensionCopies, type ExtensionCopies } from '../../src/dev/chromium-policy';
import { FEED_TOKEN, FeedHost, WorkerRequests, acceptedIssuedAt, clickUntil as clickUntilIn, follow, studentPolicy, teacherPolicy, waitForPolicy } from './support/classroom';
import { ruleCount, setLesson, stored } from '../../src/dev/extension-state';
import { blockedPageFor, open } from '../../src/dev/pages';
import { newTeacherKey, TeacherPublisher, type TeacherKey } from '../../src/dev/teacher';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';
import { coverText, covered, uncovered } from '../../src/dev/cover';

jest.setTimeout(120_000);

const M = 60_000;

const policyFile = new ChromiumPolicyFile('lesmodus-feed-test');
const feed = new FeedHost();
let site: TestServer;
let copies: ExtensionCopies;
let teacherSide: TeacherPublisher;
let strangerKey: TeacherKey;
let student2B: ChromiumSession;
let student3A: ChromiumSession;
let teacher: ChromiumSession;
let page2B: Page;
/** Every request the 2B student's extension service worker made. */
let workerRequests: WorkerRequests;

/** The teacher publishes class 2B's next document, signed as the extension signs it, PUT as the extension PUTs it (or signed by `signer`). */
const publish = (draft: Omit<ClassDocumentDraft, 'class' | 'issuedAt'>, signer?: TeacherKey): Promise<number> => teacherSide.publish('2B', draft, signer);

/** The student clicking around until `done` holds (see classroom.ts). */
const clickUntil = (session: ChromiumSession, done: () => Promise<boolean>, what: string, timeoutMs?: number): Promise<void> =>
  clickUntilIn(session, site.origin('allowed.test'), done, what, timeoutMs);

/** Stops the 2B student's service worker; the network recorder lets go of it first (an attached worker is never stopped). */
async function restartWorker(session: ChromiumSession): Promise<void> {
  await workerRequests.detach();
  await session.stopWorker();
  await session.worker();
}

const siteUrl = (host: string, path: string): string => `${site.origin(host)}${path}`;

beforeAll(async () => {
  site = await startTestServer();
  await feed.start();
  const teacherKey = await newTeacherKey('devries');
  teacherSide = new TeacherPublisher(feed.server.origin, FEED_TOKEN, teacherKey);
  strangerKey = await newTeacherKey('stranger');
  copies = await extensionCopies();
  const copy3A = copies.copy('3a');
  const copyTeacher = copies.copy('teacher');

  const trusted = [{ id: teacherKey.kid, name: 'J. de Vries', publicKey: teacherKey.publicKey }];
  policyFile.write({
    [DEV_EXTENSION_ID]: studentPolicy(feed, '2B', trusted),
    [copy3A.id]: studentPolicy(feed, '3A', trusted),
    [copyTeacher.id]: teacherPolicy(feed, ['2B']),
  });

  student2B = await launchChromium({ extensionDir: distDir('chrome'), allowLoopbackAddress: true });
  workerRequests = new WorkerRequests(student2B);
  await workerRequests.start();
  student3A = await launchChromium({ extensionDir: copy3A.dir, allowLoopbackAddress: true });
  teacher = await launchChromium({ extensionDir: copyTeacher.dir, allowLoopbackAddress: true });
  for (const session of [student2B, student3A, teacher]) await waitForPolicy(session);
  page2B = await student2B.browser.newPage();
});

afterAll(async () => {
  policyFile.remove();
  await Promise.all([student2B?.close(), student3A?.close(), teacher?.close()]);
  await feed.remove();
  await site?.close();
  await copies?.remove();
});

test('a teacher device makes its own signing key: non-extractable, its public half and fingerprint on the status page', async () => {
  await waitFor(async () => (await stored(teacher, 'feedKey')) !== undefined, 'the teacher device to make its key', 15_000);
  const key = await stored<{ source: string; kid: string; fingerprint: string; publicKey: { x: string } }>(teacher, 'feedKey');
  expect(key).toMatchObject({ source: 'device', kid: expect.stringMatching(/^k-/), fingerprint: expect.stringMatching(/^[0-9A-F]{4}( [0-9A-F]{4}){3}$/) });
  const inDatabase = await teacher.evalInWorker(
    () =>
      new Promise<{ extractable: boolean; type: string; x: string }>((done, fail) => {
        const request = indexedDB.open('lesmodus-keys');
        request.onerror = () => fail(request.error);
        request.onsuccess = () => {
          const get = request.result.transaction('keys').objectStore('keys').get('class-feed-signing-key');
          get.onerror = () => fail(get.error);
          get.onsuccess = () => done({ extractable: get.result.privateKey.extractable, type: get.result.privateKey.type, x: get.result.publicJwk.x });
        };
      }),
  );
  expect(inDatabase).toEqual({ extractable: false, type: 'private', x: key!.publicKey.x });
  // The teacher device follows no feed: it publishes.
  expect(await stored(teacher, 'feedFollow')).toBeUndefined();
});

test('a lesson for 2B is enforced by the student of 2B, and not by the student of 3A', async () => {
  const games = siteUrl('games.test', '/play');
  expect(await open(student2B, page2B, games)).toBe(games);

  const issuedAt = await publish({ lesson: allowlistLesson(['allowed.test'], Date.now() - 1000, 30, { id: 'rekenen-1' }) });
  await clickUntil(student2B, async () => (await acceptedIssuedAt(student2B)) === issuedAt, 'the 2B student to accept the lesson');
  // The tab that was on a games site is swept to the blocked page; new navigations are blocked.
  await waitFor(async () => (await currentUrl(page2B)) === blockedPageFor(student2B, games), 'the open games tab to be swept');
  const other = siteUrl('other.test', '/x');
  expect(await open(student2B, page2B, other)).toBe(blockedPageFor(student2B, other));
  expect(await open(student2B, page2B, siteUrl('allowed.test', '/sommen'))).toBe(siteUrl('allowed.test', '/sommen'));

  // The 3A student fetched its own class (nothing there yet) and is as free as before.
  const page3A = await student3A.browser.newPage();
  await clickUntil(student3A, async () => (await follow(student3A, '3A'))?.lastOutcome === 'not-found', 'the 3A student to fetch class 3A');
  expect(await open(student3A, page3A, other)).toBe(other);
  expect(await acceptedIssuedAt(student3A, '2B')).toBeNull();
  expect(await ruleCount(student3A)).toBe(0);
  await page3A.close();
});

test("on a student device, a lesson set on the device (with the teacher's PIN) does not replace the class lesson", async () => {
  // A lesson on the device that would open everything but one site, stored as the popup stores it; then the class's next lesson arrives.
  await setLesson(student2B, allowlistLesson(['nothing.test'], Date.now() - 1000, 30, { id: 'own', mode: 'blocklist' }));
  const issuedAt = await publish({ lesson: allowlistLesson(['allowed.test'], Date.now() - 1000, 30, { id: 'rekenen-1b' }) });
  await clickUntil(student2B, async () => (await acceptedIssuedAt(student2B)) === issuedAt, 'the 2B student to accept the lesson');
  expect(await stored<{ id: string }>(student2B, 'lesson')).toMatchObject({ id: 'own' });
  // The class lesson is the one in force: only allowed.test.
  const other = siteUrl('other.test', '/own-lesson');
  expect(await open(student2B, page2B, other)).toBe(blockedPageFor(student2B, other));
  expect(await open(student2B, page2B, siteUrl('allowed.test', '/sommen'))).toBe(siteUrl('allowed.test', '/sommen'));
  await setLesson(student2B, null);
});

test('the teacher ends the lesson and the student is released', async () => {
  const blocked = siteUrl('other.test', '/after');
  expect(await open(student2B, page2B, blocked)).toBe(blockedPageFor(student2B, blocked));
  const issuedAt = await publish({ lesson: null });
  await clickUntil(student2B, async () => (await acceptedIssuedAt(student2B)) === issuedAt, 'the student to accept the end');
  // The blocked tab goes back to its page without anyone touching it.
  await waitFor(async () => (await currentUrl(page2B)) === blocked, 'the blocked tab to return to its page');
  expect(await ruleCount(student2B)).toBe(0);
});

test('a pause reaches a student who sits still, says when it ends, and is lifted', async () => {
  const reading = siteUrl('allowed.test', '/reading');
  await publish({ lesson: allowlistLesson(['allowed.test'], Date.now() - 1000, 30, { id: 'rekenen-2' }) });
  expect(await open(student2B, page2B, reading)).toBe(reading);

  const message = 'Iedereen even kijken naar het bord';
  const pausedAt = await publish({ lesson: allowlistLesson(['allowed.test'], Date.now() - 1000, 30, { id: 'rekenen-2' }), pause: { message, startsAt: Date.now(), until: Date.now() + 3 * M } });
  // No click: the live socket brings the pause (the 30-second poll alarm would, without one), and the open page is covered where it is.
  const started = Date.now();
  await waitFor(() => covered(page2B), 'the paused page to be covered', 45_000);
  console.log(`pause reached a student sitting still after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(await acceptedIssuedAt(student2B)).toBe(pausedAt);
  expect(await currentUrl(page2B)).toBe(reading);
  const shown = await coverText(page2B);
  expect(shown).toContain('Eyes on your teacher');
  expect(shown).toContain(message);
  expect(shown).toMatch(/Back to your work at \d\d:\d\d/);
  // No new page opens, the lesson's own sites neither: the pause page says why.
  const spare = await student2B.browser.newPage();
  expect(await open(student2B, spare, siteUrl('allowed.test', '/other'))).toBe(blockedPageFor(student2B, siteUrl('allowed.test', '/other')));
  await waitFor(async () => (await spare.$('.pause-message')) !== null, 'the pause message to show');
  expect(await spare.$eval('h1', (el) => el.textContent)).toBe('Eyes on your teacher');
  expect(await spare.$eval('.pause-message', (el) => el.textContent)).toBe(message);
  expect(await spare.evaluate(() => document.body.innerText)).toMatch(/Back to your work at \d\d:\d\d/);
  await spare.close();

  const resumedAt = await publish({ lesson: allowlistLesson(['allowed.test'], Date.now() - 1000, 30, { id: 'rekenen-2' }) });
  await clickUntil(student2B, async () => (await acceptedIssuedAt(student2B)) === resumedAt, 'the student to accept the resume');
  await waitFor(() => uncovered(page2B), 'the cover to go by itself');
  expect(await currentUrl(page2B)).toBe(reading);
});

test('a lesson\'s start page opens once: not again when the lesson changes, nor after the service worker restarts', async () => {
  const startPage = siteUrl('allowed.test', '/start-here');
  const startPages = async (): Promise<number> => (await student2B.browser.pages()).filter((page) => page.url() === startPage).length;
  const lesson = allowlistLesson(['allowed.test'], Date.now() - 1000, 30, { id: 'project-1', title: 'Project', startPage });
  const issuedAt = await publish({ lesson });
  await clickUntil(student2B, async () => (await acceptedIssuedAt(student2B)) === issuedAt, 'the student to accept the lesson with a start page');
  await waitFor(async () => (await startPages()) === 1, 'the start page to open');

  // The teacher extends the lesson: same lesson, no second tab.
  const extendedAt = await publish({ lesson: { ...lesson, endsAt: lesson.endsAt + 10 * M } });
  await clickUntil(student2B, async () => (await acceptedIssuedAt(student2B)) === extendedAt, 'the student to accept the extension');
  // The service worker restarts (and polls and runs the rules at once): still no second tab.
  await restartWorker(student2B);
  await waitFor(async () => (await follow(student2B))?.lastOutcome !== undefined && (await ruleCount(student2B)) > 0, 'the restarted worker to run');
  await new Promise((wait) => setTimeout(wait, 3000));
  expect(await startPages()).toBe(1);
  expect(await stored<string[]>(student2B, 'feedStartPages')).toEqual(['2B/project-1']);
  for (const page of await student2B.browser.pages()) if (page.url() === startPage) await page.close();
});

test('a document signed by a key IT does not list is refused, counted and shown; the lesson in force stays', async () => {
  const before = await acceptedIssuedAt(student2B);
  const rejectionsBefore = (await follow(student2B))?.rejections ?? 0;
  // Someone with write access to the feed, but not a teacher's key, opens the games site.
  await publish({ lesson: allowlistLesson(['games.test'], Date.now() - 1000, 60, { id: 'forged' }) }, strangerKey);
  await clickUntil(student2B, async () => (await follow(student2B))?.lastRejection?.reason === 'unknown-key', 'the forged document to be refused');
  expect((await follow(student2B))?.rejections).toBe(rejectionsBefore + 1);
  expect(await acceptedIssuedAt(student2B)).toBe(before);
  const games = siteUrl('games.test', '/still-blocked');
  expect(await open(student2B, page2B, games)).toBe(blockedPageFor(student2B, games));

  // The status the UI pages get says so, per class.
  const ui = await student2B.browser.newPage();
  await student2B.goto(ui, student2B.extensionUrl('status.html'));
  const status = (await ui.evaluate(() => chrome.runtime.sendMessage({ type: 'getStatus' }))) as { ok: boolean; value: { feed: { role: string; classes: Array<Record<string, unknown>> } } };
  await ui.close();
  expect(status.value.feed.role).toBe('student');
  expect(status.value.feed.classes[0]).toMatchObject({ classId: '2B', rejections: rejectionsBefore + 1, lastRejection: { reason: 'unknown-key' }, accepted: { issuedAt: before, signer: 'J. de Vries' } });
});

test('with the feed server stopped mid-lesson nothing changes until the lesson ends by itself', async () => {
  const endsAt = Date.now() + 25_000;
  const lesson = { ...allowlistLesson(['allowed.test'], Date.now() - 1000, 1, { id: 'short' }), endsAt };
  const issuedAt = await publish({ lesson });
  await clickUntil(student2B, async () => (await acceptedIssuedAt(student2B)) === issuedAt, 'the student to accept the short lesson');
  const port = feed.server.port;
  await feed.stop();

  const games = siteUrl('games.test', '/offline');
  expect(await open(student2B, page2B, games)).toBe(blockedPageFor(student2B, games));
  await clickUntil(student2B, async () => (await follow(student2B))?.lastOutcome === 'error', 'a fetch to fail');
  expect(await acceptedIssuedAt(student2B)).toBe(issuedAt);
  expect(await open(student2B, page2B, games)).toBe(blockedPageFor(student2B, games));

  // At the lesson's own end the student is released, with the server still down.
  await waitFor(async () => (await currentUrl(page2B)) === games, 'the tab to be released at the lesson end', 40_000);
  expect(Date.now()).toBeGreaterThanOrEqual(endsAt);
  expect(await ruleCount(student2B)).toBe(0);
  await feed.start(port);
});

test('privacy: the only requests the extension makes are GETs of its class feed and its live socket to the same address', async () => {
  const feedUrl = feed.classUrl('2B');
  const socketUrl = feedUrl.replace(/^http:/, 'ws:');
  expect(workerRequests.requests.some((request) => request.method === 'GET')).toBe(true);
  expect(workerRequests.requests.some((request) => request.method === 'WEBSOCKET')).toBe(true);
  const others = workerRequests.requests.filter((request) => !(request.method === 'GET' && request.url === feedUrl) && !(request.method === 'WEBSOCKET' && request.url === socketUrl));
  expect(others).toEqual([]);
  // And the feed server saw only GETs of the followed classes, besides the teacher's PUTs.
  const seen = new Set(feed.log.map((line) => line.split(' ').slice(1, 3).join(' ')));
  expect([...seen].filter((entry) => entry !== 'PUT 2B').sort()).toEqual(['GET 2B', 'GET 3A']);
  // The server's log holds method, class and status, nothing about who asked.
  expect(feed.log.every((line) => /^\S+ (GET|PUT) (2B|3A) \d{3}$/.test(line))).toBe(true);
});
