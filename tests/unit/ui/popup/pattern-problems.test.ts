/**
 * A teacher reads a site's problem in their own language: every error code
 * of the pattern parser has a message in Dutch and in English that names the
 * pattern and what is wrong.
 */
import { lessonSiteProblem, parsePattern } from '../../../../src/core/rules/patterns';
import { patternProblem, setMessageSource } from '../../../../src/ui/shared/text';
import { localeSource } from '../support/locale';

const INVALID = ['', 'example .com', 'http:/example.com', '[::1', '[::1]x', 'example.com:', 'example.com:abc', 'example.com:0', '*.bad', 'exa*mple.com', '.', 'ex!ample.com', 'example.com/?a=1&b=2&c=3&d=4', `example.com/${'a'.repeat(2100)}`, 'school.nl//login', 'school.nl/login/..'];

describe.each(['en', 'nl'] as const)('pattern problems in %s', (language) => {
  beforeAll(() => setMessageSource(localeSource(language)));

  it.each(INVALID)('%j', (source) => {
    const result = parsePattern(source);
    if (result.ok) throw new Error(`${source} should be invalid`);
    const message = patternProblem(result.code, result.params);
    expect(message).not.toMatch(/^patternError/);
    expect(message).not.toMatch(/\$\d|\$[A-Z]+\$/);
    if (source.trim() !== '' && source.length < 100) expect(message).toContain(`"${source.trim()}"`);
  });

  it('shows the path the browser would read, and refuses "*" in an allowlist lesson', () => {
    const changed = parsePattern('school.nl/a/../login');
    if (changed.ok) throw new Error('should be invalid');
    expect(patternProblem(changed.code, changed.params)).toContain('"school.nl/login"');
    const everything = lessonSiteProblem('*', 'allowlist');
    if (everything === null) throw new Error('should be refused');
    const message = patternProblem(everything.code, everything.params);
    expect(message).not.toMatch(/^patternError|\$/);
    expect(message).toContain('"*"');
  });

  it('says what to write instead of *.bad', () => {
    const result = parsePattern('*.school.nl');
    if (result.ok) throw new Error('should be invalid');
    expect(patternProblem(result.code, result.params)).toContain(language === 'nl' ? 'schrijf "school.nl"' : 'write "school.nl" instead');
  });
});
