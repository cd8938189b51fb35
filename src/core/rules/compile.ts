/**
 * compile(): effective rules -> declarativeNetRequest dynamic rules that make
 * the browser enforce exactly what decide() says, for pages (main_frame) and
 * frames (sub_frame, and `object`: an `<object>` or `<embed>` showing a site
 * is a frame, which browsers file under its own type). Nothing else is
 * touched: scripts, images and API calls of an allowed page always load.
 *
 * Precedence is carried by DNR priorities (the higher wins, whatever the
 * action):
 *
 *   PAUSE                       every new page to the blocked page ("eyes on me"; pages
 *                               already open are covered by the background, not replaced)
 *   DECODE                      percent-encoded letters and digits decoded, one redirect each
 *   IT_BASE + 2·rank(s + 1)     an IT allowed pattern's veto (a repeated query key): blocked, one step more specific
 *   IT_BASE + 2·rank(s) + 1     IT allowed  } the more specific wins,
 *   IT_BASE + 2·rank(s)         IT blocked, and the lesson's categories IT set above its allowed sites  } allowed on a tie
 *   EXCEPTION + 1               vetoes of exceptions
 *   EXCEPTION                   a teacher's temporary exception
 *   LESSON_VETO                 vetoes of lesson sites and embeds
 *   LESSON + 2·rank(s) + 1      allowlist lesson: its sites, embeds (frames only)  } the more specific wins,
 *   LESSON + 2·rank(s)          the categories the lesson blocks                    } the lesson's own on a tie
 *   LESSON + 2·rank(s)          blocklist lesson: its sites
 *   LESSON_DEFAULT              allowlist lesson: everything else blocked
 *
 * where s is a pattern's specificity() and rank(s) its place among the
 * specificities of its band's patterns (0, 1, 2, … in increasing order):
 * only their order matters, and ranks keep every priority below 2^24.
 * Chromium compares priorities by their low 24 bits alone (measured in
 * Chromium 156 with testMatchOutcome: an allow rule of priority 524,485 beat
 * a block rule of priority 2^24 + 1 and one of 2^25 + 2), so a priority of
 * 2^24 or more silently ranks below a small one there.
 *
 * Plain host patterns (no scheme, port, path, query or leading dot) go many
 * to a rule with `requestDomains`, which matches a host and its subdomains as
 * a pattern does; the rest become a `regexFilter` rule each (one per order of
 * their query conditions), with their host in `requestDomains` where it can
 * be. So even a 50,000-entry IT list is a handful of rules.
 */
import { sameEnds } from '../lists';
import { ALLOWING, BLOCKING, DEFAULT_PORTS, PREFIX_PATH, canVeto, parsedPatterns, specificity, type MatchMode, type QueryCondition, type SitePattern } from './patterns';
import type { EffectiveRules } from './resolve';

export type ResourceType = 'main_frame' | 'sub_frame' | 'object';

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
  /**
   * List every host in `requestDomains` twice: as it is, and with a
   * trailing dot (`allowed.test.`). Firefox needs this: its
   * `requestDomains` compare the host as the URL writes it, so without it
   * `http://allowed.test./` matches no rule naming `allowed.test` — in an
   * allowlist lesson an allowed site is blocked, and a site IT blocked
   * opens. Chrome drops the dot itself. (A rule that redirects
   * `allowed.test.` to `allowed.test` first would cost one rule instead,
   * but Firefox does not apply redirect rules to the request such a
   * redirect makes: the blocked site would load.)
   */
  readonly domainsWithTrailingDot?: boolean;
  /**
   * How an address with a percent-encoded unreserved character is brought to
   * the spelling decide() judges. 'redirect' (Chrome, Edge): one redirect
   * per character, whose request the rules judge again. 'blocked-page'
   * (Firefox): Firefox does not apply the rules to the request a redirect
   * rule makes, so a decoding redirect would load `/forbidden` unjudged;
   * such an address goes to the blocked page instead, and the background
   * sends the tab on to the decoded address when that is allowed (its own
   * navigation, which the rules judge).
   */
  readonly decodeBy?: 'redirect' | 'blocked-page';
}

