/**
 * compile(): effective rules -> declarativeNetRequest dynamic rules that make
 * the browser enforce exactly what decide() says, for pages (main_frame) and
 * frames (sub_frame). Nothing else is touched: scripts, images and API calls
 * of an allowed page always load.
 *
 * Precedence is carried by DNR priorities (the higher wins, whatever the
 * action):
 *
 *   PAUSE                       everything to the blocked page ("eyes on me")
 *   IT_BASE + 2·specificity + 1 IT allowed  } the more specific wins,
 *   IT_BASE + 2·specificity     IT blocked  } allowed on a tie
 *   EXCEPTION                   a teacher's temporary exception
 *   LESSON                      lesson sites (allow or block), embeds (frames only)
 *   LESSON_DEFAULT              allowlist lesson: everything else blocked
 *
 * Plain host patterns (no scheme, port, path, query or leading dot) go many
 * to a rule with `requestDomains`, which matches a host and its subdomains as
 * a pattern does; the rest become a `regexFilter` rule each (one per order of
 * their query conditions), with their host in `requestDomains` where it can
 * be. So even a 50,000-entry IT list is a handful of rules.
 */
import { DEFAULT_PORTS, parsedPatterns, specificity, type SitePattern } from './patterns';
import type { EffectiveRules } from './resolve';

export type ResourceType = 'main_frame' | 'sub_frame';

/** The subset of the declarativeNetRequest Rule type (Chrome, Edge, Firefox) that Lesmodus uses. */
export interface DnrRule {
  id: number;
  priority: number;
  action:
    | { type: 'allow' }
    | { type: 'block' }
    | { type: 'redirect'; redirect: { regexSubstitution: string } };
  condition: {
    requestDomains?: string[];
    regexFilter?: string;
    isUrlFilterCaseSensitive?: boolean;
    resourceTypes: ResourceType[];
  };
}

interface CompileOptions {
  /** Absolute URL of the extension's blocked page; the blocked address is appended after '#'. */
  readonly blockedPageUrl: string;
  /** requestDomains entries per rule at most. */
  readonly maxDomainsPerRule?: number;
}

export const PRIORITY = {
  LESSON_DEFAULT: 1,
  LESSON: 2,
  EXCEPTION: 3,
  IT_BASE: 1000,
  PAUSE: 2_000_000_000,
} as const;

const PAGES_AND_FRAMES: ResourceType[] = ['main_frame', 'sub_frame'];
const FRAMES: ResourceType[] = ['sub_frame'];
const ANY_WEB_URL = '^https?://.*$';

type Action = 'allow' | 'redirect';

