/** Runtime: extension URLs, the version, and the message channel. */
import { browser, type Runtime } from './browser';

export function extensionUrl(path: string): string {
  return browser.runtime.getURL(path);
}

export function extensionVersion(): string {
  return browser.runtime.getManifest().version;
}

/** True when a message comes from one of this extension's own pages (not a content script or web page). */
export function isOwnPage(sender: Runtime.MessageSender): boolean {
  const base = browser.runtime.getURL('');
  return sender.id === browser.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(base);
}

/** Registers the background's one message handler. */
export function onMessage(handler: (message: unknown, sender: Runtime.MessageSender) => Promise<unknown>): void {
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => handler(message, sender));
}

/** Sends a message to the background (from a UI page). */
export async function sendToBackground(message: unknown): Promise<unknown> {
  return browser.runtime.sendMessage(message);
}

export function onInstalledOrStartup(listener: () => void): void {
  browser.runtime.onInstalled.addListener(() => listener());
  browser.runtime.onStartup.addListener(() => listener());
}
