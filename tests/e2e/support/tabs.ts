/** The browser's tabs and the tab limit's guard, read in the extension, for the tab-limit suites. */
import type { ExtensionSession } from '../../../src/dev/browsers';

/** Every open tab: its id and the address it shows (or is on its way to). */
export async function browserTabs(session: ExtensionSession): Promise<Array<{ id: number; url: string }>> {
  return session.evalInExtension(async () => (await chrome.tabs.query({})).map((tab) => ({ id: tab.id!, url: tab.url || tab.pendingUrl || '' })));
}

/** The tabs showing the tab limit's notice. */
export async function noticeTabs(session: ExtensionSession): Promise<Array<{ id: number; url: string }>> {
  const notice = session.extensionUrl('tab-limit.html');
  return (await browserTabs(session)).filter((tab) => tab.url.startsWith(notice));
}

/** The background's tab guard (storage.session), undefined while no lesson with a tab limit is in force. */
export async function tabGuard(session: ExtensionSession): Promise<{ counted: number[]; notice: number | null; test: boolean } | undefined> {
  return session.evalInExtension(async () => (await chrome.storage.session.get('tabGuard')).tabGuard) as Promise<{ counted: number[]; notice: number | null; test: boolean } | undefined>;
}
