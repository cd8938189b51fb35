/**
 * An in-memory background that answers the message protocol for component
 * tests. It validates requests with the protocol's own zod schema and uses
 * core's own lesson, preset and resolve functions, so the popup is driven
 * through the same Connector (connectorOver) and the same rules as in the
 * browser; only storage, the PIN hash and the clock are stand-ins. On a
 * teacher device with a class feed it publishes as the background does
 * (core's next document, delivery bookkeeping and feed status); signing and
 * the PUT are stand-ins, whose answer a test chooses (`feedAnswer`).
 */
import './text-codec';
import { decide, prepare } from '../../../../src/core/rules/decide';
import { ClassDocumentSchema, type ClassPause } from '../../../../src/core/feed/document';
import { afterAttempt, newEntry, nextDocument, type ClassChange, type DeliveryResult, type OutboxStore } from '../../../../src/core/feed/outbox';
import { feedStatus } from '../../../../src/core/feed/status';
import { changeLesson, exceptionSiteFor, extendLesson, lessonFromRequest, lessonToChange, withException, type LessonResult } from '../../../../src/core/teacher/lessons';
import { EMPTY_POLICY, type Policy } from '../../../../src/core/policy/policy';
import { deletePreset, renamePreset, savePreset, type PresetResult } from '../../../../src/core/teacher/presets';
import { RequestSchema, type ErrorCode, type Reply, type Request, type Status } from '../../../../src/core/protocol';
import { resolve } from '../../../../src/core/rules/resolve';
import { PresetSchema, type Lesson, type Preset, type TemporaryAllow } from '../../../../src/core/schemas';
import { afterWrongPin, NO_ATTEMPTS, pinRetryAt, type PinAttempts } from '../../../../src/core/teacher/auth';
import { connectorOver, type Connector } from '../../../../src/ui/shared/channel';

class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAt?: number,
  ) {
    super(message);
  }
}

export interface FakeBackgroundOptions {
  now?: number;
  /** The PIN set on the device; null for none yet. */
  pin?: string | null;
  pinFromPolicy?: boolean;
  policy?: Partial<Policy>;
  lesson?: Lesson | null;
  presets?: Preset[];
  exceptions?: TemporaryAllow[];
  attempts?: PinAttempts;
  /** A teacher device with a class feed for these classes (sets role, classes and classFeed in the policy). */
  teacherClasses?: string[];
}

export class FakeBackground {
  now: number;
  pin: string | null;
  pinFromPolicy: boolean;
  policy: Policy;
  lesson: Lesson | null;
  presets: unknown[];
  exceptions: TemporaryAllow[] = [];
  attempts: PinAttempts = NO_ATTEMPTS;
  token: string | null = null;
  /** Teacher devices: per class, the last document published and its delivery. */
  outbox: OutboxStore = {};
  /** How the class feed answers the next PUT. */
  feedAnswer: DeliveryResult = { kind: 'stored' };
  /** Every request received, in order. */
  readonly requests: Request[] = [];
  /** When set, every answer waits for this promise (to see what shows before the background answers). */
  gate: Promise<void> | null = null;
  private tokens = 0;
  private ids = 0;

  constructor(options: FakeBackgroundOptions = {}) {
    this.now = options.now ?? Date.UTC(2026, 2, 2, 9, 0, 0);
    this.pin = options.pin === undefined ? '1234' : options.pin;
    this.pinFromPolicy = options.pinFromPolicy ?? false;
    this.policy = {
      ...EMPTY_POLICY,
      ...(options.teacherClasses ? { role: 'teacher' as const, classes: options.teacherClasses, classFeed: { urlTemplate: 'https://feed.school.test/{class}.jws', pollSeconds: 30 } } : {}),
      ...options.policy,
    };
    this.lesson = options.lesson ?? null;
    this.presets = options.presets ?? [];
    this.exceptions = options.exceptions ?? [];
    this.attempts = options.attempts ?? NO_ATTEMPTS;
  }

  readonly connector: Connector = connectorOver((message) => this.handle(message));

  /** Requests of a type, for assertions. */
  sent<T extends Request['type']>(type: T): Extract<Request, { type: T }>[] {
    return this.requests.filter((request): request is Extract<Request, { type: T }> => request.type === type);
  }

  /** State-changing requests (anything but reading the status or a URL's verdict). */
  changes(): Request[] {
    return this.requests.filter((request) => request.type !== 'getStatus' && request.type !== 'checkUrl');
  }

