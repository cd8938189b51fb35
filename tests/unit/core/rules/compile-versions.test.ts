/**
 * IT changes a 50,000-entry blocked list a few entries at a time, and
 * compile() sorts each new version of the list from the version it sorted
 * before (the entries the policy reader handed their pattern from the
 * version before keep their place). That must never change the rules: every
 * version below, compiled after the one before it, gives exactly the rules
 * that compiling it alone gives.
 *
 * "Alone": compiled by a fresh copy of the compiler's modules, which has
 * parsed and sorted nothing before.
 */
import { describe, expect, it, jest } from '@jest/globals';
import { parsePolicy } from '../../../../src/core/policy/policy';
import { compileWithReport } from '../../../../src/core/rules/compile';
import type { EffectiveRules } from '../../../../src/core/rules/resolve';
import { rules } from '../../support/rules';

const BLOCKED_PAGE = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/blocked.html';

/** Chromium's and Firefox's builds; few domains to a rule, so that edits move entries across rules. */
const BUILDS = [
  { name: 'chromium', options: { blockedPageUrl: BLOCKED_PAGE, maxDomainsPerRule: 3 } },
  { name: 'firefox', options: { blockedPageUrl: BLOCKED_PAGE, maxDomainsPerRule: 3, domainsWithTrailingDot: true, decodeBy: 'blocked-page' as const } },
];

/** Hosts of one, two, three and four labels (each its own specificity), an IP address, and every other kind of pattern. */
const POOL = [
  'localhost',
  'school.nl',
  'games.example',
  'video.example',
  'www.games.example',
  'a.b.games.example',
  '10.1.2.3',
  '[::1]',
  '*',
  'https://*',
  '.exact.example',
  'http://scheme.example',
  'games.example:8080',
  'video.example/watch',
  'school.nl/login/',
  'search.example?q=1',
  '*.tiktok.com',
  'bad host!',
];

const FIRST = ['school.nl', 'games.example', 'www.games.example', 'video.example/watch', 'localhost', '10.1.2.3', 'a.b.games.example', 'video.example', '.exact.example', 'games.example', 'search.example?q=1', 'school.nl'];

/** What else is in force beside IT's blocked list: every other list that adds to the same rules, and a lesson. */
function around(itBlocked: readonly string[]): EffectiveRules {
  return rules({
    itBlocked,
    itAllowed: ['www.games.example', 'search.example?q=2'],
    exceptions: ['video.example'],
    lesson: { mode: 'allowlist', sites: ['school.nl'], embeds: [], categories: [{ id: 'games', sites: ['play.games.example', 'arcade.example'], aboveAllowed: true }] },
  });
}

/** IT's blocked list as the background has it: validated against the version before, when there is one. */
function validated(list: readonly string[], previous?: ReturnType<typeof parsePolicy>): ReturnType<typeof parsePolicy> {
  const result = parsePolicy({ blocked: list }, previous?.ok ? previous.policy : undefined);
  if (!result.ok) throw new Error(`expected a valid policy: ${JSON.stringify(result.errors)}`);
  return result;
}

/** The rules compiled by modules loaded anew: nothing parsed or sorted before, nothing shared with the lists' earlier versions. */
function alone(effective: EffectiveRules, options: Parameters<typeof compileWithReport>[1]): ReturnType<typeof compileWithReport> {
  let compiled: ReturnType<typeof compileWithReport> | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh instance of the module is the point
    const fresh = require('../../../../src/core/rules/compile') as typeof import('../../../../src/core/rules/compile');
    compiled = fresh.compileWithReport(effective, options);
  });
  return compiled!;
}

function blockedOf(result: ReturnType<typeof parsePolicy>): readonly string[] {
  return result.ok ? result.policy.blocked : [];
}

