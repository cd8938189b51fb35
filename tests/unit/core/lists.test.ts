import { describe, expect, it } from '@jest/globals';
import { sameEnds } from '../../../src/core/lists';

describe('sameEnds: what a new version of a list keeps in place from the start and from the end', () => {
  it.each([
    ['both empty', [], [], 0, 0],
    ['one empty', ['a'], [], 0, 0],
    ['unchanged', ['a', 'b', 'c'], ['a', 'b', 'c'], 3, 0],
    ['first replaced', ['x', 'b', 'c'], ['a', 'b', 'c'], 0, 2],
    ['last replaced', ['a', 'b', 'x'], ['a', 'b', 'c'], 2, 0],
    ['middle replaced', ['a', 'x', 'c'], ['a', 'b', 'c'], 1, 1],
    ['added at the start', ['x', 'a', 'b'], ['a', 'b'], 0, 2],
    ['added at the end', ['a', 'b', 'x'], ['a', 'b'], 2, 0],
    ['removed from the middle', ['a', 'c'], ['a', 'b', 'c'], 1, 1],
    // A repeat must not be counted twice: head and tail never overlap.
    ['a repeat added', ['a', 'a', 'a'], ['a', 'a'], 2, 0],
    ['a repeat removed', ['a', 'a'], ['a', 'a', 'a'], 2, 0],
    ['reversed', ['c', 'b', 'a'], ['a', 'b', 'c'], 0, 0],
  ])('%s', (_name, next, before, head, tail) => {
    expect(sameEnds(next, before)).toEqual({ head, tail });
  });

  it('compares entries by identity: equal objects that are not the same are not the same entry', () => {
    const shared = { host: 'a' };
    expect(sameEnds([shared, { host: 'b' }], [shared, { host: 'b' }])).toEqual({ head: 1, tail: 0 });
  });
});
