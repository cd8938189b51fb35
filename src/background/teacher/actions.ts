/**
 * What an unlocked teacher can change: the lesson on this device, the
 * lesson and pause of a class (teacher devices, through the class feed), the
 * saved presets, and a site let through for one student. Each action reads
 * the stored state, asks core what the change is (IT's limits included),
 * writes or publishes it, and answers with the status after the rules flow
 * has applied it.
 */
import { decide } from '../../core/rules/decide';
import { categoryCatalog, unknownCategory } from '../../core/rules/categories/catalog';
import { changeLesson, exceptionSiteFor, extendLesson, lessonFromRequest, lessonToChange, withException, type LessonProblem, type LessonResult } from '../../core/teacher/lessons';
import { deletePreset, newPresetId, renamePreset, savePreset, type PresetDraft, type PresetProblem, type PresetResult } from '../../core/teacher/presets';
import type { ErrorCode, LessonDraft, Status } from '../../core/protocol';
import type { Lesson } from '../../core/schemas';
import { KEYS, StoredExceptions } from '../../core/state';
import { checkStored, readLocalRaw, writeLocal } from '../../platform/storage';
import { RequestError } from '../errors';
import { feedBook } from '../feed/book';
import { publishChange, publishLesson, publishPause, publishedClasses, publishedState } from '../feed/publish';
import { addScheduled, cancelScheduled, linkProblem } from '../../core/feed/plan';
import { connectedCounts, countConnected } from '../feed/count';
import { liveStatuses } from '../feed/live';
import { ensureCurrent, inputsChanged, type Current } from '../rules/flow';
import { clockRecord, trustedNow } from '../clock';
import { serialQueue } from '../serial';
import { buildStatus } from '../rules/status';
import { clockNotes } from '../../core/rules/clock';
import { tamperNotes } from '../../core/teacher/guard';
import { localPinRule } from '../../core/teacher/auth';
import { syncManagedPolicy } from '../policy/source';
import { teacherInfo, type PinSource } from './auth';
import { checkedValues, tamperedAt, writeGuarded } from './guard';

const MINUTE = 60_000;
const serially = serialQueue();

const LESSON_CODES: Record<LessonProblem, ErrorCode> = {
  'too-long': 'too-long',
  'mode-not-allowed': 'mode-not-allowed',
  invalid: 'invalid',
  'no-lesson': 'no-lesson',
  'start-past': 'start-past',
  'start-too-far': 'start-too-far',
  'unknown-category': 'unknown-category',
};
const PRESET_CODES: Record<PresetProblem, ErrorCode> = { 'not-found': 'not-found', invalid: 'invalid', 'too-many': 'too-many' };

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function lessonId(now: number): string {
  return `teacher-${now}-${randomHex(4)}`;
}

/** Where the teacher PIN comes from on this device, from the policy in force and the last read of managed storage. */
export function pinSourceOf(current: Current): PinSource {
  const { inputs } = current;
  const { policy } = inputs.resolve;
  const check = inputs.policyStatus === null ? null : { found: inputs.policyStatus.found, failed: inputs.policyStatus.readError !== undefined };
  return { policyPin: policy.teacherPin, rule: localPinRule({ source: inputs.policySource, role: policy.role, policyPin: policy.teacherPin !== undefined, check }) };
}

/**
 * The PIN source for setting a PIN: when the browser has not yet said
 * whether IT has a policy here (a fresh profile, or one whose local storage
 * was wiped; managed storage can take seconds to answer), it is asked first,
 * so that a student device is never taken for one without a policy.
 */
export async function pinSourceForSetting(now: number): Promise<PinSource> {
  const source = pinSourceOf(await ensureCurrent(now));
  if (source.rule !== 'policy-unknown') return source;
  await syncManagedPolicy();
  return pinSourceOf(await inputsChanged([KEYS.policyCache, KEYS.policyStatus]));
}

/** True on a teacher device whose policy sets a class feed: its lessons can go to its classes. */
function publishes(current: Current): boolean {
  const policy = current.inputs.resolve.policy;
  return policy.role === 'teacher' && policy.classFeed !== undefined;
}

