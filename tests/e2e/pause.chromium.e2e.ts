/**
 * A class pause keeps the students' work, in real Chromium: the teacher
 * pauses the class while a student is half-way through an answer in a
 * form; the page is covered by the teacher's message where it is, not
 * replaced; keys and clicks do not reach it; the page's own script cannot
 * take the cover off; a new page is refused (it gets the pause page); when
 * the teacher resumes, the cover goes by itself, and the answer, the
 * page's state and the cursor are as they were: nothing was reloaded. A
 * page still loading when the pause begins, and one whose answer arrives
 * during it, are covered too; a pause nobody resumes ends by itself.
 *
 * One student browser follows class 2B on the reference feed server (the
 * live socket brings the pause and the resume: nothing waits on time), the
 * teacher side signs and publishes from the test as a teacher's browser
 * does. The managed policy directory is global to the machine: run under
 * the shared lock; the policy file is removed after the suite.
 */
import type { Page } from 'puppeteer-core';
import type { ClassDocumentDraft } from '../../src/core/feed/document';
import { currentUrl, distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID } from '../../src/dev/chromium-policy';
import { blockedPageFor, open } from '../../src/dev/pages';
import { newTeacherKey, TeacherPublisher } from '../../src/dev/teacher';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';
import { FEED_TOKEN, FeedHost, acceptedIssuedAt, clickUntil, studentPolicy, waitForPolicy } from './support/classroom';
import { coverText, covered, uncovered } from '../../src/dev/cover';

jest.setTimeout(120_000);

const M = 60_000;

const policyFile = new ChromiumPolicyFile('lesmodus-pause-test');
const feed = new FeedHost();
let site: TestServer;
let teacher: TeacherPublisher;
let student: ChromiumSession;
let page: Page;

const siteUrl = (host: string, path: string): string => `${site.origin(host)}${path}`;
const publish = (draft: Omit<ClassDocumentDraft, 'class' | 'issuedAt'>): Promise<number> => teacher.publish('2B', draft);
const lesson = () => allowlistLesson(['allowed.test'], Date.now() - 1000, 30, { id: 'essay-1' });
const accepted = (issuedAt: number, what: string): Promise<void> => waitFor(async () => (await acceptedIssuedAt(student)) === issuedAt, what, 20_000);

/** What the student wrote so far, and the mark the page set when it loaded (gone if it loaded again). */
const work = (): Promise<{ text: string; loadMark: unknown; focused: boolean }> =>
  page.evaluate(() => ({
    text: (document.getElementById('answer') as HTMLTextAreaElement).value,
    loadMark: (window as unknown as { loadMark?: unknown }).loadMark,
    focused: document.activeElement?.id === 'answer',
  }));

beforeAll(async () => {
  site = await startTestServer();
  await feed.start();
  const key = await newTeacherKey('devries');
  teacher = new TeacherPublisher(feed.server.origin, FEED_TOKEN, key);
  policyFile.write({ [DEV_EXTENSION_ID]: studentPolicy(feed, '2B', [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }]) });
  student = await launchChromium({ extensionDir: distDir('chrome'), allowLoopbackAddress: true });
  await waitForPolicy(student);
  page = await student.browser.newPage();
  // The first document comes with a click (the socket opens after the first fetch); the rest come over the socket.
  const issuedAt = await publish({ lesson: lesson() });
  await clickUntil(student, site.origin('allowed.test'), async () => (await acceptedIssuedAt(student)) === issuedAt, 'the student to accept the lesson');
});

afterAll(async () => {
  policyFile.remove();
  await student?.close();
  await feed.remove();
  await site?.close();
});

