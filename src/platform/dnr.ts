/**
 * Applies compiled rules to declarativeNetRequest: one atomic
 * updateDynamicRules call that replaces every rule, skipped when the rules
 * are already in force.
 */
import type { DnrRule } from '../core/rules/compile';
import { browser, BROWSER, type DeclarativeNetRequest } from './browser';

/** Rules as the browser hands them back, reduced to what Lesmodus sets, in a canonical form. */
function canonical(rules: readonly unknown[]): string {
  return JSON.stringify(rules, (_key, value: unknown) => (value === undefined ? undefined : value));
}

let lastApplied: string | null = null;

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

/** Replaces all dynamic rules with `rules` in one call; does nothing when they are already in force. */
export async function applyRules(rules: readonly DnrRule[]): Promise<ApplyResult> {
  const wanted = canonical(rules);
  if (wanted === lastApplied) return { changed: false, count: rules.length, dropped: [] };
  const current = await browser.declarativeNetRequest.getDynamicRules();
  // The service worker may have been restarted: compare with what the browser holds.
  if (lastApplied === null && current.length === rules.length && sameRules(current, rules)) {
    lastApplied = wanted;
    return { changed: false, count: rules.length, dropped: [] };
  }
  const removeRuleIds = current.map((rule) => rule.id);
  try {
    await browser.declarativeNetRequest.updateDynamicRules({ removeRuleIds, addRules: rules as DeclarativeNetRequest.Rule[] });
    lastApplied = wanted;
    return { changed: true, count: rules.length, dropped: [] };
  } catch (error) {
    // A regular expression the browser's engine refuses (Chrome limits their compiled size)
    // must not stop every other rule: drop those and apply the rest.
    const bad = await unsupportedRegexes(rules);
    if (bad.size === 0) throw error;
    const kept = rules.filter((rule) => !bad.has(rule.id));
    await browser.declarativeNetRequest.updateDynamicRules({ removeRuleIds, addRules: kept as DeclarativeNetRequest.Rule[] });
    lastApplied = wanted;
    return { changed: true, count: kept.length, dropped: rules.filter((rule) => bad.has(rule.id)).map((rule) => rule.condition.regexFilter ?? '') };
  }
}

function sameRules(current: readonly DeclarativeNetRequest.Rule[], wanted: readonly DnrRule[]): boolean {
  for (let index = 0; index < wanted.length; index += 1) {
    const a = current[index];
    const b = wanted[index];
    if (!a || !b || a.id !== b.id || a.priority !== b.priority) return false;
    if (JSON.stringify(a.action) !== JSON.stringify(b.action)) return false;
    const ca = a.condition;
    const cb = b.condition;
    if (ca.regexFilter !== cb.regexFilter || JSON.stringify(ca.requestDomains) !== JSON.stringify(cb.requestDomains) || JSON.stringify(ca.resourceTypes) !== JSON.stringify(cb.resourceTypes)) return false;
  }
  return true;
}
