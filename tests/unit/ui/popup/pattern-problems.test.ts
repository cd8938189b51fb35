/**
 * A teacher reads a site's problem in their own language: every error code
 * of the pattern parser has a message in Dutch and in English that names the
 * site as it was typed and says what is wrong without jargon; where one fix
 * is obvious, it is offered (and is itself a valid site). A full address
 * with a path becomes a choice between the whole site and only that page.
 */
import { lessonSiteProblem, parsePattern } from '../../../../src/core/rules/patterns';
import { pageChoiceOf, siteProblem, sortDraft } from '../../../../src/ui/popup/sites-field';
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
    if (source.trim() !== '' && source.length < 100) expect(message).toContain(source.trim());
    // No parser jargon: no "subdomain" syntax with a leading dot, no "scheme", no "query".
    expect(message).not.toMatch(/"\.[a-z]|\bscheme\b|\bschema\b|\bquery\b/i);
  });

  it('shows the path the browser would read, and refuses "*" in an allowlist lesson', () => {
    const changed = parsePattern('school.nl/a/../login');
    if (changed.ok) throw new Error('should be invalid');
    expect(patternProblem(changed.code, changed.params)).toContain('school.nl/login');
    const everything = lessonSiteProblem('*', 'allowlist');
    if (everything === null) throw new Error('should be refused');
    const message = patternProblem(everything.code, everything.params);
    expect(message).not.toMatch(/^patternError|\$/);
    expect(message).toContain('“*”');
  });

  it('says what to write instead of *.bad.com, as a teacher would', () => {
    const result = parsePattern('*.bad.com');
    if (result.ok) throw new Error('should be invalid');
    expect(patternProblem(result.code, result.params)).toBe(language === 'nl' ? '*.bad.com → gebruik bad.com (met al zijn subdomeinen)' : '*.bad.com → use bad.com (includes all its subdomains)');
  });
});

describe('the fix offered for a site that is not valid', () => {
  beforeAll(() => setMessageSource(localeSource('en')));

  it.each([
    ['*.bad.com', 'bad.com'],
    ['https://*.bad.com/games', 'https://bad.com/games'],
    ['school.nl/a/../login', 'school.nl/login'],
    ['school.nl/login/..', 'school.nl'],
    ['http:/example.com', 'http://example.com'],
    ['example.com:', 'example.com'],
    ['HTTPS:/example.com/maths', 'HTTPS://example.com/maths'],
    ['example.com:/maths', null],
    ['example.com:abc', null],
    ['exa*mple.com', null],
    ['ex!ample.com', null],
    ['*.bad!.com', null],
  ])('%s -> %s', (typed, fix) => {
    const problem = siteProblem(typed, 'allowlist');
    expect(problem).toMatchObject({ candidate: typed, fix });
  });

  it('names the first site with a problem among several typed', () => {
    expect(siteProblem('good.nl *.bad.com other.nl')).toMatchObject({ candidate: '*.bad.com', fix: 'bad.com' });
    expect(siteProblem('good.nl other.nl')).toBeNull();
  });

  it('offers no fix that the lesson would refuse', () => {
    expect(siteProblem('*', 'allowlist')).toMatchObject({ candidate: '*', fix: null });
    expect(siteProblem('*', 'blocklist')).toBeNull();
  });
});

describe('a full address with a path', () => {
  it.each([
    ['https://www.schooltv.nl/programma/rekenen', { site: 'schooltv.nl', page: 'schooltv.nl/programma/rekenen' }],
    ['http://nl.wikipedia.org/wiki/Breuk#Rekenen', { site: 'nl.wikipedia.org', page: 'nl.wikipedia.org/wiki/Breuk' }],
    ['https://www.youtube.com/watch?v=abc', { site: 'youtube.com', page: 'youtube.com/watch?v=abc' }],
    ['http://localhost:8080/les', { site: 'localhost:8080', page: 'localhost:8080/les' }],
    // A page a rule cannot name (more than three query conditions): only the whole site.
    ['https://example.com/a?b=1&c=2&d=3&e=4', { site: 'example.com', page: null }],
  ])('%s: the whole site or only the page', (address, choice) => {
    expect(pageChoiceOf(address, 'allowlist')).toEqual({ address, ...choice });
  });

  it.each(['schooltv.nl', 'https://www.schooltv.nl', 'https://www.schooltv.nl/', 'schooltv.nl/programma/rekenen', 'ftp://files.example.com/a', '*.bad.com/x'])('%s is added as it is written', (typed) => {
    expect(pageChoiceOf(typed, 'allowlist')).toBeNull();
  });

  it('waits for the choice while the rest of a paste is sorted', () => {
    expect(sortDraft('taal.nl https://www.schooltv.nl/programma/rekenen *.bad.com', 'allowlist')).toEqual({
      ready: ['taal.nl'],
      pages: [{ address: 'https://www.schooltv.nl/programma/rekenen', site: 'schooltv.nl', page: 'schooltv.nl/programma/rekenen' }],
      bad: ['*.bad.com'],
    });
  });
});
