/**
 * IT's policy in real Chromium, pushed the way IT pushes it on Linux: a JSON
 * file in /etc/chromium/policies/managed/ naming the extension by its ID
 * (fixed by the development key of dist/chrome-dev). Shows the layers of
 * docs/design.md "Rules" with a real managed policy: IT-blocked beats a teacher's
 * allowlist, IT-allowed sign-in hosts are reachable in every lesson, the
 * timetable applies a preset by itself; a change pushed while the browser
 * runs applies without a restart; and an invalid policy leaves the previous
 * one in force, with its error on the status page.
 *
 * The policy directory is global to the machine: this suite runs under the
 * shared browser lock, and removes its file (src/dev/chromium-policy.ts)
 * after each group of tests and on exit, pass or fail.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID } from '../../src/dev/chromium-policy';
import { setLesson, stored } from '../../src/dev/extension-state';
import { axeViolations, blockedPageFor, open, waitForLanding } from '../../src/dev/pages';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';
import { hashPin } from '../../src/core/teacher/pin';

const TEACHER_PIN = '2468';
const policyFile = new ChromiumPolicyFile('lesmodus-test');

/** IT's policy for dist/chrome-dev. */
function writePolicy(policy: Record<string, unknown>): void {
  policyFile.write({ [DEV_EXTENSION_ID]: policy });
}

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

interface PolicyStatusValue {
  checkedAt: number;
  found: boolean;
  errors: Array<{ path: string; message: string }>;
}

/** Waits until the background has read managed storage (about 3 s after launch with --load-extension). */
async function waitForPolicyRead(predicate: (status: PolicyStatusValue) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => {
    const status = await stored<PolicyStatusValue>(session!, 'policyStatus');
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

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  policyFile.remove();
  await server?.close();
});

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close().catch(() => undefined)));
});

