/**
 * Site categories in real Chromium: a teacher switches AI off in the popup,
 * and ChatGPT (the shipped list) and a site IT added to the AI category land
 * on the blocked page that says "AI tools are off in this lesson", while an
 * AI site IT allows for everyone still opens; in an allowlist lesson that
 * allows google.com, Gemini stays out and search opens. IT's policy is the
 * real managed policy (the policy directory is global to the machine: run
 * under the shared browser lock). The real hosts are answered by the
 * stand-in sites on this machine.
 */
import type { Page } from 'puppeteer-core';
import { distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID } from '../../src/dev/chromium-policy';
import { forget, ruleCount, setLesson, stored } from '../../src/dev/extension-state';
import { axeViolations, blockedPageFor, button, open } from '../../src/dev/pages';
import { startStandInSites, type StandInSites } from '../../src/dev/stand-in-sites';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { hashPin } from '../../src/core/teacher/pin';
import { allowlistLesson } from './lesson';
import { AI_OFF, REAL_HOSTS, categoriesPolicy, headingOf, showsStandIn } from './support/categories';

const PIN = '864213';
const policyFile = new ChromiumPolicyFile('lesmodus-categories-test');

let server: TestServer;
let standIn: StandInSites;
let session: ChromiumSession;
const pages: Page[] = [];
/** The rules of IT's policy alone (its allowed site), with no lesson. */
let itRules = 0;

/** The blocked page for `url`; Chromium sends some hosts (gemini.google.com, www.tiktok.com: on its HSTS preload list) over https first. */
function blockedFor(landed: string, url: string): string {
  const secure = url.replace(/^http:/, 'https:');
  return landed === blockedPageFor(session, secure) ? landed : blockedPageFor(session, url);
}

async function newPage(): Promise<Page> {
  const page = await session.browser.newPage();
  pages.push(page);
  return page;
}

beforeAll(async () => {
  server = await startTestServer();
  standIn = await startStandInSites();
  const teacherPin = await hashPin(PIN, new Uint8Array(16).fill(3), 100_000);
  policyFile.write({ [DEV_EXTENSION_ID]: categoriesPolicy({ teacherPin }) });
  session = await launchChromium({ extensionDir: distDir('chrome'), localHosts: { hosts: REAL_HOSTS, port: standIn.port } });
  expect(session.extensionId).toBe(DEV_EXTENSION_ID);
  await session.worker();
  await waitFor(async () => (await stored<{ found: boolean; errors: unknown[] }>(session, 'policyStatus'))?.found === true, 'the managed policy to be read', 20_000);
  await waitFor(async () => (itRules = await ruleCount(session)) > 0, "IT's rules to be applied");
});

afterAll(async () => {
  policyFile.remove();
  await session?.close();
  await standIn?.close();
  await server?.close();
});

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close().catch(() => undefined);
  await forget(session, ['lesson']);
  await waitFor(async () => (await ruleCount(session)) === itRules, "the rules to be IT's alone again");
});

test('a teacher switches AI off in the popup: AI sites get "AI tools are off", the AI site IT allows opens', async () => {
  const popup = await newPage();
  await session.goto(popup, session.extensionUrl('popup.html'));
  await waitFor(async () => (await popup.$('.status-card:not(.skeleton)')) !== null, 'the popup status to render');
  await button(popup, 'Teacher').click();
  await popup.locator('#pin').fill(PIN);
  await button(popup, 'Open').click();
  // After unlocking: the lesson form, the toggle, start.
  await button(popup, 'New lesson…').click();
  await popup.locator('#lesson-title').fill('Essay');
  await popup.locator('input[name="category"][value="ai"]').click();
  expect(await axeViolations(popup)).toEqual([]);
  await button(popup, 'Start lesson').click();
  await waitFor(async () => (await stored<{ categories?: string[] }>(session, 'lesson'))?.categories?.includes('ai') === true, 'the lesson with AI off to be stored');
  await waitFor(async () => (await ruleCount(session)) > itRules, 'the rules to be applied');

  const page = await newPage();
  expect(await open(session, page, 'http://chatgpt.com/')).toBe(blockedPageFor(session, 'http://chatgpt.com/'));
  expect(await headingOf(page)).toBe(AI_OFF);
  const added = server.origin('chatbot.test') + '/ask';
  expect(await open(session, page, added)).toBe(blockedPageFor(session, added));
  expect(await headingOf(page)).toBe(AI_OFF);
  expect(server.requests.some((request) => request.host.startsWith('chatbot.test'))).toBe(false);
  expect(await open(session, page, 'http://copilot.microsoft.com/')).toBe('http://copilot.microsoft.com/');
  expect(await showsStandIn(page, 'copilot.microsoft.com')).toBe(true);
});

test('a blocklist lesson with AI off blocks the AI list, nothing else of the lesson', async () => {
  await setLesson(session, { ...allowlistLesson(['www.tiktok.com'], Date.now() - 1000, 45), mode: 'blocklist', categories: ['ai'] });
  await waitFor(async () => (await ruleCount(session)) > itRules, 'the rules to be applied');
  const page = await newPage();
  const gemini = await open(session, page, 'http://gemini.google.com/app');
  expect(gemini).toBe(blockedFor(gemini, 'http://gemini.google.com/app'));
  expect(await headingOf(page)).toBe(AI_OFF);
  const tiktok = await open(session, page, 'http://www.tiktok.com/');
  expect(tiktok).toBe(blockedFor(tiktok, 'http://www.tiktok.com/'));
  expect(await headingOf(page)).toBe('This site is not part of the lesson');
  expect(await open(session, page, 'http://www.google.com/')).toBe('http://www.google.com/');
  const other = server.origin('other.test') + '/read';
  expect(await open(session, page, other)).toBe(other);
});

test('an allowlist lesson that allows google.com with AI off: search opens, Gemini stays out', async () => {
  await setLesson(session, allowlistLesson(['google.com'], Date.now() - 1000, 45, { categories: ['ai'] }));
  await waitFor(async () => (await ruleCount(session)) > itRules, 'the rules to be applied');
  const page = await newPage();
  expect(await open(session, page, 'http://www.google.com/search?q=breuken')).toBe('http://www.google.com/search?q=breuken');
  const gemini = await open(session, page, 'http://gemini.google.com/');
  expect(gemini).toBe(blockedFor(gemini, 'http://gemini.google.com/'));
  expect(await headingOf(page)).toBe(AI_OFF);
  expect(await open(session, page, 'http://copilot.microsoft.com/')).toBe('http://copilot.microsoft.com/');
});
