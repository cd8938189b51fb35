/**
 * resolve(): from every input (IT's policy, the teacher's lesson on this
 * device, the class feed, temporary exceptions) and the time, the effective
 * rules now and the instant they next change. Pure: the caller passes `now`.
 */
import type { Policy } from '../policy/policy';
import type { Lesson, LessonMode, Preset, TemporaryAllow } from '../schemas';
import { effectiveTabLimit } from './tabs';
import { categoryCatalog, lessonCategories } from './categories/catalog';
import { activePeriod, nextPeriod, nextScheduleChange, type PeriodOccurrence } from './schedule';

/** Where the lesson in force comes from. */
type LessonOrigin = 'teacher' | 'class' | 'timetable' | 'outside';

/** The rules in force, as pattern strings (serialisable; prepare() and compile() parse them). */
export interface EffectiveRules {
  readonly itAllowed: readonly string[];
  readonly itBlocked: readonly string[];
  readonly itEmbeds: readonly string[];
  readonly exceptions: readonly string[];
  readonly lesson: null | {
    readonly mode: LessonMode;
    readonly sites: readonly string[];
    readonly embeds: readonly string[];
    /** The categories the lesson blocks, with their sites as IT's policy leaves them; absent: none. */
    readonly categories?: readonly BlockedCategory[];
  };
  readonly paused: boolean;
  /**
   * A test is on (the lesson in force is one): the tab limit at its
   * strictest, no new windows, nobody let through, and AI off.
   */
  readonly test: boolean;
  /** The most tabs open while the lesson is in force (core/rules/tabs.ts, effectiveTabLimit); null: no limit. */
  readonly tabLimit: number | null;
}

/** A category a lesson blocks, with its sites. */
export interface BlockedCategory {
  readonly id: string;
  readonly sites: readonly string[];
  /** IT set it above its allowed sites: it blocks them as IT's blocked list would. */
  readonly aboveAllowed?: boolean;
}

/** The lesson in force, as the popup and the blocked page describe it. */
export interface ActiveLesson {
  readonly origin: LessonOrigin;
  /** Lesson id, preset id (timetable, outside lessons). */
  readonly id: string;
  readonly title: string;
  readonly mode: LessonMode;
  readonly sites: readonly string[];
  readonly embeds: readonly string[];
  readonly startsAt: number | null;
  /** null only for the outside-lessons preset, which has no end. */
  readonly endsAt: number | null;
  /** The class it was published for (class feed only). */
  readonly classId?: string;
  readonly startPage?: string;
  /** The lesson's own tab limit (in a test the limit in force is stricter: EffectiveRules.tabLimit). */
  readonly tabLimit?: number;
  /** A test: see EffectiveRules.test. */
  readonly test?: boolean;
  /** The ids of the categories it blocks (lessonCategories()); absent: none. */
  readonly categories?: readonly string[];
}

/** A class-wide pause ("eyes on me") from the class feed. */
export interface Pause {
  readonly message: string;
  readonly startsAt: number;
  readonly until: number;
  readonly classId?: string;
}

/** A lesson received from a class feed, already verified. */
export interface ClassLesson {
  readonly classId: string;
  readonly lesson: Lesson;
}

export interface ResolveInputs {
  readonly policy: Policy;
  /** The lesson a teacher set on this device, if any (may be over or not yet begun). */
  readonly teacherLesson: Lesson | null;
  /** Verified lessons from the class feeds this device follows. */
  readonly classLessons: readonly ClassLesson[];
  readonly pauses: readonly Pause[];
  readonly exceptions: readonly TemporaryAllow[];
}

export interface Resolution {
  readonly rules: EffectiveRules;
  readonly active: ActiveLesson | null;
  readonly pause: Pause | null;
  readonly exceptions: readonly TemporaryAllow[];
  /** The first instant after `now` at which resolve() may give another answer; null when nothing is scheduled. */
  readonly nextChange: number | null;
  /** The next timetable period, for "next: 2B maths at 10:15". */
  readonly nextPeriod: PeriodOccurrence | null;
}

function isCurrent(window: { startsAt: number; endsAt: number }, now: number): boolean {
  return window.startsAt <= now && now < window.endsAt;
}

function fromLesson(lesson: Lesson, origin: LessonOrigin, classId?: string): ActiveLesson {
  return {
    origin,
    id: lesson.id,
    title: lesson.title,
    mode: lesson.mode,
    sites: lesson.sites,
    embeds: lesson.embeds,
    startsAt: lesson.startsAt,
    endsAt: lesson.endsAt,
    ...(classId !== undefined ? { classId } : {}),
    ...(lesson.startPage !== undefined ? { startPage: lesson.startPage } : {}),
    ...restrictionsOf(lesson),
    ...withCategories(lesson),
  };
}

/** A lesson's or preset's tab limit and test flag, when it has them. */
function restrictionsOf(from: Pick<Lesson, 'tabLimit' | 'test'>): Pick<ActiveLesson, 'tabLimit' | 'test'> {
  return { ...(from.tabLimit !== undefined ? { tabLimit: from.tabLimit } : {}), ...(from.test === true ? { test: true } : {}) };
}

