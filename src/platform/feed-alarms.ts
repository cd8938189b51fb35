/**
 * Alarms of the class feed: the periodic poll on student devices and the
 * delivery retry on teacher devices. An alarm survives a stopped service
 * worker; for a retry due within seconds, a timer on top keeps it on time
 * (Chrome delays alarms to a 30-second granularity).
 */
import { browser } from './browser';

/** Chrome's shortest alarm period. */
const MIN_PERIOD_MINUTES = 0.5;
const timers = new Map<string, ReturnType<typeof setTimeout>>();

/** A periodic alarm every `seconds` (at least 30); replaced only when the period changed. */
export async function repeatEvery(name: string, seconds: number): Promise<void> {
  const periodInMinutes = Math.max(seconds / 60, MIN_PERIOD_MINUTES);
  const existing = await browser.alarms.get(name);
  if (existing?.periodInMinutes !== periodInMinutes) await browser.alarms.create(name, { periodInMinutes, delayInMinutes: periodInMinutes });
}

/** One alarm at `when` (epoch ms), replacing an earlier one of that name; null clears it. */
export async function alarmAt(name: string, when: number | null, now: number, onTimer: () => void): Promise<void> {
  const timer = timers.get(name);
  if (timer !== undefined) clearTimeout(timer);
  timers.delete(name);
  if (when === null) {
    await browser.alarms.clear(name);
    return;
  }
  await browser.alarms.create(name, { when: Math.max(when, now + 1000) });
  const delay = when - now;
  if (delay < 60_000) timers.set(name, setTimeout(onTimer, Math.max(0, delay) + 5));
}

export async function clearAlarm(name: string): Promise<void> {
  await alarmAt(name, null, 0, () => undefined);
}
