/**
 * Comparing a new version of a long list with the version before it. IT's
 * policy changes a 50,000-entry list a few entries at a time; what stays in
 * place from the start and from the end is taken over from the version
 * before (the strings the worker holds, the parsed patterns, the sorted
 * rules), and only the stretch between is looked at anew.
 */

/**
 * How many entries `next` has the same (`===`) as `before` from the start
 * (`head`), and then, of the rest, from the end (`tail`). The two never
 * overlap: head + tail is at most the shorter list's length.
 */
export function sameEnds(next: ArrayLike<unknown>, before: ArrayLike<unknown>): { head: number; tail: number } {
  const shorter = Math.min(next.length, before.length);
  let head = 0;
  while (head < shorter && next[head] === before[head]) head += 1;
  let tail = 0;
  while (tail < shorter - head && next[next.length - 1 - tail] === before[before.length - 1 - tail]) tail += 1;
  return { head, tail };
}
