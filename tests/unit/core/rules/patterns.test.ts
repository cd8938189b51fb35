import { describe, expect, it } from '@jest/globals';
import { ALLOWING, BLOCKING, MATCH, NO_MATCH, PREFIX_PATH, VETO, decodeUnreserved, judgeBeyondHost, judgedAddress, lessonSiteProblem, matches, matchesEverything, parsePattern, parseUrl, patternForUrl, siteOf, specificity, type MatchMode, type SitePattern } from '../../../../src/core/rules/patterns';

function pattern(source: string): SitePattern {
  const result = parsePattern(source);
  if (!result.ok) throw new Error(`expected "${source}" to parse: ${result.error}`);
  return result.pattern;
}

/** Whether `source` matches `href`, read as `mode` says (by default, as a pattern that allows). */
function match(source: string, href: string, mode: MatchMode = ALLOWING): boolean {
  const url = parseUrl(href);
  if (url === null) throw new Error(`expected a URL: ${href}`);
  return matches(pattern(source), url, mode);
}

/** [pattern, url, matches?] tables, read as "pattern matches url". */
type Row = [string, string, boolean];

describe('matches: hosts', () => {
  it.each<Row>([
    // a host and all its subdomains
    ['example.com', 'https://example.com/', true],
    ['example.com', 'https://www.example.com/', true],
    ['example.com', 'https://a.b.example.com/x', true],
    ['example.com', 'http://example.com:8080/any/path?q=1', true],
    ['www.example.com', 'https://example.com/', false],
    ['www.example.com', 'https://cdn.www.example.com/', true],
    // never a longer or another name that ends the same
    ['example.com', 'https://example.community/', false],
    ['example.com', 'https://notexample.com/', false],
    ['example.com', 'https://example.com.evil.net/', false],
    ['example.community', 'https://example.com/', false],
    ['notexample.com', 'https://example.com/', false],
    // a leading dot: exactly that host
    ['.example.com', 'https://example.com/', true],
    ['.example.com', 'https://example.com/a/b', true],
    ['.example.com', 'https://www.example.com/', false],
    ['.www.example.com', 'https://www.example.com/', true],
    ['.www.example.com', 'https://example.com/', false],
  ])('%s vs %s -> %s', (source, href, expected) => {
    expect(match(source, href)).toBe(expected);
  });
});

describe('matches: paths (whole segments, case-sensitive)', () => {
  it.each<Row>([
    ['example.com/maths', 'https://example.com/maths', true],
    ['example.com/maths', 'https://example.com/maths/', true],
    ['example.com/maths', 'https://example.com/maths/x', true],
    ['example.com/maths', 'https://example.com/maths?x', true],
    ['example.com/maths', 'https://example.com/maths#top', true],
    ['example.com/maths', 'https://www.example.com/maths/algebra', true],
    ['example.com/maths', 'https://example.com/mathsx', false],
    ['example.com/maths', 'https://example.com/Maths', false],
    ['example.com/maths', 'https://example.com/', false],
    ['example.com/maths', 'https://example.com/x/maths', false],
    ['example.com/Maths', 'https://example.com/Maths/x', true],
    ['example.com/Maths', 'https://example.com/maths', false],
    // a trailing slash: only below the folder
    ['example.com/maths/', 'https://example.com/maths/', true],
    ['example.com/maths/', 'https://example.com/maths/x', true],
    ['example.com/maths/', 'https://example.com/maths', false],
    ['example.com/maths/', 'https://example.com/mathsx', false],
    // "/" alone is every path
    ['example.com/', 'https://example.com/anything', true],
    // paths are compared as the browser writes them
    ['example.com/über', 'https://example.com/%C3%BCber/x', true],
    ['example.com/b%C3%BCcher', 'https://example.com/bücher', true],
  ])('%s vs %s -> %s', (source, href, expected) => {
    expect(match(source, href)).toBe(expected);
  });
});

