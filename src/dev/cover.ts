/**
 * The pause cover (src/content/pause-cover.ts) as a page's own scripts and
 * a student see it, for the e2e suites and the bench. Its content
 * is in a closed shadow root, out of the page's reach: a page sees only the
 * host element, and what is under the middle of the window. Chromium's
 * DevTools protocol reads closed shadow roots too, which gives the words.
 */
import type { Page } from 'puppeteer-core';

/** True when the cover is on the page: its host is in the document and is what the middle of the window shows. */
export function covered(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const host = document.querySelector('lesmodus-pause');
    return host !== null && document.elementFromPoint(innerWidth / 2, innerHeight / 2) === host;
  });
}

/** True when no cover is left in the page (nor a host without one). */
export function uncovered(page: Page): Promise<boolean> {
  return page.evaluate(() => document.querySelector('lesmodus-pause') === null);
}

interface DomNode {
  nodeName: string;
  nodeType: number;
  nodeValue: string;
  children?: DomNode[];
  shadowRoots?: DomNode[];
}

/** The cover's text, its closed shadow root read through the DevTools protocol (Chromium). */
export async function coverText(page: Page): Promise<string> {
  const client = await page.createCDPSession();
  try {
    const { root } = (await client.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const find = (node: DomNode): DomNode | null => {
      if (node.nodeName === 'LESMODUS-PAUSE') return node;
      for (const child of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) {
        const found = find(child);
        if (found) return found;
      }
      return null;
    };
    const texts: string[] = [];
    const collect = (node: DomNode): void => {
      if (node.nodeType === 3) texts.push(node.nodeValue);
      for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) collect(child);
    };
    const host = find(root);
    if (host) collect(host);
    return texts.join('\n');
  } finally {
    await client.detach();
  }
}