  async handle(message: unknown): Promise<Reply<unknown>> {
    if (this.gate) await this.gate;
    const parsed = RequestSchema.safeParse(message);
    if (!parsed.success) return { ok: false, code: 'invalid', error: parsed.error.issues[0]?.message ?? 'invalid' };
    this.requests.push(parsed.data);
    try {
      return { ok: true, value: this.answer(parsed.data) };
    } catch (error) {
      if (error instanceof Refusal) return { ok: false, code: error.code, error: error.message, ...(error.retryAt !== undefined ? { retryAt: error.retryAt } : {}) };
      throw error;
    }
  }

  private checkPin(pin: string): void {
    if (this.pin === null) throw new Refusal('forbidden', 'no PIN');
    const retryAt = pinRetryAt(this.attempts, this.now);
    if (retryAt !== null) throw new Refusal('rate-limited', 'wait', retryAt);
    if (pin === this.pin) {
      this.attempts = NO_ATTEMPTS;
      return;
    }
    this.attempts = afterWrongPin(this.attempts, this.now);
    throw new Refusal('wrong-pin', 'wrong', pinRetryAt(this.attempts, this.now) ?? undefined);
  }

  private newToken() {
    this.token = `token-${++this.tokens}-${'x'.repeat(20)}`;
    return { token: this.token, expiresAt: this.now + 5 * 60_000 };
  }

  private requireToken(token: string | undefined): void {
    if (token === undefined || token !== this.token) throw new Refusal('locked', 'locked');
  }

  private lessonOrThrow(result: LessonResult): Lesson {
    if (!result.ok) throw new Refusal(result.problem, result.message);
    return result.lesson;
  }

  private presetsOrThrow(result: PresetResult): unknown[] {
    if (!result.ok) throw new Refusal(result.problem, result.message);
    return result.stored;
  }

  private answer(request: Request): unknown {
    const limits = { maxLessonMinutes: this.policy.maxLessonMinutes, allowBlocklistLessons: this.policy.allowBlocklistLessons };
    switch (request.type) {
      case 'getStatus':
        return this.status();
      case 'checkUrl':
        return decide(request.url, prepare(this.resolution().rules), request.kind);
      case 'unlock':
        this.checkPin(request.pin);
        return this.newToken();
      case 'lock':
        this.requireToken(request.token);
        this.token = null;
        return null;
      case 'setPin':
        if (this.pinFromPolicy) throw new Refusal('forbidden', 'IT sets the PIN');
        if (this.pin !== null) {
          this.requireToken(request.token);
          this.checkPin(request.oldPin ?? '');
        }
        this.pin = request.newPin;
        return this.newToken();
      case 'allowTemporarily': {
        const site = exceptionSiteFor(request.url);
        if (site === null) throw new Refusal('invalid', 'not web');
        if (decide(request.url, prepare(this.resolution().rules)).reason === 'it-blocked') throw new Refusal('it-blocked', 'IT');
        this.checkPin(request.pin);
        this.exceptions = withException(this.exceptions, site, this.now + request.minutes * 60_000, this.now);
        return this.status();
      }
      default:
        break;
    }
    this.requireToken(request.token);
    if ('classId' in request && request.classId !== undefined) {
      this.classRequest(request, request.classId);
      return this.status();
    }
    const changeable = () => {
      const lesson = lessonToChange(this.lesson, this.resolution().active, this.now, `lesson-${++this.ids}`);
      if (!lesson) throw new Refusal('no-lesson', 'none');
      return lesson;
    };
    switch (request.type) {
      case 'startLesson':
        this.lesson = this.lessonOrThrow(lessonFromRequest(request.lesson, limits, this.now, `lesson-${++this.ids}`));
        break;
      case 'extendLesson':
        this.lesson = this.lessonOrThrow(extendLesson(changeable(), request.minutes, limits, this.now));
        break;
      case 'updateLesson':
        this.lesson = this.lessonOrThrow(changeLesson(changeable(), request));
        break;
      case 'endLesson':
        if (!this.lesson || this.lesson.endsAt <= this.now) throw new Refusal('no-lesson', 'none');
        this.lesson = null;
        break;
      case 'savePreset':
        this.presets = this.presetsOrThrow(savePreset(this.presets, request.preset, request.id, `local-${++this.ids}`));
        break;
      case 'renamePreset':
        this.presets = this.presetsOrThrow(renamePreset(this.presets, request.id, request.title));
        break;
      case 'deletePreset':
        this.presets = this.presetsOrThrow(deletePreset(this.presets, request.id));
        break;
    }
    return this.status();
  }

  /** A retry of every pending delivery (what the background's alarm does), answered with `feedAnswer`. */
  retryDeliveries(): void {
    for (const [classId, entry] of Object.entries(this.outbox)) {
      if (entry.state === 'pending') this.outbox[classId] = afterAttempt(entry, this.feedAnswer, this.now);
    }
  }

