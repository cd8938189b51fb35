/**
 * Facts about Chrome's URLBlocklist and URLAllowlist, as Chromium's own unit
 * tests state them (components/policy/core/browser/url_blocklist_manager_unittest.cc
 * and components/url_matcher/url_util_unittest.cc): for IT's two lists, the
 * address, and what Chrome does with it. Data only: the lists, the URL and
 * the outcome, grouped as the tests group them.
 *
 * Where Lesmodus keeps a difference on purpose, the case says what Lesmodus
 * does and which difference it is (see KEPT below). A kept difference may
 * block more than Chrome, never allow more, with one exception that is out of
 * an extension's reach: addresses that are not web pages.
 */

/** What Chrome does: blocks it, allows it by URLAllowlist, or neither (open unless something else blocks it). */
export type ChromeOutcome = 'blocked' | 'allowed' | 'neutral';

/** What Lesmodus does; `not-web` is an address it never judges. */
export type LesmodusOutcome = ChromeOutcome | 'not-web';

/** The differences Lesmodus keeps on purpose; the IT docs list them in place of "exactly". */
export const KEPT = {
  // Lesmodus judges only web pages and frames (http, https): an extension sees
  // no other navigation. IT keeps file:, chrome:, ftp:, custom schemes in
  // Chrome's own URLBlocklist. The one place where Lesmodus blocks less.
  'not-web': 'only http and https pages are judged',
  // An allowed path matches whole segments: allowed path.to/ruin does not let
  // through /ruins (Chrome: a text prefix). Allows less, never more.
  'allowed-path-segments': 'an allowed path matches whole path segments',
  // blocked is read to its last entry (a 50,000-entry category list works);
  // Chrome reads the first 1,000. Blocks more.
  'blocked-no-limit': 'every blocked entry applies',
  // An entry Chrome cannot read and drops (example.com:*): in blocked,
  // Lesmodus blocks the whole site it names, with a warning. Blocks more.
  'unreadable-blocked-blocks-site': 'an unreadable blocked entry blocks its site',
} as const;
export type Kept = keyof typeof KEPT;

export interface ChromeCase {
  /** The Chromium test the fact comes from. */
  readonly test: string;
  readonly blocked: readonly string[];
  readonly allowed: readonly string[];
  readonly url: string;
  readonly chrome: ChromeOutcome;
  /** Only where Lesmodus differs on purpose. */
  readonly lesmodus?: { readonly outcome: LesmodusOutcome; readonly kept: Kept };
}

type Row = [url: string, chrome: ChromeOutcome, lesmodus?: [LesmodusOutcome, Kept]];

function group(test: string, blocked: readonly string[], allowed: readonly string[], rows: readonly Row[]): ChromeCase[] {
  return rows.map(([url, chrome, lesmodus]) => ({ test, blocked, allowed, url, chrome, ...(lesmodus ? { lesmodus: { outcome: lesmodus[0], kept: lesmodus[1] } } : {}) }));
}

/** One pattern on one list, and whether each URL matches it. */
function one(test: string, list: 'blocked' | 'allowed', pattern: string, rows: ReadonlyArray<[string, boolean, ([LesmodusOutcome, Kept])?]>): ChromeCase[] {
  const hit: ChromeOutcome = list === 'blocked' ? 'blocked' : 'allowed';
  return group(
    test,
    list === 'blocked' ? [pattern] : [],
    list === 'allowed' ? [pattern] : [],
    rows.map(([url, matches, lesmodus]): Row => (lesmodus ? [url, matches ? hit : 'neutral', lesmodus] : [url, matches ? hit : 'neutral'])),
  );
}

const NW: [LesmodusOutcome, Kept] = ['not-web', 'not-web'];
const F = 'url_blocklist_manager_unittest Filtering';
const Q = 'url_blocklist_manager_unittest QueryParameters';
const B = 'url_blocklist_manager_unittest BlocklistBasicCoverage';
const S = 'url_util_unittest SingleFilter';
const M = 'url_util_unittest MultipleFilters';
const U = 'url_util_unittest BasicCoverage';