describe('matches: schemes and ports', () => {
  it.each<Row>([
    ['https://example.com', 'https://example.com/', true],
    ['https://example.com', 'http://example.com/', false],
    ['http://example.com', 'http://www.example.com/', true],
    ['http://example.com', 'https://example.com/', false],
    ['HTTPS://example.com', 'https://example.com/', true],
    ['example.com', 'http://example.com/', true],
    ['example.com:8080', 'http://example.com:8080/', true],
    ['example.com:8080', 'https://www.example.com:8080/x', true],
    ['example.com:8080', 'http://example.com/', false],
    ['example.com:8080', 'http://example.com:8081/', false],
    // a default port is the port the URL uses when it names none
    ['example.com:443', 'https://example.com/', true],
    ['example.com:443', 'http://example.com/', false],
    ['example.com:443', 'http://example.com:443/', true],
    ['http://example.com:80', 'http://example.com/', true],
    ['http://example.com:80', 'http://example.com:80/', true],
    ['http://example.com:80', 'https://example.com/', false],
    ['http://example.com:80', 'https://example.com:80/', false],
    ['https://example.com:443', 'https://example.com:443/x', true],
  ])('%s vs %s -> %s', (source, href, expected) => {
    expect(match(source, href)).toBe(expected);
  });
});

describe('matches: * (every site)', () => {
  it.each<Row>([
    ['*', 'https://example.com/', true],
    ['*', 'http://a.b.c/x?y', true],
    ['*', 'http://127.0.0.1:8080/', true],
    ['*', 'http://[::1]/', true],
    ['https://*', 'https://example.com/', true],
    ['https://*', 'http://example.com/', false],
    ['http://*', 'http://example.com/', true],
    ['*/maths', 'https://any.where/maths/x', true],
    ['*/maths', 'https://any.where/mathsx', false],
    ['*:8080', 'http://example.com:8080/', true],
    ['*:8080', 'http://example.com/', false],
  ])('%s vs %s -> %s', (source, href, expected) => {
    expect(match(source, href)).toBe(expected);
  });
});

describe('matches: the URL is parsed, never read as text', () => {
  it.each<Row>([
    // upper case in pattern or URL
    ['EXAMPLE.COM', 'https://www.example.com/', true],
    ['example.com', 'https://WWW.EXAMPLE.COM/', true],
    ['Example.Com/maths', 'https://EXAMPLE.com/maths', true],
    // IDN: Unicode and punycode are the same host, either way round
    ['bücher.de', 'https://bücher.de/', true],
    ['bücher.de', 'https://xn--bcher-kva.de/', true],
    ['xn--bcher-kva.de', 'https://bücher.de/', true],
    ['xn--bcher-kva.de', 'https://www.bücher.de/', true],
    ['BÜCHER.de', 'https://bücher.de/', true],
    ['bücher.de', 'https://bucher.de/', false],
    ['.bücher.de', 'https://www.xn--bcher-kva.de/', false],
    // a trailing dot: the same host, in pattern or URL
    ['example.com.', 'https://example.com/', true],
    ['example.com', 'https://example.com./', true],
    ['example.com', 'https://www.example.com./x', true],
    ['.example.com', 'https://example.com./', true],
    ['example.com./maths', 'https://example.com./maths', true],
    // user@host tricks: the host is what follows the @
    ['allowed.com', 'https://allowed.com@evil.com/', false],
    ['evil.com', 'https://allowed.com@evil.com/', true],
    ['allowed.com', 'https://user:pw@allowed.com/', true],
    ['allowed.com', 'https://allowed.com:443@evil.com/', false],
    ['allowed.com', 'https://evil.com/allowed.com', false],
    ['allowed.com', 'https://evil.com/?allowed.com', false],
    ['allowed.com', 'https://evil.com/#allowed.com', false],
    ['allowed.com', 'https://allowed.com.evil.com/', false],
  ])('%s vs %s -> %s', (source, href, expected) => {
    expect(match(source, href)).toBe(expected);
  });
});

