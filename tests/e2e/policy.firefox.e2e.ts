/**
 * IT's policy in real Firefox ESR, through both ways Firefox gives an
 * add-on managed storage: a native managed-storage manifest
 * ($HOME/.mozilla/managed-storage/<id>.json, per test HOME) and the
 * enterprise policies.json (/etc/firefox/policies/policies.json,
 * "3rdparty" → "Extensions" → add-on id), which wins over the manifest.
 * Firefox reads both at start-up only.
 *
 * policies.json is global to the machine: this suite runs under the shared
 * browser lock, never touches a policies.json it did not write, and removes
 * its own (and the directories it created) after the test and on exit.
 */
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { distDir, GECKO_ID, launchFirefox, waitFor, type FirefoxSession } from '../../src/dev/browsers';
import { setLesson, stored } from '../../src/dev/extension-state';
import { blockedPageFor, open, waitForLanding } from '../../src/dev/pages';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';

const POLICIES_ROOT = '/etc/firefox';
const POLICIES_DIR = join(POLICIES_ROOT, 'policies');
const POLICIES_FILE = join(POLICIES_DIR, 'policies.json');

const POLICY = {
  blocked: ['games.test'],
  allowed: ['login.test'],
  timeZone: 'Europe/Amsterdam',
  role: 'student',
};

let server: TestServer;
let session: FirefoxSession | undefined;
let page: Page;

interface PolicyStatusValue {
  found: boolean;
  errors: Array<{ path: string; message: string }>;
}

async function waitForPolicy(): Promise<void> {
  await waitFor(async () => {
    const status = await stored<PolicyStatusValue>(session!, 'policyStatus');
    return status !== undefined && status.found && status.errors.length === 0 && (await stored(session!, 'policyCache')) !== undefined;
  }, 'the managed policy to be read and cached', 20_000);
}

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

afterEach(async () => {
  await session?.close();
  session = undefined;
});

describe('through a managed-storage manifest', () => {
  beforeEach(async () => {
    session = await launchFirefox({ extensionDir: distDir('firefox'), managedStorage: POLICY });
    page = await session.browser.newPage();
    await waitForPolicy();
  });

  test("an IT-blocked site stays blocked in a teacher's allowlist lesson that lists it; an IT-allowed sign-in host is reachable", async () => {
    await setLesson(session!, allowlistLesson(['games.test', 'allowed.test'], Date.now() - 1000, 45));
    const allowed = server.origin('allowed.test') + '/page';
    await waitForLanding(session!, page, allowed, allowed, "the teacher's lesson to apply", 15_000);

    const games = server.origin('games.test') + '/play';
    const before = server.requests.length;
    expect(await open(session!, page, games)).toBe(blockedPageFor(session!, games));
    await waitFor(async () => (await page.evaluate(() => document.querySelector('h1')?.textContent ?? '')) === 'Your school blocks this site', 'the blocked page to name the school');
    expect(server.requests.slice(before).some((request) => request.host === 'games.test')).toBe(false);

    // Not in the lesson, but IT allows it in every lesson.
    const login = server.origin('login.test') + '/oauth2/authorize';
    expect(await open(session!, page, login)).toBe(login);
    const other = server.origin('other.test') + '/';
    expect(await open(session!, page, other)).toBe(blockedPageFor(session!, other));
  });
});

describe('an invalid policy', () => {
  test('applies none of it, and the status page shows each error with its path and reason', async () => {
    // Firefox hands over what IT wrote without a schema: a wrong type and an unknown role reach Lesmodus, which names them.
    // (An unreadable site in `allowed` is no error: it is left out, with a warning.)
    session = await launchFirefox({ extensionDir: distDir('firefox'), managedStorage: { ...POLICY, maxLessonMinutes: '90', role: 'parent' } });
    page = await session.browser.newPage();
    await waitFor(async () => ((await stored<PolicyStatusValue>(session!, 'policyStatus'))?.errors.length ?? 0) > 0, 'the invalid policy to be read and rejected', 20_000);
    const games = server.origin('games.test') + '/';
    expect(await open(session!, page, games)).toBe(games);

    await session.goto(page, session.extensionUrl('status.html'));
    await waitFor(async () => (await page.evaluate(() => document.body.innerText)).includes('maxLessonMinutes'), 'the status page to show the errors');
    const errors = await page.evaluate(() => [...document.querySelectorAll('.error-list li')].map((item) => (item as HTMLElement).innerText));
    expect(errors).toHaveLength(2);
    expect(errors.join('\n')).toMatch(/role\s+must be one of: "student", "teacher"/);
    expect(errors.join('\n')).toMatch(/maxLessonMinutes\s+wrong type: expected number/);
    expect(await page.evaluate(() => document.body.innerText)).toContain('No school policy is in force until this is fixed.');
  });
});

describe('through policies.json', () => {
  // Only a policies.json this suite wrote is ever removed.
  const createdDirs = [POLICIES_ROOT, POLICIES_DIR].filter((dir) => !existsSync(dir));
  let wrote = false;

  const removePoliciesSync = (): void => {
    if (!wrote) return;
    rmSync(POLICIES_FILE, { force: true });
    wrote = false;
    for (const dir of [...createdDirs].reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // Not empty or already gone: leave it.
      }
    }
  };

  beforeAll(async () => {
    if (existsSync(POLICIES_FILE)) throw new Error(`${POLICIES_FILE} exists already; this suite will not overwrite it`);
    process.once('exit', removePoliciesSync);
    await mkdir(POLICIES_DIR, { recursive: true });
    // policies.json blocks news.test; the native manifest below would block games.test instead.
    const policies = { policies: { '3rdparty': { Extensions: { [GECKO_ID]: { ...POLICY, blocked: ['news.test'] } } } } };
    wrote = true;
    await writeFile(POLICIES_FILE, JSON.stringify(policies));
  });

  afterAll(() => {
    removePoliciesSync();
  });

  test('is read, wins over the native manifest, and its lists apply', async () => {
    session = await launchFirefox({ extensionDir: distDir('firefox'), managedStorage: POLICY });
    page = await session.browser.newPage();
    await waitForPolicy();
    expect(((await stored<{ raw: { blocked: string[] } }>(session!, 'policyCache'))!.raw.blocked)).toEqual(['news.test']);

    await setLesson(session!, allowlistLesson(['news.test', 'games.test'], Date.now() - 1000, 45));
    const games = server.origin('games.test') + '/';
    await waitForLanding(session!, page, games, games, "the teacher's lesson to apply", 15_000);
    const news = server.origin('news.test') + '/';
    expect(await open(session!, page, news)).toBe(blockedPageFor(session!, news));
    const login = server.origin('login.test') + '/';
    expect(await open(session!, page, login)).toBe(login);

    // The status page tells where the policy came from.
    await session.goto(page, session.extensionUrl('status.html'));
    await waitFor(async () => (await page.evaluate(() => document.body.innerText)).includes('Set by your school (browser policy)'), 'the status page to show the policy source');
    expect(await page.evaluate(() => document.body.innerText)).toMatch(/Always blocked \(1\)/);
  });
});
