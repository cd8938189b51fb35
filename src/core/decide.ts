/**
 * decide(): the one place that says whether a navigation is allowed. The DNR
 * compiler (compile.ts) encodes exactly this logic as rules, and the
 * navigation backstop calls it directly, so the two never disagree.
 */
import { matches, parsePattern, parseUrl, specificity, type ParsedUrl, type SitePattern } from './patterns';
import type { EffectiveRules } from './resolve';

/** What kind of navigation is judged: a tab's page, or a frame inside a page. */
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
  | 'open';

export interface Verdict {
  readonly allowed: boolean;
  readonly reason: Reason;
}

interface Entry {
  readonly pattern: SitePattern;
  readonly specificity: number;
}

/**
 * A set of patterns indexed by host, so that a lookup costs a few map reads
 * (one per label of the URL's host), not a scan of every pattern.
 */
export class PatternSet {
  private readonly byHost = new Map<string, Entry[]>();
  private readonly everyHost: Entry[] = [];
  readonly size: number;

  constructor(patterns: readonly SitePattern[]) {
    for (const pattern of patterns) {
      const entry = { pattern, specificity: specificity(pattern) };
      if (pattern.anyHost) {
        this.everyHost.push(entry);
        continue;
      }
      const list = this.byHost.get(pattern.host);
      if (list) list.push(entry);
      else this.byHost.set(pattern.host, [entry]);
    }
    this.size = patterns.length;
  }

  /** Parses pattern strings; invalid ones were rejected at the boundary and are skipped here. */
  static fromStrings(sources: readonly string[]): PatternSet {
    const patterns: SitePattern[] = [];
    for (const source of sources) {
      const result = parsePattern(source);
      if (result.ok) patterns.push(result.pattern);
    }
    return new PatternSet(patterns);
  }

  /** The specificity of the most specific matching pattern, or -1 when none matches. */
  best(url: ParsedUrl): number {
    let best = -1;
    const consider = (entries: readonly Entry[] | undefined): void => {
      if (!entries) return;
      for (const entry of entries) {
        if (entry.specificity > best && matches(entry.pattern, url)) best = entry.specificity;
      }
    };
    let host = url.host;
    for (;;) {
      consider(this.byHost.get(host));
      const dot = host.indexOf('.');
      if (dot < 0) break;
      host = host.slice(dot + 1);
    }
    consider(this.everyHost);
    return best;
  }

  /** True when any pattern matches. */
  has(url: ParsedUrl): boolean {
    return this.best(url) >= 0;
  }
}

/** Effective rules with their patterns parsed and indexed, ready for {@link decide}. */
export interface PreparedRules {
  readonly itAllowed: PatternSet;
  readonly itBlocked: PatternSet;
  readonly embeds: PatternSet;
  readonly exceptions: PatternSet;
  readonly lesson: null | { readonly mode: 'allowlist' | 'blocklist'; readonly sites: PatternSet };
  readonly paused: boolean;
}

/** Parses and indexes effective rules once, for many calls of {@link decide}. */
export function prepare(rules: EffectiveRules): PreparedRules {
  return {
    itAllowed: PatternSet.fromStrings(rules.itAllowed),
    itBlocked: PatternSet.fromStrings(rules.itBlocked),
    embeds: PatternSet.fromStrings(rules.lesson?.mode === 'allowlist' ? [...rules.itEmbeds, ...rules.lesson.embeds] : []),
    exceptions: PatternSet.fromStrings(rules.exceptions),
    lesson: rules.lesson ? { mode: rules.lesson.mode, sites: PatternSet.fromStrings(rules.lesson.sites) } : null,
    paused: rules.paused,
  };
}

const ALLOW = (reason: Reason): Verdict => ({ allowed: true, reason });
const BLOCK = (reason: Reason): Verdict => ({ allowed: false, reason });

/**
 * Whether a navigation to `href` is allowed under the prepared rules. Layers,
 * strongest first: IT's blocked list, a class pause, IT's allowed list (of IT's
 * two lists the more specific pattern wins, allowed on a tie), a teacher's
 * temporary exception,
 * the lesson (allowlist or blocklist; in an allowlist lesson frames may also
 * show embeds), and otherwise open.
 */
export function decide(href: string | ParsedUrl, rules: PreparedRules, kind: NavigationKind = 'page'): Verdict {
  const url = typeof href === 'string' ? parseUrl(href) : href;
  if (url === null || (url.scheme !== 'http' && url.scheme !== 'https')) return ALLOW('not-web');

  const blocked = rules.itBlocked.best(url);
  const allowed = rules.itAllowed.best(url);
  if (blocked > allowed) return BLOCK('it-blocked');
  // "Eyes on me": while the teacher pauses the class, every page gives way.
  if (rules.paused) return BLOCK('paused');
  if (allowed >= 0) return ALLOW('it-allowed');
  if (rules.exceptions.has(url)) return ALLOW('exception');

  const lesson = rules.lesson;
  if (lesson === null) return ALLOW('open');
  if (lesson.mode === 'blocklist') return lesson.sites.has(url) ? BLOCK('lesson-blocked') : ALLOW('open');
  if (lesson.sites.has(url)) return ALLOW('lesson-allowed');
  if (kind === 'frame' && rules.embeds.has(url)) return ALLOW('lesson-embed');
  return BLOCK('not-in-lesson');
}
