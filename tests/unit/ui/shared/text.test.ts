// How messages name the teacher: the word IT's schoolType picks, in Dutch
// and English, with a capital where the message starts with it, and a
// user's own text left as it is.
import { afterEach, describe, expect, it } from '@jest/globals';
import { formatTime, setMessageSource, setSchoolType, t, type SchoolType } from '../../../../src/ui/shared/text';
import { localeSource } from '../support/locale';

afterEach(() => setSchoolType(null));

describe('the teacher in messages', () => {
  it.each<['en' | 'nl', SchoolType | null, string, string, string]>([
    ['nl', null, 'Leraar', 'Code voor leraren', 'Vraag het je leraar.'],
    ['nl', 'primary', 'Leerkracht', 'Code voor leerkrachten', 'Vraag het je leerkracht.'],
    ['nl', 'secondary', 'Docent', 'Code voor docenten', 'Vraag het je docent.'],
    ['en', null, 'Teacher', 'Teacher PIN', 'Ask your teacher.'],
    ['en', 'primary', 'Teacher', 'Teacher PIN', 'Ask your teacher.'],
    ['en', 'secondary', 'Teacher', 'Teacher PIN', 'Ask your teacher.'],
  ])('%s, school type %s: %s', (language, schoolType, link, pinLabel, ask) => {
    setMessageSource(localeSource(language));
    setSchoolType(schoolType);
    expect(t('teacher')).toBe(link);
    expect(t('pinLabel')).toBe(pinLabel);
    expect(t('blockedAskTeacher')).toMatch(new RegExp(`${ask.replace('.', '\\.')}$`));
  });

  it('goes back to the neutral word when the status has no school type', () => {
    setMessageSource(localeSource('nl'));
    setSchoolType('primary');
    setSchoolType(undefined);
    expect(t('originTeacher')).toBe('Ingesteld door de leraar');
  });

  it("leaves a marker-like text in a substitution (a lesson's title) as it is", () => {
    setMessageSource(localeSource('nl'));
    setSchoolType('secondary');
    expect(t('noticeStarted', 'Quiz {teacher}')).toBe('Les gestart: Quiz {teacher}');
  });

  it('names the teacher in every Dutch message that has a marker', () => {
    setMessageSource(localeSource('nl'));
    for (const schoolType of [null, 'primary', 'secondary'] as const) {
      setSchoolType(schoolType);
      for (const key of ['blockedAskTeacherOrIt', 'errorItBlocked', 'letThroughOpen', 'setPinTitle', 'errorLocked', 'studentDevicePin', 'statusPageRoleTeacher']) {
        expect(t(key)).not.toMatch(/\{[Tt]eachers?\}|docentcode|docentenpaneel/);
      }
    }
  });
});

describe('the language of times', () => {
  const AFTERNOON = new Date(2026, 2, 2, 14, 5).getTime();

  it.each([
    ['Dutch messages in a browser that says en-US (headless Chromium with --lang=nl)', 'nl', 'en-US', '14:05'],
    ['Dutch messages in a Dutch browser', 'nl', 'nl', '14:05'],
    ['English messages in a Dutch browser (a language Lesmodus has no messages for)', 'en', 'nl', '02:05 PM'],
    ['English messages in an English browser', 'en', 'en-GB', '02:05 PM'],
  ] as const)('follows the messages shown: %s', (_name, messages, uiLanguage, time) => {
    setMessageSource({ ...localeSource(messages), getUILanguage: () => uiLanguage });
    expect(formatTime(AFTERNOON)).toBe(time);
  });

  it('falls back to the browser UI language when the messages do not say', () => {
    setMessageSource({ getMessage: () => '', getUILanguage: () => 'nl-NL' });
    expect(formatTime(AFTERNOON)).toBe('14:05');
  });
});
