/**
 * Wakes the background when the rules next change. The alarm survives a
 * stopped service worker; a timer on top makes short waits exact (Chrome may
 * delay alarms of packed extensions to 30 s granularity).
 */
import { browser } from './browser';

const ALARM = 'lesmodus-next-change';
let timer: ReturnType<typeof setTimeout> | null = null;

/** Schedules one wake-up at `when` (epoch ms), replacing any earlier one; null clears it. */
export async function wakeAt(when: number | null, now: number, onTimer: () => void): Promise<void> {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  if (when === null) {
    await browser.alarms.clear(ALARM);
    return;
  }
  await browser.alarms.create(ALARM, { when: Math.max(when, now + 1000) });
  const delay = when - now;
  if (delay < 10 * 60 * 1000) timer = setTimeout(onTimer, Math.max(0, delay) + 5);
}

/** Calls `listener` when the wake-up alarm fires. */
export function onWake(listener: () => void): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === ALARM) listener();
  });
}

/** A periodic alarm (at least 30 s in Chrome). */
export async function every(name: string, periodInMinutes: number): Promise<void> {
  const existing = await browser.alarms.get(name);
  if (!existing || existing.periodInMinutes !== periodInMinutes) await browser.alarms.create(name, { periodInMinutes });
}

export function onAlarm(name: string, listener: () => void): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === name) listener();
  });
}
