/**
 * The one message protocol between the UI (popup, blocked page, status page)
 * and the background. Each request is a zod schema, validated where it enters
 * the background; each response type is named beside it, so a wrong payload
 * is a type error in the UI and a clear error at run time.
 *
 * Every request that changes state carries the teacher's unlock `token`; the
 * background checks it, so a message typed into a console changes nothing.
 */
import { z } from 'zod';
import type { Verdict } from './rules/decide';
import { MAX_PAUSE_MESSAGE, MAX_PAUSE_MS, type ClassLink, type ClassPause } from './feed/document';
import { CLASS_ID_RE } from './feed/format';
import type { FeedStatus } from './feed/status';
import type { ActiveLesson, Pause } from './rules/resolve';
import { CategoryRef, LessonMode, PresetSchema, SitePatternString, TabLimit, checkLessonSites, type Lesson, type Preset, type TemporaryAllow } from './schemas';
import type { PeriodOccurrence } from './rules/schedule';
import { MAX_LESSON_CATEGORIES, type CategoryOrigin } from './rules/categories/catalog';

const Token = z.string().min(16).max(200);
const Minutes = z.number().int().min(1).max(24 * 60);
/**
 * A class of IT's policy (teacher devices publish to it through the class
 * feed). The background also checks that the policy lists it.
 */
const ClassId = z.string().regex(CLASS_ID_RE, 'not a class id');
/** A lesson's start page: a web address, opened once on every student browser of the class. */
const StartPageSchema = z.url({ protocol: /^https?$/, error: 'a start page is a web address starting with http:// or https://' }).max(2048);

/** A lesson as the teacher sets it: the background fills in id, start and end. */
export const LessonDraftSchema = z
  .object({
    title: z.string().trim().min(1).max(120),
    mode: LessonMode,
    sites: z.array(SitePatternString).max(1000),
    embeds: z.array(SitePatternString).max(200).default([]),
    /** Length in minutes from now, or an end instant. */
    minutes: Minutes.optional(),
    endsAt: z.number().int().positive().optional(),
    presetId: z.string().optional(),
    /** Only for a lesson published to a class: opened once on every student browser when it takes hold. */
    startPage: StartPageSchema.optional(),
    /** A lesson that starts later (an instant ahead, at most 7 days; the background checks it): `minutes` count from it. */
    startsAt: z.number().int().positive().optional(),
    /** At most this many tabs open during the lesson (1–20); absent: no limit. */
    tabLimit: TabLimit.optional(),
    /** A test (core/rules/tabs.ts): the tab limit at its strictest, no new windows, nobody let through. */
    test: z.boolean().optional(),
    /** Ids of the site categories the lesson blocks; the background refuses one this device does not know ('unknown-category'). */
    categories: z.array(CategoryRef).max(MAX_LESSON_CATEGORIES).optional(),
  })
  .refine((draft) => (draft.minutes === undefined) !== (draft.endsAt === undefined), { message: 'give either minutes or endsAt', path: ['minutes'] })
  .superRefine(checkLessonSites);
export type LessonDraft = z.input<typeof LessonDraftSchema>;

