/**
 * IT's policy in real Chromium, pushed the way IT pushes it on Linux: a JSON
 * file in /etc/chromium/policies/managed/ naming the extension by its ID
 * (fixed by the development key of dist/chrome-dev). Shows the layers of
 * DESIGN.md "Rules" with a real managed policy: IT-blocked beats a teacher's
 * allowlist, IT-allowed sign-in hosts are reachable in every lesson, the
 * timetable applies a preset by itself; a change pushed while the browser
 * runs applies without a restart; and an invalid policy leaves the previous
 * one in force, with its error on the status page.
 *
 * The policy directory is global to the machine: this suite runs under the
 * shared browser lock, and removes its file after every test and on exit,
 * pass or fail.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { currentUrl, distDir, launchChromium, waitFor, type ChromiumSession } from './support/browsers';
import { startTestServer, type TestServer } from './support/test-server';
import { allowlistLesson } from './lesson';
import type { Lesson } from '../../src/core/schemas';
import { hashPin } from '../../src/core/pin';

const POLICY_ROOT = '/etc/chromium/policies';
const TEACHER_PIN = '2468';
const POLICY_DIR = join(POLICY_ROOT, 'managed');
const POLICY_FILE = join(POLICY_DIR, 'lesmodus-test.json');

/** Chrome's extension ID for a manifest key: SHA-256 of the DER key, first 32 hex digits mapped 0-f to a-p. */
function extensionIdOf(base64Key: string): string {
  const hex = createHash('sha256').update(Buffer.from(base64Key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

const DEV_KEY = (JSON.parse(readFileSync(join(__dirname, '../../manifest/dev-key.json'), 'utf8')) as { key: string }).key;
const EXTENSION_ID = extensionIdOf(DEV_KEY);

// Directories this suite creates, removed again when they are left empty.
const createdDirs = [POLICY_ROOT, POLICY_DIR].filter((dir) => !existsSync(dir));

async function writePolicy(policy: Record<string, unknown>): Promise<void> {
  await mkdir(POLICY_DIR, { recursive: true });
  // A small file in one write; Chromium also waits for a changed file to settle before it reads it.
  await writeFile(POLICY_FILE, JSON.stringify({ '3rdparty': { extensions: { [EXTENSION_ID]: policy } } }));
}

function removePolicySync(): void {
  rmSync(POLICY_FILE, { force: true });
  for (const dir of [...createdDirs].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // Not empty (another file was put there meanwhile) or already gone: leave it.
    }
  }
}

// Also when Jest is stopped between tests: a policy file left behind would change every other browser run on the machine.
process.once('exit', removePolicySync);

/**
 * A timetable period in force now, in a real school time zone: Europe/Amsterdam,
 * or another zone when it is too close to midnight there for a period around
 * now to fit in one day.
 */
function periodAroundNow(now: number): { timeZone: string; day: string; start: string; end: string } {
  for (const timeZone of ['Europe/Amsterdam', 'America/New_York', 'Asia/Tokyo']) {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' })
        .formatToParts(now)
        .map((part) => [part.type, part.value]),
    );
    const minutes = Number(parts.hour) * 60 + Number(parts.minute);
    if (minutes < 10 || minutes > 23 * 60) continue;
    const hhmm = (total: number) => `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
    return { timeZone, day: String(parts.weekday).toLowerCase().slice(0, 3), start: hhmm(minutes - 5), end: hhmm(minutes + 45) };
  }
  throw new Error('no time zone with a period around now');
}

function schoolPolicy(now: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { timeZone, day, start, end } = periodAroundNow(now);
  return {
    blocked: ['games.test'],
    allowed: ['login.test'],
    presets: [{ id: 'rekenen', title: 'Rekenen', mode: 'allowlist', sites: ['maths.test'] }],
    schedule: [{ days: [day], start, end, preset: 'rekenen', title: 'Rooster: rekenen 2B' }],
    timeZone,
    role: 'student',
    ...extra,
  };
}

let server: TestServer;
let session: ChromiumSession | undefined;
const pages: Page[] = [];

async function newPage(): Promise<Page> {
  const page = await session!.browser.newPage();
  pages.push(page);
  return page;
}

async function stored<T>(key: string): Promise<T | undefined> {
  return session!.evalInWorker(async (name) => (await chrome.storage.local.get(name))[name], key) as Promise<T | undefined>;
}

async function setLesson(lesson: Lesson | null): Promise<void> {
  await session!.evalInWorker(async (value) => {
    await chrome.storage.local.set({ lesson: value });
  }, lesson);
}

/** Navigates and returns where the tab ended up (a second redirect by the tab sweep reports ERR_ABORTED). */
async function open(page: Page, url: string): Promise<string> {
  try {
    await session!.goto(page, url);
  } catch (error) {
    if (!String(error).includes('ERR_ABORTED')) throw error;
    await page.waitForNavigation({ waitUntil: 'load', timeout: 5000 }).catch(() => undefined);
  }
  return currentUrl(page);
}

const blockedPageFor = (url: string): string => `${session!.extensionUrl('blocked.html')}#${url}`;

/** Waits until `url` lands where expected: rules apply a moment after the storage write that changes them. */
async function expectLanding(page: Page, url: string, landing: string, what: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(async () => (await open(page, url)) === landing, what, timeoutMs);
}

interface PolicyStatusValue {
  checkedAt: number;
  found: boolean;
  errors: Array<{ path: string; message: string }>;
}

/** Waits until the background has read managed storage (about 3 s after launch with --load-extension). */
async function waitForPolicyRead(predicate: (status: PolicyStatusValue) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => {
    const status = await stored<PolicyStatusValue>('policyStatus');
    return status !== undefined && predicate(status);
  }, what, timeoutMs);
}

/** Opens the status page and waits until it shows `waitForText`. */
async function openStatusPage(waitForText: string): Promise<{ page: Page; text: string }> {
  const page = await newPage();
  await session!.goto(page, session!.extensionUrl('status.html'));
  let text = '';
  await waitFor(async () => {
    text = await page.evaluate(() => document.body.innerText);
    return text.includes(waitForText);
  }, `the status page to show "${waitForText}"`);
  return { page, text };
}

async function statusPageText(waitForText: string): Promise<string> {
  return (await openStatusPage(waitForText)).text;
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core in the real page, colour contrast included (jsdom cannot check it). */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through DevTools, which the extension page's script-src 'self' does not restrict.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const results = await axe.run(document);
    return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  });
}

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  removePolicySync();
  await server?.close();
});

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close().catch(() => undefined)));
});

