/**
 * What the Chromium figures share: a small probe in the extension's service
 * worker that turns the browser's own events (a tab committing or finishing
 * a page, storage changing) into promises the bench awaits, so no figure
 * waits by sleeping and polling from outside. The probe only listens; the
 * one thing it polls is whether a DNR rule matches a URL, because the
 * browser fires no event when dynamic rules change. Where that polling would
 * compete with the work a figure times (the worker's own thread), the same
 * probe runs in a page of the extension that runs nothing of its own
 * ({@link openProbePage}).
 */
import type { Page } from 'puppeteer-core';
import type { ChromiumSession } from '../../src/dev/browsers';
import { errorText } from './report';

/**
 * Installed into the worker's global scope as source text: functions that
 * puppeteer serialises from TypeScript may carry helpers of the TypeScript
 * runner (`__name`) that the worker does not have.
 */
const PROBE_SOURCE = `(() => {
  if (globalThis.__lesmodusBench) return true;
  const armed = new Map();
  const channels = new Map();
  function later(timeoutMs, register) {
    return new Promise((resolve) => {
      let done = false;
      const cleanups = [];
      const finish = (value) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        for (const cleanup of cleanups) cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      register(finish, (cleanup) => cleanups.push(cleanup));
    });
  }
  function urlMatches(url, wanted, prefix) {
    return typeof url === 'string' && (prefix ? url.startsWith(wanted) : url === wanted);
  }
  globalThis.__lesmodusBench = {
    /** Keeps a promise under a name, to be awaited by a later evaluate. */
    arm(name, promise) { armed.set(name, promise); },
    take(name) { const promise = armed.get(name); armed.delete(name); return promise ?? Promise.resolve(null); },
    /** performance.now() when tab tabId shows url (or a url starting with it) and has finished loading; null on timeout. */
    whenTabSettled(tabId, url, prefix, timeoutMs) {
      return later(timeoutMs, (finish, onCleanup) => {
        const listener = (id, _info, tab) => {
          if (id === tabId && tab.status === 'complete' && urlMatches(tab.url, url, prefix) && !tab.pendingUrl) finish(performance.now());
        };
        chrome.tabs.onUpdated.addListener(listener);
        onCleanup(() => chrome.tabs.onUpdated.removeListener(listener));
        chrome.tabs.get(tabId).then((tab) => {
          if (tab.status === 'complete' && urlMatches(tab.url, url, prefix) && !tab.pendingUrl) finish(performance.now());
        }, () => undefined);
      });
    },
    /** performance.now() when the top frame of tab tabId commits a url starting with prefix; null on timeout. */
    whenCommitted(tabId, prefix, timeoutMs) {
      return later(timeoutMs, (finish, onCleanup) => {
        const listener = (details) => {
          if (details.tabId === tabId && details.frameId === 0 && details.url.startsWith(prefix)) finish(performance.now());
        };
        chrome.webNavigation.onCommitted.addListener(listener);
        onCleanup(() => chrome.webNavigation.onCommitted.removeListener(listener));
      });
    },
    /** performance.now() when key changes in the storage area; null on timeout. */
    whenStorageChanged(area, key, timeoutMs) {
      return later(timeoutMs, (finish, onCleanup) => {
        const listener = (changes, changedArea) => {
          if (changedArea === area && (key === null || key in changes)) finish(performance.now());
        };
        chrome.storage.onChanged.addListener(listener);
        onCleanup(() => chrome.storage.onChanged.removeListener(listener));
      });
    },
    /**
     * performance.now() once the extension has read managed storage (policyStatus stored), and,
     * with found, found IT's policy there; null on timeout.
     */
    whenPolicyRead(found, timeoutMs) {
      const read = (status) => !!status && (found === null || status.found === found);
      return later(timeoutMs, (finish, onCleanup) => {
        const listener = (changes, area) => {
          if (area === 'local' && changes.policyStatus && read(changes.policyStatus.newValue)) finish(performance.now());
        };
        chrome.storage.onChanged.addListener(listener);
        onCleanup(() => chrome.storage.onChanged.removeListener(listener));
        chrome.storage.local.get('policyStatus').then((stored) => {
          if (read(stored.policyStatus)) finish(performance.now());
        }, () => undefined);
      });
    },
    /**
     * performance.now() once \`tell(name)\` was called in another of the extension's contexts (the
     * worker and its pages share an origin); null on timeout. A word between the probes, where
     * listening for the event itself would make the browser deliver it once more.
     */
    whenTold(name, timeoutMs) {
      return later(timeoutMs, (finish, onCleanup) => {
        const channel = new BroadcastChannel('lesmodus-bench:' + name);
        channel.onmessage = () => finish(performance.now());
        onCleanup(() => channel.close());
      });
    },
    /**
     * Says \`name\` to the other contexts' whenTold. The channel is opened once and kept (openChannel
     * opens it ahead): opening one takes the worker about a millisecond, which a tell from inside a
     * timed window would take from the work being timed.
     */
    tell(name) {
      globalThis.__lesmodusBench.openChannel(name).postMessage(true);
    },
    openChannel(name) {
      let channel = channels.get(name);
      if (channel === undefined) channels.set(name, (channel = new BroadcastChannel('lesmodus-bench:' + name)));
      return channel;
    },
    /**
     * performance.now() once a main-frame request to url does (or does not) match a dynamic
     * rule; null on timeout. Polled every intervalMs: the browser has no event for rules changing.
     */
    whenRuleMatches(url, expected, intervalMs, timeoutMs) {
      return later(timeoutMs, (finish, onCleanup) => {
        let stopped = false;
        onCleanup(() => { stopped = true; });
        const check = async () => {
          while (!stopped) {
            const outcome = await chrome.declarativeNetRequest.testMatchOutcome({ url, type: 'main_frame' });
            if ((outcome.matchedRules.length > 0) === expected) return finish(performance.now());
            await new Promise((wake) => setTimeout(wake, intervalMs));
          }
        };
        check().catch(() => undefined);
      });
    },
    /**
     * The dynamic rules in force, kept in the worker under a name (50,000 domains need not cross to
     * Node), as JSON text: one string, not 100,000 objects, in the heap of the worker being measured.
     */
    async keepRules(name) {
      const rules = await chrome.declarativeNetRequest.getDynamicRules();
      armed.set('rules:' + name, JSON.stringify(rules));
      return rules.length;
    },
    rules(name) { const text = armed.get('rules:' + name); return text === undefined ? undefined : JSON.parse(text); },
    /** Lets go of rules kept under a name: a worker holding many 50,000-domain copies collects its garbage slower. */
    forgetRules(name) { armed.delete('rules:' + name); },
  };
  return true;
})()`;

