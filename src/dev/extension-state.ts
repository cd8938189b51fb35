/**
 * The extension's state, read and written from outside the way the
 * extension itself stores it: storage.local and the dynamic rules, in
 * Chromium (service worker) and Firefox (an extension page) alike. Firefox
 * also offers the `chrome` namespace, with promises in Manifest V3.
 */
import type { Lesson } from '../core/schemas';
import { SECOND_COPY } from '../core/state';
import type { ExtensionSession } from './browsers';

/** A value of the extension's storage.local. */
export async function stored<T>(session: ExtensionSession, key: string): Promise<T | undefined> {
  return session.evalInExtension(async (name) => (await chrome.storage.local.get(name))[name], key) as Promise<T | undefined>;
}

export async function setStored(session: ExtensionSession, values: Record<string, unknown>): Promise<void> {
  await session.evalInExtension(async (items) => chrome.storage.local.set(items), values);
}

/** Stores a lesson (null: none) the way the popup stores it; the background applies its rules a moment later. */
export async function setLesson(session: ExtensionSession, lesson: Lesson | null): Promise<void> {
  await setStored(session, { lesson });
}

/** How many dynamic DNR rules are in force. */
export function ruleCount(session: ExtensionSession): Promise<number> {
  return session.evalInExtension(async () => (await chrome.declarativeNetRequest.getDynamicRules()).length);
}

/**
 * Removes `keys` from the device as the background would: from
 * storage.local and from their second copy in IndexedDB
 * (src/platform/second-copy.ts), so that neither copy brings them back.
 */
export async function forget(session: ExtensionSession, keys: readonly string[]): Promise<void> {
  await session.evalInExtension(
    async (names, database, storeName) => {
      await chrome.storage.local.remove(names);
      await new Promise<void>((done, fail) => {
        const opened = indexedDB.open(database, 1);
        opened.onupgradeneeded = () => {
          if (!opened.result.objectStoreNames.contains(storeName)) opened.result.createObjectStore(storeName);
        };
        opened.onerror = () => fail(opened.error ?? new Error('IndexedDB did not open'));
        opened.onsuccess = () => {
          const transaction = opened.result.transaction(storeName, 'readwrite');
          for (const name of names) transaction.objectStore(storeName).delete(name);
          transaction.oncomplete = () => {
            opened.result.close();
            done();
          };
          transaction.onerror = () => fail(transaction.error ?? new Error('IndexedDB did not delete'));
        };
      });
    },
    [...keys],
    SECOND_COPY.database,
    SECOND_COPY.store,
  );
}