describe('with a valid policy', () => {
  beforeAll(async () => {
    // IT's own teacher PIN (the lowest iteration count the schema takes, to keep the test quick).
    const teacherPin = await hashPin(TEACHER_PIN, new Uint8Array(16).fill(7), 100_000);
    writePolicy(schoolPolicy(Date.now(), { teacherPin }));
    session = await launchChromium({ extensionDir: distDir('chrome') });
    expect(session.extensionId).toBe(DEV_EXTENSION_ID);
    await session.worker();
    await waitForPolicyRead((status) => status.found && status.errors.length === 0, 'the managed policy to be read');
  });

  afterAll(async () => {
    await session?.close();
    session = undefined;
    policyFile.remove();
  });

  afterEach(async () => {
    await setLesson(session!, null);
  });

  test('a site IT blocked cannot be let through, from the blocked page or the console, even with the right PIN', async () => {
    const student = await newPage();
    const target = server.origin('games.test') + '/play';
    expect(await open(session!, student, target)).toBe(blockedPageFor(session!, target));
    await waitFor(async () => (await student.evaluate(() => document.body.innerText)).includes('Your school blocks this site'), 'the blocked page to name the school');
    expect(await student.$('::-p-aria([name="Teacher: let this student through"][role="button"])')).toBeNull();
    const reply = await student.evaluate(
      async (url, pin) => chrome.runtime.sendMessage({ type: 'allowTemporarily', pin, url, minutes: 15 }),
      target,
      TEACHER_PIN,
    );
    expect(reply).toMatchObject({ ok: false, code: 'it-blocked' });
    expect(await stored(session!, 'exceptions')).toBeUndefined();
    expect(await open(session!, student, target)).toBe(blockedPageFor(session!, target));
  });

  test('the timetable applies its preset by itself, and the status page says so', async () => {
    const page = await newPage();
    const maths = server.origin('maths.test') + '/sommen';
    await waitForLanding(session!, page, maths, maths, 'the timetable preset to allow maths.test');
    const other = server.origin('other.test') + '/';
    expect(await open(session!, page, other)).toBe(blockedPageFor(session!, other));

    const text = await statusPageText('Rooster: rekenen 2B');
    expect(text).toMatch(/Set by\s+the timetable/);
    expect(text).toContain('Set by your school (browser policy)');
    expect(text).toMatch(/Always blocked \(1\)/);
    expect(text).toMatch(/Always allowed \(1\)/);
    expect(text).toMatch(/Rooster: rekenen 2B \(now\)/);
  });

  test("an IT-blocked site stays blocked in a teacher's allowlist lesson that lists it", async () => {
    await setLesson(session!, allowlistLesson(['games.test', 'allowed.test'], Date.now() - 1000, 45));
    const page = await newPage();
    const allowed = server.origin('allowed.test') + '/page';
    await waitForLanding(session!, page, allowed, allowed, "the teacher's lesson to apply");

    const games = server.origin('games.test') + '/play';
    const before = server.requests.length;
    expect(await open(session!, page, games)).toBe(blockedPageFor(session!, games));
    await waitFor(async () => (await page.evaluate(() => document.querySelector('h1')?.textContent ?? '')) === 'Your school blocks this site', 'the blocked page to name the school');
    expect(server.requests.slice(before).some((request) => request.host === 'games.test')).toBe(false);
  });

  test('an IT-allowed sign-in host is reachable in an allowlist lesson that does not list it', async () => {
    await setLesson(session!, allowlistLesson(['allowed.test'], Date.now() - 1000, 45));
    const page = await newPage();
    const other = server.origin('other.test') + '/';
    await waitForLanding(session!, page, other, blockedPageFor(session!, other), "the teacher's lesson to apply");
    const login = server.origin('login.test') + '/oauth2/authorize?client_id=school';
    expect(await open(session!, page, login)).toBe(login);
    expect(await page.$eval('#where', (element) => element.textContent)).toContain('login.test');
  });

  test('a policy pushed while the browser runs applies without a restart', async () => {
    const page = await newPage();
    const news = server.origin('news.test') + '/';
    await setLesson(session!, allowlistLesson(['news.test'], Date.now() - 1000, 45));
    await waitForLanding(session!, page, news, news, "the teacher's lesson to apply");

    // Chromium watches its policy directory and reports the change to the extension (storage.onChanged, "managed").
    writePolicy(schoolPolicy(Date.now(), { blocked: ['games.test', 'news.test'] }));
    await waitFor(async () => ((await stored<{ raw: { blocked: string[] } }>(session!, 'policyCache'))?.raw.blocked ?? []).includes('news.test'), 'the pushed policy to be cached', 45_000);
    await waitForLanding(session!, page, news, blockedPageFor(session!, news), 'news.test to be blocked by the pushed policy');
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
    policyFile.remove();
    await rm(profile, { recursive: true, force: true });
  });

  test('keeps the previous policy in force, and the status page shows the error with its path and reason', async () => {
    // First start: a valid policy, read and cached.
    writePolicy(schoolPolicy(Date.now()));
    session = await launchChromium({ extensionDir: distDir('chrome'), userDataDir: profile });
    await session.worker();
    await waitForPolicyRead((status) => status.found && status.errors.length === 0, 'the valid policy to be read');
    await waitFor(async () => (await stored(session!, 'policyCache')) !== undefined, 'the valid policy to be cached');
    await session.close();
    session = undefined;

    // IT pushes a broken policy: it would also block news.test, but its timetable names a preset that does not exist.
    writePolicy(schoolPolicy(Date.now(), { blocked: ['games.test', 'news.test'], schedule: [{ days: ['mon'], start: '08:30', end: '09:20', preset: 'bestaat-niet' }] }));
    session = await launchChromium({ extensionDir: distDir('chrome'), userDataDir: profile });
    await session.worker();
    await waitForPolicyRead((status) => status.errors.length > 0, 'the invalid policy to be read and rejected');
    expect((await stored<PolicyStatusValue>(session!, 'policyStatus'))!.errors).toEqual([{ path: 'schedule.0.preset', message: 'no preset with id "bestaat-niet"', code: 'preset-unknown', params: ['bestaat-niet'] }]);

    // Nothing of the new policy applies, all of the old one does: its timetable (maths.test only) and its blocked list.
    const page = await newPage();
    const maths = server.origin('maths.test') + '/';
    expect(await open(session!, page, maths)).toBe(maths);
    const games = server.origin('games.test') + '/';
    expect(await open(session!, page, games)).toBe(blockedPageFor(session!, games));
    // The broken policy would block news.test for everyone; under the old one a teacher can allow it.
    await setLesson(session!, allowlistLesson(['news.test'], Date.now() - 1000, 45));
    const news = server.origin('news.test') + '/';
    await waitForLanding(session!, page, news, news, "the teacher's lesson to allow news.test");

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
