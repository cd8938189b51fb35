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
import { judgedAddress } from '../../core/rules/patterns';
import { decide, prepare, shownAddress, withoutPause, type NavigationKind, type PreparedRules } from '../../core/rules/decide';
import { resolve, type EffectiveRules, type Pause, type Resolution } from '../../core/rules/resolve';
import { alarmAt } from '../../platform/alarms';
import { BROWSER } from '../../platform/browser';
import { applyRules } from '../../platform/dnr';
import { navigateFrame, tabFrames } from '../../platform/frames';
import { extensionUrl } from '../../platform/runtime';
import { navigateTab, openTabs } from '../../platform/tabs';
import { trustedNow } from '../clock';
import { coverPage, uncoverPages, uncoverShown } from './cover';
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
/** The new values storage events brought for changed keys: no need to read those again. */
const reported = new Map<string, unknown>();
/** Resolve again even when no input changed: the time has come for the next change. */
let due = false;
/** The rules last compiled and applied without error, to skip compiling and applying the same again. */
let applied: { readonly rules: EffectiveRules; readonly prepared: PreparedRules } | null = null;
const listeners: FlowListener[] = [];

function blockedPageUrl(): string {
  return extensionUrl('blocked.html');
}

/**
 * The blocked page for a blocked address: the address travels after '#', as
 * the DNR redirect puts it. For `view-source:URL` that is URL, the address
 * the tab would have shown.
 */
