/**
 * Site categories in real Firefox (ESR), with IT's policy as Firefox reads
 * it (managed storage): a lesson with AI off sends ChatGPT (the shipped
 * list) and a site IT added to the AI category to the blocked page that
 * says "AI tools are off in this lesson", while an AI site IT allows for
 * everyone still opens; in an allowlist lesson that allows google.com,
 * Gemini stays out and search opens. The real hosts are answered by the
 * stand-in sites on this machine.
 */
import type { Page } from 'puppeteer-core';
import { distDir, launchFirefox, waitFor, type FirefoxSession } from '../../src/dev/browsers';
import { ruleCount, setLesson, stored } from '../../src/dev/extension-state';
import { blockedPageFor, open } from '../../src/dev/pages';
import { startStandInSites, type StandInSites } from '../../src/dev/stand-in-sites';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { allowlistLesson } from './lesson';
import { AI_OFF, REAL_HOSTS, categoriesPolicy, headingOf, showsStandIn } from './support/categories';

let server: TestServer;
let standIn: StandInSites;
let session: FirefoxSession;
let page: Page;
/** The rules of IT's policy alone (its allowed site), with no lesson. */
let itRules = 0;

beforeAll(async () => {
  server = await startTestServer();
  standIn = await startStandInSites();
  session = await launchFirefox({ extensionDir: distDir('firefox'), managedStorage: categoriesPolicy(), localHosts: { hosts: REAL_HOSTS, port: standIn.port } });
  await waitFor(async () => (await stored<{ found: boolean }>(session, 'policyStatus'))?.found === true, 'the managed policy to be read', 20_000);
  await waitFor(async () => (itRules = await ruleCount(session)) > 0, "IT's rules to be applied");
});

afterAll(async () => {
  await session?.close();
  await standIn?.close();
  await server?.close();
});

beforeEach(async () => {
  page = await session.browser.newPage();
});

afterEach(async () => {
  await page.close();
  await setLesson(session, null);
  await waitFor(async () => (await ruleCount(session)) === itRules, "the rules to be IT's alone again");
});

test('a blocklist lesson with AI off: AI sites get "AI tools are off", the AI site IT allows opens', async () => {
  await setLesson(session, { ...allowlistLesson(['www.tiktok.com'], Date.now() - 1000, 45), mode: 'blocklist', categories: ['ai'] });
  await waitFor(async () => (await ruleCount(session)) > itRules, 'the rules to be applied');

  expect(await open(session, page, 'http://chatgpt.com/')).toBe(blockedPageFor(session, 'http://chatgpt.com/'));
  expect(await headingOf(page)).toBe(AI_OFF);
  const added = server.origin('chatbot.test') + '/ask';
  expect(await open(session, page, added)).toBe(blockedPageFor(session, added));
  expect(await headingOf(page)).toBe(AI_OFF);
  expect(server.requests.some((request) => request.host.startsWith('chatbot.test'))).toBe(false);
  // The lesson's own site keeps the lesson's words.
  expect(await open(session, page, 'http://www.tiktok.com/')).toBe(blockedPageFor(session, 'http://www.tiktok.com/'));
  expect(await headingOf(page)).toBe('This site is not part of the lesson');

  expect(await open(session, page, 'http://copilot.microsoft.com/')).toBe('http://copilot.microsoft.com/');
  expect(await showsStandIn(page, 'copilot.microsoft.com')).toBe(true);
  const other = server.origin('other.test') + '/read';
  expect(await open(session, page, other)).toBe(other);
});

test('an allowlist lesson that allows google.com with AI off: search opens, Gemini stays out', async () => {
  await setLesson(session, allowlistLesson(['google.com'], Date.now() - 1000, 45, { categories: ['ai'] }));
  await waitFor(async () => (await ruleCount(session)) > itRules, 'the rules to be applied');
  expect(await open(session, page, 'http://www.google.com/search?q=breuken')).toBe('http://www.google.com/search?q=breuken');
  expect(await showsStandIn(page, 'www.google.com')).toBe(true);
  expect(await open(session, page, 'http://gemini.google.com/')).toBe(blockedPageFor(session, 'http://gemini.google.com/'));
  expect(await headingOf(page)).toBe(AI_OFF);
  expect(await open(session, page, 'http://copilot.microsoft.com/')).toBe('http://copilot.microsoft.com/');
});
