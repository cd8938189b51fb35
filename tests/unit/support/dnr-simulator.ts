/**
 * A small, faithful model of how Chrome's declarativeNetRequest judges one
 * request against an extension's dynamic rules, for the rule features
 * Lesmodus uses. It follows the documented semantics
 * (developer.chrome.com/docs/extensions/reference/api/declarativeNetRequest):
 *
 * - a rule applies to a request when every condition holds:
 *   `resourceTypes` contains the request's type; `requestDomains` contains the request's host or a
 *   parent domain of it (entries are canonical: lower case, punycode);
 *   `regexFilter` (RE2, matched against the whole request URL, case
 *   insensitively unless `isUrlFilterCaseSensitive` is true) finds a match;
 * - of the rules that apply, the highest `priority` wins; on equal priority
 *   the action decides: allow > allowAllRequests > block > upgradeScheme >
 *   redirect;
 * - only http(s) requests are seen at all: other schemes are never judged.
 *
 * It also checks what Chrome checks when rules are added (unique ids,
 * priorities >= 1, non-empty lists, ASCII-only canonical domains and regexes,
 * a regexFilter wherever a regexSubstitution is used, no RE2-unsupported
 * syntax), and throws when a rule would be refused.
 *
 * Two facts the documentation leaves open are fixed here and named:
 * - a host written with a trailing dot (`example.com.`) is matched by
 *   `requestDomains` as the host without it in Chromium (its
 *   url_pattern_index drops a trailing dot before comparing domains), and as
 *   written in Firefox (`engine: 'firefox'`: `example.com.` matches neither
 *   `example.com` nor its subdomains' entries; measured in Firefox ESR 153),
 *   while `regexFilter` sees the URL as written, dot included;
 * - whether the fragment is part of the URL a rule sees is a parameter
 *   (`withFragment`): the agreement tests run both ways, so the compiled
 *   rules must not depend on it.
 *
 * {@link DnrSimulator.navigate} follows what a browser follows: a redirect to
 * another web address is a new request, judged by the rules again (the URL
 * parsed anew, as the browser parses the address it is sent to), up to 20
 * redirects, after which the navigation fails (ERR_TOO_MANY_REDIRECTS).
 * That is Chromium. Firefox (ESR 153) does not apply redirect rules again to
 * the request a redirect rule made: there, after one decoding redirect, no
 * rule redirects again (neither another decoding nor to the blocked page),
 * and the navigation backstop judges the address once it has loaded.
 * `navigate` follows Chromium in both engines.
 */
import type { DnrRule, ResourceType } from '../../../src/core/rules/compile';

export type DnrAction = 'allow' | 'allowAllRequests' | 'block' | 'upgradeScheme' | 'redirect';

/** Same priority: the first of these wins. */
const ACTION_ORDER: readonly DnrAction[] = ['allow', 'allowAllRequests', 'block', 'upgradeScheme', 'redirect'];

export interface SimulatedRequest {
  readonly url: string;
  readonly type: ResourceType;
}

export interface SimulatedOutcome {
  /** True when the request goes ahead unchanged (no rule, or an allow rule won). */
  readonly allowed: boolean;
  readonly action: DnrAction | null;
  readonly rule: DnrRule | null;
  /** For a redirect: where the request is sent. */
  readonly redirectUrl?: string;
}

/** Where a navigation ends: the outcome of its last request, and the addresses it went through. */
export interface SimulatedNavigation extends SimulatedOutcome {
  /** Every address requested, the first one first. */
  readonly chain: readonly string[];
  /** True when the navigation gave up after too many redirects (the page does not load). */
  readonly tooManyRedirects: boolean;
}

/** Chromium's and Firefox's limit of redirects for one navigation. */
export const MAX_REDIRECTS = 20;

export interface SimulatorOptions {
  /** Whether the URL the rules see keeps its #fragment. */
  readonly withFragment?: boolean;
  /** Whose rule engine: they differ in how `requestDomains` read a host's trailing dot. Default chromium. */
  readonly engine?: 'chromium' | 'firefox';
}

interface CompiledRule {
  readonly rule: DnrRule;
  readonly regex: RegExp | null;
}

