// IT's policy validated once per version (src/background/policy/parsed.ts).
import { describe, expect, it } from '@jest/globals';
import { parsePolicyOnce } from '../../../src/background/policy/parsed';
import { parsePolicy } from '../../../src/core/policy/policy';

const policy = { blocked: Array.from({ length: 1000 }, (_, index) => `site-${index}.test`), timeZone: 'Europe/Amsterdam' };
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('parsePolicyOnce', () => {
  it('gives the same result for the same policy, however often it is read from storage', () => {
    const first = parsePolicyOnce(copy(policy));
    expect(first.ok).toBe(true);
    expect(parsePolicyOnce(copy(policy))).toBe(first);
    expect(parsePolicyOnce(copy(policy))).toBe(first);
  });

  it('validates a changed policy anew, and an invalid one gives its errors', () => {
    const before = parsePolicyOnce(copy(policy));
    const changed = parsePolicyOnce({ ...copy(policy), blocked: [...policy.blocked, 'chat.test'] });
    expect(changed).not.toBe(before);
    expect(changed.ok && changed.policy.blocked.at(-1)).toBe('chat.test');
    const invalid = parsePolicyOnce({ ...copy(policy), maxLessonMinutes: 'long' });
    expect(invalid.ok).toBe(false);
    expect(!invalid.ok && invalid.errors.map((error) => error.path)).toEqual(['maxLessonMinutes']);
  });

  it('keeps the policy in force while another arrives', () => {
    const inForce = parsePolicyOnce(copy(policy));
    parsePolicyOnce({ ...copy(policy), maxLessonMinutes: 50 });
    expect(parsePolicyOnce(copy(policy))).toBe(inForce);
  });

  it('the same policy with its fields in another order is the same policy', () => {
    const first = parsePolicyOnce(copy(policy));
    expect(parsePolicyOnce({ timeZone: policy.timeZone, blocked: [...policy.blocked] })).toBe(first);
  });

  it('a new version, validated against the last valid one (also after an invalid one), reads as validated alone', () => {
    parsePolicyOnce(copy(policy));
    parsePolicyOnce({ ...copy(policy), maxLessonMinutes: 'long' });
    for (const blocked of [['chat.test', ...policy.blocked.slice(1)], [...policy.blocked.slice(0, 500), '*.games.test', ...policy.blocked.slice(500)], policy.blocked.slice(10)]) {
      const raw = { ...copy(policy), blocked };
      expect(parsePolicyOnce(raw)).toEqual(parsePolicy(raw));
    }
  });
});
