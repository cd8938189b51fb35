/**
 * A class pause over the pages already open: each is covered by the
 * teacher's message (src/content/pause-cover.ts) instead of being sent to
 * the blocked page, so a half-written answer is still there when the pause
 * ends, and nothing is reloaded. New pages are stopped by the pause's rule
 * (compile.ts) and land on the pause page.
 *
 * A page that cannot be covered (one no extension may script: an error
 * page, the PDF viewer in Firefox, a store) goes to the pause page as
 * before, and comes back when the pause ends.
 *
 * The covers end by themselves at the pause's end. When the teacher resumes
 * earlier, the rules flow takes them off: the tabs covered are kept in
 * storage.session with the pause's end, so a worker that started since still
 * knows them, and a page that comes back from the browser's back-forward
 * cache with its cover still on (the student went back and forth during the
 * pause) is uncovered when it shows again.
 */
import { z } from 'zod';
import type { Pause } from '../../core/rules/resolve';
import { SESSION_KEYS } from '../../core/state';
import { coverTab, uncoverTab, type CoverState } from '../../platform/cover';
import { t, uiLanguage } from '../../platform/i18n';
import { readSession, writeSession } from '../../platform/session-storage';
import { serialQueue } from '../serial';

/** Tab id -> the end of the pause that covered it. */
const CoversSchema = z.record(z.string(), z.number());
type Covers = z.infer<typeof CoversSchema>;

const queue = serialQueue();
/** What storage.session holds, read once per worker. */
let known: Covers | null = null;

function covers(): Promise<Covers> {
  if (known !== null) return Promise.resolve(known);
  return readSession(SESSION_KEYS.pauseCovers, CoversSchema, {}).then((read) => (known ??= read));
}

function update(change: (covers: Covers) => Covers): Promise<void> {
  return queue(async () => {
    const next = change({ ...(await covers()) });
    known = next;
    await writeSession({ [SESSION_KEYS.pauseCovers]: next });
  });
}

/** What the cover says, in the student's language (the browser's, as on the blocked page). */
export function coverState(pause: Pause, now: number): CoverState {
  const lang = uiLanguage().toLowerCase().startsWith('nl') ? 'nl' : 'en';
  const until = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(pause.until);
  return {
    lang,
    heading: t('blockedTitlePaused'),
    message: pause.message,
    until: t('blockedPauseUntil', until),
    note: t('pauseCoverNote'),
    remainingMs: pause.until - now,
  };
}

/** Covers the page of a tab for the pause. False when the page cannot be covered (the caller sends it to the pause page). */
export async function coverPage(tabId: number, pause: Pause, now: number): Promise<boolean> {
  if (!(await coverTab(tabId, coverState(pause, now)))) return false;
  if ((await covers())[String(tabId)] !== pause.until) await update((all) => ({ ...all, [String(tabId)]: pause.until }));
  return true;
}

/**
 * No pause any more: takes the covers off every tab one was put on. A tab is
 * remembered until its pause would have ended (its cover may come back from
 * the back-forward cache until then); after that the cover has gone by itself.
 */
export async function uncoverPages(now: number): Promise<void> {
  const all = await covers();
  const tabs = Object.keys(all);
  if (tabs.length === 0) return;
  await Promise.all(tabs.map((tab) => uncoverTab(Number(tab))));
  const stale = tabs.filter((tab) => all[tab]! <= now);
  if (stale.length > 0) await update((current) => Object.fromEntries(Object.entries(current).filter(([tab]) => !stale.includes(tab))));
}

/** A page of a tab that had a cover showed again with no pause on: its cover (back from the back-forward cache) goes. */
export async function uncoverShown(tabId: number, now: number): Promise<void> {
  const until = (await covers())[String(tabId)];
  if (until !== undefined && until > now) await uncoverTab(tabId);
}
