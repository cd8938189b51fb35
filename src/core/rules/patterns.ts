/**
 * Site patterns, in the syntax IT already uses for Chrome's and Edge's
 * URLBlocklist/URLAllowlist policies:
 *
 *   [scheme://][.]host[:port][/path][?query]
 *
 * Matching is always done on a parsed URL, never on the raw string, so that
 * `allowed.com@evil.com` is `evil.com` and `example.com` never matches
 * `example.community`. See docs/design.md, "Site patterns".
 */

export interface SitePattern {
  /** The pattern as it was written (trimmed). */
  readonly source: string;
  /** Lower-case scheme without `://`, or null for any scheme. */
  readonly scheme: string | null;
  /** Normalised host: lower case, punycode, no trailing dot. '' for `*`. */
  readonly host: string;
  /** True for `*`: every host. */
  readonly anyHost: boolean;
  /** True when subdomains do not match: a leading dot, or an IP address. */
  readonly exact: boolean;
  /** Port the URL must use, or null for any port. */
  readonly port: number | null;
  /** Path prefix ('' for any path); matches whole segments only. */
  readonly path: string;
  /**
   * Query conditions, all of which must hold (see {@link QueryCondition}).
   * Keys and values are compared as the address writes them (percent-encoded
   * as a browser serialises the URL; `+` and `%20` are not decoded), as in
   * Chrome's URL policies; only percent-encoded unreserved characters are
   * read as themselves, on both sides. No duplicates.
   */
  readonly query: readonly QueryCondition[];
}

/**
 * One condition on the query, in Chrome's URL-policy syntax: `k=v` (the
 * parameter k with value v), `k` (the parameter k without a value), and with a
 * trailing `*` a prefix: `k=v*` (a value starting with v), `k=*` (k with any
 * value), `k*` (a parameter starting with k), `*` (any query at all).
 *
 * How a URL's parameters must satisfy it depends on what the pattern does
 * ({@link MatchMode}): a pattern that blocks matches when ANY parameter fits.
 * A pattern that allows must not let a student past a block by adding a
 * parameter (`watch?v=XYZ` must not let through `?v=123&v=XYZ`, which some
 * servers read as video 123): Chrome's URLAllowlist then needs every
 * parameter with the condition's key to fit. Lesmodus is stricter still, so
 * that the browser's rules can say it in a few RE2 instructions: an
 * allowing pattern does not match when its key appears more than once, and
 * when one of those fits, the pattern even blocks the address (a "veto",
 * one step above the pattern itself; see {@link judgeBeyondHost}).
 */
export interface QueryCondition {
  /** The key, without `=` or a trailing `*`; '' for `*`. */
  readonly key: string;
  /** The value (without a trailing `*`), or null for a key alone. */
  readonly value: string | null;
  /** True when the condition ended with `*`: the text is a prefix. */
  readonly prefix: boolean;
  /** `k=v` or `k`: the text a fitting parameter equals, or starts with (prefix). */
  readonly text: string;
  /** `k=` or `k`: a parameter starting with this is one "with the condition's key". */
  readonly touch: string;
}

/** What is wrong with a pattern, for the UI to say in the teacher's language. */
export type PatternErrorCode =
  | 'empty'
  | 'too-long'
  | 'space'
  | 'scheme-slashes'
  | 'ipv6-bracket'
  | 'ipv6-trailing'
  | 'port-missing'
  | 'port-not-number'
  | 'port-range'
  | 'star-subdomain'
  | 'star-inside'
  | 'no-host'
  | 'bad-host'
  | 'bad-path'
  /** The browser reads the path as another one (dot segments, a backslash, a leading //): the detail shows which. */
  | 'path-changed'
  /** The browser reads the path as "/", the whole site: the detail shows the pattern without it. */
  | 'path-empty'
  | 'too-many-query'
  /** In an allowlist lesson: a pattern that allows every site (`*`) is no lesson. */
  | 'allows-everything';

