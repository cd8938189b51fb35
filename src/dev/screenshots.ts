/**
 * Screenshots of every screen of Lesmodus in real Chromium, at 360 and 800
 * px wide, in Dutch and English, for reviewing the layout and the words by
 * eye: the student's popup (no lesson, lesson, paused), the PIN prompt, the
 * teacher panel (presets, editor, running lesson), the class panel on a
 * teacher's laptop (no lesson, lesson, paused), the blocked page (lesson,
 * blocked by IT, paused) and the status page.
 *
 *   flock /tmp/lesmodus-browser.lock npx tsx src/dev/screenshots.ts [out-dir] [en|nl]
 *
 * Needs `npm run build` first, and root: it writes IT's policy to Chromium's
 * managed-policy directory (global to the machine, hence the lock), and
 * removes it again. Traffic stays on the machine: the class feed is the
 * reference server on 127.0.0.1. Files are named `<language>-<screen>-<width>.png`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'puppeteer-core';
import { hashPin } from '../core/teacher/pin';
import type { Lesson } from '../core/schemas';
import { startFeedServer } from '../server/feed-server';
import { distDir, launchChromium, waitFor, type ChromiumSession } from './browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID, extensionCopies } from './chromium-policy';
import { setLesson, stored } from './extension-state';
import { blockedPageFor } from './pages';
import { newTeacherKey, TeacherPublisher } from './teacher';
import { startTestServer, type TestServer } from './test-server';

const WIDTHS = [360, 800] as const;
const PIN = '482916';
const TOKEN = 'screenshots-feed-token-0123456789';
const M = 60_000;

type Language = 'en' | 'nl';

const presets = [
  { id: 'rekenen', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl', 'wiskundeacademie.nl', 'gynzy.com'], minutes: 45 },
  { id: 'toets', title: 'Toets Engels', mode: 'allowlist', sites: [], minutes: 50 },
  { id: 'geen-games', title: 'Geen games', mode: 'blocklist', sites: ['games.test', 'poki.com', 'tiktok.com'], minutes: 90 },
];

const itLists = {
  allowed: ['login.microsoftonline.com', 'magister.net'],
  blocked: ['blocked-by-it.test'],
};

function lessonNow(): Lesson {
  const startsAt = Date.now() - 10 * M;
  return { id: `shots-${startsAt}`, title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl', 'wiskundeacademie.nl', 'nl.wikipedia.org/wiki/Breuk'], embeds: [], startsAt, endsAt: startsAt + 50 * M };
}

/** Takes one screen at every width: the page keeps its state, only the viewport changes. */
async function shoot(page: Page, out: string, language: Language, name: string): Promise<void> {
  // The popup is at most 600 px high and scrolls inside: unrolled, the whole screen is in one picture.
  // (Through the CSSOM: the extension's content security policy refuses a <style> added to the page.)
  await page.evaluate(() => document.querySelector<HTMLElement>('.popup-page')?.style.setProperty('max-height', 'none', 'important'));
  for (const width of WIDTHS) {
    await page.setViewport({ width, height: 640 });
    // Let layout and any transition settle after the resize.
    await new Promise((settle) => setTimeout(settle, 250));
    const file = join(out, `${language}-${name}-${width}.png`);
    await page.screenshot({ path: file as `${string}.png`, fullPage: true });
    process.stdout.write(`${file}\n`);
  }
}

async function clickText(page: Page, selector: string, texts: readonly string[]): Promise<void> {
  await waitFor(
    () =>
      page.evaluate(
        (sel, wanted) => {
          const found = [...document.querySelectorAll<HTMLElement>(sel)].find((element) => wanted.includes((element.textContent ?? '').trim()));
          found?.click();
          return found !== undefined;
        },
        selector,
        [...texts],
      ),
    `${selector} saying ${texts.join(' or ')}`,
  );
}

