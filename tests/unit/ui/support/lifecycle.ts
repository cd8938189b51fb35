import { afterEach, beforeEach, jest } from '@jest/globals';
import { setMessageSource } from '../../../../src/ui/shared/text';
import { useClock } from '../../background/support/clock';
import { preparePage } from './axe';
import { localeSource } from './locale';

/**
 * Each test of a page over the real background: before it, the clock at
 * `t0`, English messages (a test may switch) and an empty page ready for
 * axe; after it, the page emptied, `stop` (the test's background stopped)
 * and real timers back.
 */
export function eachPageTest(t0: number, stop: () => Promise<void>): void {
  beforeEach(() => {
    useClock(t0);
    setMessageSource(localeSource('en'));
    preparePage();
  });
  afterEach(async () => {
    document.body.innerHTML = '';
    await stop();
    jest.useRealTimers();
  });
}
