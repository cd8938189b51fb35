/**
 * Site patterns, in the syntax IT already uses for Chrome's and Edge's
 * URLBlocklist/URLAllowlist policies:
 *
 *   [scheme://][.]host[:port][/path][?query]
 *
 * Matching is always done on a parsed URL, never on the raw string, so that
 * `allowed.com@evil.com` is `evil.com` and `example.com` never matches
 * `example.community`. See DESIGN.md, "Site patterns".
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
   * Query parameters that must all be present; a null value matches any value.
   * Keys and values are compared as the address writes them (percent-encoded
   * as a browser serialises the URL; `+` and `%20` are not decoded), as in
   * Chrome's URL policies. No duplicates, and no key-only condition for a key
   * that also has a value condition.
   */
  readonly query: ReadonlyArray<readonly [string, string | null]>;
}

/** What is wrong with a pattern, for the UI to say in the teacher's language. */
type PatternErrorCode =
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
  | 'too-many-query';

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
  /** The query string without '?', parsed only when a pattern asks about it. */
  readonly search: string;
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

function fail(source: string, code: PatternErrorCode, reason: string, ...params: string[]): ParseResult {
  return { ok: false, error: `"${source}": ${reason}`, code, params: [source, ...params] };
}

/**
 * Parses one site pattern. On failure the error names the pattern and what is
 * wrong with it, in words a teacher or IT admin can act on.
 */
export function parsePattern(input: string): ParseResult {
  const source = input.trim();
  // The common case by far, and all of a large IT list: a plain lower-case host name.
  if (PLAIN_HOST_RE.test(source) && !NUMERIC_LABEL_RE.test(source)) {
    return { ok: true, pattern: { source, scheme: null, host: stripTrailingDot(source), anyHost: false, exact: false, port: null, path: '', query: [] } };
  }
  if (source === '') return { ok: false, error: 'empty pattern: write a site such as example.com', code: 'empty', params: [''] };
  if (source.length > MAX_PATTERN_LENGTH) return fail(source.slice(0, 40) + '…', 'too-long', `longer than ${MAX_PATTERN_LENGTH} characters`, String(MAX_PATTERN_LENGTH));
  if (/\s/.test(source)) return fail(source, 'space', 'contains a space');

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
  const slashAt = rest.indexOf('/');
  if (slashAt >= 0) {
    pathText = rest.slice(slashAt);
    rest = rest.slice(0, slashAt);
  }

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
    return finish(source, scheme, '', true, false, port, pathText, queryText);
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
  return finish(source, scheme, host, false, exact, port, pathText, queryText);
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
): ParseResult {
  let path = '';
  if (pathText !== '' && pathText !== '/') {
    try {
      // Normalise the path the same way the browser normalises URLs (percent-encoding, dot segments).
      path = new URL(pathText, 'http://h').pathname;
    } catch {
      return fail(source, 'bad-path', 'the path is not valid');
    }
    if (path === '/') path = '';
  }
  const query: Array<readonly [string, string | null]> = [];
  if (queryText !== '') {
    // Serialise the query as a browser serialises a URL's, so the conditions compare with addresses as they are.
    const canonical = new URL(`http://h/?${queryText}`).search.slice(1);
    const conditions = canonical.split('&').filter((part) => part !== '').map(splitQueryPart);
    for (const [key, value] of conditions) {
      if (query.some(([k, v]) => k === key && v === value)) continue;
      if (value === null && conditions.some(([k, v]) => k === key && v !== null)) continue;
      query.push([key, value]);
    }
    if (query.length > MAX_QUERY_CONDITIONS) return fail(source, 'too-many-query', `at most ${MAX_QUERY_CONDITIONS} query conditions`, String(MAX_QUERY_CONDITIONS));
  }
  return { ok: true, pattern: { source, scheme, host, anyHost, exact, port, path, query } };
}

/** `key=value` -> [key, value]; `key` -> [key, null]. Nothing is decoded. */
function splitQueryPart(part: string): readonly [string, string | null] {
  const eq = part.indexOf('=');
  return eq < 0 ? [part, null] : [part.slice(0, eq), part.slice(eq + 1)];
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

function parseCanonicalUrl(href: string): ParsedUrl | null {
  const m = CANONICAL_URL_RE.exec(href);
  if (m === null) return null;
  const host = stripTrailingDot(m[2]!);
  const path = m[4] ?? '/';
  if (NUMERIC_LABEL_RE.test(host) || DOT_SEGMENT_RE.test(path)) return null;
  const scheme = m[1]!;
  const port = m[3] === undefined ? DEFAULT_PORTS[scheme]! : Number(m[3]);
  if (port > 65535) return null;
  return { href, scheme, host, port, path, search: m[5] ?? '' };
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
  return { href: url.href, scheme, host, port, path: url.pathname, search: url.search.slice(1) };
}

function hostMatches(pattern: SitePattern, host: string): boolean {
  if (pattern.anyHost) return true;
  if (host === pattern.host) return true;
  return !pattern.exact && host.length > pattern.host.length && host.endsWith(pattern.host) && host.charCodeAt(host.length - pattern.host.length - 1) === 46; /* '.' */
}

function pathMatches(prefix: string, path: string): boolean {
  if (prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47; /* '/' */
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

/** True when the URL falls under the pattern. */
export function matches(pattern: SitePattern, url: ParsedUrl): boolean {
  return hostMatches(pattern, url.host) && matchesBeyondHost(pattern, url);
}

/** The scheme, port, path and query conditions of a pattern, for a URL whose host is known to match. */
export function matchesBeyondHost(pattern: SitePattern, url: ParsedUrl): boolean {
  if (pattern.scheme !== null && pattern.scheme !== url.scheme) return false;
  if (pattern.port !== null && pattern.port !== url.port) return false;
  if (!pathMatches(pattern.path, url.path)) return false;
  if (pattern.query.length === 0) return true;
  const parts = url.search.split('&');
  for (const [key, value] of pattern.query) {
    const wanted = value === null ? null : `${key}=${value}`;
    const found = parts.some((part) => (wanted === null ? part === key || part.startsWith(`${key}=`) : part === wanted));
    if (!found) return false;
  }
  return true;
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
