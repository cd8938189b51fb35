/**
 * A student cannot take over a student device, in real Chromium with a real
 * managed policy (a JSON file in /etc/chromium/policies/managed/ naming
 * dist/chrome-dev by its ID): the teacher PIN comes from IT's policy only
 * (the popup says to ask ICT, and a setPin sent from the popup's console is
 * refused), deleting the profile folder that holds the extension's
 * storage.local, with the browser closed, does not end a wrong-PIN wait,
 * and setting the device's clock back does not end a lesson.
 *
 * The clock is moved for real: the browser runs under libfaketime (Debian's
 * `faketime` package), whose offset it reads from a file this suite writes
 * while the browser runs. Only the wall clock moves; the monotonic clock
 * goes on, as when a person sets the clock.
 *
 * The policy directory is global to the machine: this suite runs under the
 * shared browser lock and removes its file after each test and on exit.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID } from '../../src/dev/chromium-policy';
import { setLesson, stored } from '../../src/dev/extension-state';
import { blockedPageFor, button, open, waitForLanding, waitForText } from '../../src/dev/pages';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { hashPin } from '../../src/core/teacher/pin';
import { allowlistLesson } from './lesson';

const PIN = '482916';
const policyFile = new ChromiumPolicyFile('lesmodus-student-device');
/** A student device of IT's: no role means "student". */
const STUDENT = { blocked: ['games.test'], timeZone: 'Europe/Amsterdam' };

let session: ChromiumSession | undefined;
const profiles: string[] = [];
const pages: Page[] = [];

function writePolicy(policy: Record<string, unknown>): void {
  policyFile.write({ [DEV_EXTENSION_ID]: policy });
}

async function launch(userDataDir?: string, env?: Record<string, string>, policyFound = true): Promise<ChromiumSession> {
  session = await launchChromium({ extensionDir: distDir('chrome'), ...(userDataDir !== undefined ? { userDataDir } : {}), ...(env ? { env } : {}) });
  expect(session.extensionId).toBe(DEV_EXTENSION_ID);
  // Managed storage answers about 3 s after launch.
  await waitFor(async () => (await stored<{ found: boolean }>(session!, 'policyStatus'))?.found === policyFound, 'the managed policy to be read', 20_000);
  return session;
}

const FAKETIME_LIBRARIES = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/faketime/libfaketimeMT.so.1'];

/**
 * The environment that runs the browser under libfaketime, its wall clock
 * offset by what `file` says ("+0", "-1h"), read again every second.
 * DONT_FAKE_MONOTONIC keeps the monotonic clock real; FORCE_MONOTONIC_FIX=0
 * avoids a hang of libfaketime 0.9.10's condition-variable waits in Chromium.
 */
function fakeTime(file: string): Record<string, string> {
  const library = FAKETIME_LIBRARIES.find((candidate) => existsSync(candidate));
  if (library === undefined) throw new Error(`libfaketime is not installed (apt-get install faketime): none of ${FAKETIME_LIBRARIES.join(', ')}`);
  return { LD_PRELOAD: library, FAKETIME_TIMESTAMP_FILE: file, FAKETIME_CACHE_DURATION: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_FORCE_MONOTONIC_FIX: '0' };
}

/** Sets the browser's wall clock `offsetMs` from real time, and waits until its service worker sees it. */
async function setBrowserClock(file: string, spec: string, offsetMs: number): Promise<void> {
  writeFileSync(file, `${spec}\n`);
  await waitFor(async () => Math.abs((await session!.evalInWorker(() => Date.now())) - (Date.now() + offsetMs)) < 5_000, `the browser's clock to be ${spec}`);
}

async function openPopup(): Promise<Page> {
  const page = await session!.browser.newPage();
  pages.push(page);
  await session!.goto(page, session!.extensionUrl('popup.html'));
  await waitFor(async () => (await page.$('.status-card:not(.skeleton)')) !== null, 'the popup status to render');
  return page;
}

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close().catch(() => undefined);
  await session?.close();
  session = undefined;
  policyFile.remove();
  for (const profile of profiles.splice(0)) await rm(profile, { recursive: true, force: true });
});

test("without a PIN from IT, the popup says to ask ICT, and a setPin from the popup's console is refused", async () => {
  writePolicy(STUDENT);
  await launch();
  const popup = await openPopup();
  await button(popup, 'Teacher').click();
  await waitForText(popup, "Ask your school's ICT to set the teacher PIN.");
  expect(await popup.$('input[type=password]')).toBeNull();

  const reply = await popup.evaluate(async () => chrome.runtime.sendMessage({ type: 'setPin', newPin: 'choose-my-own-pin' }));
  expect(reply).toMatchObject({ ok: false, code: 'student-device' });
  expect(await stored(session!, 'teacherPin')).toBeUndefined();
  // Nor does a PIN written into storage from the console count.
  await session!.evalInWorker(async (hash) => chrome.storage.local.set({ teacherPin: hash }), await hashPin('choose-my-own-pin', new Uint8Array(16).fill(3), 100_000));
  const unlock = await popup.evaluate(async () => chrome.runtime.sendMessage({ type: 'unlock', pin: 'choose-my-own-pin' }));
  expect(unlock).toMatchObject({ ok: false, code: 'student-device' });
});

