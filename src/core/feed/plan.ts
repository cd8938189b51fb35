/**
 * A class's plan, as pure functions: the lesson running now, the lessons
 * that start later, and a link sent to the class. One document per class
 * holds all of it (document.ts: `lesson`, `scheduled`, `link`), so that a
 * lesson scheduled for 10:30 does not wipe the one running at 10:00.
 *
 * The rule that makes "which lesson is in force at t" unambiguous: a lesson
 * that starts ends the one before it. The lessons, in order of their start,
 * each hold from their own start until their own end or the next one's
 * start, whichever comes first. A teacher who says "Start at 10:30" means
 * that from 10:30 this is the lesson; cancelling it before then gives the
 * running lesson its own end back.
 *
 * Both sides use these: the teacher's browser to compose the next document
 * and to show what is planned, the student's to put the lessons into the
 * rules (follow.ts, classInputs). Time is an argument.
 */
import { z } from 'zod';
import { decide, prepare } from '../rules/decide';
import { patternForUrl } from '../rules/patterns';
import type { Lesson } from '../schemas';
import { CLOCK_SKEW_MS, MAX_SCHEDULED, MAX_START_AHEAD_MS, type ClassLink } from './document';

/** How many links opened are remembered per device (a link is never opened again while it is among them). */
const LINKS_REMEMBERED = 50;

/**
 * The lessons in order of their start, each ending no later than the next
 * one starts; a lesson that never gets a moment of its own (another starts
 * at the same instant, later in the list) is left out. `lesson` comes
 * before `scheduled`, so on a tie the scheduled one wins.
 */
export function classTimeline(lesson: Lesson | null, scheduled: readonly Lesson[] = []): Lesson[] {
  const all = [...(lesson === null ? [] : [lesson]), ...scheduled].sort((a, b) => a.startsAt - b.startsAt);
  const out: Lesson[] = [];
  for (const [index, entry] of all.entries()) {
    const next = all[index + 1];
    const endsAt = next === undefined ? entry.endsAt : Math.min(entry.endsAt, next.startsAt);
    if (endsAt > entry.startsAt) out.push(endsAt === entry.endsAt ? entry : { ...entry, endsAt });
  }
  return out;
}

/** The lesson of the timeline in force at `t` (its start inclusive, its end exclusive), or null. */
export function lessonAt(timeline: readonly Lesson[], t: number): Lesson | null {
  return timeline.find((lesson) => lesson.startsAt <= t && t < lesson.endsAt) ?? null;
}

export interface ClassPlan {
  /** The lesson running at `now` as it was published (its own end, not cut by a later start); null when none runs. */
  readonly lesson: Lesson | null;
  /** The lessons still to start, earliest first. */
  readonly scheduled: Lesson[];
}

/**
 * The plan as it stands at `now`: a scheduled lesson whose start has come
 * is the running lesson; lessons that have ended, or were ended by a later
 * start, are gone.
 */
export function planAt(lesson: Lesson | null, scheduled: readonly Lesson[] | undefined, now: number): ClassPlan {
  const running = lessonAt(classTimeline(lesson, scheduled), now);
  const original = running === null ? null : ([lesson, ...(scheduled ?? [])].find((entry) => entry?.id === running.id && entry.startsAt === running.startsAt) ?? null);
  const later = [...(lesson !== null && lesson.startsAt > now ? [lesson] : []), ...(scheduled ?? []).filter((entry) => entry.startsAt > now)].sort((a, b) => a.startsAt - b.startsAt);
  return { lesson: original, scheduled: later };
}

/** Why a scheduling request cannot be done; each code is worded in the teacher's language by the popup. */
export type PlanProblemCode = 'start-past' | 'start-too-far' | 'too-many-scheduled' | 'not-scheduled' | 'link-invalid' | 'link-blocked';

export interface PlanProblem {
  readonly code: PlanProblemCode;
  /** In English, for the diagnostics and the command line. */
  readonly message: string;
}

/**
 * Why a lesson cannot start at `startsAt`, or null when it can: the start
 * must lie ahead, and at most 7 days, which is what students accept. A
 * student whose clock is behind the teacher's by up to the skew students
 * allow must accept it too (it would refuse the whole document, the lesson
 * running now included), so the teacher's side keeps that margin.
 */
