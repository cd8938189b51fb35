/**
 * The device's two clocks: the wall clock, which the person at the device
 * may be able to set, and a monotonic clock, which nobody sets but which
 * stops while the device sleeps on some systems (ChromeOS, Linux, macOS)
 * and starts again with every service worker. core/rules/clock.ts decides
 * what they mean together.
 */

export interface DeviceClock {
  /** ms since 1970, as the device's clock says. */
  readonly wall: number;
  /** ms since this worker started, never set back. */
  readonly monotonic: number;
}

export function readDeviceClock(): DeviceClock {
  return { wall: Date.now(), monotonic: performance.now() };
}