/** How many distinct specificities a band ranks: the lesson's (at most about 100,000 patterns), IT's (its lists, each allowed pattern twice). */
const LESSON_RANKS = 1_000_000;
const IT_RANKS = 6_000_000;

/** Every priority stays below 2^24: Chromium compares only the low 24 bits (see above). */
export const PRIORITY = {
  LESSON_DEFAULT: 1,
  /** The base of the lesson's band, where its sites and blocked categories rank by specificity. */
  LESSON: 2,
  LESSON_VETO: 2 + 2 * LESSON_RANKS + 2,
  EXCEPTION: 2 + 2 * LESSON_RANKS + 3,
  IT_BASE: 2 + 2 * LESSON_RANKS + 100,
  /** Percent-encoded unreserved characters are decoded (one redirect each) before anything else is judged. */
  DECODE: 16_000_000,
  PAUSE: 16_000_001,
} as const;

/** The rank of each specificity among `specificities`, 0 for the least specific; a band with more (none has) shares its top rank. */
function ranks(specificities: Iterable<number>, limit: number): Map<number, number> {
  const sorted = [...new Set(specificities)].sort((a, b) => a - b);
  return new Map(sorted.map((value, index) => [value, Math.min(index, limit - 1)]));
}

const PAGES_AND_FRAMES: ResourceType[] = ['main_frame', 'sub_frame', 'object'];
const FRAMES: ResourceType[] = ['sub_frame', 'object'];
const PAGES: ResourceType[] = ['main_frame'];
const ANY_WEB_URL = '^https?://.*$';

type Action = 'allow' | 'redirect';

