import { describe, expect, it } from '@jest/globals';
import { RequestSchema } from '../../../src/core/protocol';

const token = 't'.repeat(43);
const lesson = { title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], minutes: 45 };
const parse = (request: Record<string, unknown>) => RequestSchema.safeParse(request);

describe('the class requests of the protocol', () => {
  it('takes a lesson for a class, not applied on this browser unless asked', () => {
    const parsed = parse({ type: 'startLesson', token, classId: '2B', lesson: { ...lesson, startPage: 'https://rekenen.nl/les-1' } });
    expect(parsed.success && parsed.data).toMatchObject({ classId: '2B', applyHere: false, lesson: { startPage: 'https://rekenen.nl/les-1' } });
    expect(parse({ type: 'startLesson', token, classId: '2B', applyHere: true, lesson }).success).toBe(true);
    // Without a class it is this device's lesson, as before.
    expect(parse({ type: 'startLesson', token, lesson }).success).toBe(true);
  });

  it.each([
    ['a class id that is no class id', { type: 'endLesson', token, classId: '../2B' }],
    ['a start page that is not a web address', { type: 'startLesson', token, classId: '2B', lesson: { ...lesson, startPage: 'javascript:alert(1)' } }],
    ['a start page without a scheme', { type: 'startLesson', token, classId: '2B', lesson: { ...lesson, startPage: 'rekenen.nl' } }],
    ['a pause without a class', { type: 'pauseClass', token, message: 'Kijk naar het bord', minutes: 5 }],
    ['a pause without a message', { type: 'pauseClass', token, classId: '2B', message: '  ', minutes: 5 }],
    ['a pause longer than 10 minutes', { type: 'pauseClass', token, classId: '2B', message: 'Kijk', minutes: 11 }],
    ['a pause of no time', { type: 'pauseClass', token, classId: '2B', message: 'Kijk', minutes: 0 }],
    ['a pause message of more than 280 characters', { type: 'pauseClass', token, classId: '2B', message: 'x'.repeat(281), minutes: 5 }],
    ['a pause without the token', { type: 'pauseClass', classId: '2B', message: 'Kijk', minutes: 5 }],
    ['a resume without the token', { type: 'resumeClass', classId: '2B' }],
  ])('refuses %s', (_name, request) => {
    expect(parse(request).success).toBe(false);
  });

  it('takes a pause of 1 to 10 minutes with a message, and a resume', () => {
    expect(parse({ type: 'pauseClass', token, classId: '2B', message: ' Kijk naar het bord ', minutes: 10 })).toMatchObject({ success: true, data: { message: 'Kijk naar het bord' } });
    expect(parse({ type: 'pauseClass', token, classId: '2B', message: 'Kijk', minutes: 1 }).success).toBe(true);
    expect(parse({ type: 'resumeClass', token, classId: '3A' }).success).toBe(true);
    expect(parse({ type: 'extendLesson', token, classId: '3A', minutes: 5 }).success).toBe(true);
    expect(parse({ type: 'updateLesson', token, classId: '3A', sites: ['wikipedia.org'] }).success).toBe(true);
  });
});
