/**
 * The lessons waiting to start for a class (teacher devices with a class
 * feed), earliest first, each with Cancel: one click, and the students never
 * start it. A lesson whose start has come is the class's running lesson and
 * leaves this list.
 */
import type { Status } from '../../core/protocol';
import { formatTime, t } from '../shared/text';
import { publishedTo } from './class-choice';
import { formatWhen } from './start-later';
import type { TeacherRequest } from './teacher-actions';

interface ScheduledLessonsProps {
  readonly status: Status;
  readonly classId: string;
  readonly now: number;
  readonly busy: boolean;
  readonly send: (request: TeacherRequest, success: (next: Status) => string) => Promise<boolean>;
}

export function ScheduledLessons({ status, classId, now, busy, send }: ScheduledLessonsProps) {
  const waiting = (publishedTo(status, classId).scheduled ?? []).filter((lesson) => lesson.startsAt > now);
  if (waiting.length === 0) return null;
  return (
    <section class="scheduled" aria-labelledby="scheduled-title">
      <h2 id="scheduled-title">{t('scheduledTitle')}</h2>
      <ul class="scheduled-list">
        {waiting.map((lesson) => {
          const when = formatWhen(lesson.startsAt, now);
          return (
            <li key={lesson.id} class="scheduled-item">
              <span>{t('scheduledItem', [lesson.title, when, formatTime(lesson.endsAt)])}</span>
              <button
                type="button"
                disabled={busy}
                aria-label={t('scheduledCancelLabel', [lesson.title, when])}
                onClick={() => void send({ type: 'cancelScheduled', classId, lessonId: lesson.id }, () => t('noticeScheduleCancelled', [classId, lesson.title]))}
              >
                {t('scheduledCancel')}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
