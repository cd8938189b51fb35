/**
 * `npm start`: builds Lesmodus (npm runs the build first), starts the
 * reference class-feed server on 127.0.0.1, and opens two browsers side by
 * side with the extension loaded: a teacher's and a student's of class 2B,
 * each with its own IT policy. A demo lesson for 2B is published at once, so
 * the student's window shows the blocked page; a lesson the teacher starts
 * in the popup (PIN 1234) takes hold in the student's window within seconds.
 *
 *   npm start                 Chromium (the default)
 *   npm start -- --firefox    Firefox ESR
 *
 * Chromium takes an extension's policy only from the machine's policy
 * directory (/etc/chromium/policies/managed), which needs root; without it,
 * `npm start` opens one Chromium with a demo lesson set on the device
 * instead. Firefox reads policy from the user's own managed-storage folder,
 * so the two-browser demo needs no root there.
 *
 * Without a display (no DISPLAY or WAYLAND_DISPLAY) the browsers run
 * headless, and screenshots are saved and their paths printed.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK } from 'jose';
import type { Page } from 'puppeteer-core';
import { hashPin } from '../core/teacher/pin';
import type { Lesson } from '../core/schemas';
import { startFeedServer, type FeedServer } from '../server/feed-server';
import { distDir, launchChromium, launchFirefox, waitFor, type ExtensionSession } from '../dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID, extensionCopy } from '../dev/chromium-policy';
import { ruleCount, setLesson } from '../dev/extension-state';
import { TeacherPublisher, type TeacherKey } from '../dev/teacher';

const root = join(__dirname, '..', '..');
const work = join(root, '.tmp', 'start');
const useFirefox = process.argv.includes('--firefox');
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const headless = !hasDisplay;
const browserName = useFirefox ? 'Firefox' : 'Chromium';
const DEMO_PIN = '1234';
const CLASS = '2B';

/** A site outside the demo lesson: the blocked page shows without any network. */
const BLOCKED_DEMO_URL = 'https://www.example-games.com/play';

function demoLesson(now: number): Lesson {
  return {
    id: `demo-${now}`,
    title: 'Demo: Rekenen groep 7',
    mode: 'allowlist',
    sites: ['wikipedia.org', 'schooltv.nl', 'rekenweb.nl'],
    embeds: ['youtube-nocookie.com'],
    startsAt: now,
    endsAt: now + 45 * 60_000,
  };
}

/** What a school's IT would give every device: sign-in always reachable, a few sites always blocked. */
const SCHOOL = { allowed: ['login.microsoftonline.com', 'accounts.google.com'], blocked: ['tiktok.com'], timeZone: 'Europe/Amsterdam' };