/** The status as the UI sees it, with the teacher's PIN state and, on a teacher device, what was published per class. */
export async function statusOf(current: Current, now: number): Promise<Status> {
  const [teacher, feed, published, clock, tampered] = await Promise.all([
    teacherInfo(pinSourceOf(current), now),
    feedBook(),
    publishes(current) ? publishedClasses(current.inputs.resolve.policy.classes, now) : Promise.resolve(undefined),
    clockRecord(),
    tamperedAt(),
  ]);
  const extras = { live: liveStatuses(), connected: connectedCounts() };
  const built = buildStatus(current, now, teacher, { book: feed.book, notes: Object.values(feed.notes), extras });
  // A clock set back or put right by the feed host, a value put back: the status page says so.
  const { timeZone } = current.inputs.resolve.policy;
  const status = { ...built, notes: [...built.notes, ...clockNotes(clock, now, timeZone), ...tamperNotes(tampered, now, timeZone)] };
  return published === undefined ? status : { ...status, published };
}

/**
 * Answers with the status once the rules flow has taken in what was just
 * written to `keys` (none: nothing the rules read). The storage event of the
 * same write finds it taken in already: one flow pass per change.
 */
async function applied(keys: readonly string[]): Promise<Status> {
  const current = keys.length > 0 ? await inputsChanged(keys) : await ensureCurrent(await trustedNow());
  return statusOf(current, await trustedNow());
}

function lessonOrThrow(result: LessonResult): Lesson {
  if (!result.ok) throw new RequestError(LESSON_CODES[result.problem], result.message, undefined, result.params);
  return result.lesson;
}

function presetsOrThrow(result: PresetResult): unknown[] {
  if (!result.ok) throw new RequestError(PRESET_CODES[result.problem], result.message);
  return result.stored;
}

function limitsOf(current: Current) {
  const { maxLessonMinutes, allowBlocklistLessons, categories } = current.inputs.resolve.policy;
  return { maxLessonMinutes, allowBlocklistLessons, categories: categoryCatalog(categories) };
}

/** The lesson a change applies to, or 'no-lesson'. */
function lessonToChangeOrThrow(current: Current, now: number): Lesson {
  const lesson = lessonToChange(current.inputs.resolve.teacherLesson, current.resolution.active, now, lessonId(now));
  if (lesson === null) throw new RequestError('no-lesson', 'there is no lesson to change right now');
  return lesson;
}

export function startLesson(draft: LessonDraft & { embeds: string[] }, now: number): Promise<Status> {
  return serially(async () => {
    // This device keeps one lesson of its own: one that starts later would replace the one running.
    if (draft.startsAt !== undefined) throw new RequestError('invalid', 'a lesson that starts later can be started for a class only');
    const current = await ensureCurrent(now);
    const lesson = lessonOrThrow(lessonFromRequest(draft, limitsOf(current), now, lessonId(now)));
    await writeGuarded({ [KEYS.lesson]: lesson });
    return applied([KEYS.lesson]);
  });
}

export function extendRunningLesson(minutes: number, now: number): Promise<Status> {
  return serially(async () => {
    const current = await ensureCurrent(now);
    const lesson = lessonOrThrow(extendLesson(lessonToChangeOrThrow(current, now), minutes, limitsOf(current), now));
    await writeGuarded({ [KEYS.lesson]: lesson });
    return applied([KEYS.lesson]);
  });
}

export function updateRunningLesson(change: { sites: string[]; embeds?: string[]; title?: string; categories?: string[] }, now: number): Promise<Status> {
  return serially(async () => {
    const current = await ensureCurrent(now);
    const lesson = lessonOrThrow(changeLesson(lessonToChangeOrThrow(current, now), change, limitsOf(current)));
    await writeGuarded({ [KEYS.lesson]: lesson });
    return applied([KEYS.lesson]);
  });
}

/**
 * Ends the teacher's lesson on this device at once: the stored lesson is
 * removed, so the timetable (or open browsing) is back with the next flow run.
 */
export function endLesson(now: number): Promise<Status> {
  return serially(async () => {
    const current = await ensureCurrent(now);
    const stored = current.inputs.resolve.teacherLesson;
    if (stored === null || stored.endsAt <= now || stored.startsAt > now) {
      throw new RequestError('no-lesson', 'only a lesson set on this device can be ended here');
    }
    await writeGuarded({ [KEYS.lesson]: undefined });
    return applied([KEYS.lesson]);
  });
}

// ---------------------------------------------------------------------------
// A class's lesson and pause, on a teacher device (the class feed)

/** Checks that this device may publish to `classId`: a teacher device with a class feed, and a class its policy lists. */
function checkClass(current: Current, classId: string): void {
  if (!publishes(current)) throw new RequestError('forbidden', 'only teacher devices with a class feed publish to a class');
  if (!current.inputs.resolve.policy.classes.includes(classId)) throw new RequestError('not-found', `class ${classId} is not one of the classes set for this device`);
}

