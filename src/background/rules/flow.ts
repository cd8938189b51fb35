/**
 * The one-way rules flow (DESIGN.md, "Architecture"):
 *
 *   storage.local -> resolve(now) -> compile() -> applyRules()
 *                 -> wake-up at the next change -> sweep open tabs
 *
 * Every input change, alarm and service-worker start calls refresh(). What
 * it keeps in memory (`current`) is a cache that the next refresh rebuilds;
 * nothing is lost when the browser stops the worker.
 */
import { compileWithReport } from '../../core/rules/compile';
import { decide, prepare, type PreparedRules } from '../../core/rules/decide';
import { resolve, type Resolution } from '../../core/rules/resolve';
import { alarmAt } from '../../platform/alarms';
import { applyRules } from '../../platform/dnr';
import { extensionUrl } from '../../platform/runtime';
import { navigateTab, openTabs } from '../../platform/tabs';
import { loadInputs, type LoadedInputs } from './inputs';

/** The alarm that wakes the flow when the rules next change. */
export const WAKE_ALARM = 'lesmodus-next-change';

export interface Current {
  readonly computedAt: number;
  readonly inputs: LoadedInputs;
  readonly resolution: Resolution;
  readonly prepared: PreparedRules;
  readonly ruleCount: number;
  readonly appliedAt: number | null;
  readonly ruleError: string | null;
}

let current: Current | null = null;
let running: Promise<Current> | null = null;
let again = false;

function blockedPageUrl(): string {
  return extensionUrl('blocked.html');
}

/** The blocked page for a blocked address: the address travels after '#', as the DNR redirect puts it. */
function blockedPageFor(url: string): string {
  return `${blockedPageUrl()}#${url}`;
}

/** Re-runs the flow; concurrent calls are folded into one more run. */
export function refresh(): Promise<Current> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    let result: Current;
    do {
      again = false;
      result = await runOnce();
    } while (again);
    return result;
  })().finally(() => {
    running = null;
  });
  return running;
}

/** The rules in force, refreshed first when the service worker has just started or a change is due. */
export async function ensureCurrent(now: number): Promise<Current> {
  if (current === null || (current.resolution.nextChange !== null && now >= current.resolution.nextChange)) return refresh();
  return current;
}

async function runOnce(): Promise<Current> {
  const inputs = await loadInputs();
  const now = Date.now();
  const resolution = resolve(inputs.resolve, now);
  const { rules, leftOut } = compileWithReport(resolution.rules, { blockedPageUrl: blockedPageUrl() });
  let ruleCount = current?.ruleCount ?? 0;
  let appliedAt = current?.appliedAt ?? null;
  let ruleError: string | null = null;
  try {
    const applied = await applyRules(rules);
    ruleCount = applied.count;
    if (applied.changed) appliedAt = now;
    if (applied.dropped.length > 0) ruleError = `the browser refused ${applied.dropped.length} pattern rule(s); the navigation check still covers them`;
    if (leftOut.length > 0) {
      const named = leftOut.slice(0, 5).join(', ');
      ruleError = `${leftOut.length} pattern(s) with a path, port, scheme or leading dot are over the browser's limit of regex rules and are checked by the navigation check only (${named}${leftOut.length > 5 ? ', …' : ''})`;
    }
  } catch (error) {
    ruleError = `rules could not be applied: ${error instanceof Error ? error.message : String(error)}`;
  }
  const prepared = prepare(resolution.rules);
  current = { computedAt: now, inputs, resolution, prepared, ruleCount, appliedAt, ruleError };
  await alarmAt(WAKE_ALARM, resolution.nextChange, now, () => void refresh());
  await sweep(prepared);
  return current;
}

/** The address a blocked page stands for, or null when `url` is not the blocked page. */
function blockedAddressOf(url: string): string | null {
  const base = blockedPageUrl();
  if (!url.startsWith(base)) return null;
  const hashAt = url.indexOf('#');
  return hashAt >= 0 ? url.slice(hashAt + 1) : null;
}

/**
 * Every open tab whose page is now blocked goes to the blocked page; every
 * blocked page whose address is allowed again goes back to it, so a class is
 * released when a lesson ends without anyone touching a laptop.
 */
async function sweep(prepared: PreparedRules): Promise<void> {
  const tabs = await openTabs();
  await Promise.all(
    tabs.map(async (tab) => {
      const original = blockedAddressOf(tab.url);
      if (original !== null) {
        if (original !== '' && decide(original, prepared, 'page').allowed) await navigateTab(tab.id, original);
        return;
      }
      // A tab still loading is judged by DNR and, when it commits, by the backstop; navigating it
      // here as well would abort a navigation that is already going to the right place.
      if (tab.loading) return;
      if (!decide(tab.url, prepared, 'page').allowed) await navigateTab(tab.id, blockedPageFor(tab.url));
    }),
  );
}

/** The navigation backstop: a page DNR did not stop (cached by a service worker, or a pushState) is sent to the blocked page. */
export async function checkNavigation(tabId: number, url: string, frame: 'page' | 'frame'): Promise<void> {
  if (frame !== 'page' || blockedAddressOf(url) !== null) return;
  const { prepared } = await ensureCurrent(Date.now());
  if (!decide(url, prepared, 'page').allowed) await navigateTab(tabId, blockedPageFor(url));
}
