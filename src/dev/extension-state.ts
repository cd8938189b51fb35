/**
 * The extension's state, read and written from outside the way the
 * extension itself stores it: storage.local and the dynamic rules, in
 * Chromium (service worker) and Firefox (an extension page) alike. Firefox
 * also offers the `chrome` namespace, with promises in Manifest V3.
 */
import type { Lesson } from '../core/schemas';
import { SECOND_COPY, ownRecordKey } from '../core/state';
import type { ExtensionSession } from './browsers';

/** A value of the extension's storage.local. */
export async function stored<T>(session: ExtensionSession, key: string): Promise<T | undefined> {
  return session.evalInExtension(async (name) => (await chrome.storage.local.get(name))[name], key) as Promise<T | undefined>;
}

/**
 * Values of the second copy in IndexedDB (src/platform/second-copy.ts keeps
 * them as JSON text); null deletes one. Runs in the extension.
 */
async function putSecondCopies(session: ExtensionSession, entries: Record<string, string | null>): Promise<void> {
  if (Object.keys(entries).length === 0) return;
  await session.evalInExtension(
    async (records, database, storeName) => {
      await new Promise<void>((done, fail) => {
        const opened = indexedDB.open(database, 1);
        opened.onupgradeneeded = () => {
          if (!opened.result.objectStoreNames.contains(storeName)) opened.result.createObjectStore(storeName);
        };
        opened.onerror = () => fail(opened.error ?? new Error('IndexedDB did not open'));
        opened.onsuccess = () => {
          const transaction = opened.result.transaction(storeName, 'readwrite');
          for (const [key, text] of Object.entries(records)) {
            if (text === null) transaction.objectStore(storeName).delete(key);
            else transaction.objectStore(storeName).put(text, key);
          }
          transaction.oncomplete = () => {
            opened.result.close();
            done();
          };
          transaction.onerror = () => fail(transaction.error ?? new Error('IndexedDB did not write'));
        };
      });
    },
    entries,
    SECOND_COPY.database,
    SECOND_COPY.store,
  );
}

/** The values the background guards against changes made outside it (src/background/teacher/guard.ts). */
const GUARDED = ['lesson', 'exceptions'];

/**
 * Stores values the way the background itself does: the lesson and the
 * sites let through together with its own record of them, so that the
 * background takes them as its own rather than putting its record back.
 */
export async function setStored(session: ExtensionSession, values: Record<string, unknown>): Promise<void> {
  await recordAsOwn(session, values);
  await session.evalInExtension(async (items) => chrome.storage.local.set(items), values);
}

/**
 * The background's own record of guarded values, written as it writes it
 * before storing them: storage.local written after this (by a bench timing
 * the write itself, say) is taken as the background's own.
 */
export async function recordAsOwn(session: ExtensionSession, values: Record<string, unknown>): Promise<void> {
  const records = Object.fromEntries(Object.keys(values).filter((key) => GUARDED.includes(key)).map((key) => [ownRecordKey(key), JSON.stringify({ value: values[key] ?? null })]));
  await putSecondCopies(session, records);
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
 * Removes `keys` from the device altogether, as the background would: from
 * storage.local and from their second copy in IndexedDB
 * (src/platform/second-copy.ts), and, for the values the background
 * guards, with its own record saying they are gone, so that nothing brings
 * them back.
 */
export async function forget(session: ExtensionSession, keys: readonly string[]): Promise<void> {
  const gone = JSON.stringify({ value: null });
  await putSecondCopies(session, Object.fromEntries(keys.flatMap((key) => [[key, null], ...(GUARDED.includes(key) ? [[ownRecordKey(key), gone]] : [])])));
  await session.evalInExtension(async (names) => chrome.storage.local.remove(names), [...keys]);
}