/** The probe's methods, called as `globalThis.__lesmodusBench` inside evaluated functions (they run in the worker). */
export interface WorkerProbe {
  arm(name: string, promise: Promise<unknown>): void;
  take<T>(name: string): Promise<T | null>;
  whenTabSettled(tabId: number, url: string, prefix: boolean, timeoutMs: number): Promise<number | null>;
  whenCommitted(tabId: number, prefix: string, timeoutMs: number): Promise<number | null>;
  whenStorageChanged(area: string, key: string | null, timeoutMs: number): Promise<number | null>;
  whenPolicyRead(found: boolean | null, timeoutMs: number): Promise<number | null>;
  whenTold(name: string, timeoutMs: number): Promise<number | null>;
  tell(name: string): void;
  openChannel(name: string): BroadcastChannel;
  whenRuleMatches(url: string, expected: boolean, intervalMs: number, timeoutMs: number): Promise<number | null>;
  keepRules(name: string): Promise<number>;
  rules(name: string): chrome.declarativeNetRequest.Rule[];
  forgetRules(name: string): void;
}

declare global {
  // The probe lives in the worker's global scope; `var` is how TypeScript declares a global.
  var __lesmodusBench: WorkerProbe;
}

/**
 * Installs the probe in the running service worker (again after a restart).
 * A worker that has only just started can be reached before the browser has
 * given it the `chrome` object; that is retried, with the last error named.
 */
export async function installProbe(session: ChromiumSession, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      const worker = await session.worker();
      const ready = await worker.evaluate(`typeof chrome !== 'undefined' && !!chrome.runtime && !!chrome.runtime.id`);
      if (ready === true && (await worker.evaluate(PROBE_SOURCE)) === true) return;
      lastError = new Error('the worker has no chrome.runtime yet');
    } catch (error) {
      lastError = error;
    }
    // The worker is starting or restarting; its target reappears by itself.
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`could not reach the extension's service worker within ${timeoutMs / 1000} s: ${errorText(lastError)}`);
}

/**
 * The probe in a tab of its own: an extension page (the extension's
 * manifest.json, shown as text) has the extension APIs but runs none of the
 * extension's code, and its thread is not the service worker's. Polling
 * from there, the probe takes no time from the worker whose work is being
 * timed. Its clock (performance.now()) is the page's: compare its times only
 * with each other.
 */
export async function openProbePage(session: ChromiumSession): Promise<Page> {
  const page = await session.browser.newPage();
  await page.goto(`chrome-extension://${session.extensionId}/manifest.json`);
  if ((await page.evaluate(PROBE_SOURCE)) !== true) throw new Error('the probe could not be installed in an extension page');
  return page;
}

/**
 * Stops the service worker the way the shared E2E notes describe
 * (`worker.close()`), trying again when the browser starts it again at once
 * (an event was waiting for it).
 */
export async function stopWorker(session: ChromiumSession, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await session.stopWorker();
      return;
    } catch (error) {
      if (attempt >= attempts) throw new Error(`the service worker did not stop after ${attempts} attempts: ${errorText(error)}`);
    }
  }
}

/** The id of the tab that `page` is, found by the address it shows. */
export async function tabIdOf(session: ChromiumSession, url: string): Promise<number> {
  const ids = await session.evalInWorker(async (wanted) => (await chrome.tabs.query({})).filter((tab) => tab.url === wanted).map((tab) => tab.id ?? -1), url);
  if (ids.length !== 1 || ids[0]! < 0) throw new Error(`expected one tab showing ${url}, found ${ids.length}`);
  return ids[0]!;
}

/**
 * Navigates and waits for `load`, tolerating a navigation that the
 * extension redirects or aborts on its way (a sweep); `page.url()` then says
 * where the tab is. Never evaluates in the page, so it cannot fail on a
 * context destroyed by a navigation.
 */
export async function navigate(page: Page, url: string): Promise<string> {
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  } catch (error) {
    if (!/ERR_ABORTED|ERR_BLOCKED_BY_CLIENT|frame was detached|Navigating frame was detached/i.test(errorText(error))) throw error;
  }
  return page.url();
}

/** Throws a clear error when the policy directory cannot be written (the policy figures need root, like the e2e suites). */
export function requireRoot(figure: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`${figure} writes Chromium's managed policy in /etc/chromium/policies, which needs root`);
  }
}