describe('with a valid policy', () => {
  beforeAll(async () => {
    // IT's own teacher PIN (the lowest iteration count the schema takes, to keep the test quick).
    const teacherPin = await hashPin(TEACHER_PIN, new Uint8Array(16).fill(7), 100_000);
    await writePolicy(schoolPolicy(Date.now(), { teacherPin }));
    session = await launchChromium({ extensionDir: distDir('chrome') });
    expect(session.extensionId).toBe(EXTENSION_ID);
    await session.worker();
    await waitForPolicyRead((status) => status.found && status.errors.length === 0, 'the managed policy to be read');
  });

  afterAll(async () => {
    await session?.close();
    session = undefined;
    removePolicySync();
  });

  afterEach(async () => {
    await setLesson(null);
  });

  test('a site IT blocked cannot be let through, from the blocked page or the console, even with the right PIN', async () => {
    const student = await newPage();
    const target = server.origin('games.test') + '/play';
    expect(await open(student, target)).toBe(blockedPageFor(target));
    await waitFor(async () => (await student.evaluate(() => document.body.innerText)).includes('Your school has blocked this site'), 'the blocked page to name the school');
    expect(await student.$('::-p-aria([name="Teacher: let this student through"][role="button"])')).toBeNull();
    const reply = await student.evaluate(
      async (url, pin) => chrome.runtime.sendMessage({ type: 'allowTemporarily', pin, url, minutes: 15 }),
      target,
      TEACHER_PIN,
    );
    expect(reply).toMatchObject({ ok: false, code: 'it-blocked' });
    expect(await stored('exceptions')).toBeUndefined();
    expect(await open(student, target)).toBe(blockedPageFor(target));
  });

  test('the timetable applies its preset by itself, and the status page says so', async () => {
    const page = await newPage();
    const maths = server.origin('maths.test') + '/sommen';
    await expectLanding(page, maths, maths, 'the timetable preset to allow maths.test');
    const other = server.origin('other.test') + '/';
    expect(await open(page, other)).toBe(blockedPageFor(other));

    const text = await statusPageText('Rooster: rekenen 2B');
    expect(text).toContain('From the timetable');
    expect(text).toContain('Set by your school (browser policy)');
    expect(text).toMatch(/Always blocked \(1\)/);
    expect(text).toMatch(/Always allowed \(1\)/);
    expect(text).toMatch(/Rooster: rekenen 2B \(now\)/);
  });

  test("an IT-blocked site stays blocked in a teacher's allowlist lesson that lists it", async () => {
    await setLesson(allowlistLesson(['games.test', 'allowed.test'], Date.now() - 1000, 45));
    const page = await newPage();
    const allowed = server.origin('allowed.test') + '/page';
    await expectLanding(page, allowed, allowed, "the teacher's lesson to apply");

    const games = server.origin('games.test') + '/play';
    const before = server.requests.length;
    expect(await open(page, games)).toBe(blockedPageFor(games));
    await waitFor(async () => (await page.evaluate(() => document.querySelector('h1')?.textContent ?? '')) === 'Your school has blocked this site', 'the blocked page to name the school');
    expect(server.requests.slice(before).some((request) => request.host === 'games.test')).toBe(false);
  });

  test('an IT-allowed sign-in host is reachable in an allowlist lesson that does not list it', async () => {
    await setLesson(allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
    const page = await newPage();
    const other = server.origin('other.test') + '/';
    await expectLanding(page, other, blockedPageFor(other), "the teacher's lesson to apply");
    const login = server.origin('login.test') + '/oauth2/authorize?client_id=school';
    expect(await open(page, login)).toBe(login);
    expect(await page.$eval('#where', (element) => element.textContent)).toContain('login.test');
  });

  test('a policy pushed while the browser runs applies without a restart', async () => {
    const page = await newPage();
    const news = server.origin('news.test') + '/';
    await setLesson(allowlistLesson(['news.test'], Date.now() - 1000, 45));
    await expectLanding(page, news, news, "the teacher's lesson to apply");

    // Chromium watches its policy directory and reports the change to the extension (storage.onChanged, "managed").
    await writePolicy(schoolPolicy(Date.now(), { blocked: ['games.test', 'news.test'] }));
    await waitFor(async () => ((await stored<{ raw: { blocked: string[] } }>('policyCache'))?.raw.blocked ?? []).includes('news.test'), 'the pushed policy to be cached', 45_000);
    await expectLanding(page, news, blockedPageFor(news), 'news.test to be blocked by the pushed policy');
  });
});

describe('an invalid policy', () => {
  let profile: string;

  beforeAll(async () => {
    profile = await mkdtemp(join(tmpdir(), 'lesmodus-policy-profile-'));
  });

  afterAll(async () => {
    await session?.close();
    session = undefined;
    removePolicySync();
    await rm(profile, { recursive: true, force: true });
  });

  test('keeps the previous policy in force, and the status page shows the error with its path and reason', async () => {
    // First start: a valid policy, read and cached.
    await writePolicy(schoolPolicy(Date.now()));
    session = await launchChromium({ extensionDir: distDir('chrome'), userDataDir: profile });
    await session.worker();
    await waitForPolicyRead((status) => status.found && status.errors.length === 0, 'the valid policy to be read');
    await waitFor(async () => (await stored('policyCache')) !== undefined, 'the valid policy to be cached');
    await session.close();
    session = undefined;

    // IT pushes a broken policy: it would also block news.test, but its timetable names a preset that does not exist.
    await writePolicy(schoolPolicy(Date.now(), { blocked: ['games.test', 'news.test'], schedule: [{ days: ['mon'], start: '08:30', end: '09:20', preset: 'bestaat-niet' }] }));
    session = await launchChromium({ extensionDir: distDir('chrome'), userDataDir: profile });
    await session.worker();
    await waitForPolicyRead((status) => status.errors.length > 0, 'the invalid policy to be read and rejected');
    expect((await stored<PolicyStatusValue>('policyStatus'))!.errors).toEqual([{ path: 'schedule.0.preset', message: 'no preset with id "bestaat-niet"' }]);

    // Nothing of the new policy applies, all of the old one does: its timetable (maths.test only) and its blocked list.
    const page = await newPage();
    const maths = server.origin('maths.test') + '/';
    expect(await open(page, maths)).toBe(maths);
    const games = server.origin('games.test') + '/';
    expect(await open(page, games)).toBe(blockedPageFor(games));
    // The broken policy would block news.test for everyone; under the old one a teacher can allow it.
    await setLesson(allowlistLesson(['news.test'], Date.now() - 1000, 45));
    const news = server.origin('news.test') + '/';
    await expectLanding(page, news, news, "the teacher's lesson to allow news.test");

    const { page: statusPage, text } = await openStatusPage('schedule.0.preset');
    expect(text).toContain('The school policy on this browser has errors and is not used');
    expect(text).toContain('no preset with id "bestaat-niet"');
    expect(text).toMatch(/The last valid policy, received .+, stays in force until this is fixed\./);
    expect(text).toContain('Saved copy of the last valid school policy');
    expect(text).toContain('Rooster: rekenen 2B');
    await statusPage.click('#it-blocked summary');
    expect(await axeViolations(statusPage)).toEqual([]);

    // "Copy diagnostics" puts the same facts on the real clipboard.
    await session.browser.defaultBrowserContext().overridePermissions(session.extensionUrl('').replace(/\/$/, ''), ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
    await statusPage.bringToFront();
    await statusPage.locator('::-p-aria([name="Copy diagnostics"][role="button"])').click();
    await waitFor(async () => (await statusPage.evaluate(() => document.querySelector('[role="status"]')?.textContent ?? '')).startsWith('Diagnostics copied'), 'the copy to be confirmed');
    const copied = await statusPage.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain('  Source: cache (the last valid policy, kept; not confirmed by the last read)');
    expect(copied).toContain('    schedule.0.preset: no preset with id "bestaat-niet"');
    expect(copied).toMatch(/ {2}IT blocked \(1\): games\.test\n/);
  });
});
