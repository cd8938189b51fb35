/**
 * Applies compiled rules to declarativeNetRequest: one atomic
 * updateDynamicRules call that replaces every rule, skipped when the rules
 * are already in force.
 *
 * Whether they are is decided by comparing the rules field by field — a
 * 50,000-host list is compared, never serialised. A worker that has applied
 * rules remembers them; a worker just started asks the browser once
 * (getDynamicRules), so a restart with the rules already installed installs
 * nothing.
 */
import type { DnrRule } from '../core/rules/compile';
import { browser, BROWSER, type DeclarativeNetRequest } from './browser';

/** The rules this worker last asked for, and the ids the browser then held (fewer when it refused some). */
let inForce: { readonly rules: readonly DnrRule[]; readonly ids: readonly number[] } | null = null;

interface ApplyResult {
  readonly changed: boolean;
  readonly count: number;
  /** Patterns whose regular expression the browser refused; the navigation backstop still covers them. */
  readonly dropped: readonly string[];
}

async function unsupportedRegexes(rules: readonly DnrRule[]): Promise<Set<number>> {
  const bad = new Set<number>();
  if (BROWSER !== 'chrome') return bad;
  for (const rule of rules) {
    const regex = rule.condition.regexFilter;
    if (regex === undefined) continue;
    const result = await browser.declarativeNetRequest.isRegexSupported({ regex, isCaseSensitive: rule.condition.isUrlFilterCaseSensitive ?? false });
    if (!result.isSupported) bad.add(rule.id);
  }
  return bad;
}

function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/** The same rules, as far as Lesmodus sets them (the browser may hand back rules with fields of its own). */
function sameRules(current: readonly (DnrRule | DeclarativeNetRequest.Rule)[], wanted: readonly DnrRule[]): boolean {
  if (current === wanted) return true;
  if (current.length !== wanted.length) return false;
  for (let index = 0; index < wanted.length; index += 1) {
    const a = current[index] as DeclarativeNetRequest.Rule;
    const b = wanted[index]!;
    if (a.id !== b.id || a.priority !== b.priority || a.action.type !== b.action.type) return false;
    if (a.action.redirect?.regexSubstitution !== (b.action.type === 'redirect' ? b.action.redirect.regexSubstitution : undefined)) return false;
    const ca = a.condition;
    const cb = b.condition;
    if (ca.regexFilter !== cb.regexFilter || !sameList(ca.requestDomains, cb.requestDomains) || !sameList(ca.resourceTypes, cb.resourceTypes)) return false;
  }
  return true;
}

async function update(removeRuleIds: readonly number[], addRules: readonly DnrRule[]): Promise<void> {
  await browser.declarativeNetRequest.updateDynamicRules({ removeRuleIds: [...removeRuleIds], addRules: addRules as DeclarativeNetRequest.Rule[] });
}

/** Replaces all dynamic rules with `rules` in one call; does nothing when they are already in force. */
export async function applyRules(rules: readonly DnrRule[]): Promise<ApplyResult> {
  if (inForce !== null && sameRules(inForce.rules, rules)) return { changed: false, count: inForce.ids.length, dropped: [] };
  let removeRuleIds: readonly number[];
  if (inForce === null) {
    // The service worker may have been restarted: compare with what the browser holds.
    const current = await browser.declarativeNetRequest.getDynamicRules();
    removeRuleIds = current.map((rule) => rule.id);
    if (sameRules(current, rules)) {
      inForce = { rules, ids: removeRuleIds };
      return { changed: false, count: rules.length, dropped: [] };
    }
  } else {
    removeRuleIds = inForce.ids;
  }
  // Should the update fail, what the browser holds is not known: the next call asks it.
  inForce = null;
  try {
    await update(removeRuleIds, rules);
    inForce = { rules, ids: rules.map((rule) => rule.id) };
    return { changed: true, count: rules.length, dropped: [] };
  } catch (error) {
    // A regular expression the browser's engine refuses (Chrome limits their compiled size)
    // must not stop every other rule: drop those and apply the rest.
    const bad = await unsupportedRegexes(rules);
    if (bad.size === 0) throw error;
    const kept = rules.filter((rule) => !bad.has(rule.id));
    await update(removeRuleIds, kept);
    inForce = { rules, ids: kept.map((rule) => rule.id) };
    return { changed: true, count: kept.length, dropped: rules.filter((rule) => bad.has(rule.id)).map((rule) => rule.condition.regexFilter ?? '') };
  }
}