  /** The lesson last published to the class. */
  published(classId: string) {
    return this.outbox[classId]?.document ?? null;
  }

  private publish(classId: string, change: ClassChange): void {
    const previous = this.outbox[classId]?.document;
    const document = ClassDocumentSchema.parse({ ...nextDocument(classId, previous, change, this.now), v: 1, kid: 'k-test' });
    this.outbox[classId] = afterAttempt(newEntry(`jws-${document.issuedAt}`, document, previous), this.feedAnswer, this.now);
  }

  private classRequest(request: Request, classId: string): void {
    const limits = { maxLessonMinutes: this.policy.maxLessonMinutes, allowBlocklistLessons: this.policy.allowBlocklistLessons };
    if (this.policy.role !== 'teacher' || this.policy.classFeed === undefined) throw new Refusal('forbidden', 'not a teacher device');
    if (!this.policy.classes.includes(classId)) throw new Refusal('not-found', `no class ${classId}`);
    const running = () => {
      const lesson = this.published(classId)?.lesson ?? null;
      if (lesson === null || lesson.endsAt <= this.now) throw new Refusal('no-lesson', 'none');
      return lesson;
    };
    const mirror = (id: string, next: Lesson | null) => {
      if (this.lesson?.id === id) this.lesson = next;
    };
    switch (request.type) {
      case 'startLesson': {
        const lesson = this.lessonOrThrow(lessonFromRequest(request.lesson, limits, this.now, `lesson-${++this.ids}`));
        const previous = this.published(classId)?.lesson;
        this.publish(classId, { lesson });
        if (request.applyHere) this.lesson = lesson;
        else if (previous) mirror(previous.id, null);
        return;
      }
      case 'extendLesson': {
        const lesson = running();
        const next = this.lessonOrThrow(extendLesson(lesson, request.minutes, limits, this.now));
        this.publish(classId, { lesson: next });
        mirror(lesson.id, next);
        return;
      }
      case 'updateLesson': {
        const lesson = running();
        const next = this.lessonOrThrow(changeLesson(lesson, request));
        this.publish(classId, { lesson: next });
        mirror(lesson.id, next);
        return;
      }
      case 'endLesson': {
        const lesson = running();
        this.publish(classId, { lesson: null });
        mirror(lesson.id, null);
        return;
      }
      case 'pauseClass': {
        const pause: ClassPause = { message: request.message, startsAt: this.now, until: this.now + request.minutes * 60_000 };
        this.publish(classId, { pause });
        return;
      }
      case 'resumeClass':
        this.publish(classId, { pause: null });
        return;
      default:
        throw new Refusal('invalid', `${request.type} names no class`);
    }
  }

  resolution() {
    return resolve({ policy: this.policy, teacherLesson: this.lesson, classLessons: [], pauses: [], exceptions: this.exceptions }, this.now);
  }

  status(): Status {
    const resolution = this.resolution();
    return {
      now: this.now,
      version: '0.0.0-test',
      active: resolution.active,
      pause: resolution.pause,
      exceptions: resolution.exceptions,
      nextChange: resolution.nextChange,
      timetable: { timeZone: this.policy.timeZone, next: resolution.nextPeriod, today: [] },
      it: { allowed: this.policy.allowed, blocked: this.policy.blocked, embeds: this.policy.embeds, allowedCount: this.policy.allowed.length, blockedCount: this.policy.blocked.length },
      policy: { source: 'none', loadedAt: null, errors: [] },
      settings: { allowBlocklistLessons: this.policy.allowBlocklistLessons, maxLessonMinutes: this.policy.maxLessonMinutes, showBlockedAddress: this.policy.showBlockedAddress },
      presets: { it: this.policy.presets, local: this.presets.flatMap((entry) => (PresetSchema.safeParse(entry).success ? [PresetSchema.parse(entry)] : [])) },
      teacher: { pinSet: this.pin !== null, pinFromPolicy: this.pinFromPolicy, lockedUntil: pinRetryAt(this.attempts, this.now) },
      rules: { count: 0, appliedAt: null, error: null },
      notes: [],
      // Only with a class feed: tests written before the feed see the status they were written for.
      ...(this.policy.classFeed !== undefined ? { feed: feedStatus(this.policy, { classFeed: {}, follow: {}, outbox: this.outbox, key: null }) } : {}),
      ...(this.policy.role === 'teacher' && this.policy.classFeed !== undefined
        ? { published: this.policy.classes.map((classId) => ({ classId, lesson: this.published(classId)?.lesson ?? null, pause: this.published(classId)?.pause ?? null })) }
        : {}),
    };
  }
}
