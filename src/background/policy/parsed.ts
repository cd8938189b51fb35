/**
 * IT's policy validated once per version. A school's policy can list 50,000
 * sites; the rules flow reads the cached policy on every input change and
 * the policy source compares it with managed storage on every read, and
 * validating it each time would cost more than the rules themselves. The
 * result is kept for the policy's JSON text: a policy that has not changed
 * is the same text, so it is never validated twice, and a changed one
 * always is. Only a cache: a restarted worker validates anew.
 */
import { parsePolicy, type PolicyResult } from '../../core/policy/policy';


/** The versions kept: the policy in force and the one arriving from managed storage. */
const KEEP = 2;
const recent: Array<{ readonly json: string; readonly result: PolicyResult }> = [];
const byObject = new WeakMap<object, PolicyResult>();

/** parsePolicy, remembered for the last versions seen; the same text gives the same result object. */
export function parsePolicyOnce(raw: unknown): PolicyResult {
  const isObject = typeof raw === 'object' && raw !== null;
  const known = isObject ? byObject.get(raw) : undefined;
  if (known !== undefined) return known;
  const json = JSON.stringify(raw) ?? 'undefined';
  let result = recent.find((entry) => entry.json === json)?.result;
  if (result === undefined) {
    result = parsePolicy(raw);
    recent.unshift({ json, result });
    recent.length = Math.min(recent.length, KEEP);
  }
  if (isObject) byObject.set(raw, result);
  return result;
}
