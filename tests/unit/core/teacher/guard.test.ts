import { describe, expect, it } from '@jest/globals';
import { canonicalJson, tamperNotes } from '../../../../src/core/teacher/guard';

const M = 60_000;
/** Monday 2 March 2026, 10:14 in Amsterdam. */
const T0 = Date.UTC(2026, 2, 2, 9, 14);

describe('canonicalJson: a value read back from another store compares equal when it is', () => {
  it.each([
    [{ a: 1, b: [1, { d: 2, c: 3 }] }, { b: [1, { c: 3, d: 2 }], a: 1 }, true],
    [{ a: 1, gone: undefined }, { a: 1 }, true],
    [null, undefined, true],
    [[1, 2], [2, 1], false],
    [{ a: '1' }, { a: 1 }, false],
    [{ until: 5 }, { until: 6 }, false],
  ])('%j and %j: %s', (a, b, same) => {
    expect(canonicalJson(a) === canonicalJson(b)).toBe(same);
  });
});

describe('tamperNotes', () => {
  it('names what was put back and when, in the school time zone, for a week, oldest first', () => {
    expect(tamperNotes({ exceptions: T0, lesson: T0 - 2 * 24 * 60 * M, other: T0 - 8 * 24 * 60 * M }, T0 + M, 'Europe/Amsterdam')).toEqual([
      'tampering: the lesson set on this device was changed outside Lesmodus at 2026-02-28 10:14 (developer tools on an extension page?); Lesmodus put back what it had written',
      'tampering: the list of sites let through on this device was changed outside Lesmodus at 10:14 (developer tools on an extension page?); Lesmodus put back what it had written',
    ]);
  });
});