/** `categories` of an active lesson, present only when it blocks any. */
function withCategories(lesson: { readonly categories?: readonly string[]; readonly test?: boolean }): { categories?: readonly string[] } {
  const categories = lessonCategories(lesson);
  return categories.length > 0 ? { categories } : {};
}

function fromPreset(preset: Preset, origin: LessonOrigin, startsAt: number | null, endsAt: number | null, title?: string): ActiveLesson {
  return { origin, id: preset.id, title: title ?? preset.title, mode: preset.mode, sites: preset.sites, embeds: preset.embeds, startsAt, endsAt, ...restrictionsOf(preset), ...withCategories(preset) };
}

/**
 * The categories the lesson blocks, with their sites from IT's catalog. An id
 * the catalog does not know (a class lesson from a device with another
 * policy, or a category IT has since removed) blocks nothing: there is no
 * list to block; the teacher's device refuses such an id when the lesson is set.
 */
function blockedCategories(active: ActiveLesson, policy: Policy): { categories?: readonly BlockedCategory[] } {
  const ids = active.categories ?? [];
  if (ids.length === 0) return {};
  const catalog = categoryCatalog(policy.categories);
  const categories = ids.flatMap((id) => {
    const category = catalog.get(id);
    return category ? [{ id, sites: category.sites, ...(category.aboveAllowed ? { aboveAllowed: true } : {}) }] : [];
  });
  return categories.length > 0 ? { categories } : {};
}

/** Collects the earliest future instant among candidates. */
class Earliest {
  value: number | null = null;
  constructor(private readonly now: number) {}
  add(instant: number | null | undefined): void {
    if (instant === null || instant === undefined || instant <= this.now) return;
    if (this.value === null || instant < this.value) this.value = instant;
  }
}

/**
 * The effective rules at `now`. The lesson in force is, in order:
 *
 * - on a student device (role "student"): the newest lesson from a class
 *   feed, then the lesson a teacher set on this device — whoever sits at a
 *   student's device must not be able to replace the class's lesson;
 * - on a teacher device: the lesson set on this device, then a class
 *   lesson (teacher devices follow no feed, so in practice there is none);
 *
 * then the timetable period, then IT's outside-lessons preset. A lesson
 * holds from its start (inclusive) to its end (exclusive) and never beyond,
 * whether or not anyone was there to end it.
 */
export function resolve(inputs: ResolveInputs, now: number): Resolution {
  const { policy } = inputs;
  const next = new Earliest(now);
  const timetable = { schedule: policy.schedule, timeZone: policy.timeZone, noLessonDates: policy.noLessonDates };
  const presets = new Map(policy.presets.map((preset) => [preset.id, preset]));

  let onDevice: ActiveLesson | null = null;
  const teacher = inputs.teacherLesson;
  if (teacher) {
    next.add(teacher.startsAt);
    next.add(teacher.endsAt);
    if (isCurrent(teacher, now)) onDevice = fromLesson(teacher, 'teacher');
  }

  let ofClass: ActiveLesson | null = null;
  const classLessons = [...inputs.classLessons].sort((a, b) => b.lesson.startsAt - a.lesson.startsAt);
  for (const { classId, lesson } of classLessons) {
    next.add(lesson.startsAt);
    next.add(lesson.endsAt);
    if (ofClass === null && isCurrent(lesson, now)) ofClass = fromLesson(lesson, 'class', classId);
  }

  let active: ActiveLesson | null = policy.role === 'student' ? (ofClass ?? onDevice) : (onDevice ?? ofClass);

  next.add(nextScheduleChange(timetable, now));
  if (active === null) {
    const period = activePeriod(timetable, now);
    const preset = period ? presets.get(period.period.preset) : undefined;
    if (period && preset) active = fromPreset(preset, 'timetable', period.startsAt, period.endsAt, period.period.title);
  }
  if (active === null && policy.outsideLessons !== undefined) {
    const preset = presets.get(policy.outsideLessons);
    if (preset) active = fromPreset(preset, 'outside', null, null);
  }

  let pause: Pause | null = null;
  for (const candidate of inputs.pauses) {
    next.add(candidate.startsAt);
    next.add(candidate.until);
    if (isCurrent({ startsAt: candidate.startsAt, endsAt: candidate.until }, now) && (pause === null || candidate.startsAt > pause.startsAt)) pause = candidate;
  }

  const exceptions = inputs.exceptions.filter((exception) => exception.until > now);
  for (const exception of exceptions) next.add(exception.until);

  const rules: EffectiveRules = {
    itAllowed: policy.allowed,
    itBlocked: policy.blocked,
    itEmbeds: policy.embeds,
    exceptions: exceptions.map((exception) => exception.site),
    lesson: active ? { mode: active.mode, sites: active.sites, embeds: active.embeds, ...blockedCategories(active, policy) } : null,
    paused: pause !== null,
    test: active?.test === true,
    tabLimit: effectiveTabLimit(active),
  };
  return { rules, active, pause, exceptions, nextChange: next.value, nextPeriod: nextPeriod(timetable, now) };
}
