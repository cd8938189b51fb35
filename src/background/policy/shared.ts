/**
 * Chrome reports a change of managed storage with each changed field whole:
 * a 50,000-entry list with one entry changed arrives as 50,000 new strings.
 * Kept as reported, the worker would hold all of them anew, and its garbage
 * collector would copy them while the new rules go to the browser beside it.
 * sharedWith() gives the same content holding the strings the worker already
 * has; the reported copy is garbage at once.
 */
import { sameEnds } from '../../core/lists';

/**
 * A new version of a policy field (`value`), with the list entries it has in
 * the same place as the version before it (`before`), counted from the start
 * and from the end, taken from there: the same content. A list in the Admin
 * console's `{"Value": […]}` form is shared inside it; any other value is
 * returned as it is.
 */
export function sharedWith(value: unknown, before: unknown): unknown {
  if (isValueWrapper(value) && isValueWrapper(before)) {
    const inner = sharedWith(value.Value, before.Value);
    return inner === value.Value ? value : { ...value, Value: inner };
  }
  if (!Array.isArray(value) || !Array.isArray(before) || value.length === 0 || before.length === 0) return value;
  const { head, tail } = sameEnds(value, before);
  const shared: unknown[] = value.slice();
  for (let index = 0; index < head; index += 1) shared[index] = before[index];
  for (let back = 1; back <= tail; back += 1) shared[value.length - back] = before[before.length - back];
  return shared;
}

function isValueWrapper(value: unknown): value is { Value: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && Object.hasOwn(value, 'Value');
}