export function startProblem(startsAt: number, now: number): PlanProblem | null {
  if (startsAt <= now) return { code: 'start-past', message: 'that start time has already passed' };
  if (startsAt - now > MAX_START_AHEAD_MS - CLOCK_SKEW_MS) return { code: 'start-too-far', message: 'a lesson can start at most 7 days ahead' };
  return null;
}

export type PlanResult = { readonly ok: true; readonly scheduled: Lesson[] } | { readonly ok: false; readonly problem: PlanProblem };

/** The lessons waiting after `lesson` was added (those already started or over are not kept), or why it cannot wait. */
export function addScheduled(scheduled: readonly Lesson[] | undefined, lesson: Lesson, now: number): PlanResult {
  const problem = startProblem(lesson.startsAt, now);
  if (problem !== null) return { ok: false, problem };
  const waiting = (scheduled ?? []).filter((entry) => entry.startsAt > now && entry.id !== lesson.id);
  if (waiting.length >= MAX_SCHEDULED) return { ok: false, problem: { code: 'too-many-scheduled', message: `at most ${MAX_SCHEDULED} lessons can wait at once` } };
  return { ok: true, scheduled: [...waiting, lesson].sort((a, b) => a.startsAt - b.startsAt) };
}

/** The lessons waiting without lesson `id`, or 'not-scheduled' when it is not waiting (any more: it may have started). */
export function cancelScheduled(scheduled: readonly Lesson[] | undefined, id: string, now: number): PlanResult {
  const waiting = (scheduled ?? []).filter((entry) => entry.startsAt > now);
  if (!waiting.some((entry) => entry.id === id)) return { ok: false, problem: { code: 'not-scheduled', message: 'that lesson is not waiting to start (it may have started)' } };
  return { ok: true, scheduled: waiting.filter((entry) => entry.id !== id) };
}

/** IT's lists as the link check needs them. */
export interface ItLists {
  readonly allowed: readonly string[];
  readonly blocked: readonly string[];
  readonly embeds: readonly string[];
}

/**
 * Why `url` cannot be sent to a class during `lesson`, or null: a link must
 * be a web address that the lesson itself (with IT's lists) lets students
 * open, judged by the same decide() the student's browser uses, so a link
 * sent is a link that opens.
 */
export function linkProblem(url: string, lesson: Pick<Lesson, 'mode' | 'sites' | 'embeds'>, it: ItLists): PlanProblem | null {
  if (!/^https?:\/\//i.test(url) || patternForUrl(url) === null) return { code: 'link-invalid', message: 'a link is a web address starting with http:// or https://' };
  const rules = prepare({ itAllowed: it.allowed, itBlocked: it.blocked, itEmbeds: it.embeds, exceptions: [], lesson: { mode: lesson.mode, sites: lesson.sites, embeds: lesson.embeds }, paused: false, test: false, tabLimit: null });
  if (!decide(url, rules, 'page').allowed) return { code: 'link-blocked', message: `the lesson blocks ${url}: add its site to the lesson first` };
  return null;
}

/** The lesson in force on a student device, as far as a link cares. */
interface LessonWindow {
  readonly origin: string;
  readonly classId?: string;
  readonly startsAt: number | null;
  readonly endsAt: number | null;
}

/**
 * The link of class `classId` to open now, with the key to remember it by;
 * null when there is none, it was opened before on this device, the class's
 * lesson is not the one in force, the link was sent outside that lesson,
 * or the rules in force block its address (`allowed`).
 */
export function linkToOpen(
  classId: string,
  link: ClassLink | undefined,
  active: LessonWindow | null,
  opened: readonly string[],
  allowed: (url: string) => boolean,
): { readonly url: string; readonly key: string } | null {
  if (link === undefined || active === null || active.origin !== 'class' || active.classId !== classId) return null;
  if (active.startsAt === null || active.endsAt === null || link.sentAt < active.startsAt || link.sentAt >= active.endsAt) return null;
  const key = `${classId}/${link.id}`;
  if (opened.includes(key) || !allowed(link.url)) return null;
  return { url: link.url, key };
}

/** The remembered links after `key` was opened: the newest last, the oldest forgotten. */
export function rememberLink(opened: readonly string[], key: string): string[] {
  return [...opened.filter((entry) => entry !== key), key].slice(-LINKS_REMEMBERED);
}

/** storage.local `feedLinks`: the links opened on this device, "class/link id". */
export const StoredLinks = z.array(z.string()).max(LINKS_REMEMBERED);
