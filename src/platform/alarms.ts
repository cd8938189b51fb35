/**
 * Named alarms: the rules' wake-up at their next change, the class feed's
 * poll and delivery retry, the policy's safety-net re-read. An alarm
 * survives a stopped service worker; for a wake-up due within minutes a
 * timer on top keeps it on time (Chrome delays alarms of packed extensions
 * to a 30-second granularity). The timer dies with the worker; the alarm
 * then wakes it.
 */
import { browser } from './browser';

/** Chrome's shortest alarm period. */
const MIN_PERIOD_MINUTES = 0.5;
/** Wake-ups closer than this also get a timer. */
const TIMER_WITHIN_MS = 10 * 60_000;
const timers = new Map<string, ReturnType<typeof setTimeout>>();

/**
 * One alarm at `when`, replacing an earlier one of that name; null clears it.
 * `when` and `now` are in the caller's time (which may differ from the
 * device's clock: see background/clock.ts): the alarm goes off when the
 * device's clock has moved on by `when - now`. `onTimer` runs when the timer
 * on top fires.
 */
export async function alarmAt(name: string, when: number | null, now: number, onTimer: () => void): Promise<void> {
  const timer = timers.get(name);
  if (timer !== undefined) clearTimeout(timer);
  timers.delete(name);
  if (when === null) {
    await browser.alarms.clear(name);
    return;
  }
  await browser.alarms.create(name, { when: Date.now() + Math.max(when - now, 1000) });
  const delay = when - now;
  if (delay < TIMER_WITHIN_MS) timers.set(name, setTimeout(onTimer, Math.max(0, delay) + 5));
}

export async function clearAlarm(name: string): Promise<void> {
  await alarmAt(name, null, 0, () => undefined);
}

/** A periodic alarm every `seconds` (at least 30); replaced only when the period changed. */
export async function repeatEvery(name: string, seconds: number): Promise<void> {
  const periodInMinutes = Math.max(seconds / 60, MIN_PERIOD_MINUTES);
  const existing = await browser.alarms.get(name);
  if (existing?.periodInMinutes !== periodInMinutes) await browser.alarms.create(name, { periodInMinutes, delayInMinutes: periodInMinutes });
}

/** Calls `listener` when any alarm fires; call at the top level of the service worker. */
export function onAnyAlarm(listener: () => void): void {
  browser.alarms.onAlarm.addListener(() => listener());
}

/** Calls `listener` when the alarm `name` fires; call at the top level of the service worker. */
export function onAlarm(name: string, listener: () => void): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === name) listener();
  });
}
