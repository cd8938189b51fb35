/**
 * The tab limit and a test's closed doors in the browser (the decisions are
 * core/rules/tabs.ts's): after every flow pass the guard follows the lesson
 * in force — counting the tabs open when a lesson with a limit took effect,
 * dropped when it ends — and every tab the browser creates is judged by it.
 * The guard lives in storage.session, so a worker the browser stopped and
 * started again still knows which tabs were open before the lesson.
 *
 * A refused tab is not closed at once: it shows the notice page, which
 * names the lesson and the limit and offers to close the tab. Closing the
 * tab a student just opened, with no word why, looks like a broken browser;
 * and navigating a tab to an extension page works the same in Chromium and
 * Firefox, where a notification would need a permission of its own.
 */
import { z } from 'zod';
import { SESSION_KEYS } from '../../core/state';
import { guardFor, judgeNewTab, leavesNotice, lessonKeyOf, noticeAddress, type LimitedLesson, type TabGuard } from '../../core/rules/tabs';
import { extensionUrl } from '../../platform/runtime';
import { readSession, removeSession, writeSession } from '../../platform/session-storage';
import { browsingTabIds, closeTab, closeWindow, inPopupWindow, navigateTab, openTab, type CreatedTab } from '../../platform/tabs';
import { trustedNow } from '../clock';
import { serialQueue } from '../serial';
import { ensureCurrent, type Current } from './flow';

/** The notice a refused tab shows. */
export const NOTICE_PAGE = 'tab-limit.html';

const TabId = z.number().int();
const StoredGuard = z
  .object({
    key: z.string(),
    title: z.string(),
    limit: z.number().int().min(1),
    test: z.boolean(),
    counted: z.array(TabId),
    notice: TabId.nullable(),
  })
  .nullable();

const serially = serialQueue();

/** Tabs Lesmodus is opening itself, until the browser names them; and those it opened. */
const opening = new Set<Promise<number | null>>();
const ownTabs = new Set<number>();

function noticePage(): string {
  return extensionUrl(NOTICE_PAGE);
}

/** The lesson in force with its tab limit, or null when there is none. */
function limitedLesson(current: Current): LimitedLesson | null {
  const { active, rules } = current.resolution;
  if (active === null || rules.tabLimit === null) return null;
  return { key: lessonKeyOf(active), title: active.title, limit: rules.tabLimit, test: rules.test };
}

async function storedGuard(): Promise<TabGuard | null> {
  return readSession(SESSION_KEYS.tabGuard, StoredGuard, null);
}

async function store(before: TabGuard | null, after: TabGuard | null): Promise<void> {
  if (after === before) return;
  if (after === null) await removeSession([SESSION_KEYS.tabGuard]);
  else await writeSession({ [SESSION_KEYS.tabGuard]: after });
}

/** The guard for the rules in force, stored; `newTab` (being judged) is not among the tabs open before. */
async function follow(current: Current, newTab?: number): Promise<TabGuard | null> {
  const before = await storedGuard();
  const lesson = limitedLesson(current);
  const open = lesson === null ? [] : (await browsingTabIds()).filter((id) => id !== newTab);
  const after = guardFor(before, lesson, open);
  await store(before, after);
  return after;
}

/** After every flow pass: the guard follows the lesson in force (and goes when it ends: everything is free again). */
export function followLesson(current: Current): Promise<void> {
  return serially(async () => {
    await follow(current);
  });
}

/** Judges a tab the browser created, and refuses or closes it when it is beyond the limit. */
export function tabCreated(tab: CreatedTab): Promise<void> {
  return serially(async () => {
    const current = await ensureCurrent(await trustedNow());
    const guard = await follow(current, tab.id);
    if (guard === null) return;
    // A tab Lesmodus is opening may be reported before the browser tells the opener its id.
    if (opening.size > 0) await Promise.allSettled([...opening]);
    const [open, inPopup] = await Promise.all([browsingTabIds(), inPopupWindow(tab.windowId)]);
    const { verdict, guard: after } = judgeNewTab(guard, { id: tab.id, incognito: tab.incognito, inPopup, own: ownTabs.has(tab.id) }, open);
    await store(guard, after);
    switch (verdict.kind) {
      case 'admit':
        return;
      case 'refuse':
        await navigateTab(tab.id, noticeAddress(noticePage(), after));
        if (verdict.closeNotice !== null) await closeTab(verdict.closeNotice);
        return;
      case 'close':
        await closeTab(tab.id);
        return;
      case 'close-window':
        await closeWindow(tab.windowId);
        return;
    }
  });
}

/** A navigation committed in a tab: the notice tab goes back to the notice (it is there to be closed, not used). */
export function tabNavigated(tabId: number, url: string, frame: 'page' | 'frame'): Promise<void> {
  if (frame !== 'page') return Promise.resolve();
  return serially(async () => {
    const guard = await storedGuard();
    if (guard !== null && leavesNotice(guard, tabId, url, noticePage())) await navigateTab(tabId, noticeAddress(noticePage(), guard));
  });
}

/**
 * Opens a tab for Lesmodus itself (a class lesson's start page): it is let
 * in whatever the limit, since the lesson asked for it.
 */
export async function openOwnTab(url: string): Promise<void> {
  const opened = openTab(url).then((id) => {
    if (id !== null) ownTabs.add(id);
    return id;
  });
  opening.add(opened);
  try {
    await opened;
  } finally {
    opening.delete(opened);
  }
}