test("deleting the folder of the extension's storage, with the browser closed, does not end a wrong-PIN wait", async () => {
  writePolicy({ ...STUDENT, teacherPin: await hashPin(PIN, new Uint8Array(16).fill(7), 100_000) });
  const profile = await mkdtemp(join(tmpdir(), 'lesmodus-student-profile-'));
  profiles.push(profile);
  await launch(profile);
  let popup = await openPopup();
  await button(popup, 'Teacher').click();
  for (const guess of ['000000', '111111', '222222']) {
    await popup.locator('#pin').fill(guess);
    await button(popup, 'Open').click();
    await waitFor(async () => ((await stored<{ failures: number }>(session!, 'pinAttempts'))?.failures ?? 0) === Number(guess[0]) + 1, 'the wrong PIN to be counted');
  }
  await waitForText(popup, 'You can try again in');
  await session!.close();
  session = undefined;

  // The student's own files: the extension's storage.local is a folder of the profile.
  const settings = join(profile, 'Default', 'Local Extension Settings', DEV_EXTENSION_ID);
  expect(await readdir(settings)).not.toHaveLength(0);
  await rm(settings, { recursive: true, force: true });

  await launch(profile);
  expect(await stored(session!, 'pinAttempts')).toBeUndefined();
  popup = await openPopup();
  await button(popup, 'Teacher').click();
  await popup.locator('#pin').fill(PIN);
  await button(popup, 'Open').click();
  await waitForText(popup, 'Too many wrong PINs.');
  expect(await popup.$('#start-title')).toBeNull();
});

describe('with a test site server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  test("storage changed from the popup's console (no developer-tools policy) changes nothing in force, and the status page says so", async () => {
    writePolicy({ ...STUDENT, teacherPin: await hashPin(PIN, new Uint8Array(16).fill(7), 100_000) });
    await launch();
    await setLesson(session!, allowlistLesson(['allowed.test'], Date.now() - 60_000, 30));
    const page = await session!.browser.newPage();
    pages.push(page);
    const other = `${server.origin('other.test')}/`;
    const games = `${server.origin('games.test')}/`;
    await waitForLanding(session!, page, other, blockedPageFor(session!, other), 'the lesson to apply');

    const popup = await openPopup();
    await popup.evaluate(async (until) => {
      await chrome.storage.local.remove('lesson');
      await chrome.storage.local.set({ exceptions: [{ site: 'other.test', until }] });
      await chrome.storage.local.remove('policyCache');
    }, Date.now() + 60 * 60_000);
    const statusPage = await session!.browser.newPage();
    pages.push(statusPage);
    await session!.goto(statusPage, session!.extensionUrl('status.html'));
    await waitForText(statusPage, 'tampering: the lesson set on this device was changed outside Lesmodus');
    await waitForText(statusPage, 'tampering: the list of sites let through on this device was changed outside Lesmodus');
    expect(await stored(session!, 'lesson')).toMatchObject({ title: 'Rekenen 2B' });
    expect(await stored(session!, 'exceptions')).toBeUndefined();
    await waitFor(async () => (await stored(session!, 'policyCache')) !== undefined, "IT's policy to be read again");
    expect(await open(session!, page, other)).toBe(blockedPageFor(session!, other));
    expect(await open(session!, page, games)).toBe(blockedPageFor(session!, games));
  });

  test('a device clock set back an hour keeps the running lesson, also after a browser restart, and the status page says so', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'lesmodus-clock-'));
    profiles.push(profile);
    const clockFile = join(profile, 'faketime');
    writeFileSync(clockFile, '+0\n');
    // No IT policy: a teacher's lesson set on this browser, as the popup sets it.
    await launch(join(profile, 'browser'), fakeTime(clockFile), false);
    await setLesson(session!, allowlistLesson(['allowed.test'], Date.now() - 5 * 60_000, 30));
    const page = await session!.browser.newPage();
    pages.push(page);
    const other = `${server.origin('other.test')}/`;
    await waitForLanding(session!, page, other, blockedPageFor(session!, other), 'the lesson to apply');

    await setBrowserClock(clockFile, '-1h', -60 * 60_000);
    const statusPage = await session!.browser.newPage();
    pages.push(statusPage);
    await session!.goto(statusPage, session!.extensionUrl('status.html'));
    await waitForText(statusPage, /clock: the device clock was set back by (59 min|1 h) at \d\d:\d\d; Lesmodus keeps time from its latest reading/);
    expect(await open(session!, page, other)).toBe(blockedPageFor(session!, other));

    // The browser closed and started again, its clock still an hour behind: a new service worker
    // has only what it stored to go by, and the lesson still holds.
    for (const open of pages.splice(0)) await open.close().catch(() => undefined);
    await session!.close();
    await launch(join(profile, 'browser'), fakeTime(clockFile), false);
    expect((await session!.evalInWorker(() => Date.now())) - Date.now()).toBeLessThan(-55 * 60_000);
    const again = await session!.browser.newPage();
    pages.push(again);
    expect(await open(session!, again, other)).toBe(blockedPageFor(session!, other));
    const popup = await openPopup();
    await waitForText(popup, 'Rekenen 2B');
  });
});