/** Each list section of Filtering and SingleFilter, as a block (Filtering) and as an allow (SingleFilter). */
function basicHosts(test: string, list: 'blocked' | 'allowed'): ChromeCase[] {
  const allowSide = list === 'allowed';
  return [
    ...one(test, list, 'google.com', [
      ['http://google.com', true],
      ['http://google.com/', true],
      ['http://google.com/whatever', true],
      ['https://google.com/', true],
      // Chrome's blocklist takes unknown schemes when none is written; its allowlist test does not.
      ['bogus://google.com/', !allowSide, NW],
      ['http://notgoogle.com/', false],
      ['http://mail.google.com', true],
      ['http://x.mail.google.com', true],
      ['https://x.mail.google.com/', true],
      ['http://x.y.google.com/a/b', true],
      ['http://youtube.com/', false],
    ]),
    ...one(test, list, 'http://secure.com', [
      ['http://secure.com', true],
      ['http://secure.com/whatever', true],
      ['https://secure.com/', false],
      ['http://www.secure.com', true],
      ['https://www.secure.com', false],
    ]),
    ...one(test, list, 'ftp://secure.com', [['ftp://secure.com/', true, NW]]),
    ...one(test, list, 'ws://secure.com', [
      ['ws://secure.com', true, NW],
      ['wss://secure.com', false, NW],
      ['wss://www.secure.com', false, NW],
    ]),
    ...one(test, list, 'path.to/ruin', [
      ['http://path.to/ruin', true],
      ['https://path.to/ruin', true],
      // A text prefix in Chrome. Lesmodus's blocked paths are text prefixes too; its allowed paths stay whole segments.
      allowSide ? ['http://path.to/ruins', true, ['neutral', 'allowed-path-segments']] : ['http://path.to/ruins', true],
      ['http://path.to/ruin/signup', true],
      ['http://www.path.to/ruin', true],
      ['http://path.to/fortune', false],
    ]),
    ...one(test, list, 'https://s.aaa.com/path', [
      ['https://s.aaa.com/path', true],
      ['https://s.aaa.com/path/bbb', true],
      ['http://s.aaa.com/path', false],
      ['https://aaa.com/path', false],
      ['https://x.aaa.com/path', false],
      ['https://s.aaa.com/bbb', false],
      ['https://s.aaa.com/', false],
    ]),
    ...one(test, list, 'ws://ws.aaa.com', [
      ['ws://ws.aaa.com', true, NW],
      ['http://ws.aaa.com', false],
      ['https://ws.aaa.com', false],
      ['ftp://ws.aaa.com', false, NW],
    ]),
    ...one(test, list, 'wss://ws.aaa.com', [['wss://ws.aaa.com', true, NW]]),
    ...one(test, list, '123.123.123.123', [
      ['http://123.123.123.123/', true],
      ['http://123.123.123.124/', false],
    ]),
  ];
}