interface Group {
  action: Action;
  priority: number;
  resourceTypes: ResourceType[];
  domains: string[];
  everyHost: boolean;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A plain host pattern fits `requestDomains`, which matches the host and its subdomains. */
function isPlainHost(pattern: SitePattern): boolean {
  return !pattern.exact && pattern.scheme === null && pattern.port === null && pattern.path === '' && pattern.query.length === 0;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

const USERINFO = '(?:[^/?#@]*@)?';

/** How the URL's host is matched: here in the regex, or by `requestDomains` beside it. */
function hostRegex(pattern: SitePattern, viaRequestDomains: boolean): string {
  if (pattern.anyHost) return '(?:\\[[^\\]/]*\\]|[^/?#:@]*)';
  // requestDomains already holds the host to the pattern's host and its subdomains.
  if (viaRequestDomains) return '[^/?#:@]*';
  // A host may be written with a trailing dot (`example.com.`): the same host, and decide() treats it so.
  const host = `${escapeRegex(pattern.host)}\\.?`;
  return pattern.exact ? host : `(?:[^/?#:@]+\\.)?${host}`;
}

function schemesRegex(schemes: readonly string[]): string {
  if (schemes.length === 2 && schemes.includes('http') && schemes.includes('https')) return 'https?';
  return schemes.length === 1 ? escapeRegex(schemes[0]!) : `(?:${schemes.map(escapeRegex).join('|')})`;
}

/** `scheme://userinfo@host:port`, from the start of the URL. */
function authorityRegex(pattern: SitePattern, host: string): string {
  if (pattern.port === null) return `${pattern.scheme === null ? 'https?' : escapeRegex(pattern.scheme)}://${USERINFO}${host}(?::\\d+)?`;
  // Browsers leave a scheme's default port out of the URL.
  const schemes = pattern.scheme === null ? ['http', 'https'] : [pattern.scheme];
  const implicit = schemes.filter((scheme) => DEFAULT_PORTS[scheme] === pattern.port);
  const explicit = schemes.filter((scheme) => DEFAULT_PORTS[scheme] !== pattern.port);
  const alternatives = [
    ...(explicit.length > 0 ? [`${schemesRegex(explicit)}://${USERINFO}${host}:${pattern.port}`] : []),
    ...(implicit.length > 0 ? [`${schemesRegex(implicit)}://${USERINFO}${host}`] : []),
  ];
  return alternatives.length === 1 ? alternatives[0]! : `(?:${alternatives.join('|')})`;
}

function pathRegex(pattern: SitePattern): string {
  if (pattern.path === '') return pattern.query.length > 0 ? '(?:/[^?#]*)?' : '';
  if (pattern.path.endsWith('/')) return `${escapeRegex(pattern.path)}[^?#]*`;
  return `${escapeRegex(pattern.path)}(?:/[^?#]*)?`;
}

/**
 * What follows the path: anything, or the query with every condition, in
 * each order the conditions can appear in (one alternative per order). Keys
 * and values are compared as the URL writes them (see SitePattern.query).
 */
function tailRegexes(pattern: SitePattern): string[] {
  if (pattern.query.length === 0) return [pattern.path === '' ? '(?:[/?#].*)?$' : '(?:[?#].*)?$'];
  const conditions = pattern.query.map(([key, value]) => (value === null ? `${escapeRegex(key)}(?:=[^&#]*)?` : `${escapeRegex(key)}=${escapeRegex(value)}`));
  return permutations(conditions).map((order) => `\\?(?:[^#]*&)?${order.join('(?:&[^#]*)?&')}(?:[&#].*)?$`);
}

/**
 * The DNR conditions that together match exactly the URLs the pattern
 * matches (any one of them matching is a match). Chrome compiles a
 * regexFilter with RE2 in 2 KB of memory, which holds only about a hundred
 * program instructions, and refuses the whole rule update when one regex is
 * larger. So the regexes are kept small: a named host goes into
 * `requestDomains` beside the regex instead of into it, and the orders in
 * which query conditions can appear become one condition each instead of
 * one alternation.
 */
function patternConditions(pattern: SitePattern): Array<{ requestDomains?: string[]; regexFilter: string }> {
  const viaRequestDomains = !pattern.anyHost && !pattern.exact;
  const head = `^${authorityRegex(pattern, hostRegex(pattern, viaRequestDomains))}${pathRegex(pattern)}`;
  return tailRegexes(pattern).map((tail) => ({ ...(viaRequestDomains ? { requestDomains: [pattern.host] } : {}), regexFilter: head + tail }));
}

class RuleBuilder {
  readonly rules: DnrRule[] = [];
  /** The pattern each regex rule comes from, to name it if the rule must be left out. */
  readonly sourceOf = new Map<DnrRule, string>();
  private readonly groups = new Map<number, Group>();
  private readonly seen = new Set<string>();

  constructor(private readonly options: CompileOptions) {}

  add(pattern: SitePattern, action: Action, priority: number, resourceTypes: ResourceType[]): void {
    if (isPlainHost(pattern) || (pattern.anyHost && pattern.scheme === null && pattern.port === null && pattern.path === '' && pattern.query.length === 0)) {
      // A number, not a string: this runs once per entry of IT's lists.
      const key = priority * 4 + (action === 'allow' ? 2 : 0) + (resourceTypes.length === 1 ? 1 : 0);
      let group = this.groups.get(key);
      if (!group) {
        group = { action, priority, resourceTypes, domains: [], everyHost: false };
        this.groups.set(key, group);
      }
      if (pattern.anyHost) group.everyHost = true;
      else group.domains.push(pattern.host);
      return;
    }
    const typesKey = resourceTypes.join(',');
    for (const condition of patternConditions(pattern)) {
      const dedupeKey = `${action}|${priority}|${typesKey}|${condition.requestDomains?.[0] ?? ''}|${condition.regexFilter}`;
      if (this.seen.has(dedupeKey)) continue;
      this.seen.add(dedupeKey);
      this.sourceOf.set(this.push(action, priority, { ...condition, isUrlFilterCaseSensitive: true, resourceTypes }), pattern.source);
    }
  }

  private push(action: Action, priority: number, condition: DnrRule['condition']): DnrRule {
    const id = this.rules.length + 1;
    let rule: DnrRule;
    if (action === 'allow') {
      rule = { id, priority, action: { type: 'allow' }, condition };
    } else {
      // A redirect carries the blocked address to the blocked page; that needs a regexFilter to substitute from.
      const withRegex = condition.regexFilter === undefined ? { ...condition, regexFilter: ANY_WEB_URL } : condition;
      rule = { id, priority, action: { type: 'redirect', redirect: { regexSubstitution: `${this.options.blockedPageUrl}#\\0` } }, condition: withRegex };
    }
    this.rules.push(rule);
    return rule;
  }

  /** Everything http(s), pages and frames. */
  addEverything(action: Action, priority: number): void {
    this.push(action, priority, { resourceTypes: PAGES_AND_FRAMES });
  }

  finish(): DnrRule[] {
    const chunk = this.options.maxDomainsPerRule ?? 10_000;
    const groups = [...this.groups.values()].sort((a, b) => b.priority - a.priority || a.action.localeCompare(b.action));
    for (const group of groups) {
      if (group.everyHost) {
        this.push(group.action, group.priority, { resourceTypes: group.resourceTypes });
        continue;
      }
      const domains = [...new Set(group.domains)];
      for (let start = 0; start < domains.length; start += chunk) {
        this.push(group.action, group.priority, { requestDomains: domains.slice(start, start + chunk), resourceTypes: group.resourceTypes });
      }
    }
    return this.rules;
  }
}

/**
 * Chrome accepts at most 1,000 rules with a regexFilter per extension, and
 * refuses the whole update beyond that — which would leave the previous
 * rules in force. Every redirect rule counts, as does every pattern rule
 * that needs a regular expression.
 */
export const MAX_REGEX_RULES = 1000;

interface Compiled {
  readonly rules: DnrRule[];
  /**
   * Patterns left out of DNR to stay within the browser's regex-rule limit.
   * Block rules go first (lowest priority first): the navigation backstop
   * still judges those pages with decide(), so nothing is opened that should
   * not be; only allow rules left out would over-block.
   */
  readonly leftOut: readonly string[];
}

function isRegexRule(rule: DnrRule): boolean {
  return rule.condition.regexFilter !== undefined;
}

/** Leaves pattern rules out until at most `limit` regex rules remain; renumbers the rest. */
function withinRegexLimit(rules: DnrRule[], sourceOf: ReadonlyMap<DnrRule, string>, limit: number): Compiled {
  let excess = rules.filter(isRegexRule).length - limit;
  if (excess <= 0) return { rules, leftOut: [] };
  const candidates = rules
    .filter((rule) => sourceOf.has(rule))
    .sort((a, b) => (a.action.type === 'allow' ? 1 : 0) - (b.action.type === 'allow' ? 1 : 0) || a.priority - b.priority || a.id - b.id);
  const dropped = new Set<DnrRule>();
  for (const rule of candidates) {
    if (excess <= 0) break;
    dropped.add(rule);
    excess -= 1;
  }
  const kept = rules.filter((rule) => !dropped.has(rule)).map((rule, index) => ({ ...rule, id: index + 1 }));
  return { rules: kept, leftOut: [...new Set([...dropped].map((rule) => sourceOf.get(rule)!))] };
}

/**
 * The DNR rules that enforce `rules`. Deterministic: the same rules always
 * compile to the same list, so an unchanged result can be skipped.
 */
export function compile(rules: EffectiveRules, options: CompileOptions): DnrRule[] {
  return compileWithReport(rules, options).rules;
}

/** {@link compile}, also naming the patterns left out to respect the browser's limits. */
export function compileWithReport(rules: EffectiveRules, options: CompileOptions & { readonly maxRegexRules?: number }): Compiled {
  const builder = new RuleBuilder(options);

  if (rules.paused) builder.addEverything('redirect', PRIORITY.PAUSE);

  for (const pattern of parsedPatterns(rules.itAllowed)) builder.add(pattern, 'allow', PRIORITY.IT_BASE + 2 * specificity(pattern) + 1, PAGES_AND_FRAMES);
  for (const pattern of parsedPatterns(rules.itBlocked)) builder.add(pattern, 'redirect', PRIORITY.IT_BASE + 2 * specificity(pattern), PAGES_AND_FRAMES);
  for (const pattern of parsedPatterns(rules.exceptions)) builder.add(pattern, 'allow', PRIORITY.EXCEPTION, PAGES_AND_FRAMES);

  const lesson = rules.lesson;
  if (lesson?.mode === 'allowlist') {
    for (const pattern of parsedPatterns(lesson.sites)) builder.add(pattern, 'allow', PRIORITY.LESSON, PAGES_AND_FRAMES);
    for (const pattern of parsedPatterns([...rules.itEmbeds, ...lesson.embeds])) builder.add(pattern, 'allow', PRIORITY.LESSON, FRAMES);
    builder.addEverything('redirect', PRIORITY.LESSON_DEFAULT);
  } else if (lesson?.mode === 'blocklist') {
    for (const pattern of parsedPatterns(lesson.sites)) builder.add(pattern, 'redirect', PRIORITY.LESSON, PAGES_AND_FRAMES);
  }
  return withinRegexLimit(builder.finish(), builder.sourceOf, options.maxRegexRules ?? MAX_REGEX_RULES);
}