export const RequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('getStatus') }),
  z.object({ type: z.literal('checkUrl'), url: z.string().max(8192), kind: z.enum(['page', 'frame']).default('page') }),
  z.object({ type: z.literal('unlock'), pin: z.string().min(1).max(200) }),
  z.object({ type: z.literal('lock'), token: Token }),
  /** First PIN on this device: no token or old PIN. Changing it: the token and the old PIN. */
  /** The new PIN's strength (at least 6 digits or 8 characters) is the background's check: it answers 'weak-pin'. */
  z.object({ type: z.literal('setPin'), token: Token.optional(), oldPin: z.string().max(200).optional(), newPin: z.string().min(1).max(200) }),
  /**
   * Without `classId` the lesson is set on this device. With it (teacher
   * devices) the lesson is published to that class's feed, and set on this
   * device as well only with `applyHere`.
   */
  z.object({ type: z.literal('startLesson'), token: Token, lesson: LessonDraftSchema, classId: ClassId.optional(), applyHere: z.boolean().default(false) }),
  /** With `classId`: the lesson published to that class (and its copy on this device, when it was applied here too). */
  z.object({ type: z.literal('extendLesson'), token: Token, minutes: Minutes, classId: ClassId.optional() }),
  z.object({
    type: z.literal('updateLesson'),
    token: Token,
    sites: z.array(SitePatternString).max(1000),
    embeds: z.array(SitePatternString).max(200).optional(),
    title: z.string().trim().min(1).max(120).optional(),
    classId: ClassId.optional(),
    /** The categories the running lesson blocks from now on; absent: unchanged. */
    categories: z.array(CategoryRef).max(MAX_LESSON_CATEGORIES).optional(),
  }),
  z.object({ type: z.literal('endLesson'), token: Token, classId: ClassId.optional() }),
  /** "Eyes on me": every page of every student browser of the class gives way to `message`, for `minutes` (never the teacher's own browser). */
  z.object({
    type: z.literal('pauseClass'),
    token: Token,
    classId: ClassId,
    message: z.string().trim().min(1, 'a pause needs a message').max(MAX_PAUSE_MESSAGE),
    minutes: z.number().int().min(1).max(MAX_PAUSE_MS / 60_000),
  }),
  z.object({ type: z.literal('resumeClass'), token: Token, classId: ClassId }),
  /** Cancels a class lesson that waits to start (a lesson started with `startsAt`). */
  z.object({ type: z.literal('cancelScheduled'), token: Token, classId: ClassId, lessonId: z.string().min(1).max(100) }),
  /**
   * Sends a link to every student browser of the class, opened once on each
   * during the class's running lesson. The address is checked by the
   * background (a web address the lesson allows), which answers with a code.
   */
  z.object({ type: z.literal('sendLink'), token: Token, classId: ClassId, url: z.string().trim().min(1).max(2048) }),
  /** Teacher devices: asks the feed host how many browsers of the class are connected (a count, never who); the status carries it. */
  z.object({ type: z.literal('countConnected'), token: Token, classId: ClassId }),
  /** Without `id` a new preset; with it, the teacher's preset with that id is replaced. */
  z.object({ type: z.literal('savePreset'), token: Token, id: PresetSchema.shape.id.optional(), preset: PresetSchema.omit({ id: true }) }),
  z.object({ type: z.literal('renamePreset'), token: Token, id: z.string().min(1), title: z.string().trim().min(1).max(120) }),
  z.object({ type: z.literal('deletePreset'), token: Token, id: z.string().min(1) }),
  /**
   * Carries the PIN, not a token: the blocked page is in front of a student,
   * so it checks the PIN once (rate-limited like an unlock) and leaves no
   * unlocked session behind.
   */
  z.object({ type: z.literal('allowTemporarily'), pin: z.string().min(1).max(200), url: z.string().max(8192), minutes: z.union([z.literal(5), z.literal(10), z.literal(15)]) }),
]);
export type Request = z.infer<typeof RequestSchema>;

/** A validation problem, with the path of the field it concerns. */
export interface Problem {
  readonly path: string;
  /** In English, as the command line says it. */
  readonly message: string;
  /** A code from core/problem-codes.ts and the values the message names, for the UI to word the problem; absent when there is none. */
  readonly code?: string;
  readonly params?: readonly string[];
}

interface TimetableStatus {
  readonly timeZone: string;
  readonly next: PeriodOccurrence | null;
  readonly today: readonly PeriodOccurrence[];
}

/** Everything the UI shows; nothing in it is browsing data. */
export interface Status {
  readonly now: number;
  readonly version: string;
  readonly active: ActiveLesson | null;
  readonly pause: Pause | null;
  readonly exceptions: readonly TemporaryAllow[];
  readonly nextChange: number | null;
  readonly timetable: TimetableStatus;
  readonly it: {
    readonly allowed: readonly string[];
    readonly blocked: readonly string[];
    readonly embeds: readonly string[];
    readonly allowedCount: number;
    readonly blockedCount: number;
    // The optional fields below were added for the status page; the background
    // always sets them, and test doubles written before them stay valid.
    readonly embedsCount?: number;
  };
  readonly policy: {
    /** managed: confirmed by the last read; cache: the last good copy, not (yet) confirmed; none: no IT policy. */
    readonly source: 'managed' | 'cache' | 'none';
    /** When the policy in force was received. */
    readonly loadedAt: number | null;
    /** What is wrong with the policy the browser holds now (it is then not applied). */
    readonly errors: readonly Problem[];
    /** When managed storage was last read; null before the first read. */
    readonly checkedAt?: number | null;
    /** Why the last read of managed storage failed; null when it worked. */
    readonly readError?: string | null;
  };
  readonly settings: {
    readonly allowBlocklistLessons: boolean;
    readonly maxLessonMinutes: number;
    readonly showBlockedAddress: boolean;
    readonly role?: 'student' | 'teacher';
    readonly classes?: readonly string[];
    /** How the Dutch screens name the teacher (IT's policy.schoolType); absent: the neutral word. */
    readonly schoolType?: 'primary' | 'secondary';
  };
  readonly presets: { readonly it: readonly Preset[]; readonly local: readonly Preset[] };
  readonly teacher: {
    readonly pinSet: boolean;
    readonly pinFromPolicy: boolean;
    readonly lockedUntil: number | null;
    /** IT's policy makes this a student device: the PIN comes from the policy only, never from the device. Always set by the background. */
    readonly studentDevice?: boolean;
  };
  readonly rules: { readonly count: number; readonly appliedAt: number | null; readonly error: string | null };
  /** The site categories in force: shipped, changed by IT or IT's own. Always set by the background. */
  readonly categories?: readonly CategorySummary[];
  /** Notes for the status page: a corrupt stored value that was dropped, and the like. */
  readonly notes: readonly string[];
  /** The class feed: per class, what was fetched, accepted or refused (students), delivered (teachers). Always set by the background. */
  readonly feed?: FeedStatus;
  /**
   * Teacher devices with a class feed: per class of the policy, the lesson
   * and pause last published (also when they are not in force on this
   * browser), so the popup can show, extend, change and end them. Absent elsewhere.
   */
  readonly published?: readonly PublishedClass[];
}

