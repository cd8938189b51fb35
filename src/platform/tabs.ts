/**
 * Tabs and navigation: the sweep of open tabs and the navigation backstop
 * for what declarativeNetRequest cannot see (in-page pushState navigations,
 * pages a site's service worker serves from its cache).
 */
import { browser } from './browser';

interface OpenTab {
  readonly id: number;
  /**
   * The address the tab shows: its committed page, also while that page is
   * still loading (a response still arriving, an image that never ends).
   */
  readonly url: string;
  /**
   * Where a navigation under way is going, before it commits; null when
   * none is, and always in Firefox, which does not say (there `url` stays
   * the page shown until the new one commits, as in Chromium).
   */
  readonly pendingUrl: string | null;
}

/** Every open tab with an address this extension can read. */
export async function openTabs(): Promise<OpenTab[]> {
  const tabs = await browser.tabs.query({});
  return tabs.flatMap((tab) => (tab.id !== undefined && tab.url ? [{ id: tab.id, url: tab.url, pendingUrl: tab.pendingUrl || null }] : []));
}

/** Navigates a tab; a tab closed meanwhile is no error. */
export async function navigateTab(tabId: number, url: string): Promise<void> {
  try {
    await browser.tabs.update(tabId, { url });
  } catch {
    // The tab was closed between the query and the update.
  }
}

/** Opens `url` in a new, active tab; resolves with the new tab's id (null when the browser gives none). */
export async function openTab(url: string): Promise<number | null> {
  const tab = await browser.tabs.create({ url, active: true });
  return tab.id ?? null;
}

/** A window a page opened as a popup (a sign-in dialog), a panel or developer tools: no address to type in. */
const NOT_A_BROWSER_WINDOW: ReadonlySet<string> = new Set(['popup', 'panel', 'devtools', 'app']);

/** The ids of every open tab in a normal browser window (tabs of popup windows left out). */
export async function browsingTabIds(): Promise<number[]> {
  const [tabs, windows] = await Promise.all([browser.tabs.query({}), browser.windows.getAll()]);
  const other = new Set(windows.filter((window) => window.type !== undefined && NOT_A_BROWSER_WINDOW.has(window.type)).map((window) => window.id));
  return tabs.flatMap((tab) => (tab.id !== undefined && !other.has(tab.windowId) ? [tab.id] : []));
}

/** A tab just created, as the tab limit judges it. */
export interface CreatedTab {
  readonly id: number;
  readonly windowId: number;
  readonly incognito: boolean;
}

/** Calls `listener` for every tab created (incognito ones only where the extension may run in incognito). */
export function onTabCreated(listener: (tab: CreatedTab) => void): void {
  browser.tabs.onCreated.addListener((tab) => {
    if (tab.id === undefined || tab.id < 0) return;
    listener({ id: tab.id, windowId: tab.windowId ?? -1, incognito: tab.incognito });
  });
}

/** True when `windowId` is a popup window a page opened (or a panel): no address bar to type in. */
export async function inPopupWindow(windowId: number): Promise<boolean> {
  try {
    const window = await browser.windows.get(windowId);
    return window.type !== undefined && NOT_A_BROWSER_WINDOW.has(window.type);
  } catch {
    return false;
  }
}

/** Closes a tab; one closed meanwhile is no error. */
export async function closeTab(tabId: number): Promise<void> {
  try {
    await browser.tabs.remove(tabId);
  } catch {
    // Closed already.
  }
}

/** Closes a window; one closed meanwhile is no error. */
export async function closeWindow(windowId: number): Promise<void> {
  try {
    await browser.windows.remove(windowId);
  } catch {
    // Closed already.
  }
}

/**
 * Closes the tab the calling extension page is in. `window.close()` is not
 * enough: Firefox refuses it for a tab the page did not open, even one whose
 * history holds only that page.
 */
export async function closeOwnTab(): Promise<void> {
  const tab = await browser.tabs.getCurrent();
  if (tab?.id !== undefined) await browser.tabs.remove(tab.id);
}

export async function activeTabUrl(): Promise<string | null> {
  const [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true });
  return tab?.url ?? null;
}

interface Navigation {
  readonly tabId: number;
  /** 0 for the tab's page; a frame's own id otherwise (an `<object>` or `<embed>` showing a page is a frame too). */
  readonly frameId: number;
  readonly url: string;
  readonly frame: 'page' | 'frame';
}

/**
 * Calls `listener` for navigations DNR may not have judged, of pages and
 * frames alike: committed navigations (a page or frame served by a site's
 * service worker never reaches the network, and a response that was under
 * way when the rules changed was judged by the old ones) and in-page
 * history changes. A navigation that is about to start is reported too, so
 * the background can refresh stale rules first.
 */
export function onNavigation(listener: (navigation: Navigation) => void, onStart: () => void): void {
  const forward = (details: { tabId: number; url: string; frameId: number }): void => {
    if (details.tabId < 0) return;
    listener({ tabId: details.tabId, frameId: details.frameId, url: details.url, frame: details.frameId === 0 ? 'page' : 'frame' });
  };
  browser.webNavigation.onCommitted.addListener(forward);
  browser.webNavigation.onHistoryStateUpdated.addListener(forward);
  browser.webNavigation.onReferenceFragmentUpdated.addListener(forward);
  browser.webNavigation.onBeforeNavigate.addListener(() => onStart());
}