describe('matches: IP addresses (never subdomains)', () => {
  it.each<Row>([
    ['127.0.0.1', 'http://127.0.0.1/', true],
    ['127.0.0.1', 'http://127.0.0.1:8080/x', true],
    ['127.0.0.1', 'http://127.0.0.2/', false],
    ['127.0.0.1', 'http://127.0.0.10/', false],
    ['0.0.1', 'http://127.0.0.1/', false],
    ['127.1', 'http://127.0.0.1/', true], // the URL parser's own spelling of 127.0.0.1
    ['10.0.0.1:8080', 'http://10.0.0.1:8080/', true],
    ['10.0.0.1:8080', 'http://10.0.0.1/', false],
    ['[::1]', 'http://[::1]/', true],
    ['[::1]:8080', 'http://[::1]:8080/', true],
    ['[::1]:8080', 'http://[::1]/', false],
    ['[0:0:0:0:0:0:0:1]', 'http://[::1]/', true],
    ['[::1]', 'http://[::2]/', false],
  ])('%s vs %s -> %s', (source, href, expected) => {
    expect(match(source, href)).toBe(expected);
  });

  it('marks IP patterns exact', () => {
    expect(pattern('127.0.0.1').exact).toBe(true);
    expect(pattern('[::1]').exact).toBe(true);
  });
});

describe('matches: query conditions (as the address writes them, any order)', () => {
  it.each<Row>([
    ['example.com/?v=1', 'https://example.com/?v=1', true],
    ['example.com/?v=1', 'https://www.example.com/watch?v=1', true],
    ['example.com/?v=1', 'https://example.com/?a=2&v=1&b=3', true],
    ['example.com/?v=1', 'https://example.com/?v=2', false],
    ['example.com/?v=1', 'https://example.com/?v=10', false],
    ['example.com/?v=1', 'https://example.com/?xv=1', false],
    ['example.com/?v=1', 'https://example.com/?V=1', false],
    ['example.com/?v=1', 'https://example.com/', false],
    ['example.com/?v=1', 'https://example.com/#v=1', false],
    // a key repeated: never allowed (the smuggled ?v=123&v=XYZ)
    ['example.com/?v=1', 'https://example.com/?v=2&v=1', false],
    // a key alone: the parameter without a value
    ['example.com/?v', 'https://example.com/?v', true],
    ['example.com/?v', 'https://example.com/?v=7', false],
    ['example.com/?v', 'https://example.com/?v=', false],
    ['example.com/?v', 'https://example.com/?vv=1', false],
    // an empty value: exactly "v="
    ['example.com/?v=', 'https://example.com/?v=', true],
    ['example.com/?v=', 'https://example.com/?v', false],
    // several, in any order
    ['example.com/?a=1&b=2', 'https://example.com/?b=2&a=1', true],
    ['example.com/?a=1&b=2', 'https://example.com/?b=2&x=0&a=1', true],
    ['example.com/?a=1&b=2', 'https://example.com/?a=1', false],
    ['example.com/?a=1&b&c=3', 'https://example.com/?c=3&b&a=1', true],
    ['example.com/?a=1&b&c=3', 'https://example.com/?c=3&b=0&a=1', false],
    ['example.com/?a=1&b&c=3', 'https://example.com/?c=3&a=1', false],
    // with a path
    ['example.com/watch?v=1', 'https://example.com/watch/x?v=1', true],
    ['example.com/watch?v=1', 'https://example.com/other?v=1', false],
    // not decoded: "+" and "%20" are different text
    ['example.com/?q=a+b', 'https://example.com/?q=a+b', true],
    ['example.com/?q=a+b', 'https://example.com/?q=a%20b', false],
    ['example.com/?next=/x', 'https://example.com/?next=/x', true],
    ['example.com/?next=/x', 'https://example.com/?next=%2Fx', false],
    // but serialised as a browser serialises URLs
    ['example.com/?q=ü', 'https://example.com/?q=ü', true],
    ['example.com/?q=ü', 'https://example.com/?q=%C3%BC', true],
  ])('%s vs %s -> %s', (source, href, expected) => {
    expect(match(source, href)).toBe(expected);
  });

  it('keeps the conditions without duplicates', () => {
    const conditions = (source: string) => pattern(source).query.map((condition) => [condition.key, condition.value, condition.prefix]);
    expect(conditions('example.com/?v=1&v=1')).toEqual([['v', '1', false]]);
    expect(conditions('example.com/?a&a=1')).toEqual([['a', null, false], ['a', '1', false]]);
    expect(conditions('example.com/?a=1&&b')).toEqual([['a', '1', false], ['b', null, false]]);
    expect(conditions('example.com/?')).toEqual([]);
    // a trailing * is a prefix, as in Chrome's URL policies
    expect(conditions('example.com/?a=1*&b*&c=*')).toEqual([['a', '1', true], ['b', null, true], ['c', '', true]]);
    expect(conditions('example.com/?*')).toEqual([['', null, true]]);
  });
});

