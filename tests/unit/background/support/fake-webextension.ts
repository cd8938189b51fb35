/**
 * What `webextension-polyfill` is in unit tests (jest.config.js maps it
 * here): an in-memory browser, so that the real background — its handlers,
 * rules flow, teacher actions and class-feed publishing — runs in tests.
 *
 * Why an in-memory browser under src/platform rather than a Platform object
 * passed into the background: it needs no change to product code (the
 * background keeps calling src/platform as it does in Chrome and Firefox),
 * it fakes managed storage too (IT's policy, with its change events), and
 * src/platform stays the only door to the browser — in tests as in the
 * builds.
 *
 * @webext-core/fake-browser supplies storage (local, session, managed, with
 * onChanged), alarms, tabs, runtime and webNavigation's events. Added here:
 * an in-memory declarativeNetRequest (./in-memory-dnr.ts), the manifest,
 * storage reads that hand out copies, as a browser does (the fake hands out
 * its own objects), and frames inside tabs' pages (webNavigation.getAllFrames,
 * and scripting.executeScript running a function in a frame, where
 * `location` is that frame's address), and the pause cover in a tab's page
 * (scripting.executeScript of pause-cover.js, then a function run in the
 * page's content-script world, where `globalThis` is that world: the cover
 * it shows is recorded per page, and goes with the page when the tab
 * navigates), and i18n from the real _locales files. Each jest module registry gets its own instance: a test
 * that loads the background in jest.isolateModulesAsync gets a fresh browser
 * with it (./background.ts).
 */
import { fakeBrowser } from '@webext-core/fake-browser';
import { localeSource } from '../../ui/support/locale';
import { InMemoryDnr } from './in-memory-dnr';

const copy = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

/** What a test controls and inspects of this browser, beside the API the extension sees. */
export const controls = {
  dnr: new InMemoryDnr(),
  /** Browser API calls made so far: a test waits for them to stop before it counts anything. */
  calls: 0,
  /** When set, storage.managed.get() fails with this message (a broken policy manifest). */
  managedReadError: null as string | null,
  /** The frames inside each tab's page (the page itself is the tab), by tab id. */
  frames: new Map<number, Array<{ frameId: number; url: string }>>(),
  /** When set, storage.managed.get() answers only once this settles (Chromium takes seconds on a cold start). */
  managedGate: null as Promise<void> | null,
  /** Per tab, its page's content-script world: the page it belongs to, whether pause-cover.js runs there, and the cover shown (null: none). */
  pages: new Map<number, { url: string; script: boolean; cover: unknown }>(),
  /** Addresses whose page no extension may script (an error page, Firefox's PDF viewer, a store). */
  unscriptable: new Set<string>(),
  /** The browser's language: i18n answers from the real _locales files. */
  language: 'en' as 'en' | 'nl',
};

/**
 * The content-script world of a tab's page: the same one for every script
 * run in that page, a new one once the tab shows another page. Only web
 * pages may be scripted.
 */
async function pageWorld(tabId: number): Promise<Record<string, unknown>> {
  const tab = await fakeBrowser.tabs.get(tabId);
  if (!tab) throw new Error(`No tab with id: ${tabId}.`);
  const url = tab.url ?? '';
  if (!/^https?:/.test(url) || controls.unscriptable.has(url)) throw new Error('Cannot access contents of the page.');
  let page = controls.pages.get(tabId);
  if (page === undefined || page.url !== url) {
    page = { url, script: false, cover: null };
    controls.pages.set(tabId, page);
  }
  const shown = page;
  return {
    installCover: () => ({
      show: (state: unknown) => {
        shown.cover = state;
        return true;
      },
      end: () => {
        shown.cover = null;
      },
    }),
  };
}

/** A frame as a script run in it sees its address: `location`, enough of it for a script to read or replace it. */
function locationOf(frame: { url: string }) {
  return {
    get href() {
      return frame.url;
    },
    replace(url: string) {
      frame.url = url;
    },
    assign(url: string) {
      frame.url = url;
    },
  };
}

interface ScriptInjection {
  target: { tabId: number; frameIds?: number[]; allFrames?: boolean };
  func?: (...args: never[]) => unknown;
  files?: string[];
  args?: unknown[];
  injectImmediately?: boolean;
}

