/**
 * The class feed in real Firefox ESR with the real reference feed server on
 * 127.0.0.1. One student device of class 2B gets IT's policy the way
 * Firefox gives an add-on managed storage (a native managed-storage
 * manifest in a per-session HOME): role student, class 2B, the feed's URL
 * template and the teacher's public key. The teacher side is driven from the
 * test with the extension's own signing code (src/dev/teacher.ts), as in
 * feed.chromium.e2e.ts; the feed is fetched when the student navigates, as a
 * student clicking around does (support/classroom.ts).
 *
 * Shown: a lesson for 2B is enforced (a blocked host lands on the blocked
 * page, an allowed one loads); ending it releases the student; a pause
 * covers the open page where it is (what the student wrote stays; keys do
 * not reach it), a new page gets the pause page with the teacher's words,
 * and resuming lifts both; a
 * document signed by a key IT does not list is refused and the lesson in
 * force stays.
 *
 * The harness sends every host to 127.0.0.1 (network.dns.forceResolve),
 * which is where the feed server listens; IT's policy allows plain http for
 * the feed only on localhost and 127.0.0.1.
 */
import type { Page } from 'puppeteer-core';
import type { ClassDocumentDraft } from '../../src/core/feed/document';
import { currentUrl, distDir, launchFirefox, waitFor, type FirefoxSession } from '../../src/dev/browsers';
import { FEED_TOKEN, FeedHost, acceptedIssuedAt, clickUntil as clickUntilIn, follow, studentPolicy, waitForPolicy } from './support/classroom';
import { ruleCount } from '../../src/dev/extension-state';
import { blockedPageFor, open } from '../../src/dev/pages';
import { newTeacherKey, TeacherPublisher, type TeacherKey } from '../../src/dev/teacher';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';
import { covered, uncovered } from '../../src/dev/cover';

jest.setTimeout(120_000);

const M = 60_000;

const feed = new FeedHost();
let site: TestServer;
let teacherSide: TeacherPublisher;
let strangerKey: TeacherKey;
let student: FirefoxSession;
let page: Page;

/** The teacher publishes class 2B's next document (or `signer` does, with write access to the feed but no listed key). */
const publish = (draft: Omit<ClassDocumentDraft, 'class' | 'issuedAt'>, signer?: TeacherKey): Promise<number> => teacherSide.publish('2B', draft, signer);

/** The student clicking around until the document issued at `issuedAt` is accepted. */
const clickUntilAccepted = (issuedAt: number, what: string): Promise<void> =>
  clickUntilIn(student, site.origin('allowed.test'), async () => (await acceptedIssuedAt(student)) === issuedAt, what);

const siteUrl = (host: string, path: string): string => `${site.origin(host)}${path}`;

beforeAll(async () => {
  site = await startTestServer();
  await feed.start();
  const teacherKey = await newTeacherKey('devries');
  teacherSide = new TeacherPublisher(feed.server.origin, FEED_TOKEN, teacherKey);
  strangerKey = await newTeacherKey('stranger');
  const trusted = [{ id: teacherKey.kid, name: 'J. de Vries', publicKey: teacherKey.publicKey }];
  student = await launchFirefox({ extensionDir: distDir('firefox'), managedStorage: studentPolicy(feed, '2B', trusted) });
  await waitForPolicy(student);
  page = await student.browser.newPage();
});

afterAll(async () => {
  await student?.close();
  await feed.remove();
  await site?.close();
});

test('a lesson published for 2B is enforced after the student navigates', async () => {
  const games = siteUrl('games.test', '/play');
  expect(await open(student, page, games)).toBe(games);

  const issuedAt = await publish({ lesson: allowlistLesson(['allowed.test'], Date.now() - 1000, 30, { id: 'rekenen-1' }) });
  await clickUntilAccepted(issuedAt, 'the student to accept the lesson');
  await waitFor(async () => (await ruleCount(student)) > 0, 'the lesson rules to be in force');
  expect(await open(student, page, games)).toBe(blockedPageFor(student, games));
  const allowed = siteUrl('allowed.test', '/sommen');
  expect(await open(student, page, allowed)).toBe(allowed);
});

