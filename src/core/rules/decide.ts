/**
 * decide(): the one place that says whether a navigation is allowed. The DNR
 * compiler (compile.ts) encodes exactly this logic as rules, and the
 * navigation backstop calls it directly, so the two never disagree.
 *
 * Patterns are read by what they do (see MatchMode in patterns.ts): IT's
 * blocked paths are text prefixes as in Chrome's URLBlocklist, blocking query
 * conditions hold for any parameter, and an allowing pattern whose query key
 * appears twice (one fitting) vetoes: the address is blocked one step above
 * where the pattern would have allowed it.
 */
import { ALLOWING, BLOCKING, MATCH, PREFIX_PATH, VETO, canVeto, judgeBeyondHost, parsedPatterns, parseUrl, specificity, type MatchMode, type ParsedUrl, type SitePattern } from './patterns';
import type { EffectiveRules } from './resolve';

/**
 * What kind of navigation is judged: a tab's page, or a frame inside a page.
 * A plug-in embed (`<object>`, `<embed>`) showing a site is a frame.
 */
export type NavigationKind = 'page' | 'frame';

export type Reason =
  | 'not-web' // not an http(s) address: never judged
  | 'it-blocked'
  | 'it-allowed'
  | 'exception' // a teacher let this site through on this device for a while
  | 'paused' // the teacher paused the class
  | 'lesson-allowed'
  | 'lesson-embed'
  | 'not-in-lesson'
  | 'lesson-blocked'
  | 'category-blocked' // a category the lesson blocks (AI tools, social media, …): `category` says which
  | 'open';

export interface Verdict {
  readonly allowed: boolean;
  readonly reason: Reason;
  /** With 'category-blocked': the id of the category that blocked the address. */
  readonly category?: string;
  /** With 'category-blocked': IT set the category above its allowed sites; no teacher can let it through. */
  readonly byIt?: boolean;
}

/** The lists a pattern can belong to; each URL lookup finds the best match in every list at once. */
const IT_ALLOWED = 0;
const IT_BLOCKED = 1;
const EXCEPTION = 2;
const LESSON = 3;
const EMBED = 4;
/** Vetoes of allowing patterns (a repeated query key, see patterns.ts); IT's allowed list vetoes into IT_BLOCKED. */
const EXCEPTION_VETO = 5;
const LESSON_VETO = 6;
const EMBED_VETO = 7;
/** The sites of the categories the lesson blocks (patterns that block, as a blocklist lesson's sites). */
const CATEGORY = 8;
/** The sites of blocked categories that IT set above its allowed sites (`aboveAllowed`). */
const IT_CATEGORY = 9;
const LISTS = 10;
/** Where each list's vetoes go; -1: the list never vetoes (its patterns block). */
const VETO_LIST = [IT_BLOCKED, -1, EXCEPTION_VETO, LESSON_VETO, EMBED_VETO];

interface Entry {
  readonly pattern: SitePattern;
  readonly specificity: number;
  readonly list: number;
  /** Host only: nothing beyond the host to check. */
  readonly plain: boolean;
  /** How the pattern is read: it allows or blocks, and IT's blocked paths are text prefixes (see MatchMode). */
  readonly mode: MatchMode;
  /** The list its veto goes to, or -1 when it cannot veto. */
  readonly vetoList: number;
  /** In IT_BLOCKED, a veto of IT's allowed pattern ranks just above the pattern, as a blocked pattern one step more specific. */
  readonly vetoSpecificity: number;
}

/**
 * Every pattern of the rules in force, indexed by host, so that judging a
 * URL costs one map read per label of its host (a.b.example.com: four), not
 * a scan of every pattern, however long IT's lists are.
 */
class RuleIndex {
  private readonly byHost = new Map<string, Entry[]>();
  private readonly everyHost: Entry[] = [];

  add(sources: readonly string[], list: number, mode: MatchMode): void {
    // Invalid patterns were rejected at the boundary and are left out.
    for (const pattern of parsedPatterns(sources)) {
      const entry: Entry = {
        pattern,
        specificity: specificity(pattern),
        list,
        plain: pattern.scheme === null && pattern.port === null && pattern.path === '' && pattern.query.length === 0,
        mode,
        vetoList: (mode & BLOCKING) === 0 && pattern.query.some(canVeto) ? VETO_LIST[list]! : -1,
        vetoSpecificity: list === IT_ALLOWED ? specificity(pattern) + 1 : 0,
      };
      if (pattern.anyHost) {
        this.everyHost.push(entry);
        continue;
      }
      const entries = this.byHost.get(pattern.host);
      if (entries) entries.push(entry);
      else this.byHost.set(pattern.host, [entry]);
    }
  }

