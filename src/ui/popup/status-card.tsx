/**
 * What is in force now, for everyone who opens the popup: the lesson, its
 * kind, until when (with a countdown in minutes, seconds in the last one),
 * its sites as links that open in a new tab, sites let through for a while,
 * and the next timetable period. Nothing here can be changed. Above the
 * teacher's panel it is compact: the sites fold away, so the running
 * lesson's controls come right after its title.
 */
import type { ActiveLesson } from '../../core/rules/resolve';
import type { Status } from '../../core/protocol';
import { formatTime, formatTimeLeft, plural, siteLink, t } from '../shared/text';
import { TabLimitNote, TestBanner } from './lesson-restrictions';
import { categoryList } from '../shared/categories';

const ORIGIN_KEYS: Record<ActiveLesson['origin'], string> = {
  teacher: 'originTeacher',
  class: 'originClass',
  timetable: 'originTimetable',
  outside: 'originOutside',
};

/** How many sites are listed before "and N more". */
const SITES_SHOWN = 12;

export function StatusCard({ status, now, compact = false }: { status: Status; now: number; compact?: boolean }) {
  const lesson = status.active;
  const pause = status.pause;
  const exceptions = status.exceptions.filter((exception) => exception.until > now);
  const next = status.timetable.next;
  return (
    <section class="status-card" aria-labelledby="status-title">
      <TestBanner lesson={lesson} />
      {lesson && <p class="origin">{t(ORIGIN_KEYS[lesson.origin])}</p>}
      <h1 id="status-title" tabIndex={-1}>
        {lesson ? lesson.title : t('statusNoLesson')}
      </h1>
      {pause && pause.until > now && (
        <p class="pause-note">
          <strong>{t('statusPaused', formatTime(pause.until))}</strong> {pause.message}
        </p>
      )}
      {lesson?.endsAt != null && (
        <p class="until">
          {t('statusUntil', formatTime(lesson.endsAt))} · <span class="countdown">{formatTimeLeft(lesson.endsAt - now)}</span>
        </p>
      )}
      {lesson && (
        <>
          <p class="mode">{t(lesson.mode === 'allowlist' ? 'modeAllowlist' : 'modeBlocklist')}</p>
          <TabLimitNote lesson={lesson} />
          {lesson.categories && lesson.categories.length > 0 && <p class="categories">{t('statusCategoriesOff', categoryList(lesson.categories, status))}</p>}
          {compact && lesson.sites.length > 0 ? (
            <details class="lesson-sites">
              <summary>{plural('showSites', lesson.sites.length)}</summary>
              <SiteList sites={lesson.sites} empty="" />
            </details>
          ) : (
            <SiteList sites={lesson.sites} empty={t(lesson.mode === 'allowlist' ? 'statusOnlySchoolSites' : 'statusNothingBlocked')} />
          )}
        </>
      )}
      {exceptions.length > 0 && (
        <div class="exceptions">
          <p>{t('statusLetThrough')}</p>
          <ul class="site-list">
            {exceptions.map((exception) => (
              <li key={exception.site}>{t('statusLetThroughUntil', [exception.site, formatTime(exception.until)])}</li>
            ))}
          </ul>
        </div>
      )}
      {next && (
        <p class="next">{t('statusNext', [next.period.title ?? status.presets.it.find((preset) => preset.id === next.period.preset)?.title ?? next.period.preset, formatTime(next.startsAt, status.timetable.timeZone)])}</p>
      )}
    </section>
  );
}

function SiteList({ sites, empty }: { sites: readonly string[]; empty: string }) {
  if (sites.length === 0) return <p class="hint">{empty}</p>;
  const shown = sites.slice(0, SITES_SHOWN);
  return (
    <ul class="site-list">
      {shown.map((site) => {
        const href = siteLink(site);
        return (
          <li key={site}>
            {href ? (
              <a href={href} target="_blank" rel="noopener noreferrer">
                {site}
              </a>
            ) : (
              site
            )}
          </li>
        );
      })}
      {sites.length > shown.length && <li class="more">{t('statusMoreSites', String(sites.length - shown.length))}</li>}
    </ul>
  );
}

/** The same layout with nothing in it yet, rendered at once so the popup never opens empty. */
export function StatusSkeleton() {
  return (
    <section class="status-card skeleton" aria-busy="true" aria-labelledby="status-title">
      <p class="origin" aria-hidden="true">
        <span class="bone short" />
      </p>
      <h1 id="status-title">
        <span class="visually-hidden">{t('loading')}</span>
        <span class="bone" aria-hidden="true" />
      </h1>
      <p class="until">
        <span class="bone" aria-hidden="true" />
      </p>
      <ul class="site-list" aria-hidden="true">
        <li>
          <span class="bone" />
        </li>
        <li>
          <span class="bone short" />
        </li>
      </ul>
    </section>
  );
}
