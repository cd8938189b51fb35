/**
 * From a teacher's publish to the student enforcing it, in real Chromium
 * with the reference feed server on 127.0.0.1 and the student's policy in
 * a managed policy file (so this runs as root, like the e2e suites):
 *
 * - a student who navigates: the time until their next click lands on the
 *   blocked page (a navigation starting makes the extension fetch the feed
 *   when its last fetch is a few seconds old);
 * - a student who sits still: the time until their open tab is swept to the
 *   blocked page (the 30-second poll).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { startFeedServer } from '../../src/server/feed-server';
import { DEV_EXTENSION_ID, ChromiumPolicyFile } from '../../src/dev/chromium-policy';
import { currentUrl, distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { stored } from '../../src/dev/extension-state';
import { newTeacherKey, TeacherPublisher } from '../../src/dev/teacher';
import { startTestServer } from '../../src/dev/test-server';
import { median } from './median';

const TOKEN = 'bench-propagation-token-0123456789';
const HOUR = 3_600_000;

export interface PropagationFigures {
  /** Median milliseconds, publish to a navigating student's click landing on the blocked page. */
  readonly navigating: number;
  /** Median milliseconds, publish to a still student's open tab swept to the blocked page. */
  readonly sittingStill: number;
}

async function settle(page: Page, session: ChromiumSession, url: string, landing: string): Promise<void> {
  await waitFor(async () => {
    try {
      await session.goto(page, url);
    } catch {
      // A sweep that redirects mid-navigation aborts it; try again.
    }
    return (await currentUrl(page)) === landing;
  }, `${url} to land on ${landing}`, 60_000);
}

export async function measurePropagation(navigatingTrials = 5, stillTrials = 3): Promise<PropagationFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lesmodus-propagation-'));
  const site = await startTestServer();
  const feed = await startFeedServer({ port: 0, host: '127.0.0.1', dataDir, tokens: [TOKEN], maxBytes: 64 * 1024, log: 'none' });
  const key = await newTeacherKey('bench');
  const teacher = new TeacherPublisher(feed.origin, TOKEN, key);
  const policyFile = new ChromiumPolicyFile('lesmodus-bench');
  let session: ChromiumSession | undefined;
  try {
    policyFile.write({
      [DEV_EXTENSION_ID]: {
        role: 'student',
        classes: ['2B'],
        classFeed: { urlTemplate: feed.urlTemplate, pollSeconds: 30 },
        teacherKeys: [{ id: key.kid, name: 'Bench', publicKey: key.publicKey }],
      },
    });
    session = await launchChromium({ extensionDir: distDir('chrome'), allowLoopbackAddress: true });
    await waitFor(async () => (await stored<{ found?: boolean }>(session!, 'policyStatus'))?.found === true, 'the student policy to be read', 30_000);
    const page = await session.browser.newPage();
    const target = `${site.origin('other.test')}/reading`;
    const blocked = `${session.extensionUrl('blocked.html')}#${target}`;
    const lesson = (now: number, trial: number) => ({
      lesson: { id: `bench-${trial}-${now}`, title: 'Rekenen 2B', mode: 'allowlist' as const, sites: ['allowed.test'], embeds: [], startsAt: now - 1000, endsAt: now + HOUR },
    });

    const navigating: number[] = [];
    for (let trial = 0; trial < navigatingTrials; trial += 1) {
      await settle(page, session, target, target);
      const start = Date.now();
      await teacher.publish('2B', lesson(start, trial));
      // The student clicks every half second until a click lands on the blocked page.
      for (;;) {
        try {
          await session.goto(page, target);
        } catch {
          // aborted by a sweep: look where the tab is
        }
        if ((await currentUrl(page)) === blocked) break;
        await new Promise((done) => setTimeout(done, 500));
      }
      navigating.push(Date.now() - start);
      await teacher.publish('2B', { lesson: null });
    }

    const still: number[] = [];
    for (let trial = 0; trial < stillTrials; trial += 1) {
      await settle(page, session, target, target);
      const start = Date.now();
      await teacher.publish('2B', lesson(start, 100 + trial));
      await waitFor(async () => (await currentUrl(page)) === blocked, 'the still tab to be swept', 90_000);
      still.push(Date.now() - start);
      await teacher.publish('2B', { lesson: null });
    }
    return { navigating: median(navigating), sittingStill: median(still) };
  } finally {
    await session?.close();
    policyFile.remove();
    await feed.close();
    await site.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
