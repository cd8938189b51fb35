/** Refusals from the background in words a teacher can act on, in the UI's language. */
import type { Status } from '../../core/protocol';
import { MIN_PIN_CHARACTERS, MIN_PIN_DIGITS } from '../../core/teacher/pin';
import { policyProblemText } from '../status/policy-problem';
import { BackgroundError } from './channel';
import { formatCountdown, t } from './text';

/** What to show for a failed request; `now` for a live wait. */
export function errorText(error: unknown, status: Status | null, now: number): string {
  if (!(error instanceof BackgroundError)) return t('errorNoAnswer');
  switch (error.code) {
    case 'wrong-pin':
      return error.retryAt !== undefined && error.retryAt > now ? t('errorWrongPinWait', formatCountdown(error.retryAt - now)) : t('errorWrongPin');
    case 'rate-limited':
      return error.retryAt !== undefined && error.retryAt > now ? t('errorRateLimited', formatCountdown(error.retryAt - now)) : t('errorRateLimitOver');
    case 'locked':
      return t('errorLocked');
    case 'too-long':
      return t('errorTooLong', String(status?.settings.maxLessonMinutes ?? ''));
    case 'mode-not-allowed':
      return t('errorModeNotAllowed');
    case 'it-blocked':
      return t('errorItBlocked');
    case 'test-mode':
      return t('errorTestMode');
    case 'no-lesson':
      return t('errorNoLesson');
    case 'not-found':
      return t('errorPresetGone');
    case 'too-many':
      return t('errorTooManyPresets');
    case 'weak-pin':
      return t('pinTooWeak', [String(MIN_PIN_DIGITS), String(MIN_PIN_CHARACTERS)]);
    case 'student-device':
      return t('errorStudentDevice');
    case 'forbidden':
      return status?.teacher.pinFromPolicy ? t('errorPinFromSchool') : t('errorForbidden');
    case 'start-past':
      return t('errorStartPast');
    case 'start-too-far':
      return t('errorStartTooFar');
    case 'too-many-scheduled':
      return t('errorTooManyScheduled');
    case 'not-scheduled':
      return t('errorNotScheduled');
    case 'link-invalid':
      return t('errorLinkInvalid');
    case 'link-blocked':
      return t('errorLinkBlocked');
    case 'unknown-category':
      return t('policyErrorCategoryUnknown', error.params[0] ?? '');
    case 'invalid':
      // Worded from its code where it has one: "a tab limit is a whole number from 1 to 20", in the reader's language.
      return t('errorInvalid', error.problem !== undefined ? policyProblemText(error.problem) : error.message);
    default:
      return t('errorInternal', error.message);
  }
}