test('the teacher ends the lesson and the student is released', async () => {
  const blocked = siteUrl('other.test', '/after');
  expect(await open(student, page, blocked)).toBe(blockedPageFor(student, blocked));
  const issuedAt = await publish({ lesson: null });
  await clickUntilAccepted(issuedAt, 'the student to accept the end');
  // The blocked tab goes back to its page without anyone touching it.
  await waitFor(async () => (await currentUrl(page)) === blocked, 'the blocked tab to return to its page');
  expect(await ruleCount(student)).toBe(0);
});

test('a pause covers the open page where it is, keys do not reach it, a new page is refused, and resuming leaves the work as it was', async () => {
  const lesson = allowlistLesson(['allowed.test'], Date.now() - 1000, 30, { id: 'rekenen-2' });
  const reading = siteUrl('allowed.test', '/reading');
  await clickUntilAccepted(await publish({ lesson }), 'the student to accept the lesson');
  expect(await open(student, page, reading)).toBe(reading);
  await page.evaluate(() => {
    const answer = document.createElement('textarea');
    answer.id = 'answer';
    document.body.append(answer);
    (window as unknown as { loadMark: string }).loadMark = 'loaded once';
  });
  const work = (): Promise<{ text: string; loadMark: unknown }> =>
    page.evaluate(() => ({ text: (document.getElementById('answer') as HTMLTextAreaElement).value, loadMark: (window as unknown as { loadMark?: unknown }).loadMark }));
  await page.click('#answer');
  await page.keyboard.type('Half an answer');

  const message = 'Iedereen even kijken naar het bord';
  await clickUntilAccepted(await publish({ lesson, pause: { message, startsAt: Date.now(), until: Date.now() + 3 * M } }), 'the student to accept the pause');
  // The open page is covered where it is, not replaced.
  await waitFor(() => covered(page), 'the page to be covered');
  expect(await currentUrl(page)).toBe(reading);
  await page.keyboard.type('typed under the cover');
  expect(await work()).toEqual({ text: 'Half an answer', loadMark: 'loaded once' });
  // The page's own script cannot simply take the cover away: it is back at once.
  await page.evaluate(() => document.querySelector('lesmodus-pause')?.remove());
  await waitFor(() => covered(page), 'the cover to come back');
  // A new page gets the pause page, with the teacher's words.
  const other = siteUrl('allowed.test', '/other');
  const spare = await student.browser.newPage();
  expect(await open(student, spare, other)).toBe(blockedPageFor(student, other));
  await waitFor(async () => (await spare.evaluate(() => document.querySelector('.pause-message')?.textContent ?? null)) === message, 'the pause message to show');

  await clickUntilAccepted(await publish({ lesson }), 'the student to accept the resume');
  await waitFor(() => uncovered(page), 'the cover to go by itself');
  expect(await currentUrl(page)).toBe(reading);
  expect(await work()).toEqual({ text: 'Half an answer', loadMark: 'loaded once' });
  await waitFor(async () => (await currentUrl(spare)) === other, 'the refused tab to return to its page');
  await spare.close();
});

test('a document signed by a key IT does not list is refused; the lesson in force stays', async () => {
  const before = await acceptedIssuedAt(student);
  const rejectionsBefore = (await follow(student))?.rejections ?? 0;
  // Someone with write access to the feed, but not a teacher's key, opens every site.
  await publish({ lesson: allowlistLesson(['forged.test'], Date.now() - 1000, 60, { id: 'forged' }) }, strangerKey);
  await clickUntilIn(student, site.origin('allowed.test'), async () => (await follow(student))?.lastRejection?.reason === 'unknown-key', 'the forged document to be refused');
  expect((await follow(student))?.rejections).toBe(rejectionsBefore + 1);
  expect(await acceptedIssuedAt(student)).toBe(before);
  const games = siteUrl('games.test', '/still-blocked');
  expect(await open(student, page, games)).toBe(blockedPageFor(student, games));
});
