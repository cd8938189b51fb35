/**
 * An allowlist lesson of "*" allows everything: it is no lesson. Every way a
 * lesson enters refuses it, with the site named: a teacher's new lesson or
 * change, a saved preset, IT's preset, a class document. A blocklist lesson
 * may block "*" (everything but IT's allowed sites), and IT's own
 * `blocked: ["*"]` keeps working, outside school hours too.
 */
import { describe, expect, it } from '@jest/globals';
import { parsePolicy } from '../../../../src/core/policy/policy';
import { LessonDraftSchema } from '../../../../src/core/protocol';
import { decide, prepare } from '../../../../src/core/rules/decide';
import { LessonSchema } from '../../../../src/core/schemas';
import { changeLesson, lessonFromRequest } from '../../../../src/core/teacher/lessons';
import { savePreset } from '../../../../src/core/teacher/presets';
import { rules } from '../../support/rules';

const LIMITS = { maxLessonMinutes: 240, allowBlocklistLessons: true };
const NOW = Date.UTC(2026, 2, 30, 9);
const EVERYTHING = ['*', 'https://*', 'http://*'];

describe('an allowlist lesson refuses a site that allows everything', () => {
  it.each(EVERYTHING)('a new lesson with %s', (site) => {
    expect(lessonFromRequest({ title: 'Les', mode: 'allowlist', sites: ['wikipedia.org', site], minutes: 45 }, LIMITS, NOW, 'x')).toMatchObject({
      ok: false,
      problem: 'invalid',
      message: expect.stringContaining(`"${site}": allows every site`),
    });
  });

  it('the draft from the popup, at the site', () => {
    const parsed = LessonDraftSchema.safeParse({ title: 'Les', mode: 'allowlist', sites: ['a.nl', '*'], minutes: 45 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['sites.1']);
  });

  it('a change to a running allowlist lesson', () => {
    const lesson = { id: 'l', title: 'Les', mode: 'allowlist' as const, sites: ['a.nl'], embeds: [], startsAt: NOW, endsAt: NOW + 60_000 };
    expect(changeLesson(lesson, { sites: ['a.nl', '*'] })).toMatchObject({ ok: false, problem: 'invalid' });
    expect(changeLesson({ ...lesson, mode: 'blocklist' }, { sites: ['*'] })).toMatchObject({ ok: true });
  });

  it('a saved preset', () => {
    expect(savePreset([], { title: 'Vrij', mode: 'allowlist', sites: ['*'] }, undefined, 'p1')).toMatchObject({ ok: false, problem: 'invalid', message: expect.stringMatching(/^sites\.0: "\*": allows every site/) });
  });

  it("IT's preset, at its path", () => {
    const result = parsePolicy({ presets: [{ id: 'vrij', title: 'Vrij', mode: 'allowlist', sites: ['a.nl', 'https://*'] }] });
    expect(result).toMatchObject({ ok: false, errors: [{ path: 'presets.0.sites.1', message: expect.stringContaining('allows every site') }] });
  });

  it('a class document (and a stored lesson)', () => {
    const lesson = { id: 'l', title: 'Les', mode: 'allowlist', sites: ['*'], embeds: [], startsAt: NOW, endsAt: NOW + 60_000 };
    expect(LessonSchema.safeParse(lesson).success).toBe(false);
    expect(LessonSchema.safeParse({ ...lesson, mode: 'blocklist' }).success).toBe(true);
  });
});

describe('blocking everything stays possible', () => {
  it('a blocklist lesson of "*" blocks all but IT\'s allowed sites', () => {
    expect(lessonFromRequest({ title: 'Toets', mode: 'blocklist', sites: ['*'], minutes: 45 }, LIMITS, NOW, 'x').ok).toBe(true);
    const prepared = prepare(rules({ itAllowed: ['sso.school.nl'], lesson: { mode: 'blocklist', sites: ['*'], embeds: [] } }));
    expect(decide('https://games.example/', prepared)).toMatchObject({ allowed: false, reason: 'lesson-blocked' });
    expect(decide('https://sso.school.nl/login', prepared)).toMatchObject({ allowed: true, reason: 'it-allowed' });
  });

  it("IT's blocked: [\"*\"] (outside school hours) is a valid policy and blocks all but IT's allowed sites", () => {
    const result = parsePolicy({ blocked: ['*'], allowed: ['sso.school.nl'] });
    expect(result).toMatchObject({ ok: true, warnings: [] });
    const prepared = prepare(rules({ itBlocked: ['*'], itAllowed: ['sso.school.nl'] }));
    expect(decide('https://games.example/', prepared)).toMatchObject({ allowed: false, reason: 'it-blocked' });
    expect(decide('https://sso.school.nl/', prepared)).toMatchObject({ allowed: true, reason: 'it-allowed' });
  });
});