function blockedPageFor(url: string): string {
  return `${blockedPageUrl()}#${shownAddress(url)}`;
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
 * `keys` of storage.local changed: runs the flow over them. Resolves with the
 * rules in force once the change is in them. A storage event passes the new
 * values it carries (`values`), which are then not read again — a new
 * 50,000-entry policy is not read back right after it arrived; the code that
 * wrote a key passes none, and the key is read. (Storage events arrive in
 * the order of the writes, and before the answer to any later read, so the
 * newest value seen is the one in storage.)
 */
export function inputsChanged(keys: readonly string[], values?: Readonly<Record<string, unknown>>): Promise<Current> {
  if (changedKeys !== null) {
    for (const key of keys) {
      changedKeys.add(key);
      if (values !== undefined && key in values) reported.set(key, values[key]);
      else reported.delete(key);
    }
  }
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
  // The test flag is compared although compile() does not read it yet: what a test blocks may depend on it.
  if (a.paused !== b.paused || a.test !== b.test || !sameList(a.itAllowed, b.itAllowed) || !sameList(a.itBlocked, b.itBlocked) || !sameList(a.itEmbeds, b.itEmbeds) || !sameList(a.exceptions, b.exceptions)) {
    return false;
  }
  if (a.lesson === null || b.lesson === null) return a.lesson === b.lesson;
  return a.lesson.mode === b.lesson.mode && sameList(a.lesson.sites, b.lesson.sites) && sameList(a.lesson.embeds, b.lesson.embeds);
}

function samePause(a: Pause | null, b: Pause | null): boolean {
  return a === b || (a !== null && b !== null && a.message === b.message && a.until === b.until && a.startsAt === b.startsAt);
}

async function runOnce(): Promise<Current> {
  const keys = changedKeys === null ? null : [...changedKeys];
  // A fresh worker reads everything; what events reported before is in that read.
  const known = keys === null ? new Map<string, unknown>() : new Map(reported);
  reported.clear();
  changedKeys = new Set();
  // Never the device's clock as it is: a clock set back must not end a lesson (background/clock.ts).
  const now = await trustedNow();
  const timeDue = due || current === null || (current.resolution.nextChange !== null && now >= current.resolution.nextChange);
  due = false;
  let loaded: { inputs: LoadedInputs; changed: boolean };
  try {
    loaded = await loadInputs(keys, known);
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
    // Firefox's rules read `example.com.` as another host than `example.com`: its build lists both.
    const { rules, leftOut } = compileWithReport(resolution.rules, { blockedPageUrl: blockedPageUrl(), domainsWithTrailingDot: BROWSER === 'firefox', decodeBy: BROWSER === 'firefox' ? 'blocked-page' : 'redirect' });
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
  // Open tabs are judged again when the rules changed, and once by every new worker (tabs may
  // have changed while none ran); a new pause message or end reaches the covers the same way.
  if (rulesChanged || previous === null || !samePause(previous.resolution.pause, resolution.pause)) await sweep(prepared, resolution.pause, now);
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
 * Per tab, the address it was last sent back to from the blocked page, and
 * under which rules. Were the browser's rules to block an address decide()
 * allows (a rule the browser refused, say), the tab would be sent back and
 * forth for ever; it is sent back once per address and rules instead. A
 * cache only: a new worker may send a tab back once more.
 */
const sentBack = new Map<number, { readonly address: string; readonly prepared: PreparedRules }>();

/**
 * Sends a tab on the blocked page back to the address it stands for, when
 * the rules allow that address now. Only a web address, never one a page
 * wrote there itself: blocked.html is open to every web page, so
 * `blocked.html#chrome://settings/` or `#file:///…` can be anyone's doing.
 */
async function sendBack(tabId: number, original: string, prepared: PreparedRules): Promise<void> {
  if (!/^https?:\/\//i.test(original)) return;
  const verdict = decide(original, prepared, 'page');
  if (!verdict.allowed || verdict.reason === 'not-web') return;
  // In its decoded spelling: Firefox's rules send an address with an encoded letter here (core/rules/compile.ts, decodeBy).
  const address = judgedAddress(original);
  const last = sentBack.get(tabId);
  if (last !== undefined && last.address === address && last.prepared === prepared) return;
  sentBack.set(tabId, { address, prepared });
  await navigateTab(tabId, address);
}

/**
 * A page the rules no longer allow: during a class pause, a page the rules
 * beneath it allow is covered where it is (its work kept; see cover.ts);
 * any other page, and one that cannot be covered, goes to the blocked page.
 * True when the page stays (covered).
 */
async function giveWay(tabId: number, url: string, prepared: PreparedRules, pause: Pause | null, now: number): Promise<boolean> {
  const covered = pause !== null && prepared.paused && decide(url, withoutPause(prepared), 'page').allowed && (await coverPage(tabId, pause, now));
  if (!covered) await navigateTab(tabId, blockedPageFor(url));
  return covered;
}

/**
 * Every open tab whose page is now blocked goes to the blocked page (during
 * a pause, an allowed page is covered instead: giveWay()); every
 * blocked page whose address is allowed again goes back to it, so a class is
 * released when a lesson ends without anyone touching a laptop; and every
 * frame of a page that stays, whose site is now blocked, shows the blocked
 * notice. With no pause on, the covers of one that ended go.
 *
 * A page is judged by what the tab shows, loading or not: a page whose
 * response was still arriving, or whose images were still loading, when
 * the rules changed is on screen all the same. A navigation under way
 * (Chromium names it, `pendingUrl`) is left to go on: the rules in force
 * judge its request, and the backstop its commit (when its response was
 * already arriving); only a blocked page it is about to show for an address
 * allowed now is sent back at once.
 */
async function sweep(prepared: PreparedRules, pause: Pause | null, now: number): Promise<void> {
  if (pause === null) await uncoverPages(now);
  const tabs = await openTabs();
  await Promise.all(
    tabs.map(async (tab) => {
      if (tab.pendingUrl !== null && tab.pendingUrl !== tab.url) {
        const pending = blockedAddressOf(tab.pendingUrl);
        if (pending !== null) await sendBack(tab.id, pending, prepared);
        return;
      }
      const original = blockedAddressOf(tab.url);
      if (original !== null) {
        await sendBack(tab.id, original, prepared);
        return;
      }
      if (!decide(tab.url, prepared, 'page').allowed) {
        // A covered page stays: its frames are judged as any page's.
        if (!(await giveWay(tab.id, tab.url, prepared, pause, now))) return;
      }
      for (const frame of await tabFrames(tab.id)) {
        if (blockedAddressOf(frame.url) === null && !decide(frame.url, prepared, 'frame').allowed) await navigateFrame(tab.id, frame.frameId, blockedPageFor(frame.url));
      }
    }),
  );
}

/**
 * The rules to judge a navigation by: those of the pass under way when one
 * is (a navigation that commits while a lesson starts or ends is judged by
 * the new rules, not the ones being replaced), else the rules in force.
 */
function rulesToJudgeBy(): Promise<Current> {
  return running ?? trustedNow().then(ensureCurrent);
}

/**
 * The navigation backstop, for pages and frames: what DNR did not stop (a
 * page or frame a site's service worker served, a pushState, a response
 * that was already arriving when the rules changed, a view-source: load,
 * which Firefox's rules never see) goes to the blocked page, or for a frame
 * to the blocked page's one-line notice. A blocked page that commits while
 * its address is allowed (the lesson ended while it was on its way) goes
 * back to that address. During a class pause a page that commits (one that
 * was on its way when the pause began, or back from the back-forward cache)
 * is covered like the pages already open.
 */
export async function checkNavigation(tabId: number, url: string, frame: NavigationKind, frameId = 0): Promise<void> {
  const original = blockedAddressOf(url);
  // A frame's notice stays: the page around it decides when it is opened again.
  if (original !== null && frame === 'frame') return;
  const { prepared, resolution } = await rulesToJudgeBy();
  if (original !== null) {
    await sendBack(tabId, original, prepared);
    return;
  }
  if (decide(url, prepared, frame).allowed) {
    if (frame === 'page' && !prepared.paused) await uncoverShown(tabId, await trustedNow());
    return;
  }
  if (frame === 'page') await giveWay(tabId, url, prepared, resolution.pause, await trustedNow());
  else await navigateFrame(tabId, frameId, blockedPageFor(url));
}