type ParseResult =
  | { readonly ok: true; readonly pattern: SitePattern }
  | {
      readonly ok: false;
      /** In English, naming the pattern: for IT's command line and policy errors. */
      readonly error: string;
      readonly code: PatternErrorCode;
      /** The pattern, then what the message mentions (a port, a host). */
      readonly params: readonly string[];
    };

/** A URL as the matcher sees it. Build it once per URL with {@link parseUrl}. */
export interface ParsedUrl {
  readonly href: string;
  readonly scheme: string;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /**
   * The query string without '?', parsed only when a pattern asks about it;
   * '' for a bare '?', null when the address has no query at all.
   */
  readonly search: string | null;
}

export const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, ws: 80, wss: 443, ftp: 21 };
const SCHEME_RE = /^([a-z][a-z0-9+.-]*):\/\//i;
const IPV4_RE = /^\d{1,3}(\.\d{1,3}){3}$/;
const MAX_PATTERN_LENGTH = 2048;
const PLAIN_HOST_RE = /^(?!-)[a-z0-9-]{1,63}(?:\.(?!-)[a-z0-9-]{1,63})*\.?$/;
const NUMERIC_LABEL_RE = /(?:^|\.)(?:\d+|0x[0-9a-f]*)\.?$/;
const MAX_QUERY_CONDITIONS = 3;

function isIpHost(host: string): boolean {
  return IPV4_RE.test(host) || host.startsWith('[');
}

function stripTrailingDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** A host name after normalisation: labels of letters, digits, '-' and '_' (punycode for IDN). */
const HOST_NAME_RE = /^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/;

/**
 * Lower-cases, converts IDN to punycode and validates a host, using the URL
 * parser. The URL parser accepts far more than host names (`ex!ample.com`,
 * `.example.com` with an empty label): only names made of valid labels, and
 * IP addresses, are site names.
 */
