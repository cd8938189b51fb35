/**
 * From a teacher's publish to the student enforcing it, in real Chromium
 * with the reference feed server on 127.0.0.1 and the student's policy in
 * a managed policy file (so this runs as root, like the e2e suites):
 *
 * - a student who navigates: the time until their next click lands on the
 *   blocked page (a navigation starting makes the extension fetch the feed
 *   when its last fetch is a few seconds old);
 * - a student who sits still: the time until their open tab commits the
 *   blocked page (the 30-second poll), seen by the browser's own event.
 *
 * The two are measured one after the other in one browser; either can fail
 * without the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { startFeedServer } from '../../src/server/feed-server';
import { DEV_EXTENSION_ID, ChromiumPolicyFile } from '../../src/dev/chromium-policy';
import { distDir, launchChromium } from '../../src/dev/browsers';
import { newTeacherKey, TeacherPublisher } from '../../src/dev/teacher';
import { startTestServer } from '../../src/dev/test-server';
import { installProbe, navigate, requireRoot, tabIdOf } from './chromium';
import { median, spread } from './median';
import { errorText } from './report';
import type { Bench } from './runner';

const TOKEN = 'bench-propagation-token-0123456789';
const HOUR = 3_600_000;

const NAVIGATING = { name: 'publish -> enforced, student clicking from then on, median', unit: 'ms', budget: { limit: 5000, better: 'lower' } } as const;
const STILL = { name: 'publish -> open tab swept, student sitting still, median', unit: 'ms', budget: { limit: 35_000, better: 'lower' } } as const;

/**
 * Navigates until `url` lands on `landing`: after the teacher ends a lesson,
 * a click is what makes the extension fetch the feed again. Each attempt
 * waits for the page's load; between attempts the student pauses a quarter
 * of a second, as a person would.
 */
async function settle(page: Page, url: string, landing: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let where = '';
  while (Date.now() < deadline) {
    where = await navigate(page, url);
    if (where === landing) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`${url} did not land on ${landing} within ${timeoutMs / 1000} s (last: ${where})`);
}

export const propagationBench: Bench = {
  id: 'propagation',
  figures: [NAVIGATING, STILL],
  timeoutMs: 8 * 60_000,
  needsBuild: true,
  run: async (context) => {
    requireRoot('publish -> enforced');
    const navigatingTrials = 5;
    const stillTrials = 3;
    const dataDir = mkdtempSync(join(tmpdir(), 'lesmodus-propagation-'));
    context.defer(() => rmSync(dataDir, { recursive: true, force: true }));
    const site = await startTestServer();
    context.defer(() => site.close());
    const feed = await startFeedServer({ port: 0, host: '127.0.0.1', dataDir, tokens: [TOKEN], maxBytes: 64 * 1024, log: 'none' });
    context.defer(() => feed.close());
    const key = await newTeacherKey('bench');
    const teacher = new TeacherPublisher(feed.origin, TOKEN, key);
    const policyFile = new ChromiumPolicyFile('lesmodus-bench');
    context.defer(() => policyFile.remove());
    policyFile.write({
      [DEV_EXTENSION_ID]: {
        role: 'student',
        classes: ['2B'],
        classFeed: { urlTemplate: feed.urlTemplate, pollSeconds: 30 },
        teacherKeys: [{ id: key.kid, name: 'Bench', publicKey: key.publicKey }],
      },
    });
    const session = await launchChromium({ extensionDir: distDir('chrome'), allowLoopbackAddress: true });
    context.defer(() => session.close());
    await installProbe(session);
    const read = await session.evalInWorker((ms) => globalThis.__lesmodusBench.whenPolicyRead(true, ms), 60_000);
    if (read === null) throw new Error('the student policy was not read within 60 s');

    const page = await session.browser.newPage();
    const target = `${site.origin('other.test')}/reading`;
    const blocked = `${session.extensionUrl('blocked.html')}#${target}`;
    const lesson = (now: number, trial: number) => ({
      lesson: { id: `bench-${trial}-${now}`, title: 'Rekenen 2B', mode: 'allowlist' as const, sites: ['allowed.test'], embeds: [], startsAt: now - 1000, endsAt: now + HOUR },
    });

    try {
      const navigating: number[] = [];
      for (let trial = 0; trial < navigatingTrials; trial += 1) {
        await settle(page, target, target);
        const start = Date.now();
        await teacher.publish('2B', lesson(start, trial));
        // The student clicks every half second (a person's pace, not a wait for the extension) until a click lands on the blocked page.
        for (;;) {
          if ((await navigate(page, target)) === blocked) break;
          if (Date.now() - start > 60_000) throw new Error(`trial ${trial}: clicks still reached the site 60 s after the publish`);
          await new Promise((done) => setTimeout(done, 500));
        }
        navigating.push(Date.now() - start);
        await teacher.publish('2B', { lesson: null });
      }
      context.record(NAVIGATING.name, median(navigating), { samples: spread(navigating, 0) });
    } catch (error) {
      context.fail(NAVIGATING.name, error);
      context.log(`clicking student: ${errorText(error)}`);
      // The class may still have a lesson; the still student starts from none.
      await teacher.publish('2B', { lesson: null }).catch(() => undefined);
    }

    const still: number[] = [];
    for (let trial = 0; trial < stillTrials; trial += 1) {
      await settle(page, target, target);
      const tabId = await tabIdOf(session, target);
      await session.evalInWorker(
        (id, url, ms) => globalThis.__lesmodusBench.arm('swept', globalThis.__lesmodusBench.whenCommitted(id, url, ms)),
        tabId,
        blocked,
        90_000,
      );
      const start = Date.now();
      await teacher.publish('2B', lesson(start, 100 + trial));
      const swept = await session.evalInWorker(() => globalThis.__lesmodusBench.take<number>('swept'));
      if (swept === null) throw new Error(`trial ${trial}: the still tab was not swept within 90 s of the publish`);
      still.push(Date.now() - start);
      await teacher.publish('2B', { lesson: null });
    }
    context.record(STILL.name, median(still), { samples: spread(still, 0) });
  },
};