describe('matches: query conditions, blocking and allowing (Chrome: any parameter blocks, every parameter must allow)', () => {
  const judge = (source: string, href: string, mode: MatchMode) => judgeBeyondHost(pattern(source), parseUrl(href)!, mode);
  it.each<[string, string, MatchMode, number]>([
    // a block holds when any parameter fits
    ['example.com/watch?v=XYZ', 'https://example.com/watch?v=123&v=XYZ', BLOCKING, MATCH],
    ['example.com/watch?v', 'https://example.com/watch?v=7', BLOCKING, MATCH],
    // an allow never lets a repeated key through, and blocks it when one of them fits (the veto)
    ['example.com/watch?v=XYZ', 'https://example.com/watch?v=XYZ', ALLOWING, MATCH],
    ['example.com/watch?v=XYZ', 'https://example.com/watch?v=123&v=XYZ', ALLOWING, VETO],
    ['example.com/watch?v=XYZ', 'https://example.com/watch?v=XYZ&v=123', ALLOWING, VETO],
    ['example.com/watch?v=XYZ', 'https://example.com/watch?v=123', ALLOWING, NO_MATCH],
    ['example.com/watch?v=XYZ', 'https://example.com/watch?v=123&v=456', ALLOWING, NO_MATCH],
    ['example.com/watch?v=XYZ', 'https://example.com/other?v=123&v=XYZ', ALLOWING, NO_MATCH],
    // prefixes
    ['example.com/?foo=bar*', 'https://example.com/?foo=barbaz', ALLOWING, MATCH],
    ['example.com/?foo=bar*', 'https://example.com/?foo=ba', ALLOWING, NO_MATCH],
    ['example.com/?fo*', 'https://example.com/?fold', ALLOWING, MATCH],
    ['example.com/?fo*', 'https://example.com/?fo=1&fold', ALLOWING, MATCH],
    ['example.com/?g=*', 'https://example.com/?ag=1&g=123', BLOCKING, MATCH],
    ['example.com/?g=*', 'https://example.com/?ag=1', BLOCKING, NO_MATCH],
    ['example.com/?*', 'https://example.com/?hello', ALLOWING, MATCH],
    ['example.com/?*', 'https://example.com/?', ALLOWING, MATCH],
    ['example.com/?*', 'https://example.com/', ALLOWING, NO_MATCH],
  ])('%s vs %s (%s) -> %s', (source, href, mode, expected) => {
    expect(judge(source, href, mode)).toBe(expected);
  });
});