function normaliseHost(raw: string): string | null {
  if (raw === '' || /[\s/?#@\\%*]/.test(raw) || (!raw.startsWith('[') && raw.includes(':'))) return null;
  try {
    const url = new URL(`http://${raw}/`);
    const host = stripTrailingDot(url.hostname);
    if (host.length > 253) return null;
    if (!HOST_NAME_RE.test(host) && !IPV4_RE.test(host) && !host.startsWith('[')) return null;
    return host;
  } catch {
    return null;
  }
}

function fail(source: string, code: PatternErrorCode, reason: string, ...params: string[]): ParseResult & { ok: false } {
  return { ok: false, error: `"${source}": ${reason}`, code, params: [source, ...params] };
}

/** The query conditions of a pattern without a query: one array for all of them (a pattern is never changed). */
const NO_QUERY: readonly QueryCondition[] = Object.freeze([]);

/** `scheme:*`, Chrome's short form of `scheme://*`. A dot makes it a host with a port (`example.com:*`, refused), as Chrome reads it. */
const SCHEME_STAR_RE = /^([a-z][a-z0-9+-]*):\*$/i;

/**
 * Parses one site pattern. On failure the error names the pattern and what is
 * wrong with it, in words a teacher or IT admin can act on.
 */
export function parsePattern(input: string): ParseResult {
  const source = input.trim();
  // The common case by far, and all of a large IT list: a plain lower-case host name.
  if (PLAIN_HOST_RE.test(source) && !NUMERIC_LABEL_RE.test(source)) {
    return { ok: true, pattern: { source, scheme: null, host: stripTrailingDot(source), anyHost: false, exact: false, port: null, path: '', query: NO_QUERY } };
  }
  if (source === '') return { ok: false, error: 'empty pattern: write a site such as example.com', code: 'empty', params: [''] };
  if (source.length > MAX_PATTERN_LENGTH) return fail(source.slice(0, 40) + '…', 'too-long', `longer than ${MAX_PATTERN_LENGTH} characters`, String(MAX_PATTERN_LENGTH));
  if (/\s/.test(source)) return fail(source, 'space', 'contains a space');

  const schemeStar = SCHEME_STAR_RE.exec(source);
  if (schemeStar) return { ok: true, pattern: { source, scheme: schemeStar[1]!.toLowerCase(), host: '', anyHost: true, exact: false, port: null, path: '', query: [] } };

  let rest = source;
  let scheme: string | null = null;
  const schemeMatch = SCHEME_RE.exec(rest);
  if (schemeMatch) {
    scheme = schemeMatch[1]!.toLowerCase();
    rest = rest.slice(schemeMatch[0].length);
    if (scheme === '*') scheme = null;
  } else if (/^[a-z][a-z0-9+.-]*:\/(?!\/)/i.test(rest)) {
    return fail(source, 'scheme-slashes', 'a scheme needs two slashes, as in https://example.com');
  }
  /** Where `rest` starts in `source`, to show a corrected pattern. */
  const restAt = source.length - rest.length;

  // Drop the fragment, then split off the query and the path.
  const hashAt = rest.indexOf('#');
  if (hashAt >= 0) rest = rest.slice(0, hashAt);
  let queryText = '';
  const queryAt = rest.indexOf('?');
  if (queryAt >= 0) {
    queryText = rest.slice(queryAt + 1);
    rest = rest.slice(0, queryAt);
  }
  let pathText = '';
  // A backslash ends the host as a slash does, for the URL parser: `school.nl\login` is a path.
  const slashAt = rest.search(/[/\\]/);
  if (slashAt >= 0) {
    pathText = rest.slice(slashAt);
    rest = rest.slice(0, slashAt);
  }
  const around: PathContext = { before: source.slice(0, restAt + slashAt), after: queryAt >= 0 ? `?${queryText}` : '' };

  // Credentials in a pasted URL are ignored: the host is what follows the last '@'.
  const atAt = rest.lastIndexOf('@');
  if (atAt >= 0) rest = rest.slice(atAt + 1);

  let port: number | null = null;
  let hostText = rest;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return fail(source, 'ipv6-bracket', 'an IPv6 address needs a closing ]');
    hostText = rest.slice(0, close + 1);
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!/^:\d+$/.test(after)) return fail(source, 'ipv6-trailing', 'unexpected text after the IPv6 address');
      port = Number(after.slice(1));
    }
  } else {
    const colonAt = rest.indexOf(':');
    if (colonAt >= 0) {
      hostText = rest.slice(0, colonAt);
      const portText = rest.slice(colonAt + 1);
      if (portText === '') return fail(source, 'port-missing', 'a ":" must be followed by a port number');
      if (!/^\d+$/.test(portText)) return fail(source, 'port-not-number', `"${portText}" is not a port number`, portText);
      port = Number(portText);
    }
  }
  if (port !== null && (port < 1 || port > 65535)) return fail(source, 'port-range', `port ${port} is not between 1 and 65535`, String(port));

  if (hostText === '*') {
    return finish(source, scheme, '', true, false, port, pathText, queryText, around);
  }
  if (hostText.startsWith('*.')) {
    return fail(source, 'star-subdomain', `write "${hostText.slice(2)}" instead: a site already includes its subdomains (use ".${hostText.slice(2)}" for the site alone)`, hostText.slice(2));
  }
  if (hostText.includes('*')) return fail(source, 'star-inside', 'a "*" can only stand alone, for every site');
  let exact = false;
  if (hostText.startsWith('.')) {
    exact = true;
    hostText = hostText.slice(1);
  }
  if (hostText === '') return fail(source, 'no-host', 'no site name');
  // Fast path for the common case (plain lower-case ASCII host names), so a
  // 50,000-entry IT list parses in milliseconds.
  // A numeric last label makes the URL parser read the host as an IPv4 address.
  const plain = PLAIN_HOST_RE.test(hostText) && !NUMERIC_LABEL_RE.test(hostText);
  const host = plain ? stripTrailingDot(hostText) : normaliseHost(hostText);
  if (host === null) return fail(source, 'bad-host', `"${hostText}" is not a valid site name`, hostText);
  if (isIpHost(host)) exact = true;
  return finish(source, scheme, host, false, exact, port, pathText, queryText, around);
}