/** The lesson last published to the class, while it runs; 'no-lesson' otherwise. */
async function publishedLessonOrThrow(classId: string, now: number): Promise<Lesson> {
  const lesson = (await publishedState(classId, now))?.lesson ?? null;
  if (lesson === null || lesson.startsAt > now || lesson.endsAt <= now) throw new RequestError('no-lesson', `there is no lesson running for class ${classId}`);
  return lesson;
}

/** True when the lesson stored on this device is the copy of the class lesson `id` (it was started "also on this browser"). */
function appliedHere(current: Current, id: string | undefined): boolean {
  return id !== undefined && current.inputs.resolve.teacherLesson?.id === id;
}

/**
 * Starts a lesson for class `classId`: signed and published to the class
 * feed (the first delivery attempt is made before this answers; retries
 * follow by themselves). This browser enforces it too only with `applyHere`;
 * otherwise a copy of the class's previous lesson on this browser goes, so
 * the browser never keeps a lesson its class no longer has.
 */
export function startClassLesson(classId: string, draft: LessonDraft & { embeds: string[] }, applyHere: boolean, now: number): Promise<Status> {
  return serially(async () => {
    const current = await ensureCurrent(now);
    checkClass(current, classId);
    const lesson = lessonOrThrow(lessonFromRequest(draft, limitsOf(current), now, lessonId(now)));
    if (lesson.startsAt > now) {
      // A lesson that starts later waits beside the running one; students start it themselves at its start.
      // It is not applied on this browser: the teacher's own browser keeps what it has.
      const plan = addScheduled((await publishedState(classId, now))?.scheduled, lesson, now);
      if (!plan.ok) throw new RequestError(plan.problem.code, plan.problem.message);
      await publishChange(current.inputs.resolve.policy, classId, { scheduled: plan.scheduled }, now);
      return applied([]);
    }
    const { previous } = await publishLesson(current.inputs.resolve.policy, classId, lesson, now);
    if (applyHere) {
      await writeGuarded({ [KEYS.lesson]: lesson });
      return applied([KEYS.lesson]);
    }
    if (appliedHere(current, previous?.lesson?.id)) {
      await writeGuarded({ [KEYS.lesson]: undefined });
      return applied([KEYS.lesson]);
    }
    return applied([]);
  });
}

/** Publishes a change to the class's running lesson, and mirrors it on this browser when the lesson applies here too. */
function changeClassLesson(classId: string, now: number, change: (lesson: Lesson, current: Current) => Lesson): Promise<Status> {
  return serially(async () => {
    const current = await ensureCurrent(now);
    checkClass(current, classId);
    const published = await publishedLessonOrThrow(classId, now);
    const lesson = change(published, current);
    await publishLesson(current.inputs.resolve.policy, classId, lesson, now);
    if (!appliedHere(current, published.id)) return applied([]);
    await writeGuarded({ [KEYS.lesson]: lesson });
    return applied([KEYS.lesson]);
  });
}

export function extendClassLesson(classId: string, minutes: number, now: number): Promise<Status> {
  return changeClassLesson(classId, now, (lesson, current) => lessonOrThrow(extendLesson(lesson, minutes, limitsOf(current), now)));
}

export function updateClassLesson(classId: string, change: { sites: string[]; embeds?: string[]; title?: string; categories?: string[] }, now: number): Promise<Status> {
  return changeClassLesson(classId, now, (lesson, current) => lessonOrThrow(changeLesson(lesson, change, limitsOf(current))));
}

/** Ends the class's lesson for every student (and on this browser, when it applied here too). */
export function endClassLesson(classId: string, now: number): Promise<Status> {
  return serially(async () => {
    const current = await ensureCurrent(now);
    checkClass(current, classId);
    const published = await publishedLessonOrThrow(classId, now);
    await publishLesson(current.inputs.resolve.policy, classId, null, now);
    if (!appliedHere(current, published.id)) return applied([]);
    await writeGuarded({ [KEYS.lesson]: undefined });
    return applied([KEYS.lesson]);
  });
}

/** Cancels class `classId`'s lesson `lessonId` that waits to start; the running lesson keeps its own end. */
export function cancelScheduledLesson(classId: string, lessonId: string, now: number): Promise<Status> {
  return serially(async () => {
    const current = await ensureCurrent(now);
    checkClass(current, classId);
    const plan = cancelScheduled((await publishedState(classId, now))?.scheduled, lessonId, now);
    if (!plan.ok) throw new RequestError(plan.problem.code, plan.problem.message);
    await publishChange(current.inputs.resolve.policy, classId, { scheduled: plan.scheduled }, now);
    return applied([]);
  });
}