  /** Fills `best[list]` with the specificity of the most specific matching pattern of each list, -1 for none. */
  lookup(url: ParsedUrl, best: Int32Array): void {
    best.fill(-1);
    const host = url.host;
    let start = 0;
    for (;;) {
      const entries = this.byHost.get(start === 0 ? host : host.slice(start));
      if (entries !== undefined) {
        for (const entry of entries) {
          // Below the full host, only patterns that take subdomains match.
          if (start > 0 && entry.pattern.exact) continue;
          this.consider(entry, url, best);
        }
      }
      const dot = host.indexOf('.', start);
      if (dot < 0) break;
      start = dot + 1;
    }
    for (const entry of this.everyHost) this.consider(entry, url, best);
  }

  /** Records a pattern whose host matches: its match, or its veto. */
  private consider(entry: Entry, url: ParsedUrl, best: Int32Array): void {
    if (entry.plain) {
      if (entry.specificity > best[entry.list]!) best[entry.list] = entry.specificity;
      return;
    }
    if (entry.vetoList < 0 && entry.specificity <= best[entry.list]!) return;
    const judgement = judgeBeyondHost(entry.pattern, url, entry.mode);
    if (judgement === MATCH) {
      if (entry.specificity > best[entry.list]!) best[entry.list] = entry.specificity;
    } else if (judgement === VETO && entry.vetoSpecificity > best[entry.vetoList]!) {
      best[entry.vetoList] = entry.vetoSpecificity;
    }
  }
}

/** Effective rules with their patterns parsed and indexed, ready for {@link decide}. */
export interface PreparedRules {
  readonly index: RuleIndex;
  readonly lessonMode: 'allowlist' | 'blocklist' | null;
  readonly paused: boolean;
  /** Each blocked category's own index, to name the one that blocked an address. */
  readonly categories: ReadonlyArray<{ readonly id: string; readonly index: RuleIndex; readonly aboveAllowed: boolean }>;
}

/** Parses and indexes effective rules once, for many calls of {@link decide}. */
export function prepare(rules: EffectiveRules): PreparedRules {
  const index = new RuleIndex();
  index.add(rules.itAllowed, IT_ALLOWED, ALLOWING);
  // IT's blocked paths are text prefixes, as in Chrome's URLBlocklist: `path.to/ruin` blocks `/ruins` too.
  index.add(rules.itBlocked, IT_BLOCKED, BLOCKING | PREFIX_PATH);
  index.add(rules.exceptions, EXCEPTION, ALLOWING);
  if (rules.lesson) {
    index.add(rules.lesson.sites, LESSON, rules.lesson.mode === 'blocklist' ? BLOCKING : ALLOWING);
    if (rules.lesson.mode === 'allowlist') index.add([...rules.itEmbeds, ...rules.lesson.embeds], EMBED, ALLOWING);
  }
  const categories = (rules.lesson?.categories ?? []).map(({ id, sites, aboveAllowed = false }) => {
    index.add(sites, aboveAllowed ? IT_CATEGORY : CATEGORY, BLOCKING);
    const own = new RuleIndex();
    own.add(sites, CATEGORY, BLOCKING);
    return { id, index: own, aboveAllowed };
  });
  return { index, lessonMode: rules.lesson?.mode ?? null, paused: rules.paused, categories };
}

/**
 * The same rules without a class pause: how a page that a pause covers is
 * judged beneath it (a page the lesson blocks goes to the blocked page; one
 * it allows is covered and keeps its work).
 */
export function withoutPause(rules: PreparedRules): PreparedRules {
  return rules.paused ? { ...rules, paused: false } : rules;
}

const VIEW_SOURCE = /^view-source:/i;

/**
 * The address a navigation shows: `view-source:URL` shows URL (its source),
 * so it is judged as URL. Firefox's rules never see a view-source load, and
 * the navigation backstop sends such a tab to the blocked page for URL.
 */
export function shownAddress(href: string): string {
  let address = href;
  while (VIEW_SOURCE.test(address)) address = address.slice('view-source:'.length);
  return address;
}

const VERDICTS = [new Map<Reason, Verdict>(), new Map<Reason, Verdict>()];
/** Verdicts are shared frozen objects: deciding allocates nothing per URL. */
function verdict(allowed: boolean, reason: Reason): Verdict {
  const cache = VERDICTS[allowed ? 1 : 0]!;
  let found = cache.get(reason);
  if (!found) {
    found = Object.freeze({ allowed, reason });
    cache.set(reason, found);
  }
  return found;
}
const ALLOW = (reason: Reason): Verdict => verdict(true, reason);
const BLOCK = (reason: Reason): Verdict => verdict(false, reason);
/** decide() is synchronous, so one scratch buffer serves every call. */
const scratch = new Int32Array(LISTS);
const categoryScratch = new Int32Array(LISTS);
const CATEGORY_VERDICTS = new Map<string, Verdict>();