async function openPopup(session: ChromiumSession, ready = '.status-card:not(.skeleton)'): Promise<Page> {
  const page = await session.browser.newPage();
  await page.setViewport({ width: WIDTHS[0], height: 640 });
  await session.goto(page, session.extensionUrl('popup.html'));
  await page.waitForSelector(ready);
  return page;
}

async function unlock(page: Page, ready: string): Promise<void> {
  await page.click('.teacher-entry button');
  await page.waitForSelector('#pin');
  await page.type('#pin', PIN);
  await page.keyboard.press('Enter');
  await page.waitForSelector(ready);
}

async function shootLanguage(language: Language, out: string, site: TestServer): Promise<void> {
  // A class feed of its own: documents another language's run signed are not in it.
  const dataDir = await mkdtemp(join(tmpdir(), 'lesmodus-shots-feed-'));
  const feed = await startFeedServer({ port: 0, host: '127.0.0.1', dataDir, tokens: [TOKEN], maxBytes: 64 * 1024, log: 'none' });
  const policyFile = new ChromiumPolicyFile(`lesmodus-screenshots-${language}`);
  const copies = await extensionCopies();
  const sessions: ChromiumSession[] = [];
  const launch = async (extensionDir: string): Promise<ChromiumSession> => {
    const session = await launchChromium({ extensionDir, allowLoopbackAddress: true, extraArgs: [`--lang=${language}`, `--accept-lang=${language}`], env: { LANGUAGE: language, LANG: language === 'nl' ? 'nl_NL.UTF-8' : 'en_US.UTF-8' } });
    sessions.push(session);
    return session;
  };
  try {
    const teacherPin = await hashPin(PIN, crypto.getRandomValues(new Uint8Array(16)));
    const publisherKey = await newTeacherKey('shots');
    const publisher = new TeacherPublisher(feed.urlTemplate, TOKEN, publisherKey);
    const classFeed = { urlTemplate: feed.urlTemplate };
    const common = { teacherPin, presets, ...itLists, ...(language === 'nl' ? { schoolType: 'primary' } : {}) };
    const teacherCopy = copies.copy('teacher');
    policyFile.write({
      [teacherCopy.id]: { ...common, role: 'teacher', classes: ['2B', '3A'], classFeed: { ...classFeed, authorization: `Bearer ${TOKEN}` } },
      [DEV_EXTENSION_ID]: { ...common, role: 'student', classes: ['2B'], classFeed: { ...classFeed, pollSeconds: 30 }, teacherKeys: [{ id: publisherKey.kid, name: 'J. de Vries', publicKey: publisherKey.publicKey }] },
    });
    const student = await launch(distDir('chrome'));
    const teacher = await launch(teacherCopy.dir);
    for (const session of sessions) await waitFor(async () => (await stored(session, 'policyCache')) !== undefined, 'the managed policy to be read', 30_000);

    // The student's popup: no lesson, then the PIN prompt.
    let popup = await openPopup(student);
    await shoot(popup, out, language, 'student-popup-no-lesson');
    await popup.click('.teacher-entry button');
    await popup.waitForSelector('#pin');
    await shoot(popup, out, language, 'pin-prompt');
    await popup.close();

    // The teacher panel without classes (a student device, opened with IT's PIN): presets, the editor, a running lesson.
    popup = await openPopup(student);
    await unlock(popup, '#start-title');
    await shoot(popup, out, language, 'teacher-panel-presets');
    await popup.click('.start button.primary.wide');
    await popup.waitForSelector('#lesson-title');
    await popup.type('#lesson-title', 'Breuken oefenen');
    await popup.type('#site-input', 'rekenen.nl');
    await popup.keyboard.press('Enter');
    await shoot(popup, out, language, 'teacher-panel-editor');
    await clickText(popup, 'button', ['Cancel', 'Annuleren']);
    await popup.waitForSelector('#start-title');
    await clickText(popup, '.preset-actions button.primary', ['Start', 'Starten']);
    await popup.waitForSelector('#running-title');
    await shoot(popup, out, language, 'teacher-panel-running');
    await popup.close();

    // The student's popup and blocked pages during a lesson.
    await setLesson(student, lessonNow());
    popup = await openPopup(student);
    await waitFor(async () => (await popup.$('.status-card .until')) !== null, 'the lesson in the popup');
    await shoot(popup, out, language, 'student-popup-lesson');
    await popup.close();
    // A new tab for each: the same page with another #address would not load again.
    const openBlocked = async (url: string, ready: string): Promise<Page> => {
      const page = await student.browser.newPage();
      await page.setViewport({ width: WIDTHS[0], height: 640 });
      await student.goto(page, blockedPageFor(student, url));
      await page.waitForSelector(ready);
      return page;
    };
    await shoot(await openBlocked('https://www.games.test/play?level=3', '.card .ask'), out, language, 'blocked-lesson');
    await shoot(await openBlocked('https://blocked-by-it.test/', '.card .explain'), out, language, 'blocked-it');

    // The class pauses the student's browser (signed by a key IT lists).
    const lesson = lessonNow();
    await publisher.publish('2B', { lesson, pause: { message: language === 'nl' ? 'Handen op tafel en kijk naar het bord.' : 'Hands on the table and look at the board.', startsAt: Date.now(), until: Date.now() + 5 * M } });
    await waitFor(
      async () => {
        const feedState = await stored<Record<string, { document?: { pause?: unknown } }>>(student, 'classFeed');
        if (feedState?.['2B']?.document?.pause !== undefined) return true;
        const nudge = await student.browser.newPage();
        await student.goto(nudge, `${site.origin('allowed.test')}/nudge`).catch(() => undefined);
        await nudge.close();
        return false;
      },
      'the student to accept the pause',
      40_000,
    );
    await shoot(await openBlocked('https://www.games.test/play', '.pause-message'), out, language, 'blocked-paused');
    popup = await openPopup(student);
    await waitFor(async () => (await popup.$('.pause-note')) !== null, 'the pause in the popup');
    await shoot(popup, out, language, 'student-popup-paused');
    await popup.close();

    const status = await student.browser.newPage();
    await status.setViewport({ width: WIDTHS[0], height: 640 });
    await student.goto(status, student.extensionUrl('status.html'));
    await status.waitForSelector('.status-main h2');
    await shoot(status, out, language, 'status-page');

    // The teacher's laptop: the class panel with no lesson, a lesson, and paused.
    popup = await openPopup(teacher);
    await unlock(popup, '.class-panel #status-title');
    await shoot(popup, out, language, 'class-panel-no-lesson');
    await clickText(popup, '.preset-actions button.primary', ['Start', 'Starten']);
    await waitFor(async () => (await popup.$eval('.class-panel .delivery', (element) => element.textContent ?? '')) !== '', 'the delivery of the lesson');
    await popup.evaluate(() => window.scrollTo(0, 0));
    await shoot(popup, out, language, 'class-panel-lesson');
    await popup.click('.pause-form button[type="submit"]');
    await popup.waitForSelector('.class-panel .pause-note');
    await shoot(popup, out, language, 'class-panel-paused');
    const teacherStatus = await teacher.browser.newPage();
    await teacher.goto(teacherStatus, teacher.extensionUrl('status.html'));
    await teacherStatus.waitForSelector('.status-main h2');
    await shoot(teacherStatus, out, language, 'status-page-teacher');
  } finally {
    policyFile.remove();
    for (const session of sessions) await session.close().catch(() => undefined);
    await copies.remove();
    await feed.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? '/tmp/shots');
  const only = process.argv[3] as Language | undefined;
  await mkdir(out, { recursive: true });
  const site = await startTestServer();
  try {
    for (const language of only ? [only] : (['en', 'nl'] as const)) await shootLanguage(language, out, site);
  } finally {
    await site.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