/** The pattern's text before its path and after it (the query), to write it with another path. */
interface PathContext {
  readonly before: string;
  readonly after: string;
}

// ---------------------------------------------------------------------------
// Percent-encoding. RFC 3986 (2.3, 6.2.2.2): a percent-encoded unreserved
// character (ALPHA / DIGIT / "-" / "." / "_" / "~") is the same character,
// and common servers route `/%66orbidden` as `/forbidden`. Browsers no longer
// decode them (Chromium stopped in 2023, Firefox never did), so Lesmodus does,
// on both sides: in patterns when they are parsed, in addresses when they are
// judged, and in the browser's rules through the redirects compile.ts adds.
//
// What Chrome's own URLBlocklist does, for the IT docs: it compares a
// filter's path and query as IT wrote them (nothing decoded, dot segments
// left as they are) with the address as Chromium canonicalises it, which
// resolves dot segments (`.`, `..`, `%2e`) and keeps every percent-escape. So
// in Chrome, `allowed.test/forbidden` does not block `allowed.test/%66orbidden`,
// a filter `allowed.test/%66orbidden` blocks only that spelling, and a filter
// with a dot segment (`school.nl/login/..`) matches nothing.
// Where Lesmodus is stricter: both spellings are one path (and one query
// value) for every pattern; a pattern with a dot segment, a backslash or a
// leading `//` is refused with the path the browser would use (in IT's
// blocked list: its whole site is blocked, with a warning, see policy.ts).
// Like Chrome, Lesmodus keeps reserved escapes as data: `%2F` is not a slash
// (`/a%2Fb` is not under `/a/b`), and `+` is not `%20`. Browsers resolve dot
// segments before any request, in Chrome and Lesmodus alike.

const UNRESERVED_RE = /^[A-Za-z0-9\-._~]$/;
const ESCAPE_RE = /%([0-9A-Fa-f]{2})/g;

/** True for the characters RFC 3986 calls unreserved. */
export function isUnreserved(char: string): boolean {
  return UNRESERVED_RE.test(char);
}

function decodeOnce(text: string): string {
  return text.replace(ESCAPE_RE, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return isUnreserved(char) ? char : escape;
  });
}

/**
 * The text with every percent-encoded unreserved character decoded, again
 * until none is left (`%%36%36` is `%66` after one pass, `f` after two), as
 * the browser's rules decode them one redirect at a time.
 */
export function decodeUnreserved(text: string): string {
  if (!text.includes('%')) return text;
  let current = text;
  for (;;) {
    const next = decodeOnce(current);
    if (next === current) return current;
    current = next;
  }
}

/** A path segment that the URL parser resolves away: `.`, `..`, and their percent-encoded spellings. */
const DOT_SEGMENT_TEXT_RE = /^(?:\.|%2e){1,2}$/i;

/** The path as the browser sends it, from a path that starts with '/' or '\'; throws on an unusable path. */
function browserPath(pathText: string): string {
  // Parsed as the path of an absolute URL, never as a relative reference:
  // `//login` relative to a base would be the host "login".
  return new URL(`http://h${pathText.replace(/^[/\\]+/, '/')}`).pathname;
}