interface Group {
  action: Action;
  priority: number;
  resourceTypes: ResourceType[];
  /** Its `requestDomains`, a rule's worth each (maxDomainsPerRule), filled as the hosts come. */
  chunks: string[][];
  everyHost: boolean;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A plain host pattern (or `*`) fits `requestDomains`, which matches the host and its subdomains. */
function isPlainHost(pattern: SitePattern): boolean {
  return !pattern.exact && pattern.scheme === null && pattern.port === null && pattern.path === '' && pattern.query.length === 0;
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

function pathRegex(pattern: SitePattern, mode: MatchMode): string {
  if (pattern.path === '') return pattern.query.length > 0 ? '(?:/[^?#]*)?' : '';
  // IT's blocked paths are text prefixes, as in Chrome's URLBlocklist; the rest match whole segments.
  if (pattern.path.endsWith('/') || (mode & PREFIX_PATH) !== 0) return `${escapeRegex(pattern.path)}[^?#]*`;
  return `${escapeRegex(pattern.path)}(?:/[^?#]*)?`;
}

const PARAMETER_CHAR = '[^&#]';

/** The parameters a condition accepts: one text, the texts starting with it, or (blocking, key alone) the key with or without a value. */
interface Accepted {
  readonly kind: 'exact' | 'prefix' | 'key';
  readonly text: string;
}

function acceptedBy(condition: QueryCondition, blocking: boolean): Accepted {
  if (condition.prefix) return { kind: 'prefix', text: condition.text };
  return { kind: blocking && condition.value === null ? 'key' : 'exact', text: condition.text };
}

/** True when every parameter `a` accepts, `b` accepts. */
function within(a: Accepted, b: Accepted): boolean {
  const inB = (text: string): boolean => (b.kind === 'exact' ? text === b.text : b.kind === 'prefix' ? text.startsWith(b.text) : text === b.text || text.startsWith(`${b.text}=`));
  if (a.kind === 'exact') return inB(a.text);
  if (a.kind === 'prefix') return b.kind === 'prefix' ? a.text.startsWith(b.text) : b.kind === 'key' && a.text.startsWith(`${b.text}=`);
  return b.kind === 'prefix' ? a.text.startsWith(b.text) : b.kind === 'key' && a.text === b.text;
}

/**
 * The conditions whose presence is not implied by another's. What two of
 * these conditions accept never overlaps (for these forms, sets that overlap
 * always nest), so each needs a parameter of its own, and the regex can ask
 * for them one after another.
 */
function presenceConditions(conditions: readonly QueryCondition[], blocking: boolean): QueryCondition[] {
  const accepted = conditions.map((condition) => acceptedBy(condition, blocking));
  return conditions.filter((_, i) => !accepted.some((other, j) => j !== i && within(other, accepted[i]!) && (!within(accepted[i]!, other) || j < i)));
}

function orders(items: readonly string[]): string[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => orders([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

/** A parameter that fits the condition, as the URL writes it. */
function fitRegex(condition: QueryCondition, blocking: boolean): string {
  const text = escapeRegex(condition.text);
  if (condition.prefix) return `${text}${PARAMETER_CHAR}*`;
  return blocking && condition.value === null ? `${text}(?:=${PARAMETER_CHAR}*)?` : text;
}

/** The query holds each of `parameters`, in this order, among any others. */
function queryWith(parameters: readonly string[]): string {
  return `\\?(?:[^#]*&)?${parameters.join('(?:&[^#]*)?&')}(?:[&#].*)?$`;
}

/**
 * What follows the path: anything, or the query with a parameter that fits
 * each condition, in each order the conditions can appear in (one regex per
 * order). Keys and values are compared as the URL writes them (see
 * SitePattern.query). Asking for every parameter with a key instead (as an
 * allowlist needs) would take a regex far beyond Chrome's RE2 limit: the
 * allowing pattern's vetoes ({@link vetoTails}) say it instead.
 */
function tailRegexes(pattern: SitePattern, mode: MatchMode): string[] {
  if (pattern.query.length === 0) return [pattern.path === '' ? '(?:[/?#].*)?$' : '(?:[?#].*)?$'];
  const blocking = (mode & BLOCKING) !== 0;
  return orders(presenceConditions(pattern.query, blocking).map((condition) => fitRegex(condition, blocking))).map(queryWith);
}

/**
 * An allowing pattern's vetoes: for each condition on every parameter with
 * its key, a query where that key appears twice, one of them fitting (two
 * orders). The compiler blocks these one priority above the pattern's allow.
 */
function vetoTails(pattern: SitePattern, mode: MatchMode): string[] {
  if ((mode & BLOCKING) !== 0) return [];
  return pattern.query.filter(canVeto).flatMap((condition) => {
    const fit = fitRegex(condition, false);
    const touch = `${escapeRegex(condition.touch)}${PARAMETER_CHAR}*`;
    return [queryWith([fit, touch]), queryWith([touch, fit])];
  });
}

/**
 * A regular expression (RE2 and JavaScript alike) that matches exactly the
 * URLs the pattern matches, as the browser serialises them.
 */
export function patternToRegex(pattern: SitePattern, mode: MatchMode = ALLOWING): string {
  const tails = tailRegexes(pattern, mode);
  if (tails.length === 0) return '^$.';
  const tail = tails.length === 1 ? tails[0]! : `(?:${tails.map((t) => t.slice(0, -1)).join('|')})$`;
  return `^${authorityRegex(pattern, hostRegex(pattern, false))}${pathRegex(pattern, mode)}${tail}`;
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
function patternConditions(
  pattern: SitePattern,
  mode: MatchMode,
  domains: (hosts: readonly string[]) => string[],
  tails: (pattern: SitePattern, mode: MatchMode) => string[] = tailRegexes,
): Array<{ requestDomains?: string[]; regexFilter: string }> {
  const viaRequestDomains = !pattern.anyHost && !pattern.exact;
  const head = `^${authorityRegex(pattern, hostRegex(pattern, viaRequestDomains))}${pathRegex(pattern, mode)}`;
  return tails(pattern, mode).map((tail) => ({ ...(viaRequestDomains ? { requestDomains: domains([pattern.host]) } : {}), regexFilter: head + tail }));
}

/** An IP address: never written with a trailing dot (the browser drops it from an IPv4 address). */
function isIpAddress(host: string): boolean {
  return /^[\d.]+$|^\[/.test(host);
}

/** `requestDomains` entries for hosts: as they are, and with `withTrailingDot` each also with its dot (see CompileOptions). */
function domainsFor(hosts: readonly string[], withTrailingDot: boolean): string[] {
  if (!withTrailingDot) return [...hosts];
  return hosts.flatMap((host) => (isIpAddress(host) ? [host] : [host, `${host}.`]));
}

/** requestDomains entries per rule unless the options say otherwise. */
const MAX_DOMAINS_PER_RULE = 10_000;

class RuleBuilder {
  readonly rules: DnrRule[] = [];
  /** The pattern each regex rule comes from, to name it if the rule must be left out. */
  readonly sourceOf = new Map<DnrRule, string>();
  private readonly groups = new Map<number, Group>();
  private readonly seen = new Set<string>();

  constructor(private readonly options: CompileOptions) {}

  readonly domains = (hosts: readonly string[]): string[] => domainsFor(hosts, this.options.domainsWithTrailingDot === true);

  add(pattern: SitePattern, action: Action, priority: number, resourceTypes: ResourceType[], mode: MatchMode, vetoPriority = priority + 1): void {
    if (isPlainHost(pattern)) {
      // `*` is one too: every host.
      if (pattern.anyHost) this.group(action, priority, resourceTypes).everyHost = true;
      else this.addHost(pattern.host, action, priority, resourceTypes);
      return;
    }
    this.addConditions(pattern, action, priority, resourceTypes, patternConditions(pattern, mode, this.domains));
    // An allowing pattern's vetoes block one priority above its allow (see patterns.ts, QueryCondition).
    if (action === 'allow') this.addConditions(pattern, 'redirect', vetoPriority, resourceTypes, patternConditions(pattern, mode, this.domains, vetoTails));
  }

  /** The `requestDomains` rules for an action, priority and types. */
  group(action: Action, priority: number, resourceTypes: ResourceType[]): Group {
    // A number, not a string: this runs once per entry of IT's lists.
    const key = priority * 4 + (action === 'allow' ? 2 : 0) + (resourceTypes === FRAMES ? 1 : 0);
    let group = this.groups.get(key);
    if (!group) {
      group = { action, priority, resourceTypes, chunks: [], everyHost: false };
      this.groups.set(key, group);
    }
    return group;
  }

  /**
   * A plain host pattern's host, into the `requestDomains` of the rule for
   * its action, priority and types. A host a list names twice is named twice:
   * a rule matches when any of its names does, so a repeat changes nothing
   * (Chromium accepts repeats and sorts the names for its index), and looking
   * for repeats would hash every host of a 50,000-entry list on every policy
   * change.
   */
  private addHost(host: string, action: Action, priority: number, resourceTypes: ResourceType[]): void {
    const group = this.group(action, priority, resourceTypes);
    this.addDomain(group, host);
    if (this.options.domainsWithTrailingDot === true && !isIpAddress(host)) this.addDomain(group, `${host}.`);
  }

  /** `requestDomains` entries already made (IT's blocked list, sorted), in order, into the group's rules. */
  addDomainsTo(group: Group, domains: readonly string[]): void {
    const max = this.options.maxDomainsPerRule ?? MAX_DOMAINS_PER_RULE;
    let next = 0;
    const last = group.chunks[group.chunks.length - 1];
    if (last !== undefined) for (; next < domains.length && last.length < max; next += 1) last.push(domains[next]!);
    // Copies: a rule's list is its own, whatever is added to the group after.
    for (; next < domains.length; next += max) group.chunks.push(domains.slice(next, next + max));
  }

  private addDomain(group: Group, domain: string): void {
    let chunk = group.chunks[group.chunks.length - 1];
    if (chunk === undefined || chunk.length >= (this.options.maxDomainsPerRule ?? MAX_DOMAINS_PER_RULE)) group.chunks.push((chunk = []));
    chunk.push(domain);
  }

  private addConditions(pattern: SitePattern, action: Action, priority: number, resourceTypes: ResourceType[], conditions: ReadonlyArray<{ requestDomains?: string[]; regexFilter: string }>): void {
    const typesKey = resourceTypes.join(',');
    for (const condition of conditions) {
      const dedupeKey = `${action}|${priority}|${typesKey}|${condition.requestDomains?.[0] ?? ''}|${condition.regexFilter}`;
      if (this.seen.has(dedupeKey)) continue;
      this.seen.add(dedupeKey);
      this.sourceOf.set(this.push(action, priority, { ...condition, isUrlFilterCaseSensitive: true, resourceTypes }), pattern.source);
    }
  }

  /** A rule of its own making (not a pattern's), such as the decoding redirects. */
  pushRule(rule: Omit<DnrRule, 'id'>): void {
    this.rules.push({ id: this.rules.length + 1, ...rule } as DnrRule);
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

  /** Everything http(s), pages and frames (or only `resourceTypes`). */
  addEverything(action: Action, priority: number, resourceTypes: ResourceType[] = PAGES_AND_FRAMES): void {
    this.push(action, priority, { resourceTypes });
  }

  finish(): DnrRule[] {
    const groups = [...this.groups.values()].sort((a, b) => b.priority - a.priority || a.action.localeCompare(b.action));
    for (const group of groups) {
      if (group.everyHost) {
        this.push(group.action, group.priority, { resourceTypes: group.resourceTypes });
        continue;
      }
      for (const requestDomains of group.chunks) this.push(group.action, group.priority, { requestDomains, resourceTypes: group.resourceTypes });
    }
    return this.rules;
  }
}

/**
 * IT's blocked list as its rules need it: the plain hosts of each
 * specificity as `requestDomains` entries, in the list's order, and the
 * place of every other pattern (`*`, a path, a query, a scheme…).
 */
interface SortedBlocked {
  readonly patterns: readonly SitePattern[];
  readonly withTrailingDot: boolean;
  /** Per specificity: the entries, and the index in `patterns` of the pattern each comes from (in increasing order). */
  readonly hosts: ReadonlyMap<number, { readonly domains: readonly string[]; readonly from: Int32Array }>;
  /** The indices of the other patterns, in increasing order. */
  readonly others: Int32Array;
}

/** The number of values in `sorted` (increasing) below `value`. */
function countBelow(sorted: Int32Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** `values`, each plus `shift`, into `into` from `at`. */
function copyShifted(into: Int32Array, at: number, values: Int32Array, shift: number): void {
  if (shift === 0) {
    into.set(values, at);
    return;
  }
  for (let index = 0; index < values.length; index += 1) into[at + index] = values[index]! + shift;
}

/**
 * IT's blocked list sorted for its rules. A 50,000-entry list changes by a
 * few entries at a time, and compiling it again for each change would sort
 * every entry anew: the patterns `previous` sorted, in the same place from
 * the start and from the end (the same objects: core/policy/policy.ts hands
 * an unchanged entry its pattern from the version before), keep their
 * place, by slices of `previous`; only the stretch between is sorted here.
 * The result is the same as without `previous`.
 */
function sortBlocked(patterns: readonly SitePattern[], withTrailingDot: boolean, previous: SortedBlocked | null): SortedBlocked {
  const base = previous !== null && previous.withTrailingDot === withTrailingDot ? previous : null;
  if (base !== null && base.patterns === patterns) return base;
  const before = base?.patterns ?? [];
  const { head, tail } = sameEnds(patterns, before);
  const end = patterns.length - tail;
  /** Where the previous list's shared end starts, and how far its indices move. */
  const beforeEnd = before.length - tail;
  const shift = end - beforeEnd;

  // The stretch in between, entry by entry; neighbouring entries mostly share a specificity (their number of labels).
  const middle = new Map<number, { domains: string[]; from: number[] }>();
  const middleOthers: number[] = [];
  let runSpecificity = -1;
  let run: { domains: string[]; from: number[] } | undefined;
  for (let index = head; index < end; index += 1) {
    const pattern = patterns[index]!;
    if (!isPlainHost(pattern) || pattern.anyHost) {
      middleOthers.push(index);
      continue;
    }
    const value = specificity(pattern);
    if (value !== runSpecificity || run === undefined) {
      runSpecificity = value;
      run = middle.get(value);
      if (run === undefined) middle.set(value, (run = { domains: [], from: [] }));
    }
    run.domains.push(pattern.host);
    run.from.push(index);
    if (withTrailingDot && !isIpAddress(pattern.host)) {
      run.domains.push(`${pattern.host}.`);
      run.from.push(index);
    }
  }

  const hosts = new Map<number, { readonly domains: readonly string[]; readonly from: Int32Array }>();
  for (const value of new Set([...(base?.hosts.keys() ?? []), ...middle.keys()])) {
    const kept = base?.hosts.get(value);
    const added = middle.get(value);
    const headCount = kept === undefined ? 0 : countBelow(kept.from, head);
    const tailFrom = kept === undefined ? 0 : countBelow(kept.from, beforeEnd);
    const tailCount = kept === undefined ? 0 : kept.from.length - tailFrom;
    const addedCount = added?.from.length ?? 0;
    const count = headCount + addedCount + tailCount;
    if (count === 0) continue;
    const from = new Int32Array(count);
    let domains: readonly string[];
    if (kept === undefined) {
      domains = added!.domains;
      from.set(added!.from);
    } else {
      domains = addedCount === 0 && tailFrom === headCount ? kept.domains : kept.domains.slice(0, headCount).concat(added?.domains ?? [], kept.domains.slice(tailFrom));
      from.set(kept.from.subarray(0, headCount));
      if (added !== undefined) from.set(added.from, headCount);
      copyShifted(from, headCount + addedCount, kept.from.subarray(tailFrom), shift);
    }
    hosts.set(value, { domains, from });
  }

  const keptOthers = base?.others ?? new Int32Array(0);
  const othersHead = countBelow(keptOthers, head);
  const othersTail = countBelow(keptOthers, beforeEnd);
  const others = new Int32Array(othersHead + middleOthers.length + keptOthers.length - othersTail);
  others.set(keptOthers.subarray(0, othersHead));
  others.set(middleOthers, othersHead);
  copyShifted(others, othersHead + middleOthers.length, keptOthers.subarray(othersTail), shift);
  return { patterns, withTrailingDot, hosts, others };
}

/**
 * IT's blocked list as last sorted: the next version of the list is sorted
 * from it. A cache only, as parsedPatterns' is: compile() gives the same
 * rules whatever it holds.
 */
let lastBlocked: SortedBlocked | null = null;

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';

/** Any percent-encoded unreserved character, in either case of hex digit: 0-9 (%30-%39), A-Z (%41-%5A), a-z (%61-%7A), - . _ ~ (%2D %2E %5F %7E). */
const ENCODED_UNRESERVED_RE = '%(?:3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]|2[DdEe]|5[Ff]|7[Ee])';

/** `%6F` and `%6f` alike: a hex letter in either case. */
function escapeRegexOf(char: string): string {
  const hex = char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
  return `%${[...hex].map((digit) => (/[A-F]/.test(digit) ? `[${digit}${digit.toLowerCase()}]` : digit)).join('')}`;
}

/**
 * Redirects that decode percent-encoded unreserved characters in the path
 * and query, one per character, as decide() reads addresses: a student who
 * writes `/%66orbidden` is sent to `/forbidden`, which the rules then judge.
 * Browsers no longer do this themselves (Chromium stopped decoding them in
 * 2023; Firefox never did), and a regex per pattern that also matched every
 * encoded spelling would not fit in Chrome's RE2 limit for any real path
 * (each character costs four instructions instead of one: about ten characters
 * fit). A URL with several encoded characters takes one redirect each, in any
 * order (the result is the same); past the browser's 20 redirects it does not
 * load at all.
 *
 * Only where it can matter: the sites of the patterns with a path or a
 * query (`beyondHost`; every site when such a pattern is `*`), and only when
 * there is one. The rules are fixed: 66 regex rules of the browser's 1,000.
 */
function decodingRules(beyondHost: readonly SitePattern[], domainsOf: (hosts: readonly string[]) => string[], options: CompileOptions): Array<Omit<DnrRule, 'id'>> {
  if (beyondHost.length === 0) return [];
  // An IP address is safest matched by the regex alone: requestDomains is for names.
  const everySite = beyondHost.some((pattern) => pattern.anyHost || isIpAddress(pattern.host));
  const domains = everySite ? undefined : domainsOf([...new Set(beyondHost.map((pattern) => pattern.host))].sort());
  if (options.decodeBy === 'blocked-page') {
    return [
      {
        priority: PRIORITY.DECODE,
        action: { type: 'redirect', redirect: { regexSubstitution: `${options.blockedPageUrl}#\\0` } },
        condition: {
          ...(domains ? { requestDomains: domains } : {}),
          regexFilter: `^https?://[^/?#]*[/?][^#]*?${ENCODED_UNRESERVED_RE}.*$`,
          resourceTypes: PAGES_AND_FRAMES,
        },
      },
    ];
  }
  return [...UNRESERVED].map((char) => ({
    priority: PRIORITY.DECODE,
    action: { type: 'redirect', redirect: { regexSubstitution: `\\1${char}\\2` } },
    condition: {
      ...(domains ? { requestDomains: domains } : {}),
      // The scheme and authority, then the path or query up to the first encoded character; the fragment is left alone.
      regexFilter: `^(https?://[^/?#]*[/?][^#]*?)${escapeRegexOf(char)}(.*)$`,
      isUrlFilterCaseSensitive: true,
      resourceTypes: PAGES_AND_FRAMES,
    },
  }));
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

/**
 * The order in which rules are left out: lowest priority first, except that
 * the lesson's rules rank as one (their priorities order them by
 * specificity, not by importance), so that of a lesson's sites the first of
 * the list are kept.
 */
function dropRank(rule: DnrRule): number {
  return rule.priority >= PRIORITY.LESSON && rule.priority < PRIORITY.LESSON_VETO ? PRIORITY.LESSON : rule.priority;
}

/** Leaves pattern rules out until at most `limit` regex rules remain; renumbers the rest. */
function withinRegexLimit(rules: DnrRule[], sourceOf: ReadonlyMap<DnrRule, string>, limit: number): Compiled {
  let excess = rules.filter(isRegexRule).length - limit;
  if (excess <= 0) return { rules, leftOut: [] };
  const candidates = rules
    .filter((rule) => sourceOf.has(rule))
    // Of equal rules the later ones go first: the first patterns of a list are kept, as Chrome keeps the first entries of its URL lists.
    .sort((a, b) => (a.action.type === 'allow' ? 1 : 0) - (b.action.type === 'allow' ? 1 : 0) || dropRank(a) - dropRank(b) || b.id - a.id);
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

  // A pause stops new pages only: a page already loaded is not a request, and
  // its frames load as the lesson has it (see decide()).
  if (rules.paused) builder.addEverything('redirect', PRIORITY.PAUSE, PAGES);

  /** The patterns with a path or a query, whose sites the decoding rules cover. */
  const beyondHost: SitePattern[] = [];
  const each = (sources: readonly string[], add: (pattern: SitePattern) => void): void => {
    for (const pattern of parsedPatterns(sources)) {
      if (pattern.path !== '' || pattern.query.length > 0) beyondHost.push(pattern);
      add(pattern);
    }
  };
  // IT's two lists rank by specificity together; an allowed pattern's veto ranks as a blocked pattern one step more specific.
  // Categories IT set above its allowed sites rank with IT's blocked list while a lesson blocks them.
  const aboveAllowed = (rules.lesson?.categories ?? []).filter((category) => category.aboveAllowed === true).map((category) => category.sites);
  // IT's blocked list can hold 50,000 entries: sorted once per version of the list, mostly from the version before.
  const blocked = (lastBlocked = sortBlocked(parsedPatterns(rules.itBlocked), options.domainsWithTrailingDot === true, lastBlocked));
  const itSpecificities = new Set<number>(blocked.hosts.keys());
  for (const index of blocked.others) itSpecificities.add(specificity(blocked.patterns[index]!));
  for (const pattern of parsedPatterns(rules.itAllowed)) itSpecificities.add(specificity(pattern)).add(specificity(pattern) + 1);
  for (const sites of aboveAllowed) for (const pattern of parsedPatterns(sites)) itSpecificities.add(specificity(pattern));
  const itRank = ranks(itSpecificities, IT_RANKS);
  const it = (value: number): number => PRIORITY.IT_BASE + 2 * itRank.get(value)!;
  each(rules.itAllowed, (pattern) => builder.add(pattern, 'allow', it(specificity(pattern)) + 1, PAGES_AND_FRAMES, ALLOWING, it(specificity(pattern) + 1)));
  for (const [value, { domains }] of blocked.hosts) builder.addDomainsTo(builder.group('redirect', it(value), PAGES_AND_FRAMES), domains);
  for (const index of blocked.others) {
    const pattern = blocked.patterns[index]!;
    if (pattern.path !== '' || pattern.query.length > 0) beyondHost.push(pattern);
    builder.add(pattern, 'redirect', it(specificity(pattern)), PAGES_AND_FRAMES, BLOCKING | PREFIX_PATH);
  }
  for (const sites of aboveAllowed) each(sites, (pattern) => builder.add(pattern, 'redirect', it(specificity(pattern)), PAGES_AND_FRAMES, BLOCKING));
  each(rules.exceptions, (pattern) => builder.add(pattern, 'allow', PRIORITY.EXCEPTION, PAGES_AND_FRAMES, ALLOWING));

  const lesson = rules.lesson;
  const embeds = lesson?.mode === 'allowlist' ? [...rules.itEmbeds, ...lesson.embeds] : [];
  const categories = (lesson?.categories ?? []).map((category) => category.sites);
  const lessonRank = ranks([lesson?.sites ?? [], embeds, ...categories].flatMap((list) => parsedPatterns(list).map(specificity)), LESSON_RANKS);
  const ranked = (pattern: SitePattern): number => PRIORITY.LESSON + 2 * lessonRank.get(specificity(pattern))!;
  if (lesson?.mode === 'allowlist') {
    each(lesson.sites, (pattern) => builder.add(pattern, 'allow', ranked(pattern) + 1, PAGES_AND_FRAMES, ALLOWING, PRIORITY.LESSON_VETO));
    each(embeds, (pattern) => builder.add(pattern, 'allow', ranked(pattern) + 1, FRAMES, ALLOWING, PRIORITY.LESSON_VETO));
    builder.addEverything('redirect', PRIORITY.LESSON_DEFAULT);
  } else if (lesson?.mode === 'blocklist') {
    each(lesson.sites, (pattern) => builder.add(pattern, 'redirect', ranked(pattern), PAGES_AND_FRAMES, BLOCKING));
  }
  // A category's hosts go many to a rule, as any list's: one rule per rank (in practice per number of labels).
  for (const sites of categories) each(sites, (pattern) => builder.add(pattern, 'redirect', ranked(pattern), PAGES_AND_FRAMES, BLOCKING));
  for (const rule of decodingRules(beyondHost, builder.domains, options)) builder.pushRule(rule);
  return withinRegexLimit(builder.finish(), builder.sourceOf, options.maxRegexRules ?? MAX_REGEX_RULES);
}