describe('parsePattern: what a pattern means', () => {
  it('reads a full URL pasted from the address bar: credentials and fragment ignored', () => {
    expect(pattern('https://user:pw@www.Example.com:8443/a/b?x=1#frag')).toEqual({
      source: 'https://user:pw@www.Example.com:8443/a/b?x=1#frag',
      scheme: 'https',
      host: 'www.example.com',
      anyHost: false,
      exact: false,
      port: 8443,
      path: '/a/b',
      query: [{ key: 'x', value: '1', prefix: false, text: 'x=1', touch: 'x=' }],
    });
  });

  it.each<Row>([
    ['https://user:pw@www.Example.com:8443/a/b?x=1#frag', 'https://www.example.com:8443/a/b/c?y=2&x=1', true],
    ['https://user:pw@www.Example.com:8443/a/b?x=1#frag', 'https://cdn.www.example.com:8443/a/b?x=1', true],
    ['https://user:pw@www.Example.com:8443/a/b?x=1#frag', 'https://www.example.com/a/b?x=1', false],
    ['https://user:pw@www.Example.com:8443/a/b?x=1#frag', 'http://www.example.com:8443/a/b?x=1', false],
    ['https://user:pw@www.Example.com:8443/a/b?x=1#frag', 'https://www.example.com:8443/a/b', false],
    ['https://www.example.com/', 'https://www.example.com/any', true],
    ['https://example.com/maths#chapter-2', 'https://example.com/maths/x', true],
  ])('pasted %s vs %s -> %s', (source, href, expected) => {
    expect(match(source, href)).toBe(expected);
  });

  it.each([
    ['  example.com  ', { host: 'example.com', exact: false, path: '' }],
    ['EXAMPLE.COM', { host: 'example.com' }],
    ['bücher.de', { host: 'xn--bcher-kva.de' }],
    ['example.com.', { host: 'example.com' }],
    ['.example.com', { host: 'example.com', exact: true }],
    ['example.com/', { path: '' }],
    ['example.com/maths/', { path: '/maths/' }],
    ['*', { anyHost: true, host: '', scheme: null }],
    ['https://*', { anyHost: true, scheme: 'https' }],
    ['my_site.example.com', { host: 'my_site.example.com' }],
    ['localhost:3000', { host: 'localhost', port: 3000 }],
    ['example.com:00080', { port: 80 }],
  ])('%s', (source, expected) => {
    expect(pattern(source)).toMatchObject(expected);
  });
});

describe('parsePattern: invalid patterns say which and why', () => {
  it.each([
    ['', 'empty pattern: write a site such as example.com'],
    ['   ', 'empty pattern: write a site such as example.com'],
    ['example .com', '"example .com": contains a space'],
    ['example.com/a b', '"example.com/a b": contains a space'],
    ['*.example.com', '"*.example.com": write "example.com" instead: a site already includes its subdomains (use ".example.com" for the site alone)'],
    ['exa*mple.com', '"exa*mple.com": a "*" can only stand alone, for every site'],
    ['https://*.example.com', '"https://*.example.com": write "example.com" instead: a site already includes its subdomains (use ".example.com" for the site alone)'],
    ['http:/example.com', '"http:/example.com": a scheme needs two slashes, as in https://example.com'],
    ['example.com:', '"example.com:": a ":" must be followed by a port number'],
    ['example.com:abc', '"example.com:abc": "abc" is not a port number'],
    ['example.com:8080:9090', '"example.com:8080:9090": "8080:9090" is not a port number'],
    ['example.com:0', '"example.com:0": port 0 is not between 1 and 65535'],
    ['example.com:70000', '"example.com:70000": port 70000 is not between 1 and 65535'],
    ['[::1', '"[::1": an IPv6 address needs a closing ]'],
    ['[::1]x', '"[::1]x": unexpected text after the IPv6 address'],
    ['[::1]:', '"[::1]:": unexpected text after the IPv6 address'],
    ['[zz::1]', '"[zz::1]": "[zz::1]" is not a valid site name'],
    ['ex!ample.com', '"ex!ample.com": "ex!ample.com" is not a valid site name'],
    ['exa$mple.com', '"exa$mple.com": "exa$mple.com" is not a valid site name'],
    ['example..com', '"example..com": "example..com" is not a valid site name'],
    ['..example.com', '"..example.com": ".example.com" is not a valid site name'],
    ['example.123', '"example.123": "example.123" is not a valid site name'],
    ['.', '".": no site name'],
    ['https://', '"https://": no site name'],
    ['user@', '"user@": no site name'],
    ['/maths', '"/maths": no site name'],
    ['example.com/?a=1&b=2&c=3&d=4', '"example.com/?a=1&b=2&c=3&d=4": at most 3 query conditions'],
  ])('%j -> %s', (source, error) => {
    expect(parsePattern(source)).toMatchObject({ ok: false, error });
  });

  it('shortens a pattern longer than 2048 characters in its message', () => {
    const result = parsePattern(`example.com/${'a'.repeat(2100)}`);
    expect(result).toMatchObject({ ok: false, error: `"example.com/${'a'.repeat(28)}…": longer than 2048 characters` });
  });
});