const ASCII = /^[\x00-\x7f]*$/;
const CANONICAL_DOMAIN = /^[a-z0-9.\-_[\]:]+$/;
/** Syntax JavaScript accepts and RE2 does not: lookaround and backreferences. */
const NOT_RE2 = /\(\?<?[=!]|\\[1-9]|\(\?<[A-Za-z]/;

function invalid(rule: DnrRule, why: string): never {
  throw new Error(`rule ${rule.id} would be refused: ${why}\n${JSON.stringify(rule)}`);
}

function validate(rules: readonly DnrRule[]): CompiledRule[] {
  const ids = new Set<number>();
  return rules.map((rule) => {
    if (!Number.isInteger(rule.id) || rule.id < 1) invalid(rule, 'id must be an integer >= 1');
    if (ids.has(rule.id)) invalid(rule, 'duplicate id');
    ids.add(rule.id);
    if (!Number.isInteger(rule.priority) || rule.priority < 1 || rule.priority > 2 ** 31 - 1) invalid(rule, 'priority must be an integer from 1 to 2^31-1');
    const { condition, action } = rule;
    if (condition.resourceTypes.length === 0) invalid(rule, 'resourceTypes must not be empty');
    if (condition.requestDomains !== undefined) {
      if (condition.requestDomains.length === 0) invalid(rule, 'requestDomains must not be empty');
      for (const domain of condition.requestDomains) {
        if (!ASCII.test(domain)) invalid(rule, `requestDomains entry ${domain} is not ASCII (use punycode)`);
        if (!CANONICAL_DOMAIN.test(domain)) invalid(rule, `requestDomains entry ${domain} is not canonical`);
      }
    }
    let regex: RegExp | null = null;
    if (condition.regexFilter !== undefined) {
      if (!ASCII.test(condition.regexFilter)) invalid(rule, 'regexFilter must be ASCII');
      if (NOT_RE2.test(condition.regexFilter)) invalid(rule, 'regexFilter uses syntax RE2 does not support');
      try {
        regex = new RegExp(condition.regexFilter, condition.isUrlFilterCaseSensitive === true ? '' : 'i');
      } catch (error) {
        invalid(rule, `regexFilter does not compile: ${String(error)}`);
      }
    }
    if (action.type === 'redirect') {
      if (action.redirect.regexSubstitution !== undefined && regex === null) invalid(rule, 'regexSubstitution needs a regexFilter');
    }
    return { rule, regex };
  });
}

function hostOf(url: URL, engine: 'chromium' | 'firefox'): string {
  const host = url.hostname;
  return engine === 'chromium' && host.endsWith('.') ? host.slice(0, -1) : host;
}

function domainMatches(host: string, domains: readonly string[]): boolean {
  return domains.some((domain) => host === domain || (host.length > domain.length && host.endsWith(domain) && host[host.length - domain.length - 1] === '.'));
}

/** Chrome's regexSubstitution: \0 is the whole match, \1-\9 the groups; the first match is replaced. */
function substitute(url: string, regex: RegExp, substitution: string): string {
  return url.replace(regex, (...match: unknown[]) => substitution.replace(/\\(\\|[0-9])/g, (_all, what: string) => (what === '\\' ? '\\' : String(match[Number(what)] ?? ''))));
}

export class DnrSimulator {
  private readonly rules: CompiledRule[];

  constructor(rules: readonly DnrRule[], private readonly options: SimulatorOptions = {}) {
    this.rules = validate(rules);
  }

  evaluate(request: SimulatedRequest): SimulatedOutcome {
    let parsed: URL;
    try {
      parsed = new URL(request.url);
    } catch {
      return { allowed: true, action: null, rule: null };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { allowed: true, action: null, rule: null };
    const href = this.options.withFragment === false ? parsed.href.replace(/#.*$/, '') : parsed.href;
    const host = hostOf(parsed, this.options.engine ?? 'chromium');

    let best: CompiledRule | null = null;
    for (const candidate of this.rules) {
      const { condition } = candidate.rule;
      if (!condition.resourceTypes.includes(request.type)) continue;
      if (condition.requestDomains !== undefined && !domainMatches(host, condition.requestDomains)) continue;
      if (candidate.regex !== null && !candidate.regex.test(href)) continue;
      if (best === null || wins(candidate.rule, best.rule)) best = candidate;
    }
    if (best === null) return { allowed: true, action: null, rule: null };
    const { action } = best.rule;
    if (action.type === 'allow') return { allowed: true, action: 'allow', rule: best.rule };
    if (action.type === 'block') return { allowed: false, action: 'block', rule: best.rule };
    const redirectUrl = substitute(href, best.regex!, action.redirect.regexSubstitution);
    return { allowed: false, action: 'redirect', rule: best.rule, redirectUrl };
  }

  /** Follows redirects to other web addresses, as the browser does; stops at the first outcome that is not one. */
  navigate(request: SimulatedRequest): SimulatedNavigation {
    const chain = [request.url];
    let url = request.url;
    for (;;) {
      const outcome = this.evaluate({ url, type: request.type });
      const next = outcome.redirectUrl;
      if (outcome.action !== 'redirect' || next === undefined || !/^https?:/i.test(next)) return { ...outcome, chain, tooManyRedirects: false };
      if (chain.length > MAX_REDIRECTS) return { allowed: false, action: 'redirect', rule: outcome.rule, chain, tooManyRedirects: true };
      url = new URL(next).href;
      chain.push(url);
    }
  }
}

/**
 * Chromium compares priorities by their low 24 bits alone (measured in
 * Chromium 156 with testMatchOutcome: priority 2^24 + 1 ranked below
 * 524,485). Both engines are held to that here, so that no compiled
 * priority relies on more.
 */
const comparedPriority = (rule: DnrRule): number => rule.priority % 2 ** 24;

function wins(a: DnrRule, b: DnrRule): boolean {
  if (comparedPriority(a) !== comparedPriority(b)) return comparedPriority(a) > comparedPriority(b);
  return ACTION_ORDER.indexOf(a.action.type) < ACTION_ORDER.indexOf(b.action.type);
}
