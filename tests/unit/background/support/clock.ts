/**
 * The test's clock. The background and the pages read Date.now(); a test
 * freezes it at a chosen instant and moves it with jest.setSystemTime, so
 * every time a test pins is exact. Timers stay real unless a test names the
 * ones to fake (a page's polling, say, which it then advances itself) —
 * WebCrypto and the in-memory browser answer on the real event loop.
 */
import { jest } from '@jest/globals';

type Timer = (typeof ALL)[number];
const ALL = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

/** Freezes Date.now() at `now`; the timers in `fake` are faked too (jest.advanceTimersByTime moves them, and the date with them). */
export function useClock(now: number, fake: readonly Timer[] = []): void {
  jest.useFakeTimers({ now, doNotFake: ALL.filter((api) => !(fake as readonly string[]).includes(api)) });
}