describe('parseUrl', () => {
  it.each([
    ['https://WWW.Example.COM./a?b#c', { scheme: 'https', host: 'www.example.com', port: 443, path: '/a', search: 'b' }],
    ['http://example.com', { scheme: 'http', host: 'example.com', port: 80, path: '/', search: null }],
    ['http://example.com/?', { path: '/', search: '' }],
    ['http://example.com/x?#?', { path: '/x', search: '' }],
    ['http://example.com/x#?', { path: '/x', search: null }],
    ['https://bücher.de:8443/', { host: 'xn--bcher-kva.de', port: 8443 }],
    ['https://allowed.com@evil.com/', { host: 'evil.com' }],
    ['http://[::1]:8080/', { host: '[::1]', port: 8080 }],
  ])('%s', (href, expected) => {
    expect(parseUrl(href)).toMatchObject(expected);
  });

  it.each(['about:blank', 'data:text/html,hi', 'file:///etc/hosts', 'javascript:void(0)', 'not a url', ''])('%j is not a URL with a host', (href) => {
    expect(parseUrl(href)).toBeNull();
  });
});

describe('specificity: host labels, then exact, then path length (then query conditions)', () => {
  /** Each row: the first pattern is more specific than the second. */
  it.each([
    ['www.example.com', 'example.com'],
    ['a.b.example.com', 'b.example.com'],
    ['.example.com', 'example.com'],
    ['.www.example.com', 'www.example.com'],
    ['example.com/maths', 'example.com'],
    ['example.com/maths/algebra', 'example.com/maths'],
    ['example.com/maths?x=1', 'example.com/maths'],
    ['example.com', '*'],
    ['example.com', '*/maths/algebra'],
    // more host labels beat any path: as in Chrome's URL policies
    ['www.example.com', 'example.com/a/very/long/path/indeed'],
    // exact beats a longer path on the same host
    ['.example.com', 'example.com/maths'],
  ])('%s > %s', (more, less) => {
    expect(specificity(pattern(more))).toBeGreaterThan(specificity(pattern(less)));
  });

  it.each([
    ['example.com', 'https://example.com'],
    ['example.com', 'example.com:8080'],
    ['youtube.com/edu', 'youtube.com/abc'],
  ])('%s = %s (scheme and port do not count)', (a, b) => {
    expect(specificity(pattern(a))).toBe(specificity(pattern(b)));
  });
});

