/**
 * `npm start`: builds Lesmodus (npm runs the build first) and starts a real
 * browser with the extension loaded and a demo lesson in force, with a tab on
 * a site outside the lesson so the blocked page shows at once.
 *
 *   npm start                 Chromium (the default)
 *   npm start -- --firefox    Firefox ESR
 *
 * Without a display (no DISPLAY or WAYLAND_DISPLAY) the browser runs
 * headless, and screenshots of the blocked page and the popup are saved and
 * their paths printed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import type { Lesson } from '../core/schemas';
import { distDir, launchChromium, launchFirefox, waitFor, type ExtensionSession } from '../../tests/e2e/support/browsers';

const root = join(__dirname, '..', '..');
const useFirefox = process.argv.includes('--firefox');
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

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

/** A site outside the demo lesson: the blocked page shows without any network. */
const BLOCKED_DEMO_URL = 'https://www.example-games.com/play';

async function storeDemoLesson(session: ExtensionSession): Promise<void> {
  await session.evalInExtension(async (lesson) => {
    const api = (globalThis as unknown as { browser?: typeof chrome }).browser ?? chrome;
    await api.storage.local.set({ lesson });
  }, demoLesson(Date.now()));
  await waitFor(
    async () =>
      (await session.evalInExtension(async () => {
        const api = (globalThis as unknown as { browser?: typeof chrome }).browser ?? chrome;
        return (await api.declarativeNetRequest.getDynamicRules()).length;
      })) > 0,
    'the demo lesson to be enforced',
  );
}

async function screenshot(page: Page, file: string): Promise<string> {
  const dir = join(root, '.tmp', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  await page.screenshot({ path });
  return path;
}

async function main(): Promise<void> {
  const headless = !hasDisplay;
  if (headless) console.log('No display found (DISPLAY/WAYLAND_DISPLAY unset): running the browser headless and saving screenshots.');
  const session: ExtensionSession = useFirefox
    ? await launchFirefox({ extensionDir: distDir('firefox'), headless })
    : await launchChromium({ extensionDir: distDir('chrome'), headless });
  console.log(`${useFirefox ? 'Firefox' : 'Chromium'} started with Lesmodus from ${distDir(useFirefox ? 'firefox' : 'chrome')}.`);
  await storeDemoLesson(session);
  console.log('Demo lesson in force: "Demo: Rekenen groep 7", 45 minutes, only wikipedia.org, schooltv.nl and rekenweb.nl.');

  const blocked = await session.browser.newPage();
  await blocked.setViewport({ width: 1000, height: 760 });
  await session.goto(blocked, BLOCKED_DEMO_URL);
  await waitFor(async () => (await blocked.evaluate(() => document.querySelector('h1')?.textContent ?? '')) !== '', 'the blocked page to render');

  if (!headless) {
    console.log(`A tab shows the blocked page for ${BLOCKED_DEMO_URL}. Open the Lesmodus toolbar button for the popup.`);
    console.log('Close the browser to stop.');
    await new Promise<void>((done) => session.browser.once('disconnected', () => done()));
    return;
  }

  const popup = await session.browser.newPage();
  await popup.setViewport({ width: 380, height: 600 });
  await session.goto(popup, session.extensionUrl('popup.html'));
  await waitFor(async () => (await popup.evaluate(() => document.querySelector('h1')?.textContent ?? '')) !== '', 'the popup to render');
  console.log(`Blocked page: ${await screenshot(blocked, `blocked-${useFirefox ? 'firefox' : 'chromium'}.png`)}`);
  console.log(`Popup:        ${await screenshot(popup, `popup-${useFirefox ? 'firefox' : 'chromium'}.png`)}`);
  await session.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
