// The categories a lesson blocks ("AI off"): how resolve() finds their sites, how decide() judges
// them against the lesson's own sites and IT's lists, and that compile() packs them into few rules.
import { describe, expect, it } from '@jest/globals';
import { compile, PRIORITY } from '../../../../src/core/rules/compile';
import { decide, prepare, type NavigationKind } from '../../../../src/core/rules/decide';
import { PolicySchema } from '../../../../src/core/policy/policy';
import { BUILTIN_CATEGORIES } from '../../../../src/core/rules/categories';
import { categoryCatalog, lessonCategories, unknownCategory } from '../../../../src/core/rules/categories/catalog';
import { resolve, type BlockedCategory, type EffectiveRules } from '../../../../src/core/rules/resolve';
import type { Lesson } from '../../../../src/core/schemas';
import { DnrSimulator } from '../../support/dnr-simulator';
import { rules } from '../../support/rules';

const AI = { id: 'ai', sites: ['chatgpt.com', 'gemini.google.com', 'bing.com/chat'] };
const SOCIAL = { id: 'social', sites: ['tiktok.com', 'instagram.com'] };

const allowlist = (sites: string[], categories: readonly BlockedCategory[] = [AI], embeds: string[] = []): EffectiveRules['lesson'] => ({ mode: 'allowlist', sites, embeds, categories });
const blocklist = (sites: string[], categories: readonly BlockedCategory[] = [AI]): EffectiveRules['lesson'] => ({ mode: 'blocklist', sites, embeds: [], categories });

/** "allowed (reason)" or "blocked (reason: category)". */
function verdict(effective: EffectiveRules, href: string, kind: NavigationKind = 'page'): string {
  const result = decide(href, prepare(effective), kind);
  return `${result.allowed ? 'allowed' : 'blocked'} (${result.reason}${result.category ? `: ${result.category}` : ''})`;
}

const BLOCKED_PAGE = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/blocked.html';