function finish(
  source: string,
  scheme: string | null,
  host: string,
  anyHost: boolean,
  exact: boolean,
  port: number | null,
  pathText: string,
  queryText: string,
  around: PathContext,
): ParseResult {
  let path = '';
  if (pathText !== '' && pathText !== '/') {
    let resolved: string;
    try {
      resolved = decodeUnreserved(browserPath(pathText));
    } catch {
      return fail(source, 'bad-path', 'the path is not valid');
    }
    // Refuse what the browser would read as another path, rather than widen the
    // pattern without a word: `school.nl/login/..` is all of school.nl. Only
    // spelling may differ (percent-encoding, which the browser adds and Lesmodus reads through).
    const segments = pathText.split('/');
    const changed = pathText.includes('\\') || pathText.startsWith('//') || segments.some((segment) => DOT_SEGMENT_TEXT_RE.test(segment));
    if (changed) {
      if (resolved === '/') {
        const whole = `${around.before}${around.after}`;
        return fail(source, 'path-empty', `the browser reads this path as "/", the whole site: write "${whole}" if that is what you mean`, whole);
      }
      const corrected = `${around.before}${resolved}${around.after}`;
      return fail(source, 'path-changed', `the browser reads this path as "${resolved}": write "${corrected}"`, corrected);
    }
    path = resolved === '/' ? '' : resolved;
  }
  const query: QueryCondition[] = [];
  if (queryText !== '') {
    // Serialise the query as a browser serialises a URL's, so the conditions compare with addresses as they are.
    const canonical = decodeUnreserved(new URL(`http://h/?${queryText}`).search.slice(1));
    for (const part of canonical.split('&')) {
      if (part === '') continue;
      const condition = queryCondition(part);
      if (!query.some((other) => other.text === condition.text && other.prefix === condition.prefix && other.value === condition.value)) query.push(condition);
    }
    if (query.length > MAX_QUERY_CONDITIONS) return fail(source, 'too-many-query', `at most ${MAX_QUERY_CONDITIONS} query conditions`, String(MAX_QUERY_CONDITIONS));
  }
  return { ok: true, pattern: { source, scheme, host, anyHost, exact, port, path, query } };
}

/** `k=v`, `k=v*`, `k=*`, `k`, `k*`, `*` -> the condition. Nothing is decoded beyond unreserved characters. */
function queryCondition(part: string): QueryCondition {
  const eq = part.indexOf('=');
  if (eq < 0) {
    const prefix = part.endsWith('*');
    const key = prefix ? part.slice(0, -1) : part;
    return { key, value: null, prefix, text: key, touch: key };
  }
  const key = part.slice(0, eq);
  const raw = part.slice(eq + 1);
  const prefix = raw.endsWith('*');
  const value = prefix ? raw.slice(0, -1) : raw;
  return { key, value, prefix, text: `${key}=${value}`, touch: `${key}=` };
}

/**
 * A URL the browser has already put in canonical form (lower-case ASCII host,
 * nothing in path or query that the URL parser would re-encode or resolve).
 * Addresses from tabs and navigation events look like this, and taking them
 * apart with one regular expression is several times faster than new URL().
 * Anything else goes through the URL parser.
 */
const CANONICAL_URL_RE = /^(https?):\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)*\.?)(?::(\d{1,5}))?(\/[A-Za-z0-9\-._~!$&()*+,;=:@%/]*)?(?:\?([A-Za-z0-9\-._~!$&()*+,;=:@%/?]*))?(?:#.*)?$/;
const DOT_SEGMENT_RE = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/**
 * The path and query as Lesmodus judges them: percent-encoded unreserved
 * characters decoded. Decoding can spell a dot segment (`%%32%65` is `%2e`,
 * then `.`), which the browser resolves when it follows the rules' redirect:
 * so is it resolved here.
 */
function judgedPathAndQuery(path: string, search: string | null): { path: string; search: string | null } {
  let judgedPath = decodeUnreserved(path);
  if (judgedPath !== path && DOT_SEGMENT_RE.test(judgedPath)) judgedPath = decodeUnreserved(new URL(`http://h${judgedPath}`).pathname);
  return { path: judgedPath, search: search === null ? null : decodeUnreserved(search) };
}

/**
 * The address as Lesmodus judges it, spelled out: percent-encoded unreserved
 * characters in the path and query decoded (and a dot segment this spells
 * resolved), the fragment kept, the rest as the URL parser writes it. The
 * address the browser's decoding rules lead to; unchanged when there is
 * nothing to decode or it is no URL.
 */
export function judgedAddress(href: string): string {
  if (!href.includes('%')) return href;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return href;
  }
  if (url.host === '') return href;
  const { path, search } = judgedPathAndQuery(url.pathname, url.search === '' ? null : url.search.slice(1));
  return `${url.protocol}//${url.host}${path}${search === null ? '' : `?${search}`}${url.hash}`;
}

