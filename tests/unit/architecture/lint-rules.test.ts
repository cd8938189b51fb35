/**
 * The architecture rules of eslint.config.js, run on one-line files placed in
 * each part of src/: what each part may import, and that no page is built
 * from HTML strings. A rule that stops firing (a glob that no longer matches,
 * a later config object replacing it) fails here rather than going unnoticed.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '../../..');
let eslint: ESLint;

beforeAll(() => {
  // ESLint loads its config file with import(), which Jest's module sandbox refuses: hand it over instead.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require('../../../eslint.config.js') as ESLint.Options['overrideConfig'];
  eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig: config });
});

/** The messages of `rule` for `source` as the file `file` (which need not exist). */
async function messagesOf(rule: string, file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) });
  return result!.messages.filter((message) => message.ruleId === rule).map((message) => message.message);
}

const restricted = (file: string, source: string): Promise<string[]> => messagesOf('no-restricted-imports', file, `${source}\nexport const used = x;\n`);

describe('one door for sockets', () => {
  it.each([
    ['src/background/feed/x.ts', /only by src\/platform\/socket.ts/],
    ['src/ui/popup/x.tsx', /only by src\/platform\/socket.ts/],
    ['src/core/feed/x.ts', /src\/core is pure/],
  ])('%s may not open a WebSocket', async (file, message) => {
    const messages = await messagesOf('no-restricted-globals', file, "export const socket = new WebSocket('wss://feed.example/2B.jws');\n");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it('src/platform may', async () => {
    expect(await messagesOf('no-restricted-globals', 'src/platform/socket.ts', "export const socket = new WebSocket('wss://feed.example/2B.jws');\n")).toEqual([]);
  });
});

describe('import rules', () => {
  it.each([
    ['src/dev/x.ts', "import { x } from '../../tests/unit/support/rules';", /never imports test code/],
    ['src/tools/x.ts', "import { x } from '../../tests/e2e/support/classroom';", /never imports test code/],
    ['src/server/x.ts', "import { x } from '../../tests/e2e/lesson';", /never imports test code/],
    ['src/ui/popup/x.tsx', "import { x } from '../../../tests/unit/ui/support/axe';", /never imports test code/],
    ['src/background/x.ts', "import { x } from '../dev/browsers';", /import nothing from src\/dev, src\/tools or src\/server/],
    ['src/background/feed/x.ts', "import { x } from '../../server/feed-server';", /import nothing from src\/dev/],
    ['src/platform/x.ts', "import { x } from '../tools/cli';", /import nothing from src\/dev/],
    ['src/ui/status/x.tsx', "import type { x } from '../../dev/browsers';", /import nothing from src\/dev/],
    ['src/core/rules/x.ts', "import { x } from '../../tools/cli';", /import nothing from src\/dev/],
    ['src/core/rules/x.ts', "import { x } from '../../platform/browser';", /src\/core depends on nothing else/],
    ['src/core/x.ts', "import x from 'webextension-polyfill';", /src\/core is pure/],
    ['src/ui/popup/x.tsx', "import x from 'webextension-polyfill';", /Only src\/platform touches the browser/],
    ['src/tools/x.ts', "import x from 'webextension-polyfill';", /Only src\/platform touches the browser/],
  ])('%s may not: %s', async (file, source, message) => {
    const messages = await restricted(file, source);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it.each([
    ['src/tools/x.ts', "import { x } from '../dev/browsers';"],
    ['src/tools/x.ts', "import { x } from '../server/feed-server';"],
    ['src/dev/x.ts', "import { x } from '../core/schemas';"],
    ['src/server/x.ts', "import { x } from '../tools/cli';"],
    ['src/platform/x.ts', "import x from 'webextension-polyfill';"],
    ['src/background/x.ts', "import { x } from '../platform/storage';"],
    ['src/ui/popup/x.tsx', "import { x } from '../shared/text';"],
    ['src/ui/popup/x.tsx', "import { x } from './devices';"],
    ['src/core/rules/x.ts', "import { x } from '../feed/format';"],
  ])('%s may: %s', async (file, source) => {
    expect(await restricted(file, source)).toEqual([]);
  });
});

describe('no raw HTML', () => {
  it.each([
    ['src/ui/popup/x.tsx', 'export const X = ({ html }: { html: string }) => <div dangerouslySetInnerHTML={{ __html: html }} />;'],
    ['src/ui/blocked/x.ts', 'export const show = (el: HTMLElement, text: string) => { el.innerHTML = text; };'],
    ['src/ui/status/x.ts', 'export const show = (el: HTMLElement, text: string) => { el.outerHTML += text; };'],
    ['src/platform/x.ts', "export const show = (el: HTMLElement, text: string) => el.insertAdjacentHTML('beforeend', text);"],
    ['src/background/x.ts', 'export const show = (text: string) => document.write(text);'],
  ])('%s may not: %s', async (file, source) => {
    expect(await messagesOf('no-restricted-syntax', file, source)).toEqual(['Lesmodus builds its pages from components, never from HTML strings.']);
  });

  it.each([
    ['src/ui/popup/x.tsx', 'export const X = ({ text }: { text: string }) => <p>{text}</p>;'],
    ['src/ui/status/x.ts', 'export const read = (el: HTMLElement) => el.innerHTML.length;'],
    ['src/ui/status/x.ts', 'export const show = (el: HTMLElement, text: string) => { el.textContent = text; };'],
  ])('%s may: %s', async (file, source) => {
    expect(await messagesOf('no-restricted-syntax', file, source)).toEqual([]);
  });
});
