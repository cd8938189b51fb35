/**
 * A student cannot take over a student device, in real Chromium with a real
 * managed policy (a JSON file in /etc/chromium/policies/managed/ naming
 * dist/chrome-dev by its ID): the teacher PIN comes from IT's policy only
 * (the popup says to ask ICT, and a setPin sent from the popup's console is
 * refused), and deleting the profile folder that holds the extension's
 * storage.local, with the browser closed, does not end a wrong-PIN wait.
 *
 * The policy directory is global to the machine: this suite runs under the
 * shared browser lock and removes its file after each test and on exit.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID } from '../../src/dev/chromium-policy';
import { stored } from '../../src/dev/extension-state';
import { button, waitForText } from '../../src/dev/pages';
import { hashPin } from '../../src/core/teacher/pin';

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

async function launch(userDataDir?: string): Promise<ChromiumSession> {
  session = await launchChromium({ extensionDir: distDir('chrome'), ...(userDataDir !== undefined ? { userDataDir } : {}) });
  expect(session.extensionId).toBe(DEV_EXTENSION_ID);
  // Managed storage answers about 3 s after launch.
  await waitFor(async () => (await stored<{ found: boolean }>(session!, 'policyStatus'))?.found === true, 'the managed policy to be read', 20_000);
  return session;
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
