/**
 * The last-good policy cache: what is written after each kind of read of
 * managed storage, and what is enforced from each kind of stored value,
 * including corrupt ones.
 */
import { describe, expect, it } from '@jest/globals';
import { EMPTY_POLICY } from '../../../../src/core/policy/policy';
import { CHECK_RECORD_MS, isEmptyUpdate, policyInForce, policyUpdate, type ManagedRead, type PolicyCheck, type StoredPolicy } from '../../../../src/core/policy/cache';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const M = 60_000;

const GOOD = { blocked: ['tiktok.com'], allowed: ['login.microsoftonline.com'] };
const OTHER_GOOD = { blocked: ['tiktok.com', 'poki.com'] };
/** Valid JSON, but not a valid policy: a timetable period naming a preset that does not exist. */
const INVALID = { blocked: ['tiktok.com'], schedule: [{ days: ['mon'], start: '08:30', end: '09:20', preset: 'nope' }] };
const INVALID_ERRORS = [{ path: 'schedule.0.preset', message: 'no preset with id "nope"', code: 'preset-unknown', params: ['nope'] }];

const found = (raw: Record<string, unknown>): ManagedRead => ({ kind: 'found', raw });
const none: ManagedRead = { kind: 'none' };
const failed: ManagedRead = { kind: 'error', message: 'the managed storage manifest is not valid JSON' };

const cacheOf = (raw: Record<string, unknown>, receivedAt = T0 - 60 * M) => ({ raw, receivedAt });
const checked = (extra: Partial<PolicyCheck> = {}, checkedAt = T0 - M): PolicyCheck => ({ checkedAt, found: true, errors: [], ...extra });

/** Stored values that are not what Lesmodus writes: a failed write, an older version, a tampered profile. */
const CORRUPT_CACHES: Array<[string, unknown]> = [
  ['a string', 'garbage'],
  ['an array', [1, 2]],
  ['no raw', { receivedAt: T0 }],
  ['raw not an object', { raw: 'x', receivedAt: T0 }],
  ['receivedAt not a number', { raw: GOOD, receivedAt: 'yesterday' }],
  ['a policy that no longer validates', { raw: INVALID, receivedAt: T0 - M }],
];

describe('policyUpdate: what a read of managed storage writes', () => {
  it.each<[string, ManagedRead, StoredPolicy, ReturnType<typeof policyUpdate>]>([
    ['a first valid policy is cached', found(GOOD), { cache: undefined, status: undefined }, { cache: cacheOf(GOOD, T0), removeCache: false, status: checked({}, T0) }],
    ['a changed valid policy replaces the cache', found(OTHER_GOOD), { cache: cacheOf(GOOD), status: checked() }, { cache: cacheOf(OTHER_GOOD, T0), removeCache: false, status: checked({}, T0) }],
    ['the same policy writes nothing', found(GOOD), { cache: cacheOf(GOOD), status: checked() }, { removeCache: false }],
    [
      'the same policy with its fields in another order writes nothing',
      found({ allowed: GOOD.allowed, blocked: GOOD.blocked }),
      { cache: cacheOf(GOOD), status: checked() },
      { removeCache: false },
    ],
    [
      'an invalid policy keeps the last good one and records every error with its path',
      found(INVALID),
      { cache: cacheOf(GOOD), status: checked() },
      { removeCache: false, status: checked({ errors: INVALID_ERRORS }, T0) },
    ],
    ['an invalid policy and no cache: errors, nothing in force', found(INVALID), { cache: undefined, status: undefined }, { removeCache: false, status: checked({ errors: INVALID_ERRORS }, T0) }],
    ['the same invalid policy again writes nothing', found(INVALID), { cache: cacheOf(GOOD), status: checked({ errors: INVALID_ERRORS }) }, { removeCache: false }],
    [
      'a valid policy after an invalid one clears the errors',
      found(GOOD),
      { cache: cacheOf(GOOD), status: checked({ errors: INVALID_ERRORS }) },
      { removeCache: false, status: checked({}, T0) },
    ],
    ['no policy removes the cache: IT removed it', none, { cache: cacheOf(GOOD), status: checked() }, { removeCache: true, status: { checkedAt: T0, found: false, errors: [] } }],
    ['no policy and nothing cached, as last time, writes nothing', none, { cache: undefined, status: { checkedAt: T0 - M, found: false, errors: [] } }, { removeCache: false }],
    [
      'a failed read keeps the cache and the last outcome, and says why',
      failed,
      { cache: cacheOf(GOOD), status: checked() },
      { removeCache: false, status: checked({ readError: failed.kind === 'error' ? failed.message : '' }, T0) },
    ],
    ['a read that works again clears the read error', found(GOOD), { cache: cacheOf(GOOD), status: checked({ readError: 'x' }) }, { removeCache: false, status: checked({}, T0) }],
    [
      'an unchanged outcome is recorded again once the last record is old',
      found(GOOD),
      { cache: cacheOf(GOOD), status: checked({}, T0 - CHECK_RECORD_MS) },
      { removeCache: false, status: checked({}, T0) },
    ],
    [
      'an unchanged outcome is recorded again when the clock went back',
      found(GOOD),
      { cache: cacheOf(GOOD), status: checked({}, T0 + 60 * M) },
      { removeCache: false, status: checked({}, T0) },
    ],
  ])('%s', (_name, read, stored, expected) => {
    expect(policyUpdate(read, stored, T0)).toEqual(expected);
  });

  it('writes nothing at all for an unchanged check, so a service-worker start does not re-run the rules', () => {
    expect(isEmptyUpdate(policyUpdate(found(GOOD), { cache: cacheOf(GOOD), status: checked({}, T0 - CHECK_RECORD_MS + 1) }, T0))).toBe(true);
    expect(isEmptyUpdate(policyUpdate(found(GOOD), { cache: undefined, status: undefined }, T0))).toBe(false);
  });

  it('accepts the Google Admin console form and caches it as IT wrote it', () => {
    const wrapped = { blocked: { Value: ['tiktok.com'] }, maxLessonMinutes: { Value: 90 } };
    const update = policyUpdate(found(wrapped), { cache: undefined, status: undefined }, T0);
    expect(update).toEqual({ cache: cacheOf(wrapped, T0), removeCache: false, status: checked({}, T0) });
    expect(policyInForce({ cache: update.cache, status: update.status }).policy).toMatchObject({ blocked: ['tiktok.com'], maxLessonMinutes: 90 });
  });

  describe.each(CORRUPT_CACHES)('with a corrupt cache (%s)', (_name, corrupt) => {
    it('a valid policy replaces it, even the same policy', () => {
      expect(policyUpdate(found(GOOD), { cache: corrupt, status: checked() }, T0)).toEqual({ cache: cacheOf(GOOD, T0), removeCache: false, status: checked({}, T0) });
    });
    it('an invalid policy removes it: it is no last good policy', () => {
      expect(policyUpdate(found(INVALID), { cache: corrupt, status: checked() }, T0)).toEqual({ removeCache: true, status: checked({ errors: INVALID_ERRORS }, T0) });
    });
    it('no policy removes it', () => {
      expect(policyUpdate(none, { cache: corrupt, status: checked() }, T0)).toMatchObject({ removeCache: true });
    });
    it('a failed read removes it and keeps the last outcome', () => {
      expect(policyUpdate(failed, { cache: corrupt, status: checked() }, T0)).toMatchObject({ removeCache: true, status: { found: true, readError: expect.any(String) } });
    });
  });

  it('treats a corrupt status as no status: the outcome is recorded', () => {
    expect(policyUpdate(found(GOOD), { cache: cacheOf(GOOD), status: { checkedAt: 'soon' } }, T0)).toEqual({ removeCache: false, status: checked({}, T0) });
  });
});

