/**
 * When the popup has to be drawn again by itself: the countdown's next step
 * (each minute, each second only in the last one), and every instant at which
 * something shown starts or ends — the rules' next change, a pause, a site let
 * through, a class's published lesson or pause. In between nothing on screen
 * changes, so the popup does not re-render every second.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import { timeLeft } from '../shared/text';

/** The first instant after `now` at which the popup shows something else; null when nothing is due. */
export function nextRedraw(status: Status | null, now: number): number | null {
  if (status === null) return null;
  let next: number | null = null;
  const add = (at: number | null | undefined): void => {
    if (at != null && at > now && (next === null || at < next)) next = at;
  };
  add(status.nextChange);
  const endsAt = status.active?.endsAt;
  if (endsAt != null && endsAt > now) {
    const step = timeLeft(endsAt - now).changesIn;
    add(step === null ? endsAt : now + step);
  }
  add(status.pause?.until);
  for (const exception of status.exceptions) add(exception.until);
  for (const published of status.published ?? []) {
    add(published.lesson?.startsAt);
    add(published.lesson?.endsAt);
    add(published.pause?.startsAt);
    add(published.pause?.until);
  }
  return next;
}

/** How often the clock is read. Reading it is cheap; only a due redraw re-renders. */
const CHECK_MS = 1000;

/**
 * The time to draw the popup for, read at each render, and a redraw once
 * `dueAfter(that time)` has come (`dueAfter` may change from render to
 * render, with a new status). The clock is checked every second rather than
 * waited for with one long timeout, so a computer woken from sleep or a
 * clock set forward is noticed within a second; only a due redraw renders.
 */
export function useRedrawClock(clock: () => number, dueAfter: (now: number) => number | null): number {
  const [, redraw] = useState(0);
  const now = clock();
  const due = useRef<number | null>(null);
  due.current = dueAfter(now);
  useEffect(() => {
    const timer = setInterval(() => {
      const at = due.current;
      if (at !== null && clock() >= at) redraw((count) => count + 1);
    }, CHECK_MS);
    return () => clearInterval(timer);
  }, [clock]);
  return now;
}