describe('decide: a lesson that blocks categories', () => {
  it.each([
    // A blocklist lesson: the categories' sites are blocked beside its own.
    ['blocklist: a site of the category', rules({ lesson: blocklist(['games.nl']) }), 'https://chatgpt.com/', 'blocked (category-blocked: ai)'],
    ['blocklist: a subdomain of it', rules({ lesson: blocklist(['games.nl']) }), 'https://www.chatgpt.com/c/1', 'blocked (category-blocked: ai)'],
    ['blocklist: a path entry holds for its path only', rules({ lesson: blocklist([]) }), 'https://www.bing.com/search?q=x', 'allowed (open)'],
    ['blocklist: ... and below it', rules({ lesson: blocklist([]) }), 'https://www.bing.com/chat/x', 'blocked (category-blocked: ai)'],
    ['blocklist: its own site', rules({ lesson: blocklist(['games.nl']) }), 'https://games.nl/', 'blocked (lesson-blocked)'],
    ['blocklist: anything else', rules({ lesson: blocklist(['games.nl']) }), 'https://wikipedia.org/', 'allowed (open)'],
    ['blocklist: a site in the category and the lesson: the category names it', rules({ lesson: blocklist(['chatgpt.com']) }), 'https://chatgpt.com/', 'blocked (category-blocked: ai)'],
    ['blocklist: of two categories, the one that lists the site', rules({ lesson: blocklist([], [AI, SOCIAL]) }), 'https://www.tiktok.com/', 'blocked (category-blocked: social)'],
    // An allowlist lesson: a category site is blocked with the category's words, not "not in the lesson".
    ['allowlist: a category site not in the lesson', rules({ lesson: allowlist(['school.nl']) }), 'https://chatgpt.com/', 'blocked (category-blocked: ai)'],
    ['allowlist: another site not in the lesson', rules({ lesson: allowlist(['school.nl']) }), 'https://wikipedia.org/', 'blocked (not-in-lesson)'],
    ['allowlist: a lesson site', rules({ lesson: allowlist(['school.nl']) }), 'https://school.nl/', 'allowed (lesson-allowed)'],
    // ... a lesson site that covers a category site: the more specific pattern wins.
    ['allowlist: google.com allowed, AI off: Gemini stays out', rules({ lesson: allowlist(['google.com']) }), 'https://gemini.google.com/app', 'blocked (category-blocked: ai)'],
    ['allowlist: google.com allowed, AI off: search opens', rules({ lesson: allowlist(['google.com']) }), 'https://www.google.com/search?q=x', 'allowed (lesson-allowed)'],
    ['allowlist: chatgpt.com named by the teacher, AI off: the named site opens', rules({ lesson: allowlist(['chatgpt.com']) }), 'https://chatgpt.com/', 'allowed (lesson-allowed)'],
    ['allowlist: a named page more specific than the category entry opens', rules({ lesson: allowlist(['bing.com/chat/lesson']) }), 'https://bing.com/chat/lesson', 'allowed (lesson-allowed)'],
    ['allowlist: an exact host beats the entry for the same host', rules({ lesson: allowlist(['.chatgpt.com']) }), 'https://chatgpt.com/', 'allowed (lesson-allowed)'],
    // ... an embed is weighed the same way, in frames only.
    ['allowlist: an embed in the category, in a frame', rules({ lesson: allowlist(['school.nl'], [SOCIAL], ['instagram.com']) }), 'https://instagram.com/p/1', 'allowed (lesson-embed)'],
    ['allowlist: the same embed as a page', rules({ lesson: allowlist(['school.nl'], [SOCIAL], ['instagram.com']) }), 'https://instagram.com/p/1', 'blocked (category-blocked: social)', 'page'],
    ['allowlist: a wider embed, in a frame', rules({ lesson: allowlist(['school.nl'], [AI], ['google.com']) }), 'https://gemini.google.com/', 'blocked (category-blocked: ai)'],
    // IT's lists and a teacher's exception stay above the lesson's categories.
    ['IT allowed wins over a category', rules({ itAllowed: ['chatgpt.com'], lesson: blocklist([]) }), 'https://chatgpt.com/', 'allowed (it-allowed)'],
    ['IT allowed wins in an allowlist lesson too', rules({ itAllowed: ['gemini.google.com'], lesson: allowlist(['school.nl']) }), 'https://gemini.google.com/', 'allowed (it-allowed)'],
    ['IT blocked stays blocked, with IT as the reason', rules({ itBlocked: ['chatgpt.com'], lesson: blocklist([]) }), 'https://chatgpt.com/', 'blocked (it-blocked)'],
    ['a site let through for a while opens', rules({ exceptions: ['chatgpt.com'], lesson: blocklist([]) }), 'https://chatgpt.com/', 'allowed (exception)'],
    ['a pause stops every page', rules({ paused: true, lesson: blocklist([]) }), 'https://chatgpt.com/', 'blocked (paused)', 'page'],
    ['no lesson: categories are a lesson\'s, nothing is blocked', rules(), 'https://chatgpt.com/', 'allowed (open)'],
    // A category IT set above its allowed sites weighs against them as IT's blocked list does.
    ['above allowed: a more specific entry than IT\'s allowed site blocks', rules({ itAllowed: ['google.com'], lesson: blocklist([], [{ ...AI, aboveAllowed: true }]) }), 'https://gemini.google.com/', 'blocked (category-blocked: ai)'],
    ['above allowed: the same site IT allows stays open (allowed on a tie)', rules({ itAllowed: ['chatgpt.com'], lesson: blocklist([], [{ ...AI, aboveAllowed: true }]) }), 'https://chatgpt.com/', 'allowed (it-allowed)'],
    ['above allowed: a teacher\'s exception does not lift it', rules({ exceptions: ['chatgpt.com'], lesson: blocklist([], [{ ...AI, aboveAllowed: true }]) }), 'https://chatgpt.com/', 'blocked (category-blocked: ai)'],
    ['above allowed: nor does the teacher naming the site', rules({ lesson: allowlist(['chatgpt.com'], [{ ...AI, aboveAllowed: true }]) }), 'https://chatgpt.com/', 'blocked (category-blocked: ai)'],
    ['without it, IT\'s wider allowed site opens the AI site', rules({ itAllowed: ['google.com'], lesson: blocklist([]) }), 'https://gemini.google.com/', 'allowed (it-allowed)'],
  ])('%s', (_name, effective, href, expected, kind = 'frame') => {
    // Frames unless told otherwise; a page is judged the same where no embed is involved.
    expect(verdict(effective, href, kind as NavigationKind)).toBe(expected);
    if (!expected.includes('embed') && kind === 'frame') expect(verdict(effective, href, 'page')).toBe(expected);
  });
});

it('a category IT set above its allowed sites says so in the verdict: no teacher can let it through', () => {
  expect(decide('https://chatgpt.com/', prepare(rules({ lesson: blocklist([], [{ ...AI, aboveAllowed: true }]) })))).toEqual({ allowed: false, reason: 'category-blocked', category: 'ai', byIt: true });
  expect(decide('https://chatgpt.com/', prepare(rules({ lesson: blocklist([]) }))).byIt).toBeUndefined();
});

