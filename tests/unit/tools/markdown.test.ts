import { describe, expect, it } from '@jest/globals';
import { posix } from 'node:path';
import { anchors, brokenLinks, relativeLinks, slug, type LinkContext } from '../../../src/tools/markdown';

describe('slug', () => {
  it.each([
    ['Try it', 'try-it'],
    ['Try it: `npm start`', 'try-it-npm-start'],
    ['How the rules combine', 'how-the-rules-combine'],
    ['presets[]', 'presets'],
    ['teacherKeys[].publicKey', 'teacherkeyspublickey'],
    ['Rules: layers and precedence', 'rules-layers-and-precedence'],
    ['Closing the doors an extension cannot', 'closing-the-doors-an-extension-cannot'],
    ['The [class feed](class-feed.md) set-up', 'the-class-feed-set-up'],
    ['**Bold** and snake_case', 'bold-and-snake_case'],
    ['Lesmodus — design', 'lesmodus--design'],
    ['Één les', 'één-les'],
  ])('%s -> %s', (heading, expected) => {
    expect(slug(heading)).toBe(expected);
  });
});

describe('anchors', () => {
  it('numbers repeated headings, skips code blocks and takes explicit anchors', () => {
    const markdown = ['# Title', '## Chrome', '```sh', '# not a heading', '```', '## Chrome', '### Chrome ###', 'Text <a id="here"></a>', '`<a id="in-code">`'].join('\n');
    expect([...anchors(markdown)].sort()).toEqual(['chrome', 'chrome-1', 'chrome-2', 'here', 'title']);
  });
});

describe('relativeLinks', () => {
  it('finds relative links with their line, path and anchor, and leaves out web addresses and code', () => {
    const markdown = [
      'See [teachers](docs/teachers.md) and [the feed](docs/class-feed.md#other-hosts).',
      'Web: [MDN](https://developer.mozilla.org/) and [mail](mailto:it@school.example).',
      'Here: [below](#fields), an image ![logo](icons/icon-48.png "Logo").',
      '`[not](a-link.md)` in code',
      '```md',
      '[also not](inside-a-fence.md)',
      '```',
      '[ref]: manifest/examples',
    ].join('\n');
    expect(relativeLinks(markdown).map(({ line, path, anchor }) => [line, path, anchor])).toEqual([
      [1, 'docs/teachers.md', null],
      [1, 'docs/class-feed.md', 'other-hosts'],
      [3, '', 'fields'],
      [3, 'icons/icon-48.png', null],
      [8, 'manifest/examples', null],
    ]);
  });
});

describe('brokenLinks', () => {
  const files: Record<string, string> = {
    'README.md': '# Lesmodus\n[guide](docs/guide.md#writing-sites) [gone](docs/gone.md) [wrong](docs/guide.md#nowhere) [self](#lesmodus) [up](#missing) [dir](manifest)',
    'docs/guide.md': '# Guide\n## Writing sites\n[back](../README.md#lesmodus) [sibling](other.md)',
    manifest: '',
  };
  const context: LinkContext = {
    resolve: (from, path) => posix.normalize(posix.join(posix.dirname(from), path)),
    exists: (path) => path in files,
    read: (path) => files[path] ?? '',
  };

  it('reports each link to a missing file or anchor, with its document and line', () => {
    expect(brokenLinks(['README.md', 'docs/guide.md'], context)).toEqual([
      'README.md:2: docs/gone.md — no file docs/gone.md',
      'README.md:2: docs/guide.md#nowhere — docs/guide.md has no heading or anchor "nowhere"',
      'README.md:2: #missing — README.md has no heading or anchor "missing"',
      'docs/guide.md:3: other.md — no file docs/other.md',
    ]);
  });
});
