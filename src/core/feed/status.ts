/**
 * What the status page (and the popup) show about the class feed: on a
 * student device, per class, the last fetch, the lesson accepted and the
 * documents refused with their reason; on a teacher device, per class, how
 * delivery of the last published document went, and the signing key with its
 * fingerprint for IT to list. Nothing here is browsing data.
 */
import { z } from 'zod';
import type { RejectReason } from './document';
import { classTimeline, lessonAt } from './plan';
import { lessonInForce, type FollowEntry, type ClassFeedStore, type FeedFollowStore } from './follow';
import type { DeliveryState, OutboxStore } from './outbox';
import type { LiveStatus } from './live';
import type { FeedProblem } from './problem';
import type { Policy } from '../policy/policy';

export const SigningKeyInfoSchema = z.object({
  /** device: generated on this browser, the private half never leaves it. school: IT's schoolSigningKey. */
  source: z.enum(['device', 'school']),
  kid: z.string(),
  fingerprint: z.string(),
  publicKey: z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() }),
  createdAt: z.number().int().nullable(),
});
export type SigningKeyInfo = z.infer<typeof SigningKeyInfoSchema>;

/** Everything stored about the class feed (each part validated when read). */
export interface FeedBook {
  readonly classFeed: ClassFeedStore;
  readonly follow: FeedFollowStore;
  readonly outbox: OutboxStore;
  readonly key: SigningKeyInfo | null;
}

/** How the last document published for a class is being delivered (teacher devices). */
export interface FeedDelivery {
  readonly classId: string;
  readonly issuedAt: number;
  readonly state: DeliveryState;
  readonly attempts: number;
  /** Why the last attempt failed, in English for IT (diagnostics). */
  readonly lastError: string | null;
  /** The same as a code for the UI to word in the reader's language; null when there is none (or it was stored before codes). */
  readonly lastProblem: FeedProblem | null;
  readonly lastAttemptAt: number | null;
  readonly nextAttemptAt: number | null;
  readonly deliveredAt: number | null;
  readonly lesson: { readonly id: string; readonly title: string; readonly endsAt: number } | null;
  readonly pause: { readonly message: string; readonly until: number } | null;
}

export interface FeedClassStatus {
  readonly classId: string;
  /** Student devices: the last fetch of this class's document. */
  readonly lastFetchAt: number | null;
  readonly lastOutcome: FollowEntry['lastOutcome'];
  /** Why the last fetch failed, in English for IT (diagnostics). */
  readonly lastError: string | null;
  /** The same as a code for the UI to word in the reader's language; null when there is none (or it was stored before codes). */
  readonly lastProblem: FeedProblem | null;
  /** Student devices: the document in force for this class. */
  readonly accepted: {
    readonly issuedAt: number;
    readonly acceptedAt: number;
    readonly signer: string;
    readonly lessonTitle: string | null;
    /** When the lesson ends on this device: its own end, or earlier when IT's limit cut it short. */
    readonly lessonEndsAt: number | null;
    /** IT's maxLessonMinutes when it cut the lesson short; null when the lesson is within it. */
    readonly lessonClippedTo: number | null;
    readonly pauseUntil: number | null;
  } | null;
  readonly rejections: number;
  readonly lastRejection: { readonly reason: RejectReason; readonly detail: string; readonly at: number } | null;
  /** Teacher devices: delivery of the last document published. */
  readonly delivery: FeedDelivery | null;
  /** Student devices: the live connection to the feed host; null where none is held (teacher devices, a worker that has not started it). */
  readonly live?: LiveStatus | null;
  /** Teacher devices: how many browsers of the class the feed host counts as connected, when the popup last asked. */
  readonly connected?: ConnectedCount | null;
}

/**
 * The feed host's own count of the sockets subscribed to a class, which is
 * all a teacher learns about who listens: a number, never which device.
 */
export interface ConnectedCount {
  /** Browsers connected; null when the host could not say (`problem`). */
  readonly count: number | null;
  readonly checkedAt: number;
  /** Why there is no count: the host's answer or none. */
  readonly problem: FeedProblem | null;
  /** The same in English, for IT (diagnostics). */
  readonly error: string | null;
}

const ChannelInfoSchema = z.object({ subscribers: z.number().int().nonnegative() });

/**
 * The count from the host's answer to `GET feed URL` with the teacher's
 * Authorization and `Accept: application/json`: 200 with
 * `{"subscribers": n, …}` (nchan, the reference server), 404 no channel
 * (nobody subscribed, nothing published): 0. `status` null: no answer.
 */
