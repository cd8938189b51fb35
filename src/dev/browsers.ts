import { existsSync } from 'node:fs';
// Launches the built extension in real Chromium and Firefox (puppeteer-core
// 24: CDP for Chromium, WebDriver BiDi for Firefox), following the tested
// recipe in the shared E2E notes. Shared by the e2e suites, `npm start` and the
// benchmark, so it must work both under Jest (@swc/jest, CommonJS) and tsx.
//
// The machine has two cores and Chromium's policy directory is global: run
// one browser at a time.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page, type Target, type WebWorker } from 'puppeteer-core';

/**
 * The first of `candidates` that exists; an environment variable wins, so a
 * developer can point `npm start` at the browser they have. Debian's real
 * Chromium binary comes first: /usr/bin/chromium is a wrapper script that
 * adds flags of its own. Branded Google Chrome (137 and later) ignores
 * --load-extension, so it is not a candidate.
 */
function browserExecutable(variable: string, candidates: readonly string[]): string {
  const chosen = process.env[variable];
  if (chosen) return chosen;
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!;
}

export const CHROMIUM_EXECUTABLE = browserExecutable('LESMODUS_CHROMIUM', [
  '/usr/lib/chromium/chromium',
  '/usr/lib/chromium-browser/chromium-browser',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
]);
export const FIREFOX_EXECUTABLE = browserExecutable('LESMODUS_FIREFOX', [
  '/usr/bin/firefox-esr',
  '/usr/bin/firefox',
  '/Applications/Firefox.app/Contents/MacOS/firefox',
]);
/** `browser_specific_settings.gecko.id` of the Firefox build. */
export const GECKO_ID = 'lesmodus@lesmodus.nl';
/** Pinned through `extensions.webextensions.uuids`, so `moz-extension://` URLs are known before launch. */
const FIREFOX_EXTENSION_UUID = '5e1f3c2a-8b4d-4f6e-9a7c-2d0b1e3f4a56';

const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * Absolute path of the built extension for one browser. Chromium gets
 * `dist/chrome-dev`: the same build plus the development key, so its
 * extension ID is fixed and managed-policy files can name it.
 */
export function distDir(browser: 'chrome' | 'firefox'): string {
  return join(REPO_ROOT, 'dist', browser === 'chrome' ? 'chrome-dev' : 'firefox');
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Polls `fn` every 50 ms until it returns true. A throwing `fn` counts as
 * "not yet" (an evaluate during a navigation throws "context destroyed"); the
 * last error is named in the timeout message.
 */
export async function waitFor(
  fn: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await fn()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await sleep(50);
  }
}

/**
 * The page's address as the page itself sees it. In Firefox `page.url()` can
 * lag behind a DNR redirect to an extension page; asking the document is
 * right in both browsers.
 */