async function screenshot(page: Page, file: string): Promise<string> {
  const dir = join(root, '.tmp', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  await page.screenshot({ path });
  return path;
}

async function openBlockedDemo(session: ExtensionSession): Promise<Page> {
  const page = await session.browser.newPage();
  await page.setViewport({ width: 1000, height: 760 });
  await waitFor(async () => (await ruleCount(session)) > 0, 'the lesson to be enforced', 60_000);
  await session.goto(page, BLOCKED_DEMO_URL);
  await waitFor(async () => (await page.evaluate(() => document.querySelector('h1')?.textContent ?? '')) !== '', 'the blocked page to render');
  return page;
}

async function openPopup(session: ExtensionSession): Promise<Page> {
  const page = await session.browser.newPage();
  await page.setViewport({ width: 380, height: 640 });
  await session.goto(page, session.extensionUrl('popup.html'));
  await waitFor(async () => (await page.evaluate(() => document.querySelector('h1')?.textContent ?? '')) !== '', 'the popup to render');
  return page;
}

function canWriteChromiumPolicy(): boolean {
  try {
    mkdirSync('/etc/chromium/policies/managed', { recursive: true });
    accessSync('/etc/chromium/policies/managed', constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function schoolKey(): Promise<{ key: TeacherKey; privateJwk: Record<string, unknown> }> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const priv = await exportJWK(pair.privateKey);
  const kid = 'demo-school';
  return {
    key: { kid, privateKey: pair.privateKey, publicKey: { kty: 'EC', crv: 'P-256', x: priv.x!, y: priv.y! } },
    privateJwk: { kty: 'EC', crv: 'P-256', x: priv.x, y: priv.y, d: priv.d, kid },
  };
}

/** One browser, a demo lesson set on the device: what `npm start` does where it cannot give Chromium a policy. */
async function singleBrowserDemo(): Promise<ExtensionSession[]> {
  const session = await launchChromium({ extensionDir: distDir('chrome'), headless, realNetwork: true });
  await setLesson(session, demoLesson(Date.now()));
  console.log('Demo lesson set on this browser: "Demo: Rekenen groep 7", 45 minutes, only wikipedia.org, schooltv.nl and rekenweb.nl.');
  const blocked = await openBlockedDemo(session);
  if (headless) {
    console.log(`Blocked page: ${await screenshot(blocked, 'blocked-chromium.png')}`);
    console.log(`Popup:        ${await screenshot(await openPopup(session), 'popup-chromium.png')}`);
  }
  return [session];
}

async function classDemo(feed: FeedServer, token: string): Promise<{ sessions: ExtensionSession[]; cleanup: () => void }> {
  const { key, privateJwk } = await schoolKey();
  const teacherPin = await hashPin(DEMO_PIN, randomBytes(16), 100_000);
  const feedForStudents = { urlTemplate: feed.urlTemplate, pollSeconds: 30 };
  const teacherPolicy = { ...SCHOOL, role: 'teacher', classes: [CLASS, '3A'], classFeed: { ...feedForStudents, authorization: `Bearer ${token}` }, schoolSigningKey: privateJwk, teacherPin };
  const studentPolicy = { ...SCHOOL, role: 'student', classes: [CLASS], classFeed: feedForStudents, teacherKeys: [{ id: key.kid, name: 'Demo school', publicKey: key.publicKey }], teacherPin };

  // The demo lesson for 2B, signed and published the way a teacher's browser does it.
  await new TeacherPublisher(feed.origin, token, key).publish(CLASS, { lesson: demoLesson(Date.now()) });

  let teacher: ExtensionSession;
  let student: ExtensionSession;
  let cleanup = (): void => undefined;
  if (useFirefox) {
    const prefs = { 'network.dns.forceResolve': '' };
    student = await launchFirefox({ extensionDir: distDir('firefox'), headless, managedStorage: studentPolicy, prefs });
    teacher = await launchFirefox({ extensionDir: distDir('firefox'), headless, managedStorage: teacherPolicy, prefs });
  } else {
    const teacherExtension = extensionCopy(join(work, 'teacher-extension'));
    const policyFile = new ChromiumPolicyFile('lesmodus-demo');
    policyFile.write({ [DEV_EXTENSION_ID]: studentPolicy, [teacherExtension.id]: teacherPolicy });
    cleanup = () => policyFile.remove();
    const size = ['--window-size=900,900'];
    student = await launchChromium({ extensionDir: distDir('chrome'), headless, realNetwork: true, extraArgs: [...size, '--window-position=0,0', '--window-name=Lesmodus: leerling 2B'] });
    teacher = await launchChromium({ extensionDir: teacherExtension.dir, headless, realNetwork: true, extraArgs: [...size, '--window-position=920,0', '--window-name=Lesmodus: docent'] });
  }
  console.log(`Student browser (class ${CLASS}) and teacher browser started.`);
  const blocked = await openBlockedDemo(student);
  console.log(`The student's browser enforces the demo lesson published for ${CLASS}: "Demo: Rekenen groep 7", only wikipedia.org, schooltv.nl and rekenweb.nl.`);
  const popup = await openPopup(teacher);
  if (headless) {
    const name = useFirefox ? 'firefox' : 'chromium';
    console.log(`Student, blocked page: ${await screenshot(blocked, `blocked-${name}.png`)}`);
    console.log(`Student, popup:        ${await screenshot(await openPopup(student), `popup-${name}.png`)}`);
    console.log(`Teacher, popup:        ${await screenshot(popup, `teacher-popup-${name}.png`)}`);
  } else {
    console.log(`In the teacher's window: Teacher, PIN ${DEMO_PIN}, pick class ${CLASS}, start a lesson; the student's window follows within seconds.`);
  }
  return { sessions: [student, teacher], cleanup };
}

async function main(): Promise<void> {
  if (headless) console.log('No display found (DISPLAY/WAYLAND_DISPLAY unset): running headless and saving screenshots.');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  const feed = await startFeedServer({ port: 0, host: '127.0.0.1', dataDir: join(work, 'feed-data'), tokens: [token], maxBytes: 64 * 1024, log: 'writes' });
  console.log(`Class-feed server: ${feed.urlTemplate}`);

  let sessions: ExtensionSession[];
  let cleanup = (): void => undefined;
  if (useFirefox || canWriteChromiumPolicy()) {
    ({ sessions, cleanup } = await classDemo(feed, token));
  } else {
    console.log('Chromium takes extension policy only from /etc/chromium/policies (root needed): showing one browser with a demo lesson. `npm start -- --firefox` shows teacher and student side by side without root.');
    sessions = await singleBrowserDemo();
  }

  const stop = async (): Promise<void> => {
    cleanup();
    await Promise.all(sessions.map((session) => session.close().catch(() => undefined)));
    await feed.close();
  };
  if (headless) {
    await stop();
    return;
  }
  console.log(`${browserName} is running. Close the browsers (or press Ctrl-C) to stop.`);
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  await Promise.race(sessions.map((session) => new Promise<void>((done) => session.browser.once('disconnected', () => done()))));
  await stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
