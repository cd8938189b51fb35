/**
 * Frames inside a tab's page: which there are, and sending one elsewhere.
 * The tabs API navigates only a tab's page, so a frame is sent with a line
 * of script run in it (the "scripting" permission; the host access is the
 * extension's own <all_urls>). Measured in Chromium 156 and Firefox ESR 153:
 * both run it in a frame of any site, `<object>` and `<embed>` included, and
 * the frame shows the address it is sent to (a web-accessible extension page
 * too). Removing the frame from its parent instead would need the parent's
 * DOM, and a page can put the frame back.
 */
import { browser } from './browser';

interface OpenFrame {
  readonly frameId: number;
  readonly url: string;
}

/** The frames of a tab's page (not the page itself); none when the tab is gone or cannot be read. */
export async function tabFrames(tabId: number): Promise<OpenFrame[]> {
  try {
    const frames = await browser.webNavigation.getAllFrames({ tabId });
    return (frames ?? []).flatMap((frame) => (frame.frameId !== 0 && frame.url ? [{ frameId: frame.frameId, url: frame.url }] : []));
  } catch {
    return [];
  }
}

/** Sends one frame of a tab to `url`, replacing its page in the frame's history; a frame gone meanwhile is no error. */
export async function navigateFrame(tabId: number, frameId: number, url: string): Promise<void> {
  try {
    await browser.scripting.executeScript({
      target: { tabId, frameIds: [frameId] },
      // Runs in the frame: serialised, so it can use nothing from here but its argument.
      func: (to: string) => {
        location.replace(to);
      },
      args: [url],
    });
  } catch {
    // The frame (or its tab) went away, or it shows a page no extension may script; the rules still judge its next load.
  }
}
