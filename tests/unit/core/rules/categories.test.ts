import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BUILTIN_CATEGORIES,
  CATEGORY_IDS,
  CategoryIdSchema,
  categorySites,
  parseCategory,
  patternCovers,
  type Category,
  type CategoryId,
} from '../../../../src/core/rules/categories';
import { matches, parsePattern, parseUrl, type ParsedUrl, type SitePattern } from '../../../../src/core/rules/patterns';

const DIR = join(__dirname, '../../../../src/core/rules/categories');

/**
 * No list may claim to have been checked after this date. Move it forward
 * when the lists are checked again: a later `checked` date is a typo or a
 * list nobody has actually checked yet.
 */
const LATEST_CHECK = '2026-11-30';

const categories: Category[] = CATEGORY_IDS.map((id) => BUILTIN_CATEGORIES[id]);

function pattern(source: string): SitePattern {
  const result = parsePattern(source);
  if (!result.ok) throw new Error(`expected "${source}" to parse: ${result.error}`);
  return result.pattern;
}

function url(href: string): ParsedUrl {
  const parsed = parseUrl(href);
  if (parsed === null) throw new Error(`expected a URL: ${href}`);
  return parsed;
}

/** The address an entry names: its host and path. */
function addressOf(site: string): ParsedUrl {
  const p = pattern(site);
  return url(`https://${p.host}${p.path === '' ? '/' : p.path}`);
}

/** The categories whose sites match the address. */
function categoriesBlocking(href: string): CategoryId[] {
  const address = url(href);
  return CATEGORY_IDS.filter((id) => BUILTIN_CATEGORIES[id].sites.some((site) => matches(pattern(site), address)));
}

describe('the shipped category files', () => {
  it('are each registered under the id their file name gives, and every registered one has a file', () => {
    const files = readdirSync(DIR).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length)).sort();
    expect(files).toEqual([...CATEGORY_IDS].sort());
    for (const id of files) {
      const raw = JSON.parse(readFileSync(join(DIR, `${id}.json`), 'utf8')) as { id: unknown };
      expect(raw.id).toBe(id);
      expect(BUILTIN_CATEGORIES[id as CategoryId].id).toBe(id);
    }
  });

  it('ship at least the four categories teachers asked for', () => {
    expect(CATEGORY_IDS).toEqual(expect.arrayContaining(['ai', 'social', 'games', 'video']));
    expect(CategoryIdSchema.safeParse('ai').success).toBe(true);
    expect(CategoryIdSchema.safeParse('gambling').success).toBe(false);
  });

  it.each(categories.map((category) => [category.id, category] as const))('%s: titles in English and Dutch, a dated version and check, a source note', (_id, category) => {
    expect(category.title.en.trim()).not.toBe('');
    expect(category.title.nl.trim()).not.toBe('');
    for (const date of [category.version, category.checked]) {
      expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(date);
    }
    expect(category.version <= category.checked).toBe(true);
    expect(category.checked <= LATEST_CHECK).toBe(true);
    expect(category.source.length).toBeGreaterThan(100);
  });

  it.each(categories.map((category) => [category.id, category] as const))('%s: every site is a lesson-site pattern that names one site', (_id, category) => {
    const elsewhere = ['https://example.com/', 'https://example.nl/', 'https://example.org/', 'https://example.co.uk/', 'https://example.io/', 'https://example.ai/'].map(url);
    for (const site of category.sites) {
      const result = parsePattern(site);
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      expect(result.pattern.source).toBe(site);
      expect(result.pattern.anyHost).toBe(false);
      // Nothing that matches every site, or every site of a top-level domain.
      expect(elsewhere.filter((address) => matches(result.pattern, address))).toEqual([]);
      // The entry blocks the address it names.
      expect(matches(result.pattern, addressOf(site))).toBe(true);
    }
  });

  it.each(categories.map((category) => [category.id, category] as const))('%s: sites are sorted, each once, none covered by another', (_id, category) => {
    const sites = [...category.sites];
    expect(sites).toEqual([...sites].sort());
    expect(new Set(sites).size).toBe(sites.length);
    const covered = sites.flatMap((site) => sites.filter((other) => other !== site && matches(pattern(other), addressOf(site))).map((other) => `${site} under ${other}`));
    expect(covered).toEqual([]);
  });

  it.each(categories.map((category) => [category.id, category] as const))('%s: blocks none of the sites it leaves out', (_id, category) => {
    const blocked = category.leftOut.filter(({ site }) => category.sites.some((entry) => matches(pattern(entry), addressOf(site))));
    expect(blocked).toEqual([]);
    for (const { reason } of category.leftOut) expect(reason.trim()).not.toBe('');
  });
});