describe('patternForUrl: a pattern for the current tab', () => {
  it.each([
    ['https://www.example.com/maths?x=1', 'example.com'],
    ['https://example.com/', 'example.com'],
    ['http://sub.example.com:8080/x', 'sub.example.com'],
    ['https://WWW.Example.COM./', 'example.com'],
    ['https://bücher.de/', 'xn--bcher-kva.de'],
    ['https://www.com/', 'www.com'],
    ['https://www2.example.com/', 'www2.example.com'],
    ['http://127.0.0.1:3000/', '127.0.0.1'],
    ['about:blank', null],
    ['chrome://settings', null],
    ['file:///etc/hosts', null],
    ['ftp://example.com/', null],
    ['not a url', null],
  ])('%s -> %s', (href, expected) => {
    expect(patternForUrl(href)).toBe(expected);
  });

  it('gives a pattern that parses and matches the page it came from', () => {
    for (const href of ['https://www.example.com/maths', 'https://a.b.school.nl/x', 'https://bücher.de/']) {
      expect(match(patternForUrl(href)!, href)).toBe(true);
    }
  });
});

describe('percent-encoded unreserved characters are the characters themselves (RFC 3986), in patterns and addresses', () => {
  it.each([
    ['%66orbidden', 'forbidden'],
    ['%6F%6f', 'oo'],
    ['%41%5a%30%2D%2e%5F%7e', 'AZ0-._~'],
    ['%2F%3F%23%25%20%C3%BC', '%2F%3F%23%25%20%C3%BC'],
    ['%%36%36', 'f'],
    ['%', '%'],
    ['%zz', '%zz'],
  ])('decodeUnreserved(%j) = %j', (text, decoded) => {
    expect(decodeUnreserved(text)).toBe(decoded);
  });

  it.each<Row>([
    ['allowed.test/forbidden', 'http://allowed.test/%66orbidden', true],
    ['allowed.test/forbidden', 'http://allowed.test/%66%6F%52bidden', false],
    ['allowed.test/forbidden', 'http://allowed.test/%66%6f%72bidden/x', true],
    ['allowed.test/forbidden', 'http://allowed.test/%%36%36orbidden', true],
    ['allowed.test/%66orbidden', 'http://allowed.test/forbidden', true],
    ['allowed.test/forbidden', 'http://allowed.test/a/%2e%2e/forbidden', true],
    ['allowed.test/forbidden', 'http://allowed.test/a/%%32%65%%32%65/forbidden', true],
    // reserved characters keep their meaning: %2F is not a slash
    ['allowed.test/a/b', 'http://allowed.test/a%2Fb', false],
    ['allowed.test/watch?v=XYZ', 'http://allowed.test/watch?v=%58YZ', true],
    ['allowed.test/watch?v=XYZ', 'http://allowed.test/watch?%76=XYZ', true],
  ])('%s vs %s -> %s (allowing and blocking alike)', (source, href, expected) => {
    expect(match(source, href, ALLOWING)).toBe(expected);
    expect(match(source, href, BLOCKING | PREFIX_PATH)).toBe(expected);
  });
});

describe('paths the browser reads otherwise are refused, never silently widened', () => {
  it.each([
    ['school.nl//login', 'path-changed', 'school.nl/login'],
    ['school.nl/\\login', 'path-changed', 'school.nl/login'],
    ['school.nl/a/./b', 'path-changed', 'school.nl/a/b'],
    ['https://school.nl/a/b/../c?x=1', 'path-changed', 'https://school.nl/a/c?x=1'],
    ['school.nl/login/..', 'path-empty', 'school.nl'],
    ['school.nl/%2e%2e', 'path-empty', 'school.nl'],
    ['school.nl/.%2E/', 'path-empty', 'school.nl'],
    ['*/x/..?q=1', 'path-empty', '*?q=1'],
  ])('%s -> %s, showing %s', (source, code, shown) => {
    const result = parsePattern(source);
    expect(result).toMatchObject({ ok: false, code, params: [source, shown] });
    if (!result.ok) expect(result.error).toContain(`"${shown}"`);
  });

  it.each([
    ['school.nl/café', '/caf%C3%A9'],
    ['school.nl/%66orbidden', '/forbidden'],
    ['school.nl/a..b/...', '/a..b/...'],
    ['school.nl/web/2020/https://x.nl', '/web/2020/https://x.nl'],
  ])('%s is only spelled differently: path %s', (source, path) => {
    expect(pattern(source).path).toBe(path);
  });
});