describe('compile() of a version of IT’s blocked list after the one before gives what compiling it alone gives', () => {
  const edits: Array<[string, (list: string[]) => string[]]> = [
    ['unchanged', (list) => list],
    ['an entry replaced at the start, the same kind', (list) => ['new.example', ...list.slice(1)]],
    ['an entry replaced at the start, more labels', (list) => ['a.b.new.example', ...list.slice(1)]],
    ['an entry added at the start', (list) => ['new.example', ...list]],
    ['an entry removed from the start', (list) => list.slice(1)],
    ['an entry added at the end', (list) => [...list, 'last.example']],
    ['an entry removed from the end', (list) => list.slice(0, -1)],
    ['an entry replaced in the middle by a path', (list) => [...list.slice(0, 4), 'middle.example/path', ...list.slice(5)]],
    ['a path replaced in the middle by a host', (list) => list.map((entry) => (entry === 'video.example/watch' ? 'watch.example' : entry))],
    ['an entry removed from the middle', (list) => [...list.slice(0, 3), ...list.slice(4)]],
    ['several entries added in the middle', (list) => [...list.slice(0, 6), '*', 'one.example', '[::1]', 'two.three.example', ...list.slice(6)]],
    ['an unreadable entry where a good one was', (list) => [...list.slice(0, 2), '*.games.example', ...list.slice(3)]],
    ['the same entries in another order', (list) => [...list].reverse()],
    ['two entries swapped', (list) => [list[1]!, list[0]!, ...list.slice(2)]],
    ['one entry written twice more', (list) => [...list, list[1]!, list[1]!]],
    ['every entry another', (list) => list.map((_, index) => `other${index}.example`)],
    ['emptied', () => []],
  ];

  it.each(edits)('%s', (_name, edit) => {
    for (const { options } of BUILDS) {
      const before = validated(FIRST);
      compileWithReport(around(blockedOf(before)), options);
      const after = validated(edit([...FIRST]), before);
      expect(compileWithReport(around(blockedOf(after)), options)).toEqual(alone(around([...blockedOf(after)]), options));
    }
  });

  it('from an empty list, and with the builds taking turns', () => {
    let previous = validated([]);
    for (const list of [[], FIRST, [...FIRST, 'added.example'], ['new.example', ...FIRST.slice(1), 'added.example']]) {
      const result = validated(list, previous);
      for (const { options } of [...BUILDS, ...[...BUILDS].reverse()]) {
        expect(compileWithReport(around(blockedOf(result)), options)).toEqual(alone(around([...blockedOf(result)]), options));
      }
      previous = result;
    }
  });

  it('over a long run of random edits, each version compiled after the one before', () => {
    // A fixed sequence (a linear congruential generator), so a failure can be replayed.
    let state = 20_261_201;
    const next = (limit: number): number => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state % limit;
    };
    for (const { options } of BUILDS) {
      let list = [...FIRST];
      let previous = validated(list);
      compileWithReport(around(blockedOf(previous)), options);
      for (let round = 0; round < 300; round += 1) {
        list = [...list];
        const edits = 1 + next(3);
        for (let edit = 0; edit < edits; edit += 1) {
          const at = next(list.length + 1);
          const kind = next(3);
          if (kind === 0) list.splice(at, 0, POOL[next(POOL.length)]!);
          else if (kind === 1) list.splice(at, 1);
          else list.splice(at, 1, POOL[next(POOL.length)]!);
        }
        const result = validated(list, previous);
        const compiled = compileWithReport(around(blockedOf(result)), options);
        expect(compiled).toEqual(alone(around([...blockedOf(result)]), options));
        // Now and then a copy of the list (parsed anew, sharing no pattern) is compiled last: the next version is sorted after that.
        if (next(4) === 0) compileWithReport(around([...blockedOf(result)]), options);
        previous = result;
      }
    }
  });

  it('a list of 5,000 hosts with one changed at a time, a rule’s worth of domains moving along', () => {
    const hosts = Array.from({ length: 5_000 }, (_, index) => `${index % 3 === 0 ? 'www.' : ''}site${index}.example`);
    const options = { blockedPageUrl: BLOCKED_PAGE, maxDomainsPerRule: 700 };
    let previous = validated(hosts);
    compileWithReport(around(blockedOf(previous)), options);
    for (const list of [['www.first.example', ...hosts.slice(1)], ['first.example', ...hosts.slice(1)], ['first.example', ...hosts.slice(1, 2_500), ...hosts.slice(2_501)], [...hosts, 'a.b.c.example']]) {
      const result = validated(list, previous);
      expect(compileWithReport(around(blockedOf(result)), options)).toEqual(alone(around([...blockedOf(result)]), options));
      previous = result;
    }
  });
});