/**
 * Sends `url` to every student browser of class `classId`: opened once on
 * each during the running lesson. Refused unless a lesson runs and it lets
 * students open the address (with IT's lists): a link the lesson would
 * block would only show the blocked page.
 */
export function sendClassLink(classId: string, url: string, now: number): Promise<Status> {
  return serially(async () => {
    const current = await ensureCurrent(now);
    checkClass(current, classId);
    const lesson = await publishedLessonOrThrow(classId, now);
    const { policy } = current.inputs.resolve;
    const problem = linkProblem(url, lesson, { allowed: policy.allowed, blocked: policy.blocked, embeds: policy.embeds });
    if (problem !== null) throw new RequestError(problem.code, problem.message);
    const link = { id: `link-${now}-${randomHex(4)}`, url: new URL(url).href, sentAt: now };
    await publishChange(policy, classId, { link }, now);
    return applied([]);
  });
}

/** Asks the feed host how many browsers of `classId` are connected; the status carries the count. */
export async function countClass(classId: string, now: number): Promise<Status> {
  const current = await ensureCurrent(now);
  checkClass(current, classId);
  await countConnected(current.inputs.resolve.policy, classId);
  return statusOf(current, await trustedNow());
}

/** Pauses the class ("eyes on me") for `minutes`, or with null resumes it. Never on this browser: the teacher is the one talking. */
export function pauseClass(classId: string, pause: { message: string; minutes: number } | null, now: number): Promise<Status> {
  return serially(async () => {
    const current = await ensureCurrent(now);
    checkClass(current, classId);
    await publishPause(current.inputs.resolve.policy, classId, pause, now);
    return applied([]);
  });
}

async function storedPresets(): Promise<unknown[]> {
  const raw = (await readLocalRaw([KEYS.presets]))[KEYS.presets];
  // A stored value that is not a list at all was reported when read; start a new list.
  return Array.isArray(raw) ? raw : [];
}

export function savePresetAction(request: { id?: string; preset: PresetDraft }): Promise<Status> {
  return serially(async () => {
    const unknown = unknownCategory(request.preset.categories ?? [], limitsOf(await ensureCurrent(await trustedNow())).categories);
    if (unknown !== null) throw new RequestError('unknown-category', `there is no site category "${unknown}" on this device`, undefined, [unknown]);
    const next = presetsOrThrow(savePreset(await storedPresets(), request.preset, request.id, newPresetId(crypto.getRandomValues(new Uint8Array(6)))));
    await writeLocal({ [KEYS.presets]: next });
    return applied([KEYS.presets]);
  });
}

export function renamePresetAction(id: string, title: string): Promise<Status> {
  return serially(async () => {
    await writeLocal({ [KEYS.presets]: presetsOrThrow(renamePreset(await storedPresets(), id, title)) });
    return applied([KEYS.presets]);
  });
}

export function deletePresetAction(id: string): Promise<Status> {
  return serially(async () => {
    await writeLocal({ [KEYS.presets]: presetsOrThrow(deletePreset(await storedPresets(), id)) });
    return applied([KEYS.presets]);
  });
}

/**
 * Checks that a blocked address can be let through: a web address whose
 * site IT has not blocked (IT's blocked list stays above any teacher's
 * exception), and no test in force. Returns the site pattern to allow.
 */
export async function siteToLetThrough(url: string, now: number): Promise<string> {
  const site = exceptionSiteFor(url);
  if (site === null) throw new RequestError('invalid', 'only web addresses (http, https) can be let through');
  const current = await ensureCurrent(now);
  // A test lets nobody through: the lesson's sites are all there is until it ends.
  if (current.resolution.rules.test) throw new RequestError('test-mode', 'a test is on: nobody can be let through until it ends');
  const verdict = decide(url, current.prepared, 'page');
  // A category IT set above its allowed sites blocks as IT's list does: no teacher lifts it either.
  if (verdict.reason === 'it-blocked' || verdict.byIt === true) {
    throw new RequestError('it-blocked', 'your school has blocked this site: a teacher cannot let it through');
  }
  return site;
}

/** Lets `site` through on this device for `minutes`; it expires by itself (the flow wakes at its end). */
export function allowSite(site: string, minutes: number, now: number): Promise<Status> {
  return serially(async () => {
    const stored = checkStored(KEYS.exceptions, (await checkedValues([KEYS.exceptions]))[KEYS.exceptions], StoredExceptions, []);
    await writeGuarded({ [KEYS.exceptions]: withException(stored.value, site, now + minutes * MINUTE, now) });
    return applied([KEYS.exceptions]);
  });
}