describe("IT's blocked paths are text prefixes, as in Chrome's URLBlocklist; allowing paths stay whole segments", () => {
  it.each<[string, string, boolean, boolean]>([
    ['path.to/ruin', 'http://path.to/ruin', true, true],
    ['path.to/ruin', 'http://path.to/ruins', true, false],
    ['path.to/ruin', 'http://path.to/ruin/signup', true, true],
    ['path.to/ruin', 'http://path.to/fortune', false, false],
  ])('%s vs %s: blocked %s, allowed %s', (source, href, blocked, allowed) => {
    expect(match(source, href, BLOCKING | PREFIX_PATH)).toBe(blocked);
    expect(match(source, href, ALLOWING)).toBe(allowed);
  });
});

describe("Chrome's scheme:* short form", () => {
  it.each([
    ['file:*', 'file'],
    ['FtP:*', 'ftp'],
    ['custom:*', 'custom'],
  ])('%s is every address of scheme %s', (source, scheme) => {
    expect(pattern(source)).toMatchObject({ scheme, anyHost: true, path: '', query: [] });
  });

  it('never matches a web page of another scheme', () => {
    expect(match('file:*', 'http://example.com/')).toBe(false);
    expect(match('https:*', 'https://example.com/')).toBe(true);
  });
});

describe('patterns that take everything, and lessons', () => {
  it.each([
    ['*', true],
    ['http://*', true],
    ['https://*', true],
    ['*:8080', false],
    ['*/maths', false],
    ['*?q=1', false],
    ['ftp://*', false],
    ['example.com', false],
  ])('matchesEverything(%s) = %s', (source, everything) => {
    expect(matchesEverything(pattern(source))).toBe(everything);
  });

  it('refuses a pattern that allows everything in an allowlist lesson, with its own code; a blocklist may block everything', () => {
    expect(lessonSiteProblem('*', 'allowlist')).toMatchObject({ ok: false, code: 'allows-everything', params: ['*'] });
    expect(lessonSiteProblem(' https://* ', 'allowlist')).toMatchObject({ code: 'allows-everything', params: ['https://*'] });
    expect(lessonSiteProblem('*', 'blocklist')).toBeNull();
    expect(lessonSiteProblem('wikipedia.org', 'allowlist')).toBeNull();
    expect(lessonSiteProblem('*.x.nl', 'blocklist')).toMatchObject({ code: 'star-subdomain' });
  });
});

describe('siteOf: the site an unreadable pattern names', () => {
  it.each([
    ['*.tiktok.com', 'tiktok.com'],
    ['school.nl/login/..', 'school.nl'],
    ['https://games.example:99999/x', 'games.example'],
    ['http:/games.example', 'games.example'],
    ['user@Games.Example', 'games.example'],
    ['.school.nl//login', 'school.nl'],
    ['*', null],
    ['*/x/..', null],
    ['ex!ample.com', null],
    ['', null],
  ])('%j -> %j', (source, site) => {
    expect(siteOf(source)).toBe(site);
  });
});

describe('judgedAddress', () => {
  it.each([
    ['http://allowed.test/%66orbidden', 'http://allowed.test/forbidden'],
    ['https://allowed.test:8443/%%36%36ree?q=%61&r=%2F#%66', 'https://allowed.test:8443/free?q=a&r=%2F#%66'],
    ['http://allowed.test/a/%2e%2e/b', 'http://allowed.test/b'],
    ['http://allowed.test/x/%252e%252e/y', 'http://allowed.test/x/%252e%252e/y'],
    ['http://allowed.test/a%20b', 'http://allowed.test/a%20b'],
    ['http://allowed.test/plain', 'http://allowed.test/plain'],
    ['not a url %66', 'not a url %66'],
  ])('%s -> %s', (href, judged) => {
    expect(judgedAddress(href)).toBe(judged);
  });
});
