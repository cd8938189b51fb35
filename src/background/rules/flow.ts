/**
 * The one-way rules flow (docs/design.md, "Architecture"):
 *
 *   storage.local -> resolve(now) -> compile() -> applyRules()
 *                 -> wake-up at the next change -> sweep open tabs
 *
 * One pass per change: an input change (a storage event, or the writer
 * saying what it wrote), the wake-up at the next change and every
 * service-worker start run the flow; changes that arrive while it runs fold
 * into one more run; a run that finds every input as it was, and no change
 * due, does nothing. When the effective rules come out as they were (a
 * preset saved, the policy re-checked), nothing is compiled, applied or
 * swept again. Who needs to know — the class feed — subscribes to the
 * passes (onFlowPass) instead of listening to storage a second time.
 *
 * What it keeps in memory (`current`) is a cache that the next run
 * rebuilds; nothing is lost when the browser stops the worker.
 */
import { compileWithReport } from '../../core/rules/compile';
import { decide, prepare, type PreparedRules } from '../../core/rules/decide';
import { resolve, type EffectiveRules, type Resolution } from '../../core/rules/resolve';
import { alarmAt } from '../../platform/alarms';
import { applyRules } from '../../platform/dnr';
import { extensionUrl } from '../../platform/runtime';
import { navigateTab, openTabs } from '../../platform/tabs';
import { trustedNow } from '../clock';
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

/** Called after every flow pass with its result and the one before (null on the worker's first). */
type FlowListener = (current: Current, previous: Current | null) => void;

let current: Current | null = null;
let running: Promise<Current> | null = null;
let again = false;
/** Inputs changed since they were last read; null: read every input (a fresh worker). */
let changedKeys: Set<string> | null = null;
/** Resolve again even when no input changed: the time has come for the next change. */
let due = false;
/** The rules last compiled and applied without error, to skip compiling and applying the same again. */
let applied: { readonly rules: EffectiveRules; readonly prepared: PreparedRules } | null = null;
const listeners: FlowListener[] = [];

function blockedPageUrl(): string {
  return extensionUrl('blocked.html');
}

/** The blocked page for a blocked address: the address travels after '#', as the DNR redirect puts it. */
function blockedPageFor(url: string): string {
  return `${blockedPageUrl()}#${url}`;
}

/** Subscribes to flow passes; call at the top level of the service worker. */
export function onFlowPass(listener: FlowListener): void {
  listeners.push(listener);
}

function run(): Promise<Current> {
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

/**
 * `keys` of storage.local changed (a storage event, or the code that wrote
 * them): runs the flow over them. Resolves with the rules in force once the
 * change is in them.
 */
export function inputsChanged(keys: readonly string[]): Promise<Current> {
  if (changedKeys !== null) for (const key of keys) changedKeys.add(key);
  return run();
}

/** Runs the flow now, at the current time (the wake-up at the next change). */
export function refresh(): Promise<Current> {
  due = true;
  return run();
}

/** The rules in force, refreshed first when the service worker has just started or a change is due. */
export async function ensureCurrent(now: number): Promise<Current> {
  if (current === null || (current.resolution.nextChange !== null && now >= current.resolution.nextChange)) return refresh();
  return current;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/** Equal effective rules; IT's lists are compared by identity first (an unchanged policy is the same object). */
function sameRules(a: EffectiveRules, b: EffectiveRules): boolean {
  if (a.paused !== b.paused || !sameList(a.itAllowed, b.itAllowed) || !sameList(a.itBlocked, b.itBlocked) || !sameList(a.itEmbeds, b.itEmbeds) || !sameList(a.exceptions, b.exceptions)) {
    return false;
  }
  if (a.lesson === null || b.lesson === null) return a.lesson === b.lesson;
  return a.lesson.mode === b.lesson.mode && sameList(a.lesson.sites, b.lesson.sites) && sameList(a.lesson.embeds, b.lesson.embeds);
}

async function runOnce(): Promise<Current> {
  const keys = changedKeys === null ? null : [...changedKeys];
  changedKeys = new Set();
  // Never the device's clock as it is: a clock set back must not end a lesson (background/clock.ts).
  const now = await trustedNow();
  const timeDue = due || current === null || (current.resolution.nextChange !== null && now >= current.resolution.nextChange);
  due = false;
  let loaded: { inputs: LoadedInputs; changed: boolean };
  try {
    loaded = await loadInputs(keys);
  } catch (error) {
    // Read again next time: what this run was to read is not lost.
    changedKeys = keys === null ? null : new Set([...keys, ...changedKeys]);
    throw error;
  }
  // Nothing new, nothing due, and the rules in force as they should be: nothing to do.
  if (current !== null && !loaded.changed && !timeDue && applied !== null) return current;

  const { inputs } = loaded;
  const resolution = resolve(inputs.resolve, now);
  const previous = current;
  let ruleCount = previous?.ruleCount ?? 0;
  let appliedAt = previous?.appliedAt ?? null;
  let ruleError = previous?.ruleError ?? null;
  let prepared: PreparedRules;
  const rulesChanged = applied === null || !sameRules(applied.rules, resolution.rules);
  if (rulesChanged) {
    const { rules, leftOut } = compileWithReport(resolution.rules, { blockedPageUrl: blockedPageUrl() });
    ruleError = null;
    try {
      const result = await applyRules(rules);
      ruleCount = result.count;
      if (result.changed) appliedAt = now;
      applied = { rules: resolution.rules, prepared: prepare(resolution.rules) };
      if (result.dropped.length > 0) ruleError = `the browser refused ${result.dropped.length} pattern rule(s); the navigation check still covers them`;
      if (leftOut.length > 0) {
        const named = leftOut.slice(0, 5).join(', ');
        ruleError = `${leftOut.length} pattern(s) with a path, port, scheme or leading dot are over the browser's limit of regex rules and are checked by the navigation check only (${named}${leftOut.length > 5 ? ', …' : ''})`;
      }
    } catch (error) {
      // Tried again on the next pass.
      applied = null;
      ruleError = `rules could not be applied: ${error instanceof Error ? error.message : String(error)}`;
    }
    // Prepared after the rules went to the browser: the navigation check is the backstop, DNR comes first.
    prepared = applied?.prepared ?? prepare(resolution.rules);
  } else {
    prepared = applied!.prepared;
  }
  current = { computedAt: now, inputs, resolution, prepared, ruleCount, appliedAt, ruleError };
  await alarmAt(WAKE_ALARM, resolution.nextChange, now, () => void refresh());
  // Open tabs are judged again when the rules changed, and once by every new worker (tabs may have changed while none ran).
  if (rulesChanged || previous === null) await sweep(prepared);
  for (const listener of listeners) {
    try {
      listener(current, previous);
    } catch (error) {
      console.warn('Lesmodus: a listener of the rules flow failed', error);
    }
  }
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
  const { prepared } = await ensureCurrent(await trustedNow());
  if (!decide(url, prepared, 'page').allowed) await navigateTab(tabId, blockedPageFor(url));
}
