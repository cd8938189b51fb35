/**
 * A class pause keeps the students' work, in real Firefox ESR (the Chromium
 * suite, pause.chromium.e2e.ts, shows the same and reads the cover's words
 * too): the open page is covered where it is, keys do not reach it, and when
 * the teacher resumes the cover goes, nothing is reloaded and the cursor is
 * back in the answer; a page still loading when the pause begins is covered
 * too; a pause nobody resumes ends by itself.
 *
 * One student device of class 2B gets IT's policy through Firefox's managed
 * storage (a native manifest in a per-session HOME), the teacher side signs
 * and publishes from the test; the student's own navigations fetch the feed
 * (support/classroom.ts), as in feed.firefox.e2e.ts.
 */
import type { Page } from 'puppeteer-core';
import type { ClassDocumentDraft } from '../../src/core/feed/document';
import { currentUrl, distDir, launchFirefox, waitFor, type FirefoxSession } from '../../src/dev/browsers';
import { open } from '../../src/dev/pages';
import { newTeacherKey, TeacherPublisher } from '../../src/dev/teacher';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';
import { FEED_TOKEN, FeedHost, acceptedIssuedAt, clickUntil, studentPolicy, waitForPolicy } from './support/classroom';
import { covered, uncovered } from '../../src/dev/cover';

jest.setTimeout(120_000);

const M = 60_000;

const feed = new FeedHost();
let site: TestServer;
let teacher: TeacherPublisher;
let student: FirefoxSession;
let page: Page;

const siteUrl = (host: string, path: string): string => `${site.origin(host)}${path}`;
const lesson = () => allowlistLesson(['allowed.test'], Date.now() - 1000, 30, { id: 'essay-1' });
/** The teacher publishes, and the student clicks around until it has the document. */
async function publishAndWait(draft: Omit<ClassDocumentDraft, 'class' | 'issuedAt'>, what: string): Promise<void> {
  const issuedAt = await teacher.publish('2B', draft);
  await clickUntil(student, site.origin('allowed.test'), async () => (await acceptedIssuedAt(student)) === issuedAt, what);
}

/** What the student wrote so far, the mark the page set when it loaded, and whether the answer has the cursor. */
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
  student = await launchFirefox({ extensionDir: distDir('firefox'), managedStorage: studentPolicy(feed, '2B', [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }]) });
  await waitForPolicy(student);
  page = await student.browser.newPage();
  await publishAndWait({ lesson: lesson() }, 'the student to accept the lesson');
});

afterAll(async () => {
  await student?.close();
  await feed.remove();
  await site?.close();
});

test('a pause covers the page a student is writing in; resumed, the answer and the cursor are where they were', async () => {
  const essay = siteUrl('allowed.test', '/essay');
  expect(await open(student, page, essay)).toBe(essay);
  await page.evaluate(() => {
    const answer = document.createElement('textarea');
    answer.id = 'answer';
    document.body.append(answer);
    (window as unknown as { loadMark: string }).loadMark = 'loaded once';
  });
  await page.click('#answer');
  await page.keyboard.type('Half an answer');

  await publishAndWait({ lesson: lesson(), pause: { message: 'Pennen neer', startsAt: Date.now(), until: Date.now() + 5 * M } }, 'the student to accept the pause');
  await waitFor(() => covered(page), 'the page to be covered');
  await page.keyboard.type('typed under the cover');
  expect(await work()).toEqual({ text: 'Half an answer', loadMark: 'loaded once', focused: false });

  await publishAndWait({ lesson: lesson() }, 'the student to accept the resume');
  await waitFor(() => uncovered(page), 'the cover to go by itself');
  expect(await currentUrl(page)).toBe(essay);
  expect(await work()).toEqual({ text: 'Half an answer', loadMark: 'loaded once', focused: true });
  await page.keyboard.type(', and the rest');
  expect((await work()).text).toBe('Half an answer, and the rest');
});

test('a page still loading when the pause begins is covered too, and a pause nobody resumes ends by itself', async () => {
  const stalled = siteUrl('allowed.test', '/stall');
  const stalling = await student.browser.newPage();
  void stalling.goto(stalled).catch(() => undefined);
  await waitFor(async () => (await currentUrl(stalling)) === stalled, 'the stalled page to show');

  await publishAndWait({ lesson: lesson(), pause: { message: 'Heel even', startsAt: Date.now(), until: Date.now() + 6000 } }, 'the student to accept the short pause');
  await waitFor(() => covered(stalling), 'the loading page to be covered');
  await waitFor(() => uncovered(stalling), 'the cover to go at the end of the pause', 20_000);
  expect(await currentUrl(stalling)).toBe(stalled);
  await stalling.close();
});