export const CASES: readonly ChromeCase[] = [
  ...basicHosts(F, 'blocked'),
  ...basicHosts(S, 'allowed'),

  // Exceptions to path prefixes, and the most specific match.
  ...group(F, ['s.xxx.com/a', 'https://s.xxx.com/a/b/c'], ['s.xxx.com/a/b', 'https://s.xxx.com/a/b/c/d'], [
    ['http://s.xxx.com/a', 'blocked'],
    ['http://s.xxx.com/a/x', 'blocked'],
    ['https://s.xxx.com/a/x', 'blocked'],
    ['http://s.xxx.com/a/b', 'allowed'],
    ['https://s.xxx.com/a/b', 'allowed'],
    ['http://s.xxx.com/a/b/x', 'allowed'],
    ['http://s.xxx.com/a/b/c', 'allowed'],
    ['https://s.xxx.com/a/b/c', 'blocked'],
    ['https://s.xxx.com/a/b/c/x', 'blocked'],
    ['https://s.xxx.com/a/b/c/d', 'allowed'],
    ['http://s.xxx.com/a/b/c/d', 'allowed'],
    ['https://s.xxx.com/a/b/c/d/x', 'allowed'],
    ['http://s.xxx.com/a/b/c/d/x', 'allowed'],
    ['http://xxx.com/a', 'neutral'],
    ['http://xxx.com/a/b', 'neutral'],
  ]),
  ...group(F, ['google.com'], ['plus.google.com'], [
    ['http://google.com/', 'blocked'],
    ['http://www.google.com/', 'blocked'],
    ['http://plus.google.com/', 'allowed'],
  ]),
  ...group(F, ['google.com'], ['plus.google.com', 'https://mail.google.com'], [
    ['http://google.com/', 'blocked'],
    ['http://mail.google.com/', 'blocked'],
    ['http://www.google.com/', 'blocked'],
    ['https://www.google.com/', 'blocked'],
    ['https://mail.google.com/', 'allowed'],
  ]),
  ...group(F, ['google.com'], ['plus.google.com', 'https://mail.google.com', 'http://.google.com'], [
    ['http://google.com/', 'allowed'],
    ['https://google.com/', 'blocked'],
    ['http://www.google.com/', 'blocked'],
  ]),
  // A shorter path on an exact host beats a longer one on a host with subdomains.
  ...group(F, ['yyy.com/aaa'], ['.yyy.com/a'], [
    ['http://yyy.com', 'neutral'],
    ['http://yyy.com/aaa', 'allowed', ['blocked', 'allowed-path-segments']],
    ['http://yyy.com/aaa2', 'allowed', ['blocked', 'allowed-path-segments']],
    ['http://www.yyy.com', 'neutral'],
    ['http://www.yyy.com/aaa', 'blocked'],
    ['http://www.yyy.com/aaa2', 'blocked'],
  ]),
  ...group(F, ['example.com'], ['example.com'], [['http://example.com', 'allowed']]),
  ...group(F, ['*'], ['devtools://*'], [
    ['devtools://something.com', 'allowed', NW],
    ['https://something.com', 'blocked'],
  ]),

  // Query conditions: a block holds for any parameter, an allow for every parameter with the key.
  ...group(Q, ['youtube.com'], ['youtube.com/watch?v=XYZ'], [
    ['http://youtube.com', 'blocked'],
    ['http://youtube.com/watch?v=123', 'blocked'],
    ['http://youtube.com/watch?v=123&v=XYZ', 'blocked'],
    ['http://youtube.com/watch?v=XYZ&v=123', 'blocked'],
    ['http://youtube.com/watch?v=XYZ', 'allowed'],
    ['http://youtube.com/watch?v=XYZ&foo=bar', 'allowed'],
    ['http://youtube.com/watch?foo=bar&v=XYZ', 'allowed'],
  ]),
  ...group(Q, ['youtube.com'], ['youtube.com/watch?v=XYZ', 'youtube.com/watch?av=XYZ&ag=123'], [
    ['http://youtube.com', 'blocked'],
    ['http://youtube.com/watch?av=123', 'blocked'],
    ['http://youtube.com/watch?av=XYZ', 'blocked'],
    ['http://youtube.com/watch?av=123&ag=XYZ', 'blocked'],
    ['http://youtube.com/watch?ag=XYZ&av=123', 'blocked'],
    ['http://youtube.com/watch?av=XYZ&ag=123', 'allowed'],
    ['http://youtube.com/watch?ag=123&av=XYZ', 'allowed'],
    ['http://youtube.com/watch?av=XYZ&ag=123&av=123', 'blocked'],
    ['http://youtube.com/watch?av=XYZ&ag=123&ag=1234', 'blocked'],
  ]),
  ...group(Q, ['youtube.com'], ['youtube.com/watch?v=XYZ', 'youtube.com/watch?av=XYZ&ag=123', 'youtube.com/watch?foo=bar*&vid=2*'], [
    ['http://youtube.com', 'blocked'],
    ['http://youtube.com/watch?vid=2', 'blocked'],
    ['http://youtube.com/watch?foo=bar', 'blocked'],
    ['http://youtube.com/watch?vid=2&foo=bar', 'allowed'],
    ['http://youtube.com/watch?vid=2&foo=bar1', 'allowed'],
    ['http://youtube.com/watch?vid=234&foo=bar', 'allowed'],
    ['http://youtube.com/watch?vid=234&foo=bar23', 'allowed'],
  ]),
  ...group(Q, ['youtube.com', 'youtube1.com/disallow?v=44678'], ['youtube.com/watch?v=XYZ'], [
    ['http://youtube1.com', 'neutral'],
    ['http://youtube1.com?v=123', 'neutral'],
    ['http://youtube1.com?v=44678', 'neutral'],
    ['http://youtube1.com/disallow?v=44678', 'blocked'],
    ['http://youtube1.com/disallow?v=4467', 'neutral'],
    ['http://youtube1.com/disallow?v=4467&v=123', 'neutral'],
    ['http://youtube1.com/disallow?v=4467&v=123&v=44678', 'blocked'],
  ]),
  ...group(Q, ['youtube1.com/disallow?g=*'], [], [
    ['http://youtube1.com', 'neutral'],
    ['http://youtube1.com?ag=123', 'neutral'],
    ['http://youtube1.com/disallow?g=123', 'blocked'],
    ['http://youtube1.com/disallow?ag=13&g=123', 'blocked'],
  ]),
  ...group(Q, ['youtube2.com/disallow?a*'], [], [
    ['http://youtube2.com', 'neutral'],
    ['http://youtube2.com/disallow?b=123&a21=467', 'blocked'],
    ['http://youtube2.com/disallow?abba=true', 'blocked'],
    ['http://youtube2.com/disallow?baba=true', 'neutral'],
  ]),
  ...group(Q, ['youtube3.com'], ['youtube3.com/watch?fo*'], [
    ['http://youtube3.com', 'blocked'],
    ['http://youtube3.com/watch?b=123&a21=467', 'blocked'],
    ['http://youtube3.com/watch?b=123&a21=467&foo1', 'allowed'],
    ['http://youtube3.com/watch?b=123&a21=467&foo=bar', 'allowed'],
    ['http://youtube3.com/watch?b=123&a21=467&fo=ba', 'allowed'],
    ['http://youtube3.com/watch?foreign=true', 'allowed'],
    ['http://youtube3.com/watch?fold', 'allowed'],
  ]),
  ...group(Q, ['youtube4.com'], ['youtube4.com?*'], [
    ['http://youtube4.com', 'blocked'],
    ['http://youtube4.com/?hello', 'allowed'],
    ['http://youtube4.com/?foo', 'allowed'],
  ]),
  ...group(Q, ['youtube5.com?foo=bar'], ['youtube5.com?foo1=bar1&foo2=bar2&'], [
    ['http://youtube5.com', 'neutral'],
    ['http://youtube5.com/?foo=bar&a=b', 'blocked'],
    ['http://youtube5.com/?a=b&foo=bar&foo1=bar1&foo2=bar2', 'allowed'],
  ]),

  ...group('url_blocklist_manager_unittest BlockAllWithExceptions', ['*'], ['.www.google.com', 'plus.google.com', 'https://mail.google.com', 'https://very.safe/path'], [
    ['http://random.com', 'blocked'],
    ['http://google.com', 'blocked'],
    ['http://s.www.google.com', 'blocked'],
    ['http://www.google.com', 'allowed'],
    ['http://plus.google.com', 'allowed'],
    ['http://s.plus.google.com', 'allowed'],
    ['http://mail.google.com', 'blocked'],
    ['https://mail.google.com', 'allowed'],
    ['https://s.mail.google.com', 'allowed'],
    ['https://very.safe/', 'blocked'],
    ['http://very.safe/path', 'blocked'],
    ['https://very.safe/path', 'allowed'],
  ]),
  ...group('url_blocklist_manager_unittest DefaultBlocklistExceptions', ['*'], [], [
    ['http://www.google.com', 'blocked'],
    ['chrome-extension://xyz', 'neutral', NW],
    ['chrome-search://most-visited/title.html', 'neutral', NW],
    ['chrome-native://ntp', 'neutral', NW],
  ]),
  ...group('url_blocklist_manager_unittest DefaultBlocklistExceptions', ['*', 'chrome-extension://*'], ['chrome-extension://abc'], [
    ['http://www.google.com', 'blocked'],
    ['chrome-extension://xyz', 'blocked', NW],
    ['chrome-extension://abc', 'allowed', NW],
  ]),

  // The filter format's documented cases, as blocks.
  ...one(B, 'blocked', 'file://*', [['file:///abc.txt', true, NW]]),
  ...one(B, 'blocked', 'file:*', [['file:///usr/local/boot.txt', true, NW]]),
  ...one(B, 'blocked', 'https://*', [['https:///abc.txt', true]]),
  ...one(B, 'blocked', 'ftp://*', [['ftp://ftp.txt', true, NW]]),
  ...one(B, 'blocked', 'chrome://*', [['chrome:policy', true, NW]]),
  ...one(B, 'blocked', 'noscheme', [['http://noscheme', true]]),
  ...one(B, 'blocked', 'custom://*', [
    ['custom://example_app', true, NW],
    ['customs://example_apps', false, NW],
    ['cust*://example_ap', false, NW],
    ['ecustom:example_app', false, NW],
    ['custom:///abc.txt', true, NW],
  ]),
  ...one(B, 'blocked', 'custom:*', [['custom:example2_app', true, NW]]),
  ...one(B, 'blocked', 'wrong://app', [['wrong://app', false, NW]]),
  ...one(B, 'blocked', 'example.com', [
    ['chrome:example.com', true, NW],
    ['chrome://example.com', true, NW],
    ['file://example.com/', true, NW],
    ['ftp://example.com', true, NW],
    ['http://example.com', true],
    ['https://example.com', true],
    ['ws://example.com', true, NW],
    ['wss://example.com', true, NW],
    ['about:example.com', false, NW],
    ['about://example.com', true, NW],
    ['custom://example.com', true, NW],
    ['gopher://example.com', true, NW],
    ['http://mail.example.com/path', true],
  ]),
  ...one(B, 'blocked', 'example.com/*', [['filesystem:///something', false, NW]]),
  ...one(B, 'blocked', 'example', [['custom://example', true, NW]]),
  ...one(B, 'blocked', '.example.com', [
    ['http://example.com/path', true],
    ['http://mail.example.com/path', false],
  ]),
  ...one(B, 'blocked', 'ftp://.ftp.file', [
    ['ftp://ftp.file', true, NW],
    ['ftp://sub.ftp.file', false, NW],
  ]),
  ...one(B, 'blocked', '*', [
    ['http://anything', true],
    ['ftp://anything', true, NW],
    ['custom://anything', true, NW],
  ]),
  ...one(B, 'blocked', 'host', [
    ['http://host:8080', true],
    ['file:///host', false, NW],
  ]),
  ...one(B, 'blocked', '10.1.2.3', [['http://10.1.2.3:8080/path', true]]),
  ...one(B, 'blocked', ':8080', [
    ['http://host:8080', false],
    ['http://:8080', false, NW],
  ]),
  ...one(B, 'blocked', 'host:8080', [['http://host:8080/path', true]]),
  ...one(B, 'blocked', 'host:1', [['http://host:1/path', true]]),
  ...one(B, 'blocked', 'host:65536', [['http://host:65536/path', false, NW]]),
  ...one(B, 'blocked', 'example.com:*', [
    ['http://example.com', false, ['blocked', 'unreadable-blocked-blocks-site']],
    ['http://example.com:8888', false, ['blocked', 'unreadable-blocked-blocks-site']],
  ]),
  ...one(B, 'blocked', 'host/path', [
    ['http://host:8080/path', true],
    ['http://host/path/path2', true],
  ]),
  ...one(B, 'blocked', 'host/path/path2', [['http://host/path/path2', true]]),
  ...one(B, 'blocked', 'host?q1=1&q2=2', [
    ['http://host?q2=2&q1=1', true],
    ['http://host?q2=1&q1=2', false],
    ['http://host?Q2=2&Q1=1', false],
    ['http://host?q2=2&q1=1&q3=3', true],
  ]),
  ...one(B, 'blocked', 'host?q1=1&q2=2*', [['http://host?q2=21&q1=1&q3=3', true]]),
  ...one(B, 'blocked', 'host.com/path', [['http://user:pass@host.com:8080/path', true]]),
  ...one(B, 'blocked', 'ftp://host.com/path', [['ftp://user:pass@host.com:8080/path', true, NW]]),
  ...one(B, 'blocked', 'suPPort://*', [['support:example', true, NW]]),
  ...one(B, 'blocked', 'FILE://*', [
    ['file:example', true, NW],
    ['FILE://example', true, NW],
  ]),
  ...one(B, 'blocked', 'FtP:*', [['ftp://example', true, NW]]),
  ...one(B, 'blocked', 'http://example.com', [['HTTP://example.com', true]]),
  ...one(B, 'blocked', 'HTTP://example.com', [['http://example.com', true]]),
  ...one(B, 'blocked', 'http://EXAMPLE.COM', [['http://example.com', true]]),
  ...one(B, 'blocked', 'Example.com', [['http://examplE.com/Path?Query=1', true]]),
  ...one(B, 'blocked', 'example.com/Path', [['http://example.com/path', false]]),
  ...one(B, 'blocked', 'http://example.com/aB', [
    ['http://example.com/aB', true],
    ['http://example.com/Ab', false],
    ['http://example.com/ab', false],
    ['http://example.com/AB', false],
  ]),
  ...one(B, 'blocked', 'host/path?Query=1', [['http://host/path?query=1', false]]),

  // GetURLBlocklistState.
  ...one('url_blocklist_manager_unittest UseBlocklistState', 'allowed', 'example.com', [['http://example.com', true]]),
  ...one('url_blocklist_manager_unittest UseBlocklistState', 'allowed', 'http://*', [['http://example.com', true]]),
  ...one('url_blocklist_manager_unittest UseBlocklistState', 'allowed', 'custom://*', [['custom://app', true, NW]]),
  ...one('url_blocklist_manager_unittest UseBlocklistState', 'allowed', 'custom:*', [
    ['custom://app/play', true, NW],
    ['custom://app:8080', true, NW],
    ['http://example.com', false],
  ]),
  ...one('url_blocklist_manager_unittest UseBlocklistState', 'blocked', 'ftp:*', [['ftp://server', true, NW]]),
  ...one('url_blocklist_manager_unittest UseBlocklistState', 'allowed', 'file:*', [['http://example.com', false]]),
  ...one('url_blocklist_manager_unittest UseBlocklistState', 'blocked', 'https://*', [['http://example.com', false]]),

  // MatchFilters (allow filters) beyond SingleFilter.
  ...one(S, 'allowed', 'plus.google.com', [
    ['http://google.com/', false],
    ['http://www.google.com/', false],
    ['http://plus.google.com/', true],
  ]),
  ...one(S, 'allowed', 'http://.google.com', [
    ['http://google.com/', true],
    ['https://google.com/', false],
    ['http://www.google.com/', false],
  ]),
  ...group(M, [], ['s.xxx.com/a/b', 'https://s.xxx.com/a/b/c/d'], [
    ['http://s.xxx.com/a', 'neutral'],
    ['http://s.xxx.com/a/x', 'neutral'],
    ['https://s.xxx.com/a/x', 'neutral'],
    ['http://s.xxx.com/a/b', 'allowed'],
    ['https://s.xxx.com/a/b', 'allowed'],
    ['http://s.xxx.com/a/b/x', 'allowed'],
    ['http://s.xxx.com/a/b/c', 'allowed'],
    ['https://s.xxx.com/a/b/c', 'allowed'],
    ['https://s.xxx.com/a/b/c/x', 'allowed'],
    ['https://s.xxx.com/a/b/c/d', 'allowed'],
    ['http://s.xxx.com/a/b/c/d', 'allowed'],
    ['https://s.xxx.com/a/b/c/d/x', 'allowed'],
    ['http://s.xxx.com/a/b/c/d/x', 'allowed'],
    ['http://xxx.com/a', 'neutral'],
    ['http://xxx.com/a/b', 'neutral'],
  ]),
  ...group(M, [], ['*?q=1234', '*?q=5678', '*?a=1&b=2', 'youtube.com?foo=baz', 'youtube.com?foo=bar*'], [
    ['http://google.com?q=1234', 'allowed'],
    ['http://google.com?q=5678', 'allowed'],
    ['http://google.com?a=1&b=2', 'allowed'],
    ['http://google.com?b=2&a=1', 'allowed'],
    ['http://google.com?a=1&b=4&q=1234', 'allowed'],
    ['http://youtube.com?foo=baz', 'allowed'],
    ['http://youtube.com?foo=barbaz', 'allowed'],
    ['http://youtube.com?a=1&foo=barbaz', 'allowed'],
    ['http://google.com?r=1234', 'neutral'],
    ['http://google.com?r=5678', 'neutral'],
    ['http://google.com?a=2&b=1', 'neutral'],
    ['http://google.com?b=1&a=2', 'neutral'],
    ['http://google.com?a=1&b=3', 'neutral'],
    ['http://youtube.com?foo=meh', 'neutral'],
    ['http://youtube.com?foo=bazbar', 'neutral'],
    ['http://youtube.com?foo=ba', 'neutral'],
  ]),
  // The filter format's documented cases, as allows, where they differ from the blocklist test's.
  ...one(U, 'allowed', 'data:*', [['data:image/svg+xml,<svg/>', true, NW]]),
  ...one(U, 'allowed', 'example.com', [
    ['about://example.com', false, NW],
    ['custom://example.com', false, NW],
    ['http://example.com', true],
  ]),
  ...one(U, 'allowed', 'host?q1=1&q2=2', [
    ['http://host?q2=2&q1=1', true],
    ['http://host?q2=1&q1=2', false],
    ['http://host?q2=2&q1=1&q3=3', true],
  ]),
  ...one(U, 'allowed', 'host?q1=1&q2=2*', [['http://host?q2=21&q1=1&q3=3', true]]),
  ...one(U, 'allowed', 'host/path?Query=1', [['http://host/path?query=1', false]]),
  // OnlyWildcard: "*" takes every address.
  ...['', 'dev.'].flatMap((sub) =>
    ['', ':1234'].flatMap((port) =>
      ['', '/path'].flatMap((path) => ['', '?query'].flatMap((query) => one('url_util_unittest OnlyWildcard', 'allowed', '*', [[`https://${sub}google.com${port}${path}${query}`, true]]))),
    ),
  ),
];

/** PolicyListLimit: Chrome reads the first 1,000 entries of each list. */
export const LIST_LIMIT = 1000;
export const LIST_LIMIT_EXTRA = 5;
