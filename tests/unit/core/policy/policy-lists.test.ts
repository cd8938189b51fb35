/**
 * IT's site lists as Chrome reads its own: an entry Lesmodus cannot read is
 * not a reason to refuse the whole policy (which, on a device without an
 * earlier good policy, would leave browsing open), and never quietly read
 * either. Each is a warning that `policy check` prints and the status page
 * lists. And no key of IT's policy reaches a JavaScript prototype.
 */
import { describe, expect, it } from '@jest/globals';
import { policyInForce } from '../../../../src/core/policy/cache';
import { MAX_ALLOWED_ENTRIES, PolicySchema, parsePolicy, unwrapAdminConsole } from '../../../../src/core/policy/policy';
import { parsePattern, parsedPatterns } from '../../../../src/core/rules/patterns';

function read(raw: unknown) {
  const result = parsePolicy(raw);
  if (!result.ok) throw new Error(`expected a valid policy: ${JSON.stringify(result.errors)}`);
  return result;
}

describe('an unreadable list entry: never more allowed than Chrome would allow', () => {
  it('in blocked, blocks the whole site it names (Chrome blocks nothing for *.tiktok.com), with a warning', () => {
    const result = read({ blocked: ['*.tiktok.com', 'youtube.com', 'school.nl/login/..'] });
    expect(result.policy.blocked).toEqual(['tiktok.com', 'youtube.com', 'school.nl']);
    expect(result.warnings).toEqual([
      { path: 'blocked.0', message: expect.stringMatching(/write "tiktok\.com" instead.*all of tiktok\.com is blocked$/) },
      { path: 'blocked.2', message: expect.stringMatching(/"school\.nl\/login\/\.\.".*"\/", the whole site.*all of school\.nl is blocked$/) },
    ]);
  });

  it('in blocked without a site to name, is left out (as Chrome leaves it out)', () => {
    const result = read({ blocked: ['*/x/..', 'games.example'] });
    expect(result.policy.blocked).toEqual(['games.example']);
    expect(result.warnings).toEqual([{ path: 'blocked.0', message: expect.stringMatching(/left out; the rest of the policy applies$/) }]);
  });

  it('in allowed and embeds, is left out: allowing less, never more', () => {
    const result = read({ allowed: ['sso.school.nl', '*.microsoft.com'], embeds: ['http:/player.example', 'youtube-nocookie.com'] });
    expect(result.policy.allowed).toEqual(['sso.school.nl']);
    expect(result.policy.embeds).toEqual(['youtube-nocookie.com']);
    expect(result.warnings.map((warning) => warning.path)).toEqual(['allowed.1', 'embeds.0']);
    expect(result.warnings[0]!.message).toMatch(/left out/);
  });

  it(`reads the first ${MAX_ALLOWED_ENTRIES} entries of allowed, as Chrome does, and says so`, () => {
    const allowed = Array.from({ length: MAX_ALLOWED_ENTRIES + 5 }, (_, i) => `site${i}.example`);
    const result = read({ allowed, blocked: allowed });
    expect(result.policy.allowed).toEqual(allowed.slice(0, MAX_ALLOWED_ENTRIES));
    // blocked has no such limit: blocking more is never less strict.
    expect(result.policy.blocked).toHaveLength(MAX_ALLOWED_ENTRIES + 5);
    expect(result.warnings).toEqual([{ path: `allowed.${MAX_ALLOWED_ENTRIES}`, message: expect.stringMatching(/with the 4 entries after it/) }]);
  });
});

