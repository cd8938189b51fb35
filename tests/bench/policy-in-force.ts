/**
 * Real Chromium, a 50,000-entry IT `blocked` list pushed as IT pushes it (a
 * managed policy file): how long from the policy being stored to its DNR
 * rules being in force, next to how long the browser itself takes to put
 * the same rules in force.
 *
 * - "Stored": Chromium has read the changed policy and tells the extension
 *   (storage.onChanged, area "managed"). How long Chromium takes to notice
 *   the file (about 5 s here, a settling delay of its own) is the browser's
 *   and IT's delivery, not the extension's, and is left out.
 * - "In force": a request to the one host the new list blocks and the old
 *   one does not matches a dynamic rule (declarativeNetRequest
 *   .testMatchOutcome, asked every 2 ms from the worker: the browser has no
 *   event for rules changing).
 * - Between the two is all the extension's work: reading managed storage,
 *   checking the policy and comparing it with the cache, writing the cache,
 *   and the rules flow that reads it, compiles, replaces the rules and
 *   sweeps the tabs. The details split it at the cache write.
 * - The reference, in the same run and the same worker: the same
 *   transition done by the browser alone, one updateDynamicRules call that
 *   removes the old rules and adds the new ones (the extension's rules,
 *   read back from the browser). The figure is the ratio of the medians.
 *
 * The two lists differ in one entry, as a policy change usually does; the
 * extension replaces all its rules either way, and so does the reference.
 */
import { distDir, launchChromium } from '../../src/dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID } from '../../src/dev/chromium-policy';
import { installProbe, requireRoot } from './chromium';
import { hostList, IT_LIST_SEED, IT_LIST_SIZE } from './hosts';
import { median, round, spread } from './median';
import type { Bench } from './runner';

const RATIO = {
  name: 'policy stored -> DNR rules in force, 50,000-entry IT list, ÷ browser alone',
  unit: '×',
  budget: { limit: 1.3, better: 'lower' },
} as const;
const EXTENSION_MS = { name: 'policy stored -> DNR rules in force (the extension), median', unit: 'ms' } as const;
const BROWSER_MS = { name: 'updateDynamicRules() of the same rules (the browser alone), median', unit: 'ms' } as const;

const TRIALS = 7;
const EVENT_TIMEOUT_MS = 60_000;
/** Hosts that only one of the two lists blocks. */
const PROBE = { A: 'probe-a.lesmodus-bench.nl', B: 'probe-b.lesmodus-bench.nl' } as const;

export const policyInForceBench: Bench = {
  id: 'policy-in-force',
  figures: [RATIO, EXTENSION_MS, BROWSER_MS],
  timeoutMs: 5 * 60_000,
  needsBuild: true,
  run: async (context) => {
    requireRoot('policy stored -> in force');
    const base = hostList(IT_LIST_SEED, IT_LIST_SIZE).slice(1);
    const lists = { A: [PROBE.A, ...base], B: [PROBE.B, ...base] };
    const policyFile = new ChromiumPolicyFile('lesmodus-bench');
    context.defer(() => policyFile.remove());
    policyFile.write({ [DEV_EXTENSION_ID]: { blocked: lists.A } });
    const session = await launchChromium({ extensionDir: distDir('chrome') });
    context.defer(() => session.close());
    await installProbe(session);
    const version = await session.browser.version();

    // The first read of managed storage takes seconds in Chromium; then list A is in force.
    const first = await session.evalInWorker(
      async (url, ms) => (await globalThis.__lesmodusBench.whenPolicyRead(true, ms)) !== null && (await globalThis.__lesmodusBench.whenRuleMatches(url, true, 20, ms)) !== null,
      `https://${PROBE.A}/`,
      EVENT_TIMEOUT_MS,
    );
    if (!first) throw new Error(`the 50,000-entry policy was not in force within ${EVENT_TIMEOUT_MS / 1000} s of the browser starting`);
    const ruleCount = await session.evalInWorker((name) => globalThis.__lesmodusBench.keepRules(name), 'A');

    const extension: number[] = [];
    const toCache: number[] = [];
    const fromCache: number[] = [];
    const browser: number[] = [];
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const [previous, next] = trial % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
      await session.evalInWorker(
        (url, ms) => {
          const probe = globalThis.__lesmodusBench;
          const managed = probe.whenStorageChanged('managed', null, ms);
          const cached = probe.whenStorageChanged('local', 'policyCache', ms);
          const inForce = managed.then((at) => (at === null ? null : probe.whenRuleMatches(url, true, 2, ms)));
          probe.arm('policy', Promise.all([managed, cached, inForce]));
        },
        `https://${PROBE[next]}/`,
        EVENT_TIMEOUT_MS,
      );
      policyFile.write({ [DEV_EXTENSION_ID]: { blocked: lists[next] } });
      const times = await session.evalInWorker(() => globalThis.__lesmodusBench.take<Array<number | null>>('policy'));
      const [managed, cached, inForce] = times ?? [null, null, null];
      if (managed == null) throw new Error(`trial ${trial}: Chromium did not report the changed policy within ${EVENT_TIMEOUT_MS / 1000} s`);
      if (cached == null || inForce == null) throw new Error(`trial ${trial}: the changed policy was not ${cached == null ? 'cached' : 'in force'} within ${EVENT_TIMEOUT_MS / 1000} s`);
      extension.push(inForce - managed);
      toCache.push(cached - managed);
      fromCache.push(inForce - cached);

      // The browser alone: back to the previous rules (not timed), then the same transition the extension made, timed.
      await session.evalInWorker((name) => globalThis.__lesmodusBench.keepRules(name), next);
      const reference = await session.evalInWorker(
        async (from, to) => {
          const probe = globalThis.__lesmodusBench;
          const before = probe.rules(from);
          const after = probe.rules(to);
          await chrome.declarativeNetRequest.updateDynamicRules({ removeRuleIds: after.map((rule) => rule.id), addRules: before });
          const start = performance.now();
          await chrome.declarativeNetRequest.updateDynamicRules({ removeRuleIds: before.map((rule) => rule.id), addRules: after });
          return performance.now() - start;
        },
        previous,
        next,
      );
      browser.push(reference);
      // What the extension believes is in force is in force again.
      const restored = await session.evalInWorker(
        async (url) => (await chrome.declarativeNetRequest.testMatchOutcome({ url, type: 'main_frame' as chrome.declarativeNetRequest.ResourceType })).matchedRules.length > 0,
        `https://${PROBE[next]}/`,
      );
      if (!restored) throw new Error(`trial ${trial}: the reference update did not leave list ${next} in force`);
    }

    const extensionMs = median(extension);
    const browserMs = median(browser);
    context.record(RATIO.name, round(extensionMs / browserMs, 2), {
      extensionMs: round(extensionMs),
      browserMs: round(browserMs),
      perTrial: extension.map((value, index) => round(value / browser[index]!, 2)),
    });
    context.record(EXTENSION_MS.name, round(extensionMs), {
      samples: spread(extension),
      managedChangedToCacheWrittenMs: spread(toCache),
      cacheWrittenToRulesInForceMs: spread(fromCache),
      rules: ruleCount,
      chromium: version,
    });
    context.record(BROWSER_MS.name, round(browserMs), { samples: spread(browser) });
  },
};
