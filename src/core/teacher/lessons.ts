/**
 * What a teacher can do to the lesson on this device, as pure functions of
 * the stored state, IT's limits and the time. The background calls these and
 * stores the result; the UI only proposes. IT's limits (`maxLessonMinutes`,
 * `allowBlocklistLessons`) are enforced here, so a message typed into a
 * console cannot get around them either.
 */
import { startProblem } from '../feed/plan';
import { categoryCatalog, unknownCategory, type CategoryInfo } from '../rules/categories/catalog';
import { patternForUrl } from '../rules/patterns';
import type { ActiveLesson } from '../rules/resolve';
import { lessonSitesProblem, type Lesson, type LessonMode, type TemporaryAllow } from '../schemas';

const MINUTE = 60_000;

/** The part of IT's policy that limits what a teacher may set. */
export interface LessonLimits {
  readonly maxLessonMinutes: number;
  readonly allowBlocklistLessons: boolean;
  /** The categories in force (IT's catalog); absent: only the shipped ones are known. */
  readonly categories?: ReadonlyMap<string, CategoryInfo>;
}

export type LessonProblem = 'too-long' | 'mode-not-allowed' | 'invalid' | 'no-lesson' | 'start-past' | 'start-too-far' | 'unknown-category';

export type LessonResult =
  | { readonly ok: true; readonly lesson: Lesson }
  | { readonly ok: false; readonly problem: LessonProblem; readonly message: string; readonly params?: readonly string[] };

/** A lesson as the teacher asks for it (the protocol's validated draft). */
export interface LessonRequest {
  readonly title: string;
  readonly mode: LessonMode;
  readonly sites: readonly string[];
  readonly embeds?: readonly string[];
  readonly minutes?: number;
  readonly endsAt?: number;
  /** A lesson published to a class: the page every student browser opens once (validated by the protocol). */
  readonly startPage?: string;
  /** A lesson that starts later: its start (ahead of now, at most 7 days); `minutes` then count from it. */
  readonly startsAt?: number;
  readonly tabLimit?: number;
  readonly test?: boolean;
  /** Ids of the categories the lesson blocks. */
  readonly categories?: readonly string[];
}

function refuse(problem: LessonProblem, message: string, params?: readonly string[]): LessonResult {
  return { ok: false, problem, message, ...(params ? { params } : {}) };
}

/** Refuses a category the device does not know, by name; null when all are known. */
function checkCategories(ids: readonly string[] | undefined, limits: Pick<LessonLimits, 'categories'> = {}): LessonResult | null {
  const unknown = unknownCategory(ids ?? [], limits.categories ?? categoryCatalog());
  return unknown === null ? null : refuse('unknown-category', `there is no site category "${unknown}" on this device`, [unknown]);
}

/** `categories` for a stored lesson: each id once, and none when there are none. */
function withCategories(ids: readonly string[] | undefined): { categories?: string[] } {
  const unique = [...new Set(ids ?? [])];
  return unique.length > 0 ? { categories: unique } : {};
}

/** Checks an end time against the limits: after now, and not further away than IT allows. */
function checkEnd(endsAt: number, limits: LessonLimits, now: number, grace = 0): LessonResult | null {
  if (endsAt <= now) return refuse('invalid', 'that end time has already passed');
  if (endsAt - now > limits.maxLessonMinutes * MINUTE + grace) {
    return refuse('too-long', `a lesson may last at most ${limits.maxLessonMinutes} minutes on this device (set by your school)`);
  }
  return null;
}

