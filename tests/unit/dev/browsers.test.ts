import { describe, expect, it } from '@jest/globals';
import { chromiumHostRules, firefoxProxyScript } from '../../../src/dev/browsers';

const DEMO = { hosts: ['www.example-games.com'], port: 4321 };

describe('chromiumHostRules', () => {
  it.each([
    ['tests: *.test here, nothing else resolves', {}, 'MAP *.test 127.0.0.1,MAP *.test. 127.0.0.1,MAP * ~NOTFOUND'],
    ['tests that reach 127.0.0.1 by address', { allowLoopbackAddress: true }, 'MAP *.test 127.0.0.1,MAP *.test. 127.0.0.1,EXCLUDE 127.0.0.1,MAP * ~NOTFOUND'],
    ['npm start', { allowLoopbackAddress: true, localHosts: DEMO }, 'MAP www.example-games.com 127.0.0.1:4321,MAP *.test 127.0.0.1,MAP *.test. 127.0.0.1,EXCLUDE 127.0.0.1,MAP * ~NOTFOUND'],
    ['npm start --online', { realNetwork: true, allowLoopbackAddress: true, localHosts: DEMO }, 'MAP www.example-games.com 127.0.0.1:4321,MAP *.test 127.0.0.1,MAP *.test. 127.0.0.1'],
  ])('%s', (_what, options, rules) => {
    expect(chromiumHostRules(options)).toBe(rules);
  });
});

describe('firefoxProxyScript', () => {
  // The PAC function as Firefox runs it.
  const findProxy = new Function(`${firefoxProxyScript({ hosts: ['www.example-games.com', 'Other.Example'], port: 4321 })}; return FindProxyForURL;`)() as (url: string, host: string) => string;

  it.each([
    ['http://www.example-games.com/play', 'www.example-games.com', 'PROXY 127.0.0.1:4321'],
    ['http://WWW.Example-Games.com/', 'WWW.Example-Games.com', 'PROXY 127.0.0.1:4321'],
    ['http://other.example/', 'other.example', 'PROXY 127.0.0.1:4321'],
    ['https://www.example-games.com/play', 'www.example-games.com', 'DIRECT'],
    ['http://example-games.com/', 'example-games.com', 'DIRECT'],
    ['http://127.0.0.1:8787/feed/2B.jws', '127.0.0.1', 'DIRECT'],
  ])('%s (host %s): %s', (url, host, route) => {
    expect(findProxy(url, host)).toBe(route);
  });
});
