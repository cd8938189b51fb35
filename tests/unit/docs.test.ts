/**
 * The README and docs/ as a maintainer finds them: a README short enough to
 * read (the detail lives in docs/), and no relative link that leads nowhere.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { brokenLinks } from '../../src/tools/markdown';

const ROOT = join(__dirname, '../..');
const README_LIMIT_BYTES = 10 * 1024;

const documents = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

describe('the docs', () => {
  it('keep the README under 10 KB', () => {
    const size = statSync(join(ROOT, 'README.md')).size;
    if (size > README_LIMIT_BYTES) throw new Error(`README.md is ${size} bytes, over ${README_LIMIT_BYTES}: move detail into docs/ and link to it.`);
  });

  it('include the documents the README sends each reader to', () => {
    expect(documents).toEqual(expect.arrayContaining(['docs/teachers.md', 'docs/it-deployment.md', 'docs/policy-reference.md', 'docs/class-feed.md', 'docs/contributing.md', 'docs/design.md']));
  });

  it('have no relative link to a missing file or heading', () => {
    const problems = brokenLinks(documents, {
      resolve: (from, path) => relative(ROOT, normalize(join(ROOT, dirname(from), path))),
      exists: (path) => existsSync(join(ROOT, path)),
      read: (path) => readFileSync(join(ROOT, path), 'utf8'),
    });
    expect(problems).toEqual([]);
  });
});