describe('compile: categories become few rules that agree with decide()', () => {
  const shipped = (ids: Array<keyof typeof BUILTIN_CATEGORIES>) => ids.map((id) => ({ id, sites: BUILTIN_CATEGORIES[id].sites }));

  it('packs every shipped category into a handful of rules', () => {
    const all = shipped(['ai', 'social', 'games', 'video']);
    const sites = all.reduce((count, category) => count + category.sites.length, 0);
    const compiled = compile(rules({ lesson: { mode: 'blocklist', sites: [], embeds: [], categories: all } }), { blockedPageUrl: BLOCKED_PAGE });
    const own = compiled.filter((rule) => rule.priority !== PRIORITY.DECODE);
    expect(sites).toBeGreaterThan(100);
    expect(own.length).toBeLessThan(30);
  });

  it.each([
    ['https://chatgpt.com/', false],
    ['https://gemini.google.com/app', false],
    ['https://www.google.com/search?q=x', true],
    ['https://www.bing.com/chat', false],
    ['https://www.bing.com/search', true],
    ['https://school.nl/', true],
    ['https://wikipedia.org/', false],
  ])('allowlist google.com + school.nl with AI off, as the browser judges it: %s allowed=%s', (href, allowed) => {
    const effective = rules({ itAllowed: ['school.nl'], lesson: allowlist(['google.com', 'bing.com'], shipped(['ai'])) });
    const outcome = new DnrSimulator(compile(effective, { blockedPageUrl: BLOCKED_PAGE })).navigate({ url: href, type: 'main_frame' });
    expect(outcome.allowed).toBe(allowed);
    expect(decide(href, prepare(effective)).allowed).toBe(allowed);
  });

  it('a category ranks below a teacher\'s exception and IT\'s lists, above the lesson\'s default', () => {
    const compiled = compile(rules({ itAllowed: ['school.nl'], exceptions: ['a.nl'], lesson: allowlist([], [{ id: 'x', sites: ['a.b.c.d.e.f.g.h.example.com/a/very/long/path'] }]) }), { blockedPageUrl: BLOCKED_PAGE });
    const category = compiled.find((rule) => rule.condition.requestDomains?.includes('a.b.c.d.e.f.g.h.example.com'))!;
    const exception = compiled.find((rule) => rule.condition.requestDomains?.includes('a.nl'))!;
    const it = compiled.find((rule) => rule.condition.requestDomains?.includes('school.nl'))!;
    expect(category.priority).toBeLessThan(exception.priority);
    expect(exception.priority).toBeLessThan(it.priority);
    expect(category.priority).toBeGreaterThan(PRIORITY.LESSON_DEFAULT);
  });
});

