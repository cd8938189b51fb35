/** Today's timetable, in the policy's time zone, with the period in force marked; and the next period. */
import type { Status } from '../../core/protocol';
import type { PeriodOccurrence } from '../../core/rules/schedule';
import { formatTime, t } from '../shared/text';
import { formatDateTime } from './format';

function titleOf(occurrence: PeriodOccurrence, status: Status): string {
  return occurrence.period.title ?? status.presets.it.find((preset) => preset.id === occurrence.period.preset)?.title ?? occurrence.period.preset;
}

export function TimetableSection({ status }: { status: Status }) {
  const { today, next, timeZone } = status.timetable;
  return (
    <section class="panel" aria-labelledby="timetable-title">
      <h2 id="timetable-title">{t('statusPageTimetable')}</h2>
      {today.length === 0 ? (
        <p class="hint">{t('statusPageNoPeriodsToday')}</p>
      ) : (
        <table class="timetable">
          <caption class="visually-hidden">{t('statusPageTimetableCaption', timeZone)}</caption>
          <thead>
            <tr>
              <th scope="col">{t('statusPageTime')}</th>
              <th scope="col">{t('statusPageLesson')}</th>
              <th scope="col">{t('statusPagePreset')}</th>
            </tr>
          </thead>
          <tbody>
            {today.map((occurrence) => {
              const current = occurrence.startsAt <= status.now && status.now < occurrence.endsAt;
              return (
                <tr key={`${occurrence.index}-${occurrence.startsAt}`} class={current ? 'current' : undefined} aria-current={current ? 'time' : undefined}>
                  <td>
                    {formatTime(occurrence.startsAt, timeZone)}–{formatTime(occurrence.endsAt, timeZone)}
                  </td>
                  <td>
                    {titleOf(occurrence, status)}
                    {current && <strong class="now-marker"> ({t('statusPageNow')})</strong>}
                  </td>
                  <td>
                    <code>{occurrence.period.preset}</code>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <dl class="facts">
        <dt>{t('statusPageNextPeriod')}</dt>
        <dd>{next ? `${titleOf(next, status)} · ${formatDateTime(next.startsAt, timeZone)}` : t('statusPageNone')}</dd>
      </dl>
    </section>
  );
}
