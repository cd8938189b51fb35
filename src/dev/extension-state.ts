/**
 * The extension's state, read and written from outside the way the
 * extension itself stores it: storage.local and the dynamic rules, in
 * Chromium (service worker) and Firefox (an extension page) alike. Firefox
 * also offers the `chrome` namespace, with promises in Manifest V3.
 */
import type { Lesson } from '../core/schemas';
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