const frameApi = {
  getAllFrames: async ({ tabId }: { tabId: number }) => {
    const tab = await fakeBrowser.tabs.get(tabId);
    if (!tab) throw new Error(`No tab with id: ${tabId}.`);
    const frames = controls.frames.get(tabId) ?? [];
    return [{ tabId, frameId: 0, parentFrameId: -1, url: tab.url ?? '' }, ...frames.map((frame) => ({ tabId, frameId: frame.frameId, parentFrameId: 0, url: frame.url }))];
  },
  /** Runs `func` in each frame named (serialised, as the browser does: it sees nothing of the extension but its arguments). */
  executeScript: async ({ target, func, files, args = [] }: ScriptInjection) => {
    if (target.frameIds === undefined) {
      // The tab's page itself: files first (only the cover is known here), then a function in the same world.
      const world = await pageWorld(target.tabId);
      const page = controls.pages.get(target.tabId)!;
      if (files !== undefined) {
        if (files.join() !== 'pause-cover.js') throw new Error(`Could not load file: '${files.join()}'.`);
        page.script = true;
        return [{ frameId: 0, result: undefined }];
      }
      const lesmodusPauseCover = page.script ? (world.installCover as () => unknown)() : undefined;
      const run = new Function('globalThis', 'args', `return (${func!.toString()})(...args);`) as (scope: unknown, args: unknown[]) => unknown;
      return [{ frameId: 0, result: run({ lesmodusPauseCover }, args) }];
    }
    const frames = controls.frames.get(target.tabId) ?? [];
    return (target.frameIds ?? []).map((frameId) => {
      const frame = frames.find((candidate) => candidate.frameId === frameId);
      if (!frame) throw new Error(`No frame with id ${frameId} in tab with id ${target.tabId}`);
      const run = new Function('location', 'args', `return (${func!.toString()})(...args);`) as (location: unknown, args: unknown[]) => unknown;
      return { frameId, result: run(locationOf(frame), args) };
    });
  },
};

type Area = { get: (keys?: unknown) => Promise<Record<string, unknown>> };

function countCalls<T extends object>(api: T): void {
  for (const [name, value] of Object.entries(api)) {
    if (typeof value !== 'function' || name === 'addListener' || name === 'removeListener' || name === 'hasListener' || name === 'trigger') continue;
    (api as Record<string, unknown>)[name] = (...args: unknown[]) => {
      controls.calls += 1;
      return (value as (...inner: unknown[]) => unknown).apply(api, args);
    };
  }
}

for (const name of ['local', 'session', 'managed'] as const) {
  const area = fakeBrowser.storage[name] as unknown as Area;
  const get = area.get.bind(area);
  area.get = async (keys?: unknown) => {
    if (name === 'managed' && controls.managedGate !== null) await controls.managedGate;
    if (name === 'managed' && controls.managedReadError !== null) throw new Error(controls.managedReadError);
    return copy(await get(keys));
  };
  countCalls(area);
}
countCalls(fakeBrowser.alarms);
countCalls(fakeBrowser.tabs);

const extra = {
  declarativeNetRequest: controls.dnr.api,
  runtime: { getManifest: () => ({ manifest_version: 3, name: 'Lesmodus', version: '0.0.0-test' }) },
  webNavigation: { getAllFrames: frameApi.getAllFrames },
  scripting: { executeScript: frameApi.executeScript },
  i18n: {
    getMessage: (key: string, substitutions?: string | string[]) => localeSource(controls.language).getMessage(key, substitutions),
    getUILanguage: () => controls.language,
  },
};
countCalls(extra.declarativeNetRequest);
countCalls(extra.webNavigation);
countCalls(extra.scripting);
Object.assign(fakeBrowser.declarativeNetRequest, extra.declarativeNetRequest);
Object.assign(fakeBrowser.runtime, extra.runtime);
Object.assign(fakeBrowser.webNavigation, extra.webNavigation);
Object.assign(fakeBrowser.scripting, extra.scripting);
Object.assign(fakeBrowser.i18n, extra.i18n);

export { fakeBrowser };
export default fakeBrowser;