export function currentUrl(page: Page): Promise<string> {
  return page.evaluate(() => location.href);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface ManifestPages {
  background?: { service_worker?: string };
  action?: { default_popup?: string };
  options_ui?: { page?: string };
  options_page?: string;
  web_accessible_resources?: Array<{ resources?: string[] }>;
}

async function readManifest(extensionDir: string): Promise<ManifestPages> {
  return JSON.parse(await readFile(join(extensionDir, 'manifest.json'), 'utf8')) as ManifestPages;
}

/** An HTML page of the extension to open as a tab: popup, options, or a web-accessible page. */
function defaultExtensionPage(manifest: ManifestPages): string {
  const accessible = (manifest.web_accessible_resources ?? [])
    .flatMap((entry) => entry.resources ?? [])
    .find((resource) => resource.endsWith('.html') && !resource.includes('*'));
  const page = manifest.action?.default_popup ?? manifest.options_ui?.page ?? manifest.options_page ?? accessible;
  if (page === undefined) throw new Error('The manifest names no HTML page to open as an extension page');
  return page;
}

/** A function evaluated in the extension (worker or extension page), serialised with `toString()`. */
type ExtensionFn<T, A extends unknown[]> = (...args: A) => T | Promise<T>;

/** What both browsers offer, so a suite can run unchanged on each. */
export interface ExtensionSession {
  readonly kind: 'chromium' | 'firefox';
  readonly browser: Browser;
  /** `extensionUrl('blocked.html')` → `chrome-extension://ID/blocked.html` or `moz-extension://UUID/blocked.html`. */
  extensionUrl(path: string): string;
  /**
   * Navigates and waits for `load`; works when a DNR rule redirects to an
   * extension page. A navigation a DNR `block` rule stops rejects: Chromium
   * with `net::ERR_BLOCKED_BY_CLIENT`, Firefox with a BiDi `NS_ERROR_ABORT`.
   */
  goto(page: Page, url: string): Promise<void>;
  /** Runs `fn` where the `chrome`/`browser` extension APIs are available. */
  evalInExtension<T, A extends unknown[]>(fn: ExtensionFn<T, A>, ...args: A): Promise<Awaited<T>>;
  /** Closes the browser and removes what the launch created in /tmp. */
  close(): Promise<void>;
}

export interface ChromiumSession extends ExtensionSession {
  readonly kind: 'chromium';
  readonly extensionId: string;
  /** The extension's service worker, started first if it is not running. */
  worker(): Promise<WebWorker>;
  /** Stops the service worker and waits until its target is gone. */
  stopWorker(): Promise<void>;
  /** `evaluate` in the service worker, starting it first if needed. */
  evalInWorker<T, A extends unknown[]>(fn: ExtensionFn<T, A>, ...args: A): Promise<Awaited<T>>;
}

interface LaunchChromiumOptions {
  extensionDir: string;
  /** Default true. Headful needs a display, which CI machines lack. */
  headless?: boolean;
  /** Reuse a profile (e.g. to test a browser restart); kept on close. Default: a fresh temp dir, removed on close. */
  userDataDir?: string;
  /**
   * Origins (`http://allowed.test:PORT`) whose pages may register service
   * workers although served over http (service workers need a secure
   * context, and `*.test` over http is not one). Start the test server first,
   * then launch with `serviceWorkerOrigins: [server.origin('allowed.test')]`.
   * Chromium treats these origins as secure contexts; that does not make
   * their http sub-resources mixed content (Chromium decides that by scheme).
   */
  serviceWorkerOrigins?: string[];
  /**
   * Let the browser reach 127.0.0.1 by its address, as well as *.test (the
   * class-feed suite's server: IT's policy allows plain http only for
   * localhost and 127.0.0.1). Traffic still stays on the machine.
   */
  allowLoopbackAddress?: boolean;
  /**
   * Let the browser reach the real network (npm start on a teacher's or
   * developer's machine, where wikipedia.org should load). Tests never set
   * this: their traffic stays on the machine.
   */
  realNetwork?: boolean;
  /** Hosts answered by a local server, whatever else the browser may reach (see LocalHosts). */
  localHosts?: LocalHosts;
  /**
   * Default true: puppeteer kills the browser and ends the process on
   * SIGINT, SIGTERM and SIGHUP. `npm start` passes false: it closes its
   * browsers itself, temporary profiles included, and then exits.
   */
  handleSignals?: boolean;
  /** Extra command-line switches, e.g. a window position for side-by-side windows. */
  extraArgs?: string[];
  /** Extra environment variables for the browser's processes (e.g. libfaketime's, to move its clock). */
  env?: Record<string, string>;
}

/**
 * Hosts whose plain-http addresses (`http://www.example-games.com/play`) a
 * local HTTP server on 127.0.0.1:`port` answers, with the address's own
 * host in the Host header: `npm start`'s stand-in sites, so that no demo
 * address has to resolve. Give hosts exactly (no wildcards). Chromium maps
 * them in its host resolver; Firefox sends them to the server as an HTTP
 * proxy (a PAC script), so the server sees absolute request URLs.
 */
export interface LocalHosts {
  hosts: readonly string[];
  port: number;
}

/** Chromium's --host-resolver-rules for a launch: the first rule that matches a host wins. */
export function chromiumHostRules(opts: Pick<LaunchChromiumOptions, 'realNetwork' | 'allowLoopbackAddress' | 'localHosts'>): string {
  const rules = (opts.localHosts?.hosts ?? []).map((host) => `MAP ${host} 127.0.0.1:${opts.localHosts!.port}`);
  // Every *.test host to loopback (the port kept), also when written with a trailing dot (`allowed.test.`).
  rules.push('MAP *.test 127.0.0.1', 'MAP *.test. 127.0.0.1');
  if (!opts.realNetwork) {
    // 127.0.0.1 left to resolve as itself; every other host fails: no traffic leaves the machine.
    if (opts.allowLoopbackAddress) rules.push('EXCLUDE 127.0.0.1');
    rules.push('MAP * ~NOTFOUND');
  }
  return rules.join(',');
}

/** A PAC script that sends the local hosts to their server, and everything else on its usual way. */
export function firefoxProxyScript(localHosts: LocalHosts): string {
  const hosts = JSON.stringify(localHosts.hosts.map((host) => host.toLowerCase()));
  return `function FindProxyForURL(url, host) { return ${hosts}.indexOf(host.toLowerCase()) >= 0 && url.slice(0, 5) === 'http:' ? 'PROXY 127.0.0.1:${localHosts.port}' : 'DIRECT'; }`;
}

function signalHandling(handle = true): { handleSIGINT: boolean; handleSIGTERM: boolean; handleSIGHUP: boolean } {
  return { handleSIGINT: handle, handleSIGTERM: handle, handleSIGHUP: handle };
}

const CHROMIUM_ARGS = [
  '--no-sandbox', // we run as root
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // --host-resolver-rules: see chromiumHostRules.
];

/** Launches Chromium with the unpacked extension loaded and its service worker running. */
export async function launchChromium(opts: LaunchChromiumOptions): Promise<ChromiumSession> {
  const extensionDir = resolve(opts.extensionDir);
  const manifest = await readManifest(extensionDir);
  const workerScript = manifest.background?.service_worker;
  if (workerScript === undefined) throw new Error(`${extensionDir}/manifest.json has no background.service_worker`);

  const ownsUserDataDir = opts.userDataDir === undefined;
  const userDataDir = opts.userDataDir ?? (await mkdtemp(join(tmpdir(), 'lesmodus-chromium-')));
  const args = [...CHROMIUM_ARGS, `--host-resolver-rules=${chromiumHostRules(opts)}`, `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`];
  if (opts.extraArgs) args.push(...opts.extraArgs);
  if (opts.serviceWorkerOrigins?.length) {
    args.push(`--unsafely-treat-insecure-origin-as-secure=${opts.serviceWorkerOrigins.join(',')}`);
  }

  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM_EXECUTABLE,
      headless: opts.headless ?? true,
      userDataDir,
      // Puppeteer adds --disable-extensions by default, which wins over --load-extension.
      ignoreDefaultArgs: ['--disable-extensions'],
      args,
      ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
      ...signalHandling(opts.handleSignals),
    });
  } catch (error) {
    if (ownsUserDataDir) await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }

  // The only extension loaded is ours (--disable-extensions-except), so the
  // first extension worker running our background script is it. An unpacked
  // extension without a manifest `key` gets an ID derived from its path, so
  // discovering it is simpler than computing it.
  const isOurWorker = (prefix: string) => (target: Target) =>
    target.type() === 'service_worker' && target.url().startsWith(prefix) && target.url().endsWith(`/${workerScript}`);
  let extensionId: string;
  try {
    const first = await browser.waitForTarget(isOurWorker('chrome-extension://'), { timeout: 15_000 });
    extensionId = new URL(first.url()).host;
  } catch (error) {
    await browser.close();
    if (ownsUserDataDir) await rm(userDataDir, { recursive: true, force: true });
    throw new Error(`The extension's service worker never started (is ${extensionDir} built?): ${String(error)}`);
  }
  const origin = `chrome-extension://${extensionId}/`;
  const isWorker = isOurWorker(origin);
  const workerTarget = (): Target | undefined => browser.targets().find(isWorker);

  // Starting a stopped worker: an extension event would wake it, but only if
  // the background registered a listener for it. CDP's
  // ServiceWorker.startWorker works from any page's session (extension
  // workers live in the default storage partition) and runs the worker's
  // start-up path like a real wake-up. It needs a page target, so a blank tab
  // is opened for the moment: extensions that watch tabs see an about:blank
  // tab come and go.
  const startWorker = async (): Promise<void> => {
    const page = await browser.newPage();
    try {
      const cdp = await page.createCDPSession();
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.startWorker', { scopeURL: origin });
      await browser.waitForTarget(isWorker, { timeout: 10_000 });
      await cdp.detach();
    } finally {
      await page.close();
    }
  };

  // A worker whose extension APIs were seen: right after its target appears,
  // an evaluate can run before Chromium has installed `chrome` in it
  // ("chrome is not defined"; seen on a fresh profile as a non-root user).
  const ready = new WeakSet<WebWorker>();
  const worker = async (): Promise<WebWorker> => {
    let target = workerTarget();
    if (target === undefined) {
      await startWorker();
      target = await browser.waitForTarget(isWorker, { timeout: 10_000 });
    }
    const attached = await target.worker();
    if (attached === null) throw new Error(`Target ${target.url()} is not a worker`);
    if (!ready.has(attached)) {
      await waitFor(async () => (await attached.evaluate(() => typeof chrome === 'object' && chrome.runtime !== undefined)) === true, "the extension APIs in its service worker");
      ready.add(attached);
    }
    return attached;
  };

  const evalInWorker = async <T, A extends unknown[]>(fn: ExtensionFn<T, A>, ...args: A): Promise<Awaited<T>> => {
    const attached = await worker();
    // puppeteer's evaluate types want handle-aware parameters; ours are plain JSON values.
    return (await attached.evaluate(fn as (...params: unknown[]) => T, ...args)) as Awaited<T>;
  };

  return {
    kind: 'chromium',
    browser,
    extensionId,
    extensionUrl: (path) => origin + path.replace(/^\//, ''),
    goto: async (page, url) => {
      await page.goto(url, { waitUntil: 'load' });
    },
    worker,
    stopWorker: async () => {
      const target = workerTarget();
      if (target === undefined) return;
      const attached = await target.worker();
      // `WebWorker.close()` closes the target and detaches, and Chromium then
      // stops the worker (about 0.1 s). Do not use the CDP command
      // ServiceWorker.stopWorker while puppeteer is attached: the worker hangs.
      // While puppeteer stays attached (DevTools), Chromium never stops the
      // worker for idleness, so this is the only way it dies in a test.
      await attached?.close();
      await waitFor(() => workerTarget() === undefined, 'the extension service worker to stop');
    },
    evalInWorker,
    evalInExtension: evalInWorker,
    close: async () => {
      await browser.close();
      if (ownsUserDataDir) await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface FirefoxSession extends ExtensionSession {
  readonly kind: 'firefox';
  /** The per-session `HOME` (holds `.mozilla/managed-storage/`). */
  readonly home: string;
  /**
   * An extension page open in a tab, for calling `browser.*` via
   * `page.evaluate` (Firefox exposes no background target over BiDi). Without
   * `path`, the manifest's popup/options/web-accessible page, opened once and
   * reused while it stays open.
   */
  extensionPage(path?: string): Promise<Page>;
}

interface LaunchFirefoxOptions {
  extensionDir: string;
  /** Default true. */
  headless?: boolean;
  /** Extra `about:config` prefs; they win over the harness defaults. */
  prefs?: Record<string, unknown>;
  /**
   * `HOME` for Firefox. Default: a fresh temp dir, removed on close. A given
   * one is kept; prepare `$HOME/.mozilla/managed-storage/` in it before launch.
   */
  home?: string;
  /**
   * Managed storage for the extension (`storage.managed`), written as the
   * native manifest `$HOME/.mozilla/managed-storage/GECKO_ID.json` before
   * launch (Firefox reads it at start-up only).
   */
  managedStorage?: Record<string, unknown>;
  /**
   * Let the browser resolve names for real (npm start --online). Tests never
   * set this: by default every host resolves to 127.0.0.1.
   */
  realNetwork?: boolean;
  /** Hosts answered by a local server, whatever else the browser may reach (see LocalHosts). */
  localHosts?: LocalHosts;
  /**
   * Default true: puppeteer kills the browser and ends the process on
   * SIGINT, SIGTERM and SIGHUP. `npm start` passes false: it closes its
   * browsers itself, temporary profiles included, and then exits.
   */
  handleSignals?: boolean;
  /**
   * Lets pages served over http register service workers; see
   * LaunchChromiumOptions. Firefox's switch is not per origin: any non-empty
   * list allows it on every http page.
   */
  serviceWorkerOrigins?: string[];
}

/** The part of puppeteer's (internal) BiDi frame that the navigate work-around needs. */
interface BidiFrameLike {
  browsingContext?: { navigate(url: string, wait?: 'none' | 'interactive' | 'complete'): Promise<void> };
}

const NAVIGATION_TIMEOUT_MS = 30_000;

/**
 * Navigates a Firefox page and waits for `load`. With
 * --remote-allow-system-access, `page.goto()` to an extension page — or to a
 * page a DNR rule redirects to one — never resolves, so this goes straight to
 * BiDi's browsingContext.navigate.
 */
async function bidiNavigate(page: Page, url: string): Promise<void> {
  const context = (page.mainFrame() as unknown as BidiFrameLike).browsingContext;
  if (context === undefined) throw new Error('Not a WebDriver BiDi page: use page.goto()');
  await withTimeout(context.navigate(url, 'complete'), NAVIGATION_TIMEOUT_MS, `navigating to ${url}`);
}

/** Launches Firefox ESR over WebDriver BiDi and installs the extension as a temporary add-on. */
export async function launchFirefox(opts: LaunchFirefoxOptions): Promise<FirefoxSession> {
  const extensionDir = resolve(opts.extensionDir);
  const manifest = await readManifest(extensionDir);
  const ownsHome = opts.home === undefined;
  const home = opts.home ?? (await mkdtemp(join(tmpdir(), 'lesmodus-firefox-home-')));

  const cleanUpHome = async (): Promise<void> => {
    if (ownsHome) await rm(home, { recursive: true, force: true });
  };

  if (opts.managedStorage !== undefined) {
    const dir = join(home, '.mozilla', 'managed-storage');
    await mkdir(dir, { recursive: true });
    const nativeManifest = { name: GECKO_ID, description: 'e2e', type: 'storage', data: opts.managedStorage };
    await writeFile(join(dir, `${GECKO_ID}.json`), JSON.stringify(nativeManifest));
  }

  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_EXECUTABLE,
      headless: opts.headless ?? true,
      env: { ...process.env, HOME: home },
      ...signalHandling(opts.handleSignals),
      // Without it BiDi refuses to navigate to moz-extension:// pages.
      args: ['--remote-allow-system-access'],
      extraPrefsFirefox: {
        // Every host to loopback (unless realNetwork); the test server answers per Host header.
        'network.dns.forceResolve': opts.realNetwork ? '' : '127.0.0.1',
        'network.dns.disableIPv6': true,
        ...(opts.localHosts?.hosts.length
          ? { 'network.proxy.type': 2, 'network.proxy.autoconfig_url': `data:text/javascript,${encodeURIComponent(firefoxProxyScript(opts.localHosts))}` }
          : { 'network.proxy.type': 0 }),
        // Otherwise http://allowed.test is first tried over https.
        'dom.security.https_first': false,
        'dom.security.https_first_schemeless': false,
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_EXTENSION_UUID }),
        // Not `dom.securecontext.allowlist`: a page made a secure context that
        // way turns its http sub-resources into mixed content (images
        // upgraded to https and failing, scripts blocked). This pref only
        // exposes service workers on http pages (isSecureContext stays false).
        ...(opts.serviceWorkerOrigins?.length ? { 'dom.serviceWorkers.testing.enabled': true } : {}),
        ...opts.prefs,
      },
    });
  } catch (error) {
    await cleanUpHome();
    throw error;
  }

  try {
    const installedId = await browser.installExtension(extensionDir);
    if (installedId !== GECKO_ID) throw new Error(`Installed add-on id ${installedId}, expected ${GECKO_ID}`);
  } catch (error) {
    await browser.close();
    await cleanUpHome();
    throw error;
  }

  const origin = `moz-extension://${FIREFOX_EXTENSION_UUID}/`;
  const extensionUrl = (path: string): string => origin + path.replace(/^\//, '');
  let defaultPage: Page | undefined;

  const openExtensionPage = async (path: string): Promise<Page> => {
    const page = await browser.newPage();
    await bidiNavigate(page, extensionUrl(path));
    return page;
  };

  const extensionPage = async (path?: string): Promise<Page> => {
    if (path !== undefined) return openExtensionPage(path);
    if (defaultPage === undefined || defaultPage.isClosed()) {
      defaultPage = await openExtensionPage(defaultExtensionPage(manifest));
    }
    return defaultPage;
  };

  return {
    kind: 'firefox',
    browser,
    home,
    extensionUrl,
    extensionPage,
    goto: bidiNavigate,
    evalInExtension: async <T, A extends unknown[]>(fn: ExtensionFn<T, A>, ...args: A): Promise<Awaited<T>> => {
      const page = await extensionPage();
      return (await page.evaluate(fn as (...params: unknown[]) => T, ...args)) as Awaited<T>;
    },
    close: async () => {
      await browser.close();
      await cleanUpHome();
    },
  };
}