describe('policyInForce: what is enforced from what is stored', () => {
  it('enforces the cached policy at once, before managed storage answers', () => {
    const inForce = policyInForce({ cache: cacheOf(GOOD), status: undefined });
    expect(inForce).toMatchObject({ source: 'cache', receivedAt: T0 - 60 * M, check: null, notes: [] });
    expect(inForce.policy.blocked).toEqual(['tiktok.com']);
    expect(inForce.policy.allowed).toEqual(['login.microsoftonline.com']);
  });

  it.each<[string, PolicyCheck, 'managed' | 'cache']>([
    ['confirmed by the last read', checked(), 'managed'],
    ['kept because the policy pushed since is invalid', checked({ errors: INVALID_ERRORS }), 'cache'],
    ['kept because the last read failed', checked({ readError: 'broken' }), 'cache'],
  ])('says where the policy came from: %s', (_name, status, source) => {
    const inForce = policyInForce({ cache: cacheOf(GOOD), status });
    expect(inForce.source).toBe(source);
    expect(inForce.check).toEqual(status);
    expect(inForce.policy.blocked).toEqual(['tiktok.com']);
  });

  it('without a cache: no policy, and the errors of an invalid one are still known', () => {
    const status = checked({ errors: INVALID_ERRORS });
    expect(policyInForce({ cache: undefined, status })).toEqual({ policy: EMPTY_POLICY, source: 'none', receivedAt: null, check: status, notes: [] });
  });

  it.each(CORRUPT_CACHES)('a corrupt cache (%s) gives no policy and a note, never an exception', (_name, corrupt) => {
    const inForce = policyInForce({ cache: corrupt, status: checked() });
    expect(inForce.policy).toEqual(EMPTY_POLICY);
    expect(inForce.source).toBe('none');
    expect(inForce.receivedAt).toBeNull();
    expect(inForce.notes).toHaveLength(1);
    expect(inForce.notes[0]).toMatch(/cached policy (was corrupt|no longer validates).*no IT policy applies until IT's policy is read again/);
  });

  it('names the field of a cache that no longer validates', () => {
    expect(policyInForce({ cache: cacheOf(INVALID), status: undefined }).notes[0]).toContain('schedule.0.preset: no preset with id "nope"');
  });

  it('a corrupt status is set aside with a note; the cached policy still applies', () => {
    const inForce = policyInForce({ cache: cacheOf(GOOD), status: { found: 'yes' } });
    expect(inForce.source).toBe('cache');
    expect(inForce.check).toBeNull();
    expect(inForce.policy.blocked).toEqual(['tiktok.com']);
    expect(inForce.notes).toEqual([expect.stringContaining('stored "policyStatus" was invalid')]);
  });

  it('reads a status stored before readError existed', () => {
    expect(policyInForce({ cache: cacheOf(GOOD), status: { checkedAt: T0, found: true, errors: [] } }).source).toBe('managed');
  });
});