function parseCanonicalUrl(href: string): ParsedUrl | null {
  const m = CANONICAL_URL_RE.exec(href);
  if (m === null) return null;
  const host = stripTrailingDot(m[2]!);
  const path = m[4] ?? '/';
  if (NUMERIC_LABEL_RE.test(host) || DOT_SEGMENT_RE.test(path)) return null;
  const scheme = m[1]!;
  const port = m[3] === undefined ? DEFAULT_PORTS[scheme]! : Number(m[3]);
  if (port > 65535) return null;
  const search = m[5] ?? null;
  if (!path.includes('%') && (search === null || !search.includes('%'))) return { href, scheme, host, port, path, search };
  return { href, scheme, host, port, ...judgedPathAndQuery(path, search) };
}

/** Parses a URL for matching; null for anything that is not a URL with a host. */
export function parseUrl(href: string): ParsedUrl | null {
  const fast = parseCanonicalUrl(href);
  if (fast !== null) return fast;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const host = stripTrailingDot(url.hostname);
  if (host === '') return null;
  const port = url.port === '' ? (DEFAULT_PORTS[scheme] ?? 0) : Number(url.port);
  // `search` is '' both for no query and for a bare '?': the serialised address tells them apart.
  const hashAt = url.href.indexOf('#');
  const hasQuery = url.search !== '' || (hashAt < 0 ? url.href : url.href.slice(0, hashAt)).endsWith('?');
  return { href: url.href, scheme, host, port, ...judgedPathAndQuery(url.pathname, hasQuery ? url.search.slice(1) : null) };
}

function hostMatches(pattern: SitePattern, host: string): boolean {
  if (pattern.anyHost) return true;
  if (host === pattern.host) return true;
  return !pattern.exact && host.length > pattern.host.length && host.endsWith(pattern.host) && host.charCodeAt(host.length - pattern.host.length - 1) === 46; /* '.' */
}

/**
 * How a pattern is read, by what it does:
 * - ALLOWING (0): a pattern that lets pages through. Its path matches whole
 *   segments (`/maths` is not `/mathsx`), and each query condition must hold
 *   for every parameter with its key (Chrome's URLAllowlist).
 * - BLOCKING: a pattern that blocks. A query condition holds when any
 *   parameter fits, and a key alone (`?v`) also covers that key with a value.
 * - PREFIX_PATH: with BLOCKING, for IT's `blocked` list: the path is a plain
 *   text prefix as in Chrome's URLBlocklist, so `path.to/ruin` also blocks `/ruins`.
 */
export type MatchMode = number;
export const ALLOWING: MatchMode = 0;
export const BLOCKING: MatchMode = 1;
export const PREFIX_PATH: MatchMode = 2;

