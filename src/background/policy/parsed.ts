/**
 * IT's policy validated once per version. A school's policy can list 50,000
 * sites; the rules flow reads the cached policy on every input change and
 * the policy source compares it with managed storage on every read, and
 * validating it each time would cost more than the rules themselves. The
 * result is kept for the policy's content: a policy that has not changed
 * is never validated twice, and a changed one always is — against the last
 * valid version, so that of a 50,000-entry list only the entries that
 * changed are parsed (core/policy/policy.ts, parsePolicy's `previous`).
 * Only a cache: a restarted worker validates anew.
 */
import { sameJson } from '../../core/policy/cache';
import { parsePolicy, type PolicyResult } from '../../core/policy/policy';

/** The versions kept: the policy in force and the one arriving from managed storage. */
const KEEP = 2;
const recent: Array<{ readonly raw: unknown; readonly result: PolicyResult }> = [];
const byObject = new WeakMap<object, PolicyResult>();

/**
 * parsePolicy, remembered for the last versions seen; the same content gives
 * the same result object. Compared field by field, not serialised: a new
 * version usually differs early, and an unchanged one is walked once
 * without building a megabyte of text.
 */
export function parsePolicyOnce(raw: unknown): PolicyResult {
  const isObject = typeof raw === 'object' && raw !== null;
  const known = isObject ? byObject.get(raw) : undefined;
  if (known !== undefined) return known;
  let result = recent.find((entry) => sameJson(entry.raw, raw))?.result;
  if (result === undefined) {
    const previous = recent.find((entry) => entry.result.ok)?.result;
    result = parsePolicy(raw, previous?.ok ? previous.policy : undefined);
    recent.unshift({ raw, result });
    recent.length = Math.min(recent.length, KEEP);
  }
  if (isObject) byObject.set(raw, result);
  return result;
}
