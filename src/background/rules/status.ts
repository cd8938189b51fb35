/** Builds the status every UI page shows, from the current flow result. */
import { feedStatus, type FeedBook, type FeedExtras } from '../../core/feed/status';
import type { Status } from '../../core/protocol';
import { periodsOnDay } from '../../core/rules/schedule';
import { categoryCatalog } from '../../core/rules/categories/catalog';
import { extensionVersion } from '../../platform/runtime';
import type { Current } from './flow';
import type { TeacherInfo } from '../teacher/auth';

/** How many IT entries the status carries; a 50,000-entry list is summarised, not copied. */
const LIST_PREVIEW = 200;

/**
 * `teacher` is the PIN state (see teacher/auth.ts); `feed` what is stored
 * about the class feed (feed/book.ts), with notes about parts that were
 * corrupt.
 */
export function buildStatus(current: Current, now: number, teacher: TeacherInfo, feed: { readonly book: FeedBook; readonly notes: readonly string[]; readonly extras?: FeedExtras }): Status {
  const { resolution, inputs } = current;
  const policy = inputs.resolve.policy;
  const timetable = { schedule: policy.schedule, timeZone: policy.timeZone, noLessonDates: policy.noLessonDates };
  return {
    now,
    version: extensionVersion(),
    active: resolution.active,
    pause: resolution.pause,
    exceptions: resolution.exceptions,
    nextChange: resolution.nextChange,
    timetable: { timeZone: policy.timeZone, next: resolution.nextPeriod, today: periodsOnDay(timetable, now) },
    it: {
      allowed: policy.allowed.slice(0, LIST_PREVIEW),
      blocked: policy.blocked.slice(0, LIST_PREVIEW),
      embeds: policy.embeds.slice(0, LIST_PREVIEW),
      allowedCount: policy.allowed.length,
      blockedCount: policy.blocked.length,
      embedsCount: policy.embeds.length,
    },
    policy: {
      source: inputs.policySource,
      loadedAt: inputs.policyReceivedAt,
      errors: inputs.policyStatus?.errors ?? [],
      checkedAt: inputs.policyStatus?.checkedAt ?? null,
      readError: inputs.policyStatus?.readError ?? null,
    },
    settings: {
      allowBlocklistLessons: policy.allowBlocklistLessons,
      maxLessonMinutes: policy.maxLessonMinutes,
      showBlockedAddress: policy.showBlockedAddress,
      role: policy.role,
      classes: policy.classes,
      ...(policy.schoolType !== undefined ? { schoolType: policy.schoolType } : {}),
    },
    presets: { it: policy.presets, local: inputs.localPresets },
    categories: [...categoryCatalog(policy.categories).values()].map(({ id, title, origin, sites, aboveAllowed }) => ({ id, title, origin, count: sites.length, ...(aboveAllowed ? { aboveAllowed } : {}) })),
    teacher,
    rules: { count: current.ruleCount, appliedAt: current.appliedAt, error: current.ruleError },
    notes: [...inputs.notes, ...feed.notes],
    feed: feedStatus(policy, feed.book, { ...feed.extras, now }),
  };
}
