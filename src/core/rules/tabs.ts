/**
 * The tab limit and a test's closed doors (docs/design.md, "Tab limit and
 * tests"). Pure: the background (background/rules/tabs.ts) reads the open
 * tabs, asks these functions what to do, and does it.
 *
 * What the limit means: while a lesson with a limit of N is in force, at
 * most N tabs are open — counting the tabs that were open when the lesson
 * took effect. Those are kept, never closed, even when there are more of
 * them than N; a new tab is let in only while fewer than N of the tabs that
 * count are open, so a student makes room by closing one. A tab beyond the
 * limit is refused: it shows a notice naming the lesson and the limit,
 * which is all it can show until it is closed. At most one such notice is
 * open: a newer one replaces it (the older notice tab is closed; it showed
 * nothing but the notice).
 *
 * What does not count: tabs Lesmodus opens itself (a class lesson's start
 * page), the notice, and tabs of windows a page opened as a popup (a
 * sign-in dialog), whose address cannot be typed in.
 *
 * A test is the limit at its strictest, {@link TEST_TAB_LIMIT}: with one tab
 * open, no other can be opened, in this window or a new one (a new window
 * opens with a tab, which is refused). An incognito window is closed
 * outright where the browser lets Lesmodus see it: an extension page cannot
 * show a notice in one reliably.
 */
/** What the guard reads of a lesson (resolve.ts's ActiveLesson has these fields; named here, since resolve imports this module). */
interface LessonRestrictions {
  readonly tabLimit?: number;
  readonly test?: boolean;
}

interface LessonIdentity {
  readonly origin: string;
  readonly id: string;
  readonly startsAt: number | null;
  readonly classId?: string;
}

/** The tab limit of a test: one tab (those open before it are kept). */
export const TEST_TAB_LIMIT = 1;

/** The most tabs open while `lesson` is in force; null: no limit. A test is always at its strictest. */
export function effectiveTabLimit(lesson: LessonRestrictions | null): number | null {
  if (lesson === null) return null;
  if (lesson.test === true) return TEST_TAB_LIMIT;
  return lesson.tabLimit ?? null;
}

/** Which lesson a guard belongs to: a lesson changed while it runs (its sites, its end) is the same lesson. */
export function lessonKeyOf(lesson: LessonIdentity): string {
  return JSON.stringify([lesson.origin, lesson.classId ?? '', lesson.id, lesson.startsAt]);
}

/** A lesson with a tab limit, as the guard needs it. */
export interface LimitedLesson {
  readonly key: string;
  readonly title: string;
  readonly limit: number;
  readonly test: boolean;
}

/**
 * What the background keeps while a lesson with a tab limit is in force
 * (storage.session: a restarted worker keeps it; a restarted browser, whose
 * tab ids are new, starts again from the tabs it restored).
 */
export interface TabGuard extends LimitedLesson {
  /** The tabs that count: open when the lesson took effect, or let in since. */
  readonly counted: readonly number[];
  /** The tab that shows the notice; null when none does. */
  readonly notice: number | null;
}

/** `guard` with only the tabs still open. */
function pruned(guard: TabGuard, open: ReadonlySet<number>): TabGuard {
  const counted = guard.counted.filter((id) => open.has(id));
  const notice = guard.notice !== null && open.has(guard.notice) ? guard.notice : null;
  return counted.length === guard.counted.length && notice === guard.notice ? guard : { ...guard, counted, notice };
}

/**
 * The guard for the lesson in force: none without a limit (everything is
 * free again); the same one, with the lesson's current limit, while the
 * same lesson goes on; a new one, counting every tab open now, when another
 * lesson took effect.
 */
export function guardFor(previous: TabGuard | null, lesson: LimitedLesson | null, openTabs: readonly number[]): TabGuard | null {
  if (lesson === null) return null;
  const open = new Set(openTabs);
  if (previous !== null && previous.key === lesson.key) {
    const kept = pruned(previous, open);
    return kept.limit === lesson.limit && kept.title === lesson.title && kept.test === lesson.test ? kept : { ...kept, ...lesson };
  }
  return { ...lesson, counted: [...open], notice: null };
}

/** A tab the browser just created. */
export interface NewTab {
  readonly id: number;
  readonly incognito: boolean;
  /** In a window a page opened as a popup (no address to type in). */
  readonly inPopup: boolean;
  /** Opened by Lesmodus itself (a class lesson's start page). */
  readonly own: boolean;
}

export type TabVerdict =
  /** It may stay (and counts, unless it is in a popup window). */
  | { readonly kind: 'admit' }
  /** Beyond the limit: it shows the notice; the older notice tab, if any, is closed. */
  | { readonly kind: 'refuse'; readonly closeNotice: number | null }
  /** Beyond the limit in an incognito window, where no notice can be shown: the tab is closed. */
  | { readonly kind: 'close' }
  /** A test, and a private window: the window is closed. */
  | { readonly kind: 'close-window' };

/** What happens to a tab created while `guard` is in force, and the guard after it. `openTabs` are the ids of every tab open now. */
export function judgeNewTab(guard: TabGuard, tab: NewTab, openTabs: readonly number[]): { verdict: TabVerdict; guard: TabGuard } {
  const current = pruned(guard, new Set(openTabs));
  if (tab.incognito && current.test) return { verdict: { kind: 'close-window' }, guard: current };
  if (tab.inPopup || current.counted.includes(tab.id) || tab.id === current.notice) return { verdict: { kind: 'admit' }, guard: current };
  if (tab.own || current.counted.length < current.limit) return { verdict: { kind: 'admit' }, guard: { ...current, counted: [...current.counted, tab.id] } };
  if (tab.incognito) return { verdict: { kind: 'close' }, guard: current };
  return { verdict: { kind: 'refuse', closeNotice: current.notice }, guard: { ...current, notice: tab.id } };
}

/** True when a navigation of `tabId` to `url` must be sent back to the notice: the notice tab shows nothing else. */
export function leavesNotice(guard: TabGuard | null, tabId: number, url: string, noticePage: string): boolean {
  return guard !== null && guard.notice === tabId && !url.startsWith(noticePage);
}

/** The notice page's address for `guard`: the page words the notice from what it carries. */
export function noticeAddress(noticePage: string, guard: LimitedLesson): string {
  const query = new URLSearchParams({ lesson: guard.title, limit: String(guard.limit), ...(guard.test ? { test: '1' } : {}) });
  return `${noticePage}?${query.toString()}`;
}

/** What the notice page reads from its address; null parts when the address does not carry them. */
export function readNoticeAddress(search: string): { readonly lesson: string | null; readonly limit: number | null; readonly test: boolean } {
  const query = new URLSearchParams(search);
  const limit = Number(query.get('limit'));
  return { lesson: query.get('lesson'), limit: Number.isInteger(limit) && limit > 0 ? limit : null, test: query.get('test') === '1' };
}