/** A site category as the popup offers it and the status page lists it. */
export interface CategorySummary {
  readonly id: string;
  readonly title: { readonly en: string; readonly nl: string };
  readonly origin: CategoryOrigin;
  /** How many site patterns it lists. */
  readonly count: number;
  /** IT set it above its allowed sites. */
  readonly aboveAllowed?: boolean;
}

/** What a teacher device last published for one class; the delivery of it is in `Status.feed`. */
export interface PublishedClass {
  readonly classId: string;
  /** The lesson running now (a scheduled lesson whose start has come included). */
  readonly lesson: Lesson | null;
  readonly pause: ClassPause | null;
  /** The lessons waiting to start, earliest first. Always set by the background. */
  readonly scheduled?: readonly Lesson[];
  /** The link last sent during the running lesson. Always set by the background. */
  readonly link?: ClassLink | null;
}

export interface UnlockResult {
  readonly token: string;
  readonly expiresAt: number;
}

/** The response to each request type. */
export interface ResponseMap {
  getStatus: Status;
  checkUrl: Verdict;
  unlock: UnlockResult;
  lock: null;
  setPin: UnlockResult;
  startLesson: Status;
  extendLesson: Status;
  updateLesson: Status;
  endLesson: Status;
  pauseClass: Status;
  resumeClass: Status;
  cancelScheduled: Status;
  sendLink: Status;
  countConnected: Status;
  savePreset: Status;
  deletePreset: Status;
  renamePreset: Status;
  allowTemporarily: Status;
}

/** What travels back: a result, or an error a person can read. */
export type Reply<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly error: string;
      readonly code: ErrorCode;
      readonly retryAt?: number;
      /** An invalid request: the field and its problem's code (core/problem-codes.ts), for the UI to word it in the reader's language. */
      readonly problem?: Problem;
      /** The values the error names (an unknown category's id), for the UI to word it. */
      readonly params?: readonly string[];
    };

export type ErrorCode =
  | 'invalid'
  | 'locked'
  | 'wrong-pin'
  | 'rate-limited'
  | 'forbidden'
  /** A student device: the teacher PIN comes from IT's policy only, and none can be set here. */
  | 'student-device'
  /** A new PIN shorter than 6 digits or 8 characters. */
  | 'weak-pin'
  | 'no-lesson'
  | 'internal'
  /** Longer than IT's maxLessonMinutes. */
  | 'too-long'
  /** A blocklist lesson where IT allows none. */
  | 'mode-not-allowed'
  /** IT blocked the site: no teacher can let it through. */
  | 'it-blocked'
  /** A test is on: nobody is let through. */
  | 'test-mode'
  | 'not-found'
  | 'too-many'
  /** A lesson's start that has already passed. */
  | 'start-past'
  /** A lesson's start more than 7 days ahead (students would refuse it). */
  | 'start-too-far'
  /** Ten lessons already wait for the class. */
  | 'too-many-scheduled'
  /** The lesson to cancel is not waiting to start (any more). */
  | 'not-scheduled'
  /** A link that is not a web address. */
  | 'link-invalid'
  /** A link that the lesson in force would block. */
  | 'link-blocked'
  /** A lesson or preset names a site category this device does not know. */
  | 'unknown-category';
