// A changed policy field sharing what the worker already holds (src/background/policy/shared.ts).
import { describe, expect, it } from '@jest/globals';
import { sharedWith } from '../../../src/background/policy/shared';
import { sameJson } from '../../../src/core/policy/cache';

// Which string object an entry is cannot be observed from JavaScript (strings are values): what sharing saves
// is memory and garbage collection, which the bench measures. Here: the content never changes.
describe('sharedWith: a new version of a field, sharing the strings of the version before, reads the same', () => {
  // Strings built at run time, so that equal ones are distinct objects, as a browser's change event gives them.
  const fresh = (list: readonly string[]): string[] => list.map((entry) => [...entry].join(''));
  const before = fresh(['a.test', 'b.test', 'c.test', 'd.test']);

  it.each<[string, unknown, unknown]>([
    ['one entry changed in the middle', fresh(['a.test', 'b.test', 'x.test', 'd.test']), before],
    ['an entry added at the start', fresh(['x.test', 'a.test', 'b.test', 'c.test', 'd.test']), before],
    ['an entry removed from the end', fresh(['a.test', 'b.test', 'c.test']), before],
    ['the same entries', fresh(['a.test', 'b.test', 'c.test', 'd.test']), before],
    ['an entry written twice', fresh(['a.test', 'a.test']), fresh(['a.test'])],
    ['nothing before', fresh(['a.test']), undefined],
    ['an empty list', [], before],
    ['in the Admin console form', { Value: fresh(['a.test', 'x.test']) }, { Value: before }],
    ['not a list', 90, 60],
    ['a list where there was none', fresh(['a.test']), 'a.test'],
  ])('%s: the same content', (_name, value, previous) => {
    const shared = sharedWith(value, previous);
    expect(sameJson(shared, value)).toBe(true);
    expect(shared).toEqual(value);
  });
});
