// A policy problem in the reader's language, from core's code; as core wrote it (English) without one.
import { describe, expect, it } from '@jest/globals';
import { parsePolicy } from '../../../../src/core/policy/policy';
import { GENERIC_CODES, POLICY_CODES } from '../../../../src/core/problem-codes';
import { setMessageSource } from '../../../../src/ui/shared/text';
import { policyProblemKey, policyProblemText } from '../../../../src/ui/status/policy-problem';
import { localeSource, readLocale } from '../support/locale';

function errorsOf(raw: unknown) {
  const result = parsePolicy(raw);
  if (result.ok) throw new Error('expected the policy to be rejected');
  return result.errors;
}

describe('policyProblemText', () => {
  it.each([
    ['en', { maxLessonMinutes: 2 }, 'must be at least 5'],
    ['nl', { maxLessonMinutes: 2 }, 'moet minstens 5 zijn'],
    ['en', { noLessonDates: ['2026-03-02/2026-03-01'] }, 'the range ends (2026-03-01) before it starts (2026-03-02)'],
    ['nl', { noLessonDates: ['2026-03-02/2026-03-01'] }, 'de periode eindigt (2026-03-01) voordat die begint (2026-03-02)'],
    ['nl', { role: 'parent' }, 'moet een van deze waarden zijn: "student", "teacher"'],
    ['nl', { classes: ['2B'] }, 'classes werkt alleen met een classFeed: voeg er een toe, of verwijder classes'],
    // A site pattern's problem, in the words the teacher's popup uses for it.
    ['nl', { presets: [{ id: 'r', title: 'R', mode: 'allowlist', sites: ['exa mple.org'] }] }, '“exa mple.org” bevat een spatie. Schrijf elke site zonder spaties.'],
  ] as const)('(%s) words %j', (language, raw, text) => {
    setMessageSource(localeSource(language));
    expect(errorsOf(raw).map(policyProblemText)).toContain(text);
  });

  it('shows a problem without a code, or with one it has no words for, as core wrote it', () => {
    // As in the browser, a key without a message gives '' (the test source throws instead).
    const dutch = localeSource('nl');
    setMessageSource({ ...dutch, getMessage: (key, substitutions) => (key in readLocale('nl') ? dutch.getMessage(key, substitutions) : '') });
    expect(policyProblemText({ path: 'maxLessonMinutes', message: 'expected number, received string' })).toBe('expected number, received string');
    expect(policyProblemText({ path: 'x', message: 'something new', code: 'from-a-newer-version', params: [] })).toBe('something new');
    expect(policyProblemText({ path: 'x', message: 'a new pattern problem', code: 'pattern-from-a-newer-version', params: ['x'] })).toBe('a new pattern problem');
  });

  it.each(['en', 'nl'] as const)('has words in %s for every code core gives a policy problem, with its placeholders', (language) => {
    const messages = readLocale(language);
    const english = readLocale('en');
    const missing = [...GENERIC_CODES, ...POLICY_CODES].map(policyProblemKey).filter((key) => !(key in messages));
    expect(missing).toEqual([]);
    for (const code of [...GENERIC_CODES, ...POLICY_CODES]) {
      const key = policyProblemKey(code);
      expect(Object.keys(messages[key]!.placeholders ?? {}).sort()).toEqual(Object.keys(english[key]!.placeholders ?? {}).sort());
    }
  });
});
