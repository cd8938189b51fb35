/** Builds the status every UI page shows, from the current flow result. */
import { feedStatus } from '../../core/feed/status';
import type { Status } from '../../core/protocol';
import { periodsOnDay } from '../../core/rules/schedule';
import { extensionVersion } from '../../platform/runtime';
import { feedBookSnapshot } from '../feed/book';
import type { Current } from './flow';
import type { TeacherInfo } from '../teacher/auth';

/** How many IT entries the status carries; a 50,000-entry list is summarised, not copied. */
const LIST_PREVIEW = 200;

/** `teacher` comes from the PIN state (see teacher/auth.ts); without it the status says what IT's policy alone tells. */
export function buildStatus(current: Current, now: number, teacher?: TeacherInfo): Status {
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
    },
    presets: { it: policy.presets, local: inputs.localPresets },
    teacher: teacher ?? { pinSet: policy.teacherPin !== undefined, pinFromPolicy: policy.teacherPin !== undefined, lockedUntil: null },
    rules: { count: current.ruleCount, appliedAt: current.appliedAt, error: current.ruleError },
    notes: inputs.notes,
    feed: feedStatus(policy, feedBookSnapshot(inputs.feed)),
  };
}
