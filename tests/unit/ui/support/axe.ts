/**
 * axe-core on the rendered document in jsdom. Two rules need what jsdom
 * lacks and run in real Chromium instead (the e2e suites): colour contrast
 * needs layout and CSS, and label-content-name-mismatch draws text on a
 * canvas to tell icon glyphs (the chips' "×") from words. Every other rule
 * runs here.
 */
import axe from 'axe-core';

export async function axeViolations(): Promise<string[]> {
  const results = await axe.run(document, { rules: { 'color-contrast': { enabled: false }, 'label-content-name-mismatch': { enabled: false } } });
  return results.violations.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join('; ')})`);
}

/** The document as the extension page ships it: a language and a title. */
export function preparePage(lang = 'en'): void {
  document.documentElement.lang = lang;
  document.title = 'Lesmodus';
  // jsdom has no CSS.escape, which user-event uses to find a radio group's other buttons (arrow keys).
  const global = globalThis as { CSS?: { escape?: (value: string) => string } };
  global.CSS ??= {};
  global.CSS.escape ??= (value: string) => value.replace(/[^\w-]/g, (char) => `\\${char}`);
}
