/**
 * The parts of the nginx feed-host launcher that are plain text: the tokens
 * file it writes for nginx's map (IT writes the same by hand), and the
 * production site file with its EDIT lines pointed at a test directory.
 * Running nginx itself is tests/e2e/nchan-host.e2e.ts.
 */
import { readFileSync } from 'node:fs';
import { NGINX_SITE_FILE, siteForTest, tokensMap, type FeedToken } from '../../../src/dev/feed-hosts';

const HEX = '0123456789abcdef'.repeat(4);

describe('tokensMap', () => {
  it.each<[string, FeedToken[], string[]]>([
    ['a token for every class', [{ token: HEX, classes: '*' }], [`${HEX} "*";`]],
    ['a token for two classes', [{ token: HEX, classes: ['2B', '3C.x'] }], [`${HEX} "2B 3C.x";`]],
    ['base64, base64url and padding', [{ token: 'AbCd-_+/.efGHijklmn==', classes: ['2B'] }], ['AbCd-_+/.efGHijklmn== "2B";']],
    ['one line per token, in order', [{ token: HEX, classes: '*' }, { token: HEX.toUpperCase(), classes: ['1A'] }], [`${HEX} "*";`, `${HEX.toUpperCase()} "1A";`]],
  ])('%s', (_name, tokens, lines) => {
    const text = tokensMap(tokens);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').filter((line) => line !== '' && !line.startsWith('#'))).toEqual(lines);
  });

  it.each<[string, FeedToken[], RegExp]>([
    ['a short token', [{ token: 'short', classes: '*' }], /tokens\[0\]\.token: 16 to 128 characters/],
    ['a token with a space', [{ token: `${HEX} x`, classes: '*' }], /tokens\[0\]\.token/],
    ['a token with a quote', [{ token: `${HEX}"`, classes: '*' }], /tokens\[0\]\.token/],
    ['a token that nginx would read as a regex', [{ token: `~${HEX}`, classes: '*' }], /tokens\[0\]\.token/],
    ['a token too long for the map bucket', [{ token: 'a'.repeat(129), classes: '*' }], /tokens\[0\]\.token/],
    ['no classes', [{ token: HEX, classes: [] }], /tokens\[0\]\.classes: name at least one class/],
    ['a class id that is not one', [{ token: HEX, classes: ['2B', '-x'] }], /tokens\[0\]\.classes: "-x" is not a class id/],
    ['the second token', [{ token: HEX, classes: '*' }, { token: 'x', classes: '*' }], /tokens\[1\]\.token/],
  ])('refuses %s, naming it', (_name, tokens, message) => {
    expect(() => tokensMap(tokens)).toThrow(message);
  });
});

describe('siteForTest', () => {
  const site = readFileSync(NGINX_SITE_FILE, 'utf8');
  const values = { dir: '/tmp/x', httpsPort: 1443, httpPort: 1080, loopbackPort: 1718, certFile: '/tmp/c.pem', keyFile: '/tmp/k.pem', redisPort: 16379 };

  it('points every EDIT line of the shipped site file at the test', () => {
    const text = siteForTest(site, values);
    expect(text).toContain('listen 127.0.0.1:1443 ssl;');
    expect(text).toContain('listen 127.0.0.1:1080;');
    expect(text).toContain('ssl_certificate /tmp/c.pem;');
    expect(text).toContain('ssl_certificate_key /tmp/k.pem;');
    expect(text).toContain('server 127.0.0.1:1718;');
    expect(text).toContain('listen 127.0.0.1:1718;');
    expect(text).toContain('redis://127.0.0.1:16379');
    expect(text).not.toMatch(/\/var\/|\/etc\/letsencrypt|\[::\]|:8718|:6379/);
  });

  it('names the line that is no longer there', () => {
    expect(() => siteForTest(site.replace('listen 443 ssl;', 'listen 8443 ssl;'), values)).toThrow(/"listen 443 ssl;" is no longer there/);
  });
});
