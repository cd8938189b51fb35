// A teacher's lesson with categories, at each boundary it crosses: the popup's request, the
// background's check against the device's catalog, a running lesson changed, and the class feed.
import { describe, expect, it } from '@jest/globals';
import { ClassDocumentSchema } from '../../../../src/core/feed/document';
import { problemCodeOf } from '../../../../src/core/problem-codes';
import { LessonDraftSchema, RequestSchema } from '../../../../src/core/protocol';
import { categoryCatalog } from '../../../../src/core/rules/categories/catalog';
import { changeLesson, lessonFromRequest, lessonToChange } from '../../../../src/core/teacher/lessons';
import type { Lesson } from '../../../../src/core/schemas';

const NOW = Date.UTC(2026, 2, 2, 9, 0, 0);
const LIMITS = { maxLessonMinutes: 240, allowBlocklistLessons: true };
const withExam = { ...LIMITS, categories: categoryCatalog([{ id: 'exam-cheats', name: { en: 'Exam help', nl: 'Spiekhulp' }, sites: ['answers.example'] }]) };
const draft = { title: 'Essay', mode: 'allowlist' as const, sites: ['school.nl'], minutes: 45 };
const running: Lesson = { id: 'l1', title: 'Essay', mode: 'allowlist', sites: ['school.nl'], embeds: [], startsAt: NOW - 60_000, endsAt: NOW + 60_000 };

describe('lessonFromRequest with categories', () => {
  it.each([
    ['none', undefined, LIMITS, { ok: true }, undefined],
    ['a shipped one', ['ai'], LIMITS, { ok: true }, ['ai']],
    ['each once', ['ai', 'games', 'ai'], LIMITS, { ok: true }, ['ai', 'games']],
    ["IT's own, where IT's policy has it", ['exam-cheats'], withExam, { ok: true }, ['exam-cheats']],
    ["IT's own, where it does not", ['exam-cheats'], LIMITS, { ok: false, problem: 'unknown-category', params: ['exam-cheats'] }, undefined],
    ['one unknown among known ones', ['ai', 'chat'], withExam, { ok: false, problem: 'unknown-category', params: ['chat'] }, undefined],
  ] as const)('%s', (_name, categories, limits, outcome, stored) => {
    const result = lessonFromRequest({ ...draft, ...(categories ? { categories } : {}) }, limits, NOW, 'id');
    expect(result).toMatchObject(outcome);
    if (result.ok) expect(result.lesson.categories).toEqual(stored);
  });
});

describe('changeLesson with categories', () => {
  it('sets, keeps and clears them', () => {
    const on = changeLesson(running, { sites: ['school.nl'], categories: ['ai'] });
    expect(on).toMatchObject({ ok: true, lesson: { categories: ['ai'] } });
    if (!on.ok) return;
    expect(changeLesson(on.lesson, { sites: ['school.nl', 'x.nl'] })).toMatchObject({ ok: true, lesson: { categories: ['ai'], sites: ['school.nl', 'x.nl'] } });
    const off = changeLesson(on.lesson, { sites: ['school.nl'], categories: [] });
    expect(off.ok && off.lesson.categories).toBeUndefined();
    expect(off.ok && 'categories' in off.lesson).toBe(false);
  });

  it('refuses one the device does not know', () => {
    expect(changeLesson(running, { sites: ['school.nl'], categories: ['chat'] }, { categories: categoryCatalog() })).toMatchObject({ ok: false, problem: 'unknown-category', params: ['chat'] });
  });

  it('a timetable lesson copied to be changed keeps its categories', () => {
    const active = { origin: 'timetable' as const, id: 'toets', title: 'Toets', mode: 'allowlist' as const, sites: ['school.nl'], embeds: [], startsAt: NOW - 60_000, endsAt: NOW + 60_000, categories: ['ai'] };
    expect(lessonToChange(null, active, NOW, 'copy')).toMatchObject({ id: 'copy', categories: ['ai'] });
  });
});

describe('the request and the class document', () => {
  it('a malformed category id is refused where the request enters the background, with its code', () => {
    const result = LessonDraftSchema.safeParse({ ...draft, categories: ['AI tools'] });
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0]!;
    expect(issue.path).toEqual(['categories', 0]);
    expect(problemCodeOf(issue)?.code).toBe('category-id');
  });

  it('a running lesson can be given categories through updateLesson', () => {
    const parsed = RequestSchema.parse({ type: 'updateLesson', token: 'x'.repeat(16), sites: ['school.nl'], categories: ['ai'] });
    expect(parsed).toMatchObject({ categories: ['ai'] });
  });

  it("a class lesson carries its categories to the students' browsers", () => {
    const document = { v: 1, class: '2B', issuedAt: NOW, kid: 'k1', lesson: { ...running, categories: ['ai', 'social'] } };
    expect(ClassDocumentSchema.parse(document).lesson?.categories).toEqual(['ai', 'social']);
    expect(ClassDocumentSchema.safeParse({ ...document, lesson: { ...running, categories: ['no such id!'] } }).success).toBe(false);
  });
});