function pathMatches(prefix: string, path: string, textPrefix: boolean): boolean {
  if (prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  return textPrefix || path.length === prefix.length || prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47; /* '/' */
}

const parsedLists = new WeakMap<readonly string[], readonly SitePattern[]>();

/**
 * The valid patterns of a list, parsed once per list: compile() and
 * prepare() get IT's lists of an unchanged policy as the same arrays on
 * every rules change, and a 50,000-entry list is not parsed again each time.
 * Invalid patterns are left out (they were refused where the list came in).
 * The list must not change afterwards; every list Lesmodus keeps is read-only.
 */
export function parsedPatterns(sources: readonly string[]): readonly SitePattern[] {
  let patterns = parsedLists.get(sources);
  if (patterns === undefined) {
    const parsed: SitePattern[] = [];
    for (const source of sources) {
      const result = parsePattern(source);
      if (result.ok) parsed.push(result.pattern);
    }
    patterns = parsed;
    parsedLists.set(sources, patterns);
  }
  return patterns;
}

/**
 * Records the parsed patterns of a list whose every entry was just parsed
 * (and is valid), so that {@link parsedPatterns} does not parse them again.
 * `patterns[i]` must be `parsePattern(sources[i])`'s pattern.
 */
export function rememberPatterns(sources: readonly string[], patterns: readonly SitePattern[]): void {
  if (patterns.length === sources.length) parsedLists.set(sources, patterns);
}

/**
 * The patterns of `sources` one for one (`patterns[i]` is `sources[i]`'s),
 * when it is a list whose every entry is a valid pattern and whose patterns
 * were parsed; undefined otherwise.
 */
export function patternsOneForOne(sources: readonly string[]): readonly SitePattern[] | undefined {
  const patterns = parsedLists.get(sources);
  return patterns !== undefined && patterns.length === sources.length ? patterns : undefined;
}

/** True when the URL falls under the pattern, read as `mode` says. */
export function matches(pattern: SitePattern, url: ParsedUrl, mode: MatchMode = ALLOWING): boolean {
  return hostMatches(pattern, url.host) && matchesBeyondHost(pattern, url, mode);
}

/** What an allowing pattern says of a URL beyond its host: nothing, it matches, or it vetoes (see QueryCondition). */
export type Judgement = 0 | 1 | 2;
export const NO_MATCH: Judgement = 0;
export const MATCH: Judgement = 1;
export const VETO: Judgement = 2;

/** Whether a parameter fits a condition; a blocking key alone also takes the key with a value. */
export function conditionFits(condition: QueryCondition, parameter: string, blocking: boolean): boolean {
  if (condition.prefix) return parameter.startsWith(condition.text);
  if (parameter === condition.text) return true;
  return blocking && condition.value === null && parameter.startsWith(`${condition.key}=`);
}

/**
 * True for a condition Chrome checks on any parameter even in an allowlist:
 * a prefix with nothing after the key (`k*`, `k=*`, `*`), which every
 * parameter with the key fits anyway.
 */
export function fitsAnyParameter(condition: QueryCondition): boolean {
  return condition.prefix && (condition.value === null || condition.value === '');
}

/** True for a condition of an allowing pattern that looks at every parameter with its key. */
export function canVeto(condition: QueryCondition): boolean {
  return !fitsAnyParameter(condition);
}

function judgeQuery(conditions: readonly QueryCondition[], search: string | null, blocking: boolean): Judgement {
  if (search === null) return NO_MATCH;
  const parameters = search.split('&');
  let result: Judgement = MATCH;
  for (const condition of conditions) {
    let fits = false;
    let touching = 0;
    for (const parameter of parameters) {
      if (conditionFits(condition, parameter, blocking)) fits = true;
      if (parameter.startsWith(condition.touch)) touching += 1;
    }
    // A key that appears twice, one of them fitting: the smuggled parameter of `?v=123&v=XYZ`.
    if (!blocking && fits && touching > 1 && canVeto(condition)) return VETO;
    if (!fits) result = NO_MATCH;
  }
  return result;
}

/**
 * The scheme, port, path and query conditions of a pattern, for a URL whose
 * host is known to match: no match, a match, or (only an allowing pattern
 * with a query condition) a veto: the URL repeats a key of the pattern with
 * one value that fits, and is blocked one step above where the pattern would
 * have allowed it.
 */
export function judgeBeyondHost(pattern: SitePattern, url: ParsedUrl, mode: MatchMode = ALLOWING): Judgement {
  if (pattern.scheme !== null && pattern.scheme !== url.scheme) return NO_MATCH;
  if (pattern.port !== null && pattern.port !== url.port) return NO_MATCH;
  if (!pathMatches(pattern.path, url.path, (mode & PREFIX_PATH) !== 0)) return NO_MATCH;
  return pattern.query.length === 0 ? MATCH : judgeQuery(pattern.query, url.search, (mode & BLOCKING) !== 0);
}

/** True when the pattern matches beyond the host (a veto is no match). */
export function matchesBeyondHost(pattern: SitePattern, url: ParsedUrl, mode: MatchMode = ALLOWING): boolean {
  return judgeBeyondHost(pattern, url, mode) === MATCH;
}

/**
 * True for a pattern that takes every web page: `*` (or `http://*`,
 * `https://*`) with no port, path or query. In IT's allowed list it lifts
 * every block; as the site of an allowlist lesson it makes no lesson at all.
 */
export function matchesEverything(pattern: SitePattern): boolean {
  return pattern.anyHost && pattern.port === null && pattern.path === '' && pattern.query.length === 0 && (pattern.scheme === null || pattern.scheme === 'http' || pattern.scheme === 'https');
}

/** True for a pattern that can match a web page (http or https) at all: Lesmodus judges nothing else. */
export function judgesWebPages(pattern: SitePattern): boolean {
  return pattern.scheme === null || pattern.scheme === 'http' || pattern.scheme === 'https';
}

/**
 * Why a site cannot be part of a lesson of this mode, or null. Every valid
 * pattern can be blocked (a blocklist lesson of `*` blocks everything but
 * IT's allowed sites, a lesson with nothing but those); an allowlist lesson
 * of `*` allows everything, which is no lesson.
 */
export function lessonSiteProblem(source: string, mode: 'allowlist' | 'blocklist'): (ParseResult & { ok: false }) | null {
  const result = parsePattern(source);
  if (!result.ok) return result;
  if (mode === 'allowlist' && matchesEverything(result.pattern)) {
    return fail(result.pattern.source, 'allows-everything', 'allows every site: an allowlist lesson needs the sites it allows (a blocklist lesson of "*" blocks everything but the school\'s allowed sites)');
  }
  return null;
}

/**
 * The site a pattern names, read leniently, for a pattern that cannot be
 * parsed: `*.tiktok.com` -> `tiktok.com`, `school.nl/login/..` ->
 * `school.nl`, `https://games.example:99999` -> `games.example`. Null when no
 * single site can be read from it (or it is `*`).
 */
export function siteOf(input: string): string | null {
  let rest = input.trim().replace(/^[a-z][a-z0-9+.-]*:\/+/i, '');
  rest = rest.split(/[/\\?#\s]/)[0] ?? '';
  rest = rest.slice(rest.lastIndexOf('@') + 1);
  if (!rest.startsWith('[')) rest = rest.split(':')[0] ?? '';
  else rest = rest.slice(0, rest.indexOf(']') + 1);
  rest = rest.replace(/^\*?\.+/, '');
  if (rest === '' || rest.includes('*')) return null;
  const result = parsePattern(rest);
  return result.ok && !result.pattern.anyHost && result.pattern.path === '' && result.pattern.query.length === 0 ? result.pattern.host : null;
}

/**
 * How specific a pattern is; the more specific of two matching patterns wins.
 * Ordered as in Chrome's URL policies: the longer host first (two patterns
 * matching the same URL both end its host, so the one with more labels is the
 * longer), then a host without subdomains, then the longer path, then the
 * more query conditions.
 */
export function specificity(pattern: SitePattern): number {
  let labels = 0;
  if (!pattern.anyHost) {
    labels = 1;
    for (let i = 0; i < pattern.host.length; i += 1) if (pattern.host.charCodeAt(i) === 46 /* '.' */) labels += 1;
  }
  const pathLength = Math.min(pattern.path.length, 4095);
  const queryCount = Math.min(pattern.query.length, 15);
  return ((labels * 2 + (pattern.exact ? 1 : 0)) * 4096 + pathLength) * 16 + queryCount;
}

/**
 * A pattern for the page a teacher is looking at: its host (without a
 * leading `www.`), any scheme and path. `www.` is only dropped when a site
 * name remains: `www.com` stays `www.com`, never `com`.
 */
export function patternForUrl(href: string): string | null {
  const url = parseUrl(href);
  if (url === null || (url.scheme !== 'http' && url.scheme !== 'https')) return null;
  const rest = url.host.slice(4);
  return url.host.startsWith('www.') && rest.includes('.') ? rest : url.host;
}