describe('resolve: a lesson\'s categories, with their sites from IT\'s catalog', () => {
  const lesson = (over: Partial<Lesson> = {}): Lesson => ({ id: 'l1', title: 'Essay', mode: 'blocklist', sites: [], embeds: [], startsAt: 0, endsAt: 60_000, ...over });
  const resolveWith = (policy: unknown, teacherLesson: Lesson) =>
    resolve({ policy: PolicySchema.parse(policy), teacherLesson, classLessons: [], pauses: [], exceptions: [] }, 1000);

  it('gives the shipped list of a category', () => {
    const resolution = resolveWith({}, lesson({ categories: ['ai'] }));
    expect(resolution.active?.categories).toEqual(['ai']);
    expect(resolution.rules.lesson?.categories).toEqual([{ id: 'ai', sites: BUILTIN_CATEGORIES.ai.sites }]);
  });

  it('gives IT\'s additions, IT\'s replacement and IT\'s own categories', () => {
    const policy = {
      categories: [
        { id: 'ai', add: ['schoolgpt.example'] },
        { id: 'video', replace: ['youtube.com'] },
        { id: 'exam-cheats', name: { en: 'Exam help', nl: 'Spiekhulp' }, sites: ['answers.example'] },
      ],
    };
    const resolution = resolveWith(policy, lesson({ categories: ['ai', 'video', 'exam-cheats'] }));
    const byId = new Map(resolution.rules.lesson?.categories?.map((category) => [category.id, category.sites]));
    expect(byId.get('ai')).toEqual([...BUILTIN_CATEGORIES.ai.sites, 'schoolgpt.example']);
    expect(byId.get('video')).toEqual(['youtube.com']);
    expect(byId.get('exam-cheats')).toEqual(['answers.example']);
    const prepared = prepare(resolution.rules);
    expect(decide('https://schoolgpt.example/', prepared)).toMatchObject({ allowed: false, category: 'ai' });
    expect(decide('https://vimeo.com/', prepared).allowed).toBe(true);
    expect(decide('https://answers.example/q/1', prepared)).toMatchObject({ allowed: false, category: 'exam-cheats' });
  });

  it('carries aboveAllowed from the policy, also for a shipped list left as it is', () => {
    const resolution = resolveWith({ allowed: ['google.com'], categories: [{ id: 'ai', aboveAllowed: true }] }, lesson({ categories: ['ai'] }));
    expect(resolution.rules.lesson?.categories).toEqual([{ id: 'ai', sites: BUILTIN_CATEGORIES.ai.sites, aboveAllowed: true }]);
    expect(decide('https://gemini.google.com/', prepare(resolution.rules))).toMatchObject({ allowed: false, category: 'ai', byIt: true });
    expect(decide('https://www.google.com/', prepare(resolution.rules)).allowed).toBe(true);
  });

  it('a category the device does not know blocks nothing, and the rest of the lesson holds', () => {
    const resolution = resolveWith({}, lesson({ sites: ['games.nl'], categories: ['gone', 'ai'] }));
    expect(resolution.rules.lesson?.categories?.map((category) => category.id)).toEqual(['ai']);
    expect(decide('https://games.nl/', prepare(resolution.rules)).allowed).toBe(false);
  });

  it('a lesson without categories has none in its rules', () => {
    const resolution = resolveWith({}, lesson({ sites: ['games.nl'] }));
    expect(resolution.rules.lesson).toEqual({ mode: 'blocklist', sites: ['games.nl'], embeds: [] });
    expect(resolution.active?.categories).toBeUndefined();
  });

  it('a test blocks AI sites though the teacher ticked nothing, and says so', () => {
    const resolution = resolveWith({}, lesson({ mode: 'allowlist', sites: ['school.nl', 'chatgpt.com'], test: true }));
    expect(resolution.active?.categories).toEqual(['ai']);
    expect(decide('https://chatgpt.com/', prepare(resolution.rules))).toMatchObject({ allowed: true });
    expect(decide('https://claude.ai/', prepare(resolution.rules))).toMatchObject({ allowed: false, reason: 'category-blocked', category: 'ai' });
  });

  it('a preset carries its categories into the timetable\'s lesson', () => {
    const policy = PolicySchema.parse({
      presets: [{ id: 'toets', title: 'Toets', mode: 'allowlist', sites: ['school.nl'], categories: ['ai', 'social'] }],
      outsideLessons: 'toets',
    });
    const resolution = resolve({ policy, teacherLesson: null, classLessons: [], pauses: [], exceptions: [] }, 1000);
    expect(resolution.active?.categories).toEqual(['ai', 'social']);
    expect(decide('https://www.instagram.com/', prepare(resolution.rules))).toMatchObject({ allowed: false, reason: 'category-blocked', category: 'social' });
  });
});

describe('the catalog', () => {
  it.each([
    [[], null],
    [['ai', 'games'], null],
    [['ai', 'nope'], 'nope'],
  ])('unknownCategory(%j) is %j', (ids, expected) => {
    expect(unknownCategory(ids, categoryCatalog([]))).toBe(expected);
  });

  it('lists the shipped categories first, in their order, then IT\'s own', () => {
    const catalog = categoryCatalog([{ id: 'exam-cheats', name: { en: 'Exam help', nl: 'Spiekhulp' }, sites: ['a.example'] }, { id: 'ai', add: ['b.example'] }]);
    expect([...catalog.values()].map((category) => `${category.id}:${category.origin}`)).toEqual(['ai:added', 'social:builtin', 'games:builtin', 'video:builtin', 'exam-cheats:school']);
  });

  it.each([
    ['the categories a lesson names', { categories: ['ai'] }, ['ai']],
    ['none when it names none', {}, []],
    ['AI in a test that names none', { test: true }, ['ai']],
    ['AI once in a test that names it', { test: true, categories: ['ai', 'games'] }, ['ai', 'games']],
    ['AI added to what a test names', { test: true, categories: ['social'] }, ['social', 'ai']],
    ['nothing added when it is no test', { test: false, categories: ['social'] }, ['social']],
  ])('lessonCategories: %s', (_name, lesson, expected) => {
    expect(lessonCategories(lesson)).toEqual(expected);
  });

});