describe('what the categories block', () => {
  it.each<[string, CategoryId]>([
    ['https://chatgpt.com/', 'ai'],
    ['https://chat.openai.com/c/123', 'ai'],
    ['https://claude.ai/new', 'ai'],
    ['https://gemini.google.com/app', 'ai'],
    ['https://copilot.microsoft.com/', 'ai'],
    ['https://m365.cloud.microsoft/chat', 'ai'],
    ['https://www.bing.com/chat?q=x', 'ai'],
    ['https://huggingface.co/chat/', 'ai'],
    ['https://chat.mistral.ai/chat', 'ai'],
    ['https://chat.deepseek.com/', 'ai'],
    ['https://x.com/i/grok', 'ai'],
    ['https://www.tiktok.com/@someone', 'social'],
    ['https://www.instagram.com/', 'social'],
    ['https://web.whatsapp.com/', 'social'],
    ['https://x.com/home', 'social'],
    ['https://poki.nl/', 'games'],
    ['https://www.roblox.com/games', 'games'],
    ['https://www.nytimes.com/games/wordle/index.html', 'games'],
    ['https://www.youtube.com/watch?v=abc', 'video'],
    ['https://m.youtube.com/', 'video'],
    ['https://www.youtube-nocookie.com/embed/abc', 'video'],
    ['https://www.netflix.com/browse', 'video'],
  ])('%s is in %s', (href, id) => {
    expect(categoriesBlocking(href)).toContain(id);
  });

  it.each([
    // search, sign-in and the school's own tools
    'https://www.google.com/',
    'https://www.google.com/search?q=chatgpt',
    'https://accounts.google.com/signin',
    'https://docs.google.com/document/d/1',
    'https://classroom.google.com/',
    'https://www.microsoft.com/nl-nl',
    'https://login.microsoftonline.com/',
    'https://www.office.com/',
    'https://m365.cloud.microsoft/',
    'https://teams.microsoft.com/',
    'https://www.bing.com/search?q=x',
    'https://github.com/',
    // lesson material
    'https://www.wikipedia.org/',
    'https://nl.wikipedia.org/wiki/Amsterdam',
    'https://www.nytimes.com/',
    'https://www.bbc.co.uk/bitesize',
    'https://www.khanacademy.org/',
    'https://scratch.mit.edu/',
    'https://education.minecraft.net/',
    'https://kahoot.it/',
    'https://www.schooltv.nl/',
    'https://nos.nl/jeugdjournaal',
    'https://huggingface.co/datasets',
  ])('%s is in no category', (href) => {
    expect(categoriesBlocking(href)).toEqual([]);
  });
});

describe('categorySites', () => {
  it('gives the sites of the categories, each once, in the order asked', () => {
    expect(categorySites([])).toEqual([]);
    expect(categorySites(['video'])).toEqual(BUILTIN_CATEGORIES.video.sites);
    const both = categorySites(['ai', 'social']);
    expect(both).toEqual([...BUILTIN_CATEGORIES.ai.sites, ...BUILTIN_CATEGORIES.social.sites.filter((site) => !BUILTIN_CATEGORIES.ai.sites.includes(site))]);
    expect(categorySites(['ai', 'ai'])).toEqual(BUILTIN_CATEGORIES.ai.sites);
  });
});

describe('patternCovers', () => {
  it.each<[string, string, boolean]>([
    ['openai.com', 'chat.openai.com', true],
    ['openai.com', 'openai.com', true],
    ['openai.com', 'openai.com/chat', true],
    ['openai.com', '.openai.com', true],
    ['chat.openai.com', 'openai.com', false],
    ['openai.com', 'notopenai.com', false],
    ['.openai.com', 'openai.com', false],
    ['.openai.com', 'chat.openai.com', false],
    ['.openai.com', '.openai.com/x', true],
    ['bing.com/chat', 'bing.com/chat/x', true],
    ['bing.com/chat', 'www.bing.com/chat', true],
    ['bing.com/chat', 'bing.com/chatx', false],
    ['bing.com/chat', 'bing.com', false],
    ['bing.com/chat/', 'bing.com/chat/x', true],
    ['https://example.com', 'example.com', false],
    ['example.com', 'https://example.com', true],
    ['example.com:8080', 'example.com', false],
    ['example.com', 'example.com:8080', true],
    ['example.com/?a', 'example.com/?a=1', true],
    ['example.com/?a=1', 'example.com/?a', false],
    ['example.com/?a=1', 'example.com/?a=1&b', true],
  ])('%s covers %s: %s', (a, b, expected) => {
    expect(patternCovers(pattern(a), pattern(b))).toBe(expected);
  });
});

