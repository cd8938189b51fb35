/**
 * Counted words in proper plurals, never "site(s)": each counted message
 * exists as One and Other in both languages, and the helper picks the form
 * for the count. Sites link only to web addresses.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { plural, setMessageSource, siteLink } from '../../../../src/ui/shared/text';
import { localeSource, readLocale } from '../support/locale';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('plurals', () => {
  // plural('key', …), and a key chosen in the call: plural(cond ? 'a' : 'b', …).
  const keys = new Set(
    sources(join(__dirname, '../../../../src/ui')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bplural\(\s*(?:[^,()]*\?\s*'([A-Za-z]+)'\s*:\s*)?'([A-Za-z]+)'/g)].flatMap((match) => [match[1], match[2]!].filter((key) => key !== undefined)),
    ),
  );

  it('finds the counted messages the UI asks for', () => {
    expect([...keys]).toEqual(expect.arrayContaining(['presetAllowlistSites', 'presetBlocklistSites', 'showSites', 'timeLeftMinutes', 'timeLeftSeconds']));
  });

  it.each(['en', 'nl'] as const)('has both forms of each in %s, and nowhere "(s)"', (language) => {
    const messages = readLocale(language);
    for (const key of keys) {
      expect(messages).toHaveProperty(`${key}One`);
      expect(messages).toHaveProperty(`${key}Other`);
    }
    for (const [key, entry] of Object.entries(messages)) expect(`${key}: ${entry.message}`).not.toMatch(/\(s\)|\(en\)/);
  });

  it.each([
    ['en', 0, 'Only 0 sites'],
    ['en', 1, 'Only 1 site'],
    ['en', 2, 'Only 2 sites'],
    ['nl', 0, 'Alleen 0 sites'],
    ['nl', 1, 'Alleen 1 site'],
    ['nl', 12, 'Alleen 12 sites'],
  ] as const)('%s, %i: %s', (language, count, expected) => {
    setMessageSource(localeSource(language));
    expect(plural('presetAllowlistSites', count)).toBe(expected);
  });
});

describe('siteLink', () => {
  it.each([
    ['wikipedia.org', 'https://wikipedia.org'],
    ['schooltv.nl/programma/rekenen', 'https://schooltv.nl/programma/rekenen'],
    ['http://intranet.school.test', 'http://intranet.school.test'],
    ['.exact.test', 'https://exact.test'],
    ['localhost:8080', 'https://localhost:8080'],
    ['*', null],
    ['http:*', null],
    ['video.test/watch?v=*', null],
    ['ftp://files.test', null],
    ['javascript://x.test/%0Aalert(1)', null],
    ['', null],
  ])('%s -> %s', (pattern, href) => {
    expect(siteLink(pattern)).toBe(href);
  });
});
