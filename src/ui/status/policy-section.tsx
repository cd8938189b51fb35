/**
 * The school policy on the status page: first, and prominent, what is wrong
 * with the policy the browser holds (each error with its field path, worded
 * in the reader's language); then where the policy in force came from and
 * when.
 */
import type { Status } from '../../core/protocol';
import { t } from '../shared/text';
import { formatDateTime } from './format';
import { policyProblemText } from './policy-problem';

const SOURCE_KEYS: Record<Status['policy']['source'], string> = {
  managed: 'statusPageSourceManaged',
  cache: 'statusPageSourceCache',
  none: 'statusPageSourceNone',
};

/** The policy's validation errors and a failed read; nothing when all is well. */
export function PolicyProblems({ status }: { status: Status }) {
  const { errors, readError, source, loadedAt } = status.policy;
  if (errors.length === 0 && !readError) return null;
  const kept = source !== 'none' && loadedAt !== null ? t('statusPageErrorsKept', formatDateTime(loadedAt)) : t('statusPageErrorsNone');
  return (
    <section class="panel policy-errors" aria-labelledby="policy-errors-title">
      <h2 id="policy-errors-title">{errors.length > 0 ? t('statusPageErrorsTitle') : t('statusPageReadErrorTitle')}</h2>
      <p>{kept}</p>
      {errors.length > 0 && (
        <ul class="error-list">
          {errors.map((error, index) => (
            <li key={`${error.path}-${index}`}>
              <span class="visually-hidden">{t('statusPageErrorField')} </span>
              <code class="error-path">{error.path}</code> <span class="error-reason">{policyProblemText(error)}</span>
            </li>
          ))}
        </ul>
      )}
      {readError && <p class="read-error">{t('statusPageReadError', readError)}</p>}
      <p class="hint">
        {t('statusPageErrorsHelp')} <code class="command">npm run policy -- check</code>
      </p>
    </section>
  );
}

/** Where the policy came from, when, and what it says about this device. */
export function PolicySource({ status }: { status: Status }) {
  const { policy, settings } = status;
  const never = t('statusPageNever');
  const role = settings.role === undefined ? '—' : t(settings.role === 'teacher' ? 'statusPageRoleTeacher' : 'statusPageRoleStudent');
  return (
    <section class="panel" aria-labelledby="policy-title">
      <h2 id="policy-title">{t('statusPagePolicy')}</h2>
      <dl class="facts">
        <dt>{t('statusPageSource')}</dt>
        <dd class="policy-source">{t(SOURCE_KEYS[policy.source])}</dd>
        <dt>{t('statusPageReceived')}</dt>
        <dd>{policy.loadedAt === null ? never : formatDateTime(policy.loadedAt)}</dd>
        <dt>{t('statusPageChecked')}</dt>
        <dd>{policy.checkedAt == null ? never : formatDateTime(policy.checkedAt)}</dd>
        <dt>{t('statusPageRole')}</dt>
        <dd>{role}</dd>
        <dt>{t('statusPageClasses')}</dt>
        <dd>{settings.classes && settings.classes.length > 0 ? settings.classes.join(', ') : t('statusPageNone')}</dd>
        <dt>{t('statusPageTimeZone')}</dt>
        <dd>{status.timetable.timeZone}</dd>
      </dl>
    </section>
  );
}