describe('parseCategory: a bad file is refused, naming the file, the entry and the fault', () => {
  const good = {
    id: 'demo',
    title: { en: 'Demo', nl: 'Demo' },
    version: '2026-11-01',
    checked: '2026-11-30',
    source: 'Written for this test.',
    sites: ['a.example', 'b.example/path', 'c.example'],
    leftOut: [{ site: 'd.example', reason: 'Lesson material.' }],
  };

  it('accepts a good file, defaults leftOut and freezes what it returns', () => {
    const category = parseCategory(good, 'demo');
    expect(category.sites).toEqual(good.sites);
    expect(Object.isFrozen(category.sites)).toBe(true);
    const { leftOut: _leftOut, ...withoutLeftOut } = good;
    expect(parseCategory(withoutLeftOut, 'demo').leftOut).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an id other than the file name', { id: 'other' }, 'categories/demo.json: id: "other" must be the file\'s name, "demo"'],
    ['no Dutch title', { title: { en: 'Demo' } }, 'categories/demo.json: title.nl: Invalid input'],
    ['an empty English title', { title: { en: ' ', nl: 'Demo' } }, 'title.en: a title is needed'],
    ['an invalid date', { version: '2026-02-30' }, 'version: not a calendar date'],
    ['a date in another form', { checked: '30-11-2026' }, 'checked: write a date as YYYY-MM-DD'],
    ['checked before the version', { checked: '2026-10-01' }, 'checked: checked (2026-10-01) is before version (2026-11-01)'],
    ['no source note', { source: '' }, 'source: say how the list was compiled'],
    ['no sites', { sites: [] }, 'sites: a category needs sites'],
    ['an invalid pattern', { sites: ['a.example', 'b ad.example'] }, 'sites[1]: "b ad.example": contains a space'],
    ['every site', { sites: ['*'] }, 'sites[0]: "*": "*" is every site'],
    ['a top-level domain', { sites: ['a.example', 'com'] }, 'sites[1]: "com": "com" alone is a whole top-level domain'],
    ['spaces around a site', { sites: [' a.example'] }, 'sites[0]: " a.example": remove the spaces around it'],
    ['unsorted sites', { sites: ['b.example', 'a.example'] }, 'sites[1]: "a.example" is out of order: sort the sites (it comes before "b.example")'],
    ['a site listed twice', { sites: ['a.example', 'a.example'] }, 'sites[1]: "a.example" is listed twice'],
    ['a site written twice in two ways', { sites: ['A.example', 'a.example'] }, 'sites[1]: "a.example" is already covered by "A.example"'],
    ['a subdomain of a listed site', { sites: ['a.example', 'chat.a.example'] }, 'sites[1]: "chat.a.example" is already covered by "a.example"'],
    ['a path of a listed site', { sites: ['a.example', 'a.example/chat'] }, 'sites[1]: "a.example/chat" is already covered by "a.example"'],
    ['a left-out site the list blocks', { leftOut: [{ site: 'www.a.example', reason: 'Needed.' }] }, 'leftOut[0].site: "www.a.example" is left out, yet "a.example" blocks it'],
    ['a left-out site without a reason', { leftOut: [{ site: 'd.example', reason: '' }] }, 'leftOut[0].reason: say why the site is left out'],
    ['an unknown field', { notes: 'x' }, 'categories/demo.json: Unrecognized key: "notes"'],
  ])('%s', (_what, change, message) => {
    expect(() => parseCategory({ ...good, ...change }, 'demo')).toThrow(message);
  });

  it('names every fault at once', () => {
    expect(() => parseCategory({ ...good, version: 'soon', sites: ['b.example', 'a.example', '*'] }, 'demo')).toThrow(
      /version: .*; sites\[2\]: .*"\*" is every site/,
    );
  });
});