export function connectedCountOf(status: number | null, body: string | null, now: number, unreachable = 'no answer'): ConnectedCount {
  const fail = (problem: FeedProblem, error: string): ConnectedCount => ({ count: null, checkedAt: now, problem, error });
  if (status === null) return fail({ code: 'unreachable' }, `the class feed could not be reached: ${unreachable}`);
  if (status === 404) return { count: 0, checkedAt: now, problem: null, error: null };
  if (status === 401 || status === 403) return fail({ code: 'credentials', status }, `the class feed refused the credentials (HTTP ${status}): check classFeed.authorization in the policy`);
  if (status !== 200) return fail({ code: 'http', status }, `the class feed answered HTTP ${status}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return fail({ code: 'http', status }, 'the class feed sent no channel information (not JSON): does it count subscribers?');
  }
  const info = ChannelInfoSchema.safeParse(parsed);
  if (!info.success) return fail({ code: 'http', status }, 'the class feed sent channel information without a subscriber count');
  return { count: info.data.subscribers, checkedAt: now, problem: null, error: null };
}

/** What the background holds in memory about each class, beside what is stored. */
export interface FeedExtras {
  readonly live?: Readonly<Record<string, LiveStatus>>;
  readonly connected?: Readonly<Record<string, ConnectedCount>>;
  /** The time the status is for: an accepted document's lesson is then the one of its plan in force (a scheduled one that has started). */
  readonly now?: number;
}

export interface FeedStatus {
  readonly role: 'student' | 'teacher';
  /** True when IT's policy sets a class feed. */
  readonly configured: boolean;
  readonly urlTemplate: string | null;
  readonly pollSeconds: number | null;
  readonly classes: readonly FeedClassStatus[];
  /** Teacher devices: the key lessons are signed with (public half only). */
  readonly signingKey: SigningKeyInfo | null;
}

/** The delivery state of one outbox entry, as the popup shows it. */
export function deliveryOf(classId: string, outbox: OutboxStore): FeedDelivery | null {
  const entry = outbox[classId];
  if (entry === undefined) return null;
  const { lesson, pause } = entry.document;
  return {
    classId,
    issuedAt: entry.document.issuedAt,
    state: entry.state,
    attempts: entry.attempts,
    lastError: entry.lastError,
    lastProblem: entry.lastProblem ?? null,
    lastAttemptAt: entry.lastAttemptAt,
    nextAttemptAt: entry.nextAttemptAt,
    deliveredAt: entry.deliveredAt,
    lesson: lesson === null ? null : { id: lesson.id, title: lesson.title, endsAt: lesson.endsAt },
    pause: pause === undefined ? null : { message: pause.message, until: pause.until },
  };
}

/** The feed section of the status. */
export function feedStatus(policy: Policy, book: FeedBook, extras: FeedExtras = {}): FeedStatus {
  const teacher = policy.role === 'teacher';
  const classes = policy.classes.map((classId): FeedClassStatus => {
    const follow = book.follow[classId];
    const accepted = book.classFeed[classId];
    const document = accepted === undefined || extras.now === undefined ? accepted?.document : { ...accepted.document, lesson: lessonAt(classTimeline(accepted.document.lesson, accepted.document.scheduled), extras.now) ?? accepted.document.lesson };
    const inForce = document === undefined ? null : lessonInForce(document, policy.maxLessonMinutes);
    return {
      classId,
      lastFetchAt: follow?.lastFetchAt ?? null,
      lastOutcome: follow?.lastOutcome ?? null,
      lastError: follow?.lastError ?? null,
      lastProblem: follow?.lastProblem ?? null,
      accepted:
        accepted === undefined || teacher
          ? null
          : {
              issuedAt: accepted.document.issuedAt,
              acceptedAt: accepted.acceptedAt,
              signer: accepted.signer.name ?? accepted.signer.kid,
              lessonTitle: document?.lesson?.title ?? null,
              lessonEndsAt: inForce?.lesson.endsAt ?? null,
              lessonClippedTo: inForce?.clippedTo ?? null,
              pauseUntil: accepted.document.pause?.until ?? null,
            },
      rejections: follow?.rejections ?? 0,
      lastRejection: follow?.lastRejection ? { reason: follow.lastRejection.reason, detail: follow.lastRejection.detail, at: follow.lastRejection.at } : null,
      delivery: teacher ? deliveryOf(classId, book.outbox) : null,
      live: teacher ? null : (extras.live?.[classId] ?? null),
      connected: teacher ? (extras.connected?.[classId] ?? null) : null,
    };
  });
  return {
    role: policy.role,
    configured: policy.classFeed !== undefined,
    urlTemplate: policy.classFeed?.urlTemplate ?? null,
    pollSeconds: policy.classFeed?.pollSeconds ?? null,
    classes,
    signingKey: teacher ? book.key : null,
  };
}