describe('loud warnings on entries that read as written but do something IT may not mean', () => {
  it.each([
    [{ allowed: ['*'] }, 'allowed.0', /allows every site/],
    [{ allowed: ['sso.school.nl', 'https://*'] }, 'allowed.1', /allows every site/],
    [{ embeds: ['*'] }, 'embeds.0', /every site show inside pages/],
    [{ blocked: ['file:*'] }, 'blocked.0', /no web page.*Chrome's own URLBlocklist/],
  ])('%j', (policy, path, message) => {
    const result = read(policy);
    expect(result.warnings).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('no warning for blocked: ["*"] (outside school hours) or ordinary lists', () => {
    expect(read({ blocked: ['*'], allowed: ['sso.school.nl', 'school.nl/lms'], embeds: ['youtube-nocookie.com'] }).warnings).toEqual([]);
  });

  it('the status page lists them: the policy in force carries each warning as a note', () => {
    const inForce = policyInForce({ cache: { raw: { blocked: ['*.tiktok.com'], allowed: ['*'] }, receivedAt: 1 }, status: undefined });
    expect(inForce.policy.blocked).toEqual(['tiktok.com']);
    expect(inForce.notes).toEqual([
      expect.stringMatching(/^IT's policy, blocked\.0: .*all of tiktok\.com is blocked$/),
      expect.stringMatching(/^IT's policy, allowed\.0: "\*" allows every site/),
    ]);
  });
});

describe('prototype keys are refused, wherever they appear', () => {
  it.each([
    ['{"__proto__": {"Value": {"blocked": []}}, "blocked": {"Value": ["tiktok.com"]}}', '__proto__'],
    ['{"__proto__": {"blocked": []}}', '__proto__'],
    ['{"presets": [{"id": "a", "title": "A", "mode": "allowlist", "constructor": {"x": 1}}]}', 'presets.0.constructor'],
    ['{"classFeed": {"prototype": {}}}', 'classFeed.prototype'],
  ])('%s -> an error at %s', (json, path) => {
    const result = parsePolicy(JSON.parse(json));
    expect(result.ok).toBe(false);
    const key = path.split('.').pop()!;
    expect(result.ok ? [] : result.errors).toEqual([{ path, message: expect.stringMatching(/is not a policy field and is refused/), code: 'forbidden-key', params: [key] }]);
  });

  it('the Admin console unwrap builds objects without a prototype', () => {
    const unwrapped = unwrapAdminConsole(JSON.parse('{"blocked": {"Value": ["a.nl"]}, "__proto__": {"Value": {"allowed": ["*"]}}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(unwrapped)).toBeNull();
    expect(Object.keys(unwrapped)).toEqual(['blocked', '__proto__']);
    expect(unwrapped.allowed).toBeUndefined();
  });
});

describe('the site lists, checked entry by entry as they are read', () => {
  const listed = ['school.nl', ' https://Login.School.NL:8443/portal?x=1 ', '*.tiktok.com', '.exact.example', '[::1]', 'http:*', 'bad host!'];

  it('come out as the schema alone would give them, with every other field as before', () => {
    const raw = { blocked: ['games.example', 'video.example/watch'], allowed: ['login.example'], embeds: ['player.example'], maxLessonMinutes: 60 };
    expect(read(raw).policy).toEqual(PolicySchema.parse(raw));
    expect(read({ maxLessonMinutes: 60 }).policy).toEqual(PolicySchema.parse({ maxLessonMinutes: 60 }));
  });

  it("are compiled from the very patterns read: the same as parsing each entry anew", () => {
    const { policy } = read({ blocked: listed, allowed: listed, embeds: listed });
    for (const list of [policy.blocked, policy.allowed, policy.embeds]) {
      expect(parsedPatterns(list)).toEqual(list.map((entry) => { const result = parsePattern(entry); if (!result.ok) throw new Error(result.error); return result.pattern; }));
    }
  });

  it('a list with an entry that is not a string is reported as before, beside the other problems, in field order', () => {
    const result = parsePolicy({ blocked: ['games.example'], allowed: ['login.example', 42], maxLessonMinutes: 'long' });
    expect(result.ok ? [] : result.errors.map((error) => [error.path, error.message])).toEqual([
      ['allowed.1', 'expected string, received number'],
      ['maxLessonMinutes', 'expected number, received string'],
    ]);
  });
});

/**
 * The background validates each new version of IT's policy against the one
 * before it, so that of a 50,000-entry list only what changed is parsed.
 * That must never change what comes out: every edit below, validated against
 * the version before it, gives exactly what validating it alone gives.
 */
describe('a policy validated against the version before it is read exactly as it is read alone', () => {
  const first = ['school.nl', 'games.example', ' https://Login.School.NL:8443/portal?x=1 ', '*.tiktok.com', 'ftp://files.example', '*', 'bad host!', 'video.example/watch', '.exact.example', 'games.example'];
  const edits: Array<[string, (list: unknown[]) => unknown[]]> = [
    ['unchanged', (list) => list],
    ['an entry replaced at the start', (list) => ['new.example', ...list.slice(1)]],
    ['an entry added at the start', (list) => ['new.example', ...list]],
    ['an entry removed from the end', (list) => list.slice(0, -1)],
    ['an entry replaced in the middle', (list) => [...list.slice(0, 4), 'middle.example', ...list.slice(5)]],
    ['an entry removed from the middle', (list) => [...list.slice(0, 3), ...list.slice(4)]],
    ['an unreadable entry where a good one was', (list) => [...list.slice(0, 2), '*.games.example', ...list.slice(3)]],
    ['the widened site of an unreadable entry written out', (list) => list.map((entry) => (entry === '*.tiktok.com' ? 'tiktok.com' : entry))],
    ['an entry that is not a string', (list) => [...list.slice(0, 5), 42, ...list.slice(5)]],
    ['the same entries in another order', (list) => [...list].reverse()],
    ['one entry written twice more', (list) => [...list, list[1], list[1]]],
    ['emptied', () => []],
    ['grown past what allowed reads', (list) => [...list, ...Array.from({ length: MAX_ALLOWED_ENTRIES + 5 }, (_, index) => `site${index}.example`)]],
  ];

  it.each(edits)('%s', (_name, edit) => {
    for (const field of ['blocked', 'allowed', 'embeds']) {
      const before = parsePolicy({ [field]: first });
      if (!before.ok) throw new Error(`expected the first version to be valid: ${JSON.stringify(before.errors)}`);
      const next = { [field]: edit([...first]), maxLessonMinutes: 90 };
      const alone = parsePolicy(next);
      const after = parsePolicy(next, before.policy);
      expect(after).toEqual(alone);
      if (after.ok) {
        const list = after.policy[field as 'blocked'];
        expect(parsedPatterns(list)).toEqual(list.map((entry) => { const result = parsePattern(entry); if (!result.ok) throw new Error(result.error); return result.pattern; }));
      }
    }
  });

  it('over a long run of random edits, each version validated against the one before', () => {
    // A fixed sequence (a linear congruential generator), so a failure can be replayed.
    let state = 20_261_130;
    const next = (limit: number): number => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state % limit;
    };
    const pool = [...first, 'a.example', 'b.example/path', 'http://c.example:8080', '*.d.example', 'e.example?q=1', '', '   '];
    let list: unknown[] = [...first];
    let previous = parsePolicy({ blocked: list, allowed: list });
    for (let round = 0; round < 300; round += 1) {
      list = [...list];
      const at = next(list.length + 1);
      const kind = next(3);
      if (kind === 0) list.splice(at, 0, pool[next(pool.length)]);
      else if (kind === 1) list.splice(at, 1);
      else list.splice(at, 1, pool[next(pool.length)]);
      const raw = { blocked: list, allowed: list };
      const result = parsePolicy(raw, previous.ok ? previous.policy : undefined);
      expect(result).toEqual(parsePolicy(raw));
      previous = result;
    }
  });
});