/** A new lesson starting at `now`, with the given id. */
export function lessonFromRequest(request: LessonRequest, limits: LessonLimits, now: number, id: string): LessonResult {
  if (request.mode === 'blocklist' && !limits.allowBlocklistLessons) {
    return refuse('mode-not-allowed', 'your school does not allow lessons that only block sites; choose the sites that are allowed instead');
  }
  const everything = lessonSitesProblem(request.mode, request.sites);
  if (everything !== null) return refuse('invalid', everything.message);
  const categories = checkCategories(request.categories, limits);
  if (categories) return categories;
  if (request.startsAt !== undefined) {
    const late = startProblem(request.startsAt, now);
    if (late !== null) return refuse(late.code as LessonProblem, late.message);
  }
  const startsAt = request.startsAt ?? now;
  const endsAt = request.endsAt ?? (request.minutes !== undefined ? startsAt + request.minutes * MINUTE : null);
  if (endsAt === null) return refuse('invalid', 'give the lesson a length or an end time');
  // A minute of grace for an end time: the popup turns "until 11:15" into an instant on its own clock.
  const problem = checkEnd(endsAt, limits, startsAt, request.endsAt !== undefined ? MINUTE : 0);
  if (problem) return problem;
  return {
    ok: true,
    lesson: {
      id,
      title: request.title.trim(),
      mode: request.mode,
      sites: unique(request.sites),
      embeds: unique(request.embeds ?? []),
      startsAt,
      endsAt,
      ...(request.startPage !== undefined && request.startPage.trim() !== '' ? { startPage: request.startPage.trim() } : {}),
      ...(request.tabLimit !== undefined ? { tabLimit: request.tabLimit } : {}),
      ...(request.test === true ? { test: true } : {}),
      ...withCategories(request.categories),
    },
  };
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items.map((item) => item.trim()).filter((item) => item !== ''))];
}

/**
 * The lesson a teacher's change applies to: the lesson they set on this
 * device while it runs, or else the timetable's or the class's lesson in
 * force, copied into a teacher lesson (so "+5" at the end of a timetable
 * period keeps its sites for five more minutes). Null when nothing with an
 * end is in force.
 */
export function lessonToChange(stored: Lesson | null, active: ActiveLesson | null, now: number, id: string): Lesson | null {
  if (stored && stored.startsAt <= now && now < stored.endsAt) return stored;
  if (!active || active.endsAt === null || active.endsAt <= now) return null;
  return {
    id,
    title: active.title,
    mode: active.mode,
    sites: [...active.sites],
    embeds: [...active.embeds],
    startsAt: now,
    endsAt: active.endsAt,
    ...(active.tabLimit !== undefined ? { tabLimit: active.tabLimit } : {}),
    ...(active.test ? { test: true } : {}),
    ...withCategories(active.categories),
  };
}

/** The lesson `minutes` longer. */
export function extendLesson(lesson: Lesson, minutes: number, limits: LessonLimits, now: number): LessonResult {
  if (!Number.isInteger(minutes) || minutes < 1) return refuse('invalid', 'extend by at least one minute');
  const endsAt = Math.max(lesson.endsAt, now) + minutes * MINUTE;
  const problem = checkEnd(endsAt, limits, now);
  if (problem) return problem;
  return { ok: true, lesson: { ...lesson, endsAt } };
}

interface LessonChange {
  readonly sites: readonly string[];
  readonly embeds?: readonly string[];
  readonly title?: string;
  /** The categories it blocks from now on; absent: unchanged. */
  readonly categories?: readonly string[];
}

/** The lesson with other sites (and perhaps another title or other categories), changed while it runs. */
export function changeLesson(lesson: Lesson, change: LessonChange, limits?: Pick<LessonLimits, 'categories'>): LessonResult {
  const everything = lessonSitesProblem(lesson.mode, change.sites);
  if (everything !== null) return refuse('invalid', everything.message);
  const categories = checkCategories(change.categories, limits);
  if (categories) return categories;
  const { categories: _previous, ...rest } = lesson;
  return {
    ok: true,
    lesson: {
      ...(change.categories !== undefined ? { ...rest, ...withCategories(change.categories) } : lesson),
      sites: unique(change.sites),
      ...(change.embeds !== undefined ? { embeds: unique(change.embeds) } : {}),
      ...(change.title !== undefined && change.title.trim() !== '' ? { title: change.title.trim() } : {}),
    },
  };
}

// ---------------------------------------------------------------------------
// Letting one student through

/** The exception that lets the site of `url` through: its host (and subdomains), any path. Null for non-web addresses. */
export function exceptionSiteFor(url: string): string | null {
  return patternForUrl(url);
}

/** The most exceptions kept at once (the stored list's limit). */
export const MAX_EXCEPTIONS = 200;

/**
 * The exceptions with `site` allowed until `until`: expired ones are dropped,
 * and an existing entry for the same site is replaced, never duplicated.
 */
export function withException(exceptions: readonly TemporaryAllow[], site: string, until: number, now: number): TemporaryAllow[] {
  const kept = exceptions.filter((exception) => exception.until > now && exception.site !== site);
  const next = [...kept, { site, until }];
  return next.slice(Math.max(0, next.length - MAX_EXCEPTIONS));
}
