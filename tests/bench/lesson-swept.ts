/**
 * Real Chromium: a teacher's lesson stored on the device -> its rules in
 * force and an open tab on a site it does not allow showing the blocked page.
 *
 * Timed inside the service worker, from the storage write to the moment the
 * tab commits the blocked page (webNavigation.onCommitted), so the figure is
 * the extension's latency plus the browser's navigation, not the bench's
 * round trips.
 *
 * The lesson's record in the second copy is written before each timed write,
 * as the teacher's action writes it (background/teacher/guard.ts): a lesson
 * written to storage.local alone is one the background puts back.
 *
 * Each trial starts from a settled tab: the site committed and finished
 * loading, and the blocked page of the trial before committed and loaded
 * before that lesson was ended. Without that the bench once met two races in the
 * product's sweep, which then skipped every tab still loading (both are
 * fixed: the sweep judges what a tab shows, loading or not, and a blocked
 * page that commits for an address allowed again is sent back); settling
 * each trial keeps the figure about the sweep, not about those cases, which
 * the e2e suites pin.
 */
import type { Lesson } from '../../src/core/schemas';
import { distDir, launchChromium } from '../../src/dev/browsers';
import { recordAsOwn } from '../../src/dev/extension-state';
import { startTestServer } from '../../src/dev/test-server';
import { installProbe, navigate, tabIdOf } from './chromium';
import { median, round, spread } from './median';
import type { Bench } from './runner';

const SWEPT = {
  name: 'lesson stored -> rules active and open tab swept (Chromium), median',
  unit: 'ms',
  budget: { limit: 250, better: 'lower' },
} as const;

const TRIALS = 15;
const EVENT_TIMEOUT_MS = 30_000;

interface Trial {
  /** Storage write to the blocked page committed in the tab; null when it did not happen within the timeout. */
  readonly sweptMs: number | null;
  /** Storage write to its promise resolving. */
  readonly storedMs: number;
  /** Dynamic rules in force when the blocked page committed. */
  readonly rules: number;
}

export const lessonSweptBench: Bench = {
  id: 'lesson-swept',
  figures: [SWEPT],
  timeoutMs: 5 * 60_000,
  needsBuild: true,
  run: async (context) => {
    const server = await startTestServer();
    context.defer(() => server.close());
    const session = await launchChromium({ extensionDir: distDir('chrome') });
    context.defer(() => session.close());
    await installProbe(session);
    const version = await session.browser.version();
    // The worker's first read of managed storage (seconds after it starts) writes the policy status once, and so runs the
    // rules flow once more: let that happen before the first trial rather than during it.
    const checked = await session.evalInWorker((ms) => globalThis.__lesmodusBench.whenPolicyRead(null, ms), EVENT_TIMEOUT_MS);
    if (checked === null) throw new Error(`the extension did not read managed storage within ${EVENT_TIMEOUT_MS / 1000} s of starting`);

    const page = await session.browser.newPage();
    const target = `${server.origin('other.test')}/reading`;
    const blockedPrefix = session.extensionUrl('blocked.html');
    // The lesson is written as the teacher's action writes it: its record first (background/teacher/guard.ts), then storage.local, which is timed.
    await recordAsOwn(session, { lesson: null });
    await session.evalInWorker(async () => chrome.storage.local.set({ lesson: null }));
    await navigate(page, target);
    const tabId = await tabIdOf(session, target);

    const trials: Trial[] = [];
    let stranded = 0;
    let blockedPageNotLoaded = 0;
    for (let trial = 0; trial < TRIALS; trial += 1) {
      // The site committed and finished loading: the sweep leaves a loading tab to the navigation check.
      const settled = await session.evalInWorker((id, url, ms) => globalThis.__lesmodusBench.whenTabSettled(id, url, false, ms), tabId, target, EVENT_TIMEOUT_MS);
      if (settled === null) throw new Error(`trial ${trial}: the tab did not settle on ${target} within ${EVENT_TIMEOUT_MS / 1000} s`);

      const now = Date.now();
      const lesson: Lesson = { id: `bench-${trial}`, title: 'Bench', mode: 'allowlist', sites: ['allowed.test'], embeds: [], startsAt: now - 1000, endsAt: now + 3_600_000 };
      await recordAsOwn(session, { lesson });
      const result = await session.evalInWorker(
        async (value, id, blocked, ms) => {
          const committed = globalThis.__lesmodusBench.whenCommitted(id, blocked, ms);
          const start = performance.now();
          await chrome.storage.local.set({ lesson: value });
          const stored = performance.now();
          const at = await committed;
          const rules = (await chrome.declarativeNetRequest.getDynamicRules()).length;
          return { sweptMs: at === null ? null : at - start, storedMs: stored - start, rules };
        },
        lesson,
        tabId,
        blockedPrefix,
        EVENT_TIMEOUT_MS,
      );
      trials.push(result);

      // The blocked page loaded before the lesson ends; then ending it sends the tab back to the site.
      const shown = await session.evalInWorker((id, url, ms) => globalThis.__lesmodusBench.whenTabSettled(id, url, true, ms), tabId, blockedPrefix, EVENT_TIMEOUT_MS);
      if (shown === null) blockedPageNotLoaded += 1;
      await recordAsOwn(session, { lesson: null });
      const back = await session.evalInWorker(
        async (id, url, ms) => {
          const settledAgain = globalThis.__lesmodusBench.whenTabSettled(id, url, false, ms);
          await chrome.storage.local.set({ lesson: null });
          return settledAgain;
        },
        tabId,
        target,
        EVENT_TIMEOUT_MS,
      );
      if (back === null) {
        // Not this figure's subject, but said in its details: the tab stayed on the blocked page after the lesson ended.
        stranded += 1;
        await navigate(page, target);
      }
    }

    const swept = trials.map((trial) => trial.sweptMs ?? Number.POSITIVE_INFINITY);
    const missing = trials.filter((trial) => trial.sweptMs === null).length;
    const details = {
      samples: spread(swept.filter(Number.isFinite)),
      notSweptWithin30s: missing,
      rulesActiveAtSweep: trials.every((trial) => trial.rules > 0),
      storageWriteMs: round(median(trials.map((trial) => trial.storedMs))),
      blockedPageNotLoadedWithin30s: blockedPageNotLoaded,
      tabLeftOnBlockedPageAfterLessonEnded: stranded,
      chromium: version,
    };
    if (missing > TRIALS / 2) context.fail(SWEPT.name, new Error(`${missing} of ${TRIALS} trials: the open tab was not swept within ${EVENT_TIMEOUT_MS / 1000} s`), details);
    else context.record(SWEPT.name, round(median(swept)), details);
  },
};
