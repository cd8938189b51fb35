/**
 * The only import of webextension-polyfill in Lesmodus. Everything that
 * touches the browser goes through src/platform, so core stays pure and the
 * UI and background can be tested with fakes.
 */
import browser from 'webextension-polyfill';

export { browser };
export type { Runtime, Storage, DeclarativeNetRequest } from 'webextension-polyfill';

/** Which browser this build runs in, from the build-time flag. */
export const BROWSER: 'chrome' | 'firefox' = __BROWSER__;