test('a pause covers the page a student is writing in, and the answer is still there when it ends', async () => {
  const essay = siteUrl('allowed.test', '/essay');
  expect(await open(student, page, essay)).toBe(essay);
  await page.evaluate(() => {
    const answer = document.createElement('textarea');
    answer.id = 'answer';
    document.body.append(answer);
    (window as unknown as { loadMark: number }).loadMark = Math.random();
  });
  const { loadMark } = await work();
  await page.click('#answer');
  await page.keyboard.type('Half an answer');

  const message = 'Pennen neer, kijk naar het bord';
  const pausedAt = await publish({ lesson: lesson(), pause: { message, startsAt: Date.now(), until: Date.now() + 5 * M } });
  await waitFor(() => covered(page), 'the page to be covered', 20_000);
  expect(await acceptedIssuedAt(student)).toBe(pausedAt);
  // Covered where it is: not replaced by the pause page.
  expect(await currentUrl(page)).toBe(essay);
  const shown = await coverText(page);
  expect(shown).toContain('Eyes on your teacher');
  expect(shown).toContain(message);
  expect(shown).toMatch(/Back to your work at \d\d:\d\d/);

  // Keys and clicks do not reach the page: the answer does not change, and it no longer has the cursor.
  await page.keyboard.type('typed under the cover');
  const box = (await page.evaluate(() => {
    const rect = document.getElementById('answer')!.getBoundingClientRect();
    return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
  }))!;
  await page.mouse.click(box.x, box.y);
  await page.keyboard.type('clicked and typed');
  expect(await work()).toEqual({ text: 'Half an answer', loadMark, focused: false });

  // The page's own script cannot simply take the cover away: it is back at once.
  await page.evaluate(() => document.querySelector('lesmodus-pause')?.remove());
  await waitFor(() => covered(page), 'the cover to come back');
  await page.keyboard.type('after the removal');
  expect((await work()).text).toBe('Half an answer');

  // A new page is refused: it gets the pause page.
  const other = siteUrl('allowed.test', '/other');
  const spare = await student.browser.newPage();
  expect(await open(student, spare, other)).toBe(blockedPageFor(student, other));

  const resumedAt = await publish({ lesson: lesson() });
  await accepted(resumedAt, 'the student to accept the resume');
  await waitFor(() => uncovered(page), 'the cover to go by itself');
  // Nothing was reloaded: the same page, with the same answer and the mark it set when it loaded; the cursor is back in the answer.
  expect(await currentUrl(page)).toBe(essay);
  expect(await work()).toEqual({ text: 'Half an answer', loadMark, focused: true });
  await page.keyboard.type(', and the rest');
  expect((await work()).text).toBe('Half an answer, and the rest');
  // The tab that was refused goes back to its page.
  await waitFor(async () => (await currentUrl(spare)) === other, 'the refused tab to return to its page');
  await spare.close();
});

test('a page still loading when the pause begins, and one whose answer arrives during the pause, are covered too', async () => {
  // A page whose response never ends (it shows, and keeps loading), and one whose answer the server holds back.
  const stalled = siteUrl('allowed.test', '/stall');
  const stalling = await student.browser.newPage();
  void stalling.goto(stalled).catch(() => undefined);
  await waitFor(async () => (await currentUrl(stalling)) === stalled, 'the stalled page to show');
  const held = siteUrl('allowed.test', '/held?key=pause-late');
  const late = await student.browser.newPage();
  void late.goto(held).catch(() => undefined);
  await waitFor(() => site.requests.some((request) => request.path === '/held?key=pause-late'), 'the held request to reach the site');

  const pausedAt = await publish({ lesson: lesson(), pause: { message: 'Even stoppen', startsAt: Date.now(), until: Date.now() + 5 * M } });
  await accepted(pausedAt, 'the student to accept the pause');
  await waitFor(() => covered(stalling), 'the loading page to be covered', 20_000);
  site.release('pause-late');
  await waitFor(async () => (await currentUrl(late)) === held && (await covered(late)), 'the page that arrived during the pause to be covered', 20_000);

  const resumedAt = await publish({ lesson: lesson() });
  await accepted(resumedAt, 'the student to accept the resume');
  await waitFor(async () => (await uncovered(stalling)) && (await uncovered(late)), 'both covers to go');
  expect(await currentUrl(stalling)).toBe(stalled);
  expect(await currentUrl(late)).toBe(held);
  await Promise.all([stalling.close(), late.close()]);
});

test('a pause that runs out ends by itself: the cover goes and the page is as it was', async () => {
  const essay = siteUrl('allowed.test', '/essay-2');
  expect(await open(student, page, essay)).toBe(essay);
  await page.evaluate(() => {
    (window as unknown as { loadMark: string }).loadMark = 'before the short pause';
  });
  // A short pause: nobody resumes it.
  const pausedAt = await publish({ lesson: lesson(), pause: { message: 'Heel even', startsAt: Date.now(), until: Date.now() + 4000 } });
  await accepted(pausedAt, 'the student to accept the short pause');
  await waitFor(() => covered(page), 'the page to be covered');
  await waitFor(() => uncovered(page), 'the cover to go at the end of the pause', 20_000);
  expect(await currentUrl(page)).toBe(essay);
  expect(await page.evaluate(() => (window as unknown as { loadMark?: string }).loadMark)).toBe('before the short pause');
});