/**
 * The verdict for an address a category blocks: the category whose most
 * specific pattern matches it (the first on a tie), among those IT set
 * above its allowed sites when `byIt`.
 */
function categoryVerdict(url: ParsedUrl, rules: PreparedRules, byIt = false): Verdict {
  let id = '';
  let most = -1;
  for (const category of rules.categories) {
    if (category.aboveAllowed !== byIt) continue;
    category.index.lookup(url, categoryScratch);
    if (categoryScratch[CATEGORY]! > most) {
      most = categoryScratch[CATEGORY]!;
      id = category.id;
    }
  }
  const key = byIt ? `it:${id}` : id;
  let found = CATEGORY_VERDICTS.get(key);
  if (!found) {
    found = Object.freeze({ allowed: false, reason: 'category-blocked' as const, category: id, ...(byIt ? { byIt } : {}) });
    CATEGORY_VERDICTS.set(key, found);
  }
  return found;
}

/**
 * Whether a navigation to `href` is allowed under the prepared rules. Layers,
 * strongest first: IT's blocked list, a class pause (pages only), IT's allowed list (of IT's
 * two lists the more specific pattern wins, allowed on a tie), a teacher's
 * temporary exception,
 * the lesson (allowlist or blocklist; in an allowlist lesson frames may also
 * show embeds), and otherwise open.
 *
 * The categories a lesson blocks are part of the lesson: below IT's lists
 * and a teacher's exception. In a blocklist lesson they block beside its
 * sites. In an allowlist lesson a site of a blocked category is blocked even
 * when a lesson site (or, in a frame, an embed) covers it, unless that lesson
 * site is at least as specific: "google.com" allowed with AI off keeps
 * gemini.google.com out, while "chatgpt.com" allowed with AI off opens
 * ChatGPT — the teacher named that very site. A category IT set above its
 * allowed sites (`aboveAllowed`) is weighed against IT's allowed list as
 * IT's blocked list is, and so also above a teacher's exception and the
 * lesson's own sites.
 */
export function decide(href: string | ParsedUrl, rules: PreparedRules, kind: NavigationKind = 'page'): Verdict {
  const url = typeof href === 'string' ? parseUrl(shownAddress(href)) : href;
  if (url === null || (url.scheme !== 'http' && url.scheme !== 'https')) return ALLOW('not-web');

  const best = scratch;
  rules.index.lookup(url, best);
  const blocked = best[IT_BLOCKED]!;
  const allowed = best[IT_ALLOWED]!;
  if (blocked > allowed) return BLOCK('it-blocked');
  // "Eyes on me": while the teacher pauses the class, no page opens. Frames
  // are judged as without the pause: a page open when the pause began is
  // covered, not replaced (the background's cover), and what loads inside it
  // stays as the lesson has it, so a form or editor in a frame keeps its work.
  if (rules.paused && kind === 'page') return BLOCK('paused');
  // A category IT set above its allowed sites blocks as IT's blocked list does, while a lesson blocks it.
  if (best[IT_CATEGORY]! > allowed) return categoryVerdict(url, rules, true);
  if (allowed >= 0) return ALLOW('it-allowed');
  // A veto (a repeated query key) of an allowing pattern blocks just above where that pattern would allow.
  if (best[EXCEPTION_VETO]! >= 0) return BLOCK('not-in-lesson');
  if (best[EXCEPTION]! >= 0) return ALLOW('exception');

  if (rules.lessonMode === null) return ALLOW('open');
  const inLesson = best[LESSON]! >= 0;
  const category = best[CATEGORY]!;
  if (rules.lessonMode === 'blocklist') {
    if (category >= 0) return categoryVerdict(url, rules);
    return inLesson ? BLOCK('lesson-blocked') : ALLOW('open');
  }
  if (category >= 0 && category > Math.max(best[LESSON]!, kind === 'frame' ? best[EMBED]! : -1)) return categoryVerdict(url, rules);
  if (best[LESSON_VETO]! >= 0 || (kind === 'frame' && best[EMBED_VETO]! >= 0)) return BLOCK('not-in-lesson');
  if (inLesson) return ALLOW('lesson-allowed');
  if (kind === 'frame' && best[EMBED]! >= 0) return ALLOW('lesson-embed');
  return BLOCK('not-in-lesson');
}
