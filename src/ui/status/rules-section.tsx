/**
 * What is in force now: the lesson (with where it comes from), IT's lists
 * with their full counts (the Status carries only the first entries of a
 * long list), and when the rules next change.
 */
import type { ActiveLesson } from '../../core/rules/resolve';
import type { Status } from '../../core/protocol';
import { formatTime, t } from '../shared/text';
import { formatCount, formatDateTime } from './format';
import { CategoriesList, LessonCategories } from './categories-list';

/** Who set the lesson, worded to follow the label "Set by". */
function originText(lesson: ActiveLesson): string {
  switch (lesson.origin) {
    case 'teacher':
      return t('statusPageOriginTeacher');
    case 'class':
      return lesson.classId ? t('statusPageOriginClass', lesson.classId) : t('statusPageOriginClassAny');
    case 'timetable':
      return t('statusPageOriginTimetable');
    case 'outside':
      return t('statusPageOriginOutside');
  }
}

function Sites({ sites, empty }: { sites: readonly string[]; empty: string }) {
  if (sites.length === 0) return <p class="hint">{empty}</p>;
  return (
    <ul class="site-list">
      {sites.map((site) => (
        <li key={site}>{site}</li>
      ))}
    </ul>
  );
}

/** One of IT's lists, folded: the summary says how many entries it has. */
function ItList({ id, labelKey, shown, count }: { id: string; labelKey: string; shown: readonly string[]; count: number }) {
  return (
    <details class="it-list" id={id}>
      <summary>{t(labelKey, formatCount(count))}</summary>
      {shown.length < count && <p class="hint">{t('statusPageListPreview', [formatCount(shown.length), formatCount(count)])}</p>}
      <Sites sites={shown} empty={t('statusPageNone')} />
    </details>
  );
}

function Lesson({ lesson, now, status }: { lesson: ActiveLesson; now: number; status: Status }) {
  return (
    <div class="lesson-now">
      <p class="lesson-title">
        <strong>{lesson.title}</strong>
      </p>
      <dl class="facts">
        <dt>{t('statusPageOrigin')}</dt>
        <dd>{originText(lesson)}</dd>
        <dt>{t('statusPageMode')}</dt>
        <dd>{t(lesson.mode === 'allowlist' ? 'modeAllowlist' : 'modeBlocklist')}</dd>
        <dt>{t('statusPageEnds')}</dt>
        <dd>{lesson.endsAt === null ? t('statusPageNoEnd') : lesson.endsAt - now < 24 * 3600_000 ? formatTime(lesson.endsAt) : formatDateTime(lesson.endsAt)}</dd>
      </dl>
      <h3>{t('statusPageSites')}</h3>
      <Sites sites={lesson.sites} empty={t(lesson.mode === 'allowlist' ? 'statusOnlySchoolSites' : 'statusNothingBlocked')} />
      <LessonCategories ids={lesson.categories} status={status} />
      {lesson.embeds.length > 0 && (
        <>
          <h3>{t('statusPageLessonEmbeds')}</h3>
          <Sites sites={lesson.embeds} empty="" />
        </>
      )}
    </div>
  );
}

export function RulesSection({ status }: { status: Status }) {
  const { active, it, pause } = status;
  const letThrough = status.exceptions.filter((exception) => exception.until > status.now).length;
  return (
    <section class="panel" aria-labelledby="rules-title">
      <h2 id="rules-title">{t('statusPageInForce')}</h2>
      {active ? <Lesson lesson={active} now={status.now} status={status} /> : <p class="lesson-title">{t('statusNoLesson')}</p>}
      {pause && pause.until > status.now && <p>{t('statusPagePaused', formatTime(pause.until))}</p>}
      {letThrough > 0 && <p>{t('statusPageLetThrough', formatCount(letThrough))}</p>}
      <h3>{t('statusPageItLists')}</h3>
      <ItList id="it-blocked" labelKey="statusPageItBlocked" shown={it.blocked} count={it.blockedCount} />
      <ItList id="it-allowed" labelKey="statusPageItAllowed" shown={it.allowed} count={it.allowedCount} />
      <ItList id="it-embeds" labelKey="statusPageItEmbeds" shown={it.embeds} count={it.embedsCount ?? it.embeds.length} />
      <CategoriesList status={status} />
      <dl class="facts">
        <dt>{t('statusPageNextChange')}</dt>
        <dd>{status.nextChange === null ? t('statusPageNothingScheduled') : formatDateTime(status.nextChange)}</dd>
      </dl>
    </section>
  );
}
