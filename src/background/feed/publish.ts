/**
 * Publishing to the class feed from a teacher device: a change to a class
 * (a lesson, its end, a pause, its end) becomes the class's next signed
 * document, PUT to the class's address. Delivery is recorded per class in
 * storage.local (feedOutbox) and retried with exponential backoff on an
 * alarm until the feed has it, a newer document replaces it, or it no longer
 * matters. The teacher actions (teacher/actions.ts) check that this device
 * may publish to the class and call publishLesson / publishPause; whether
 * the teacher's own browser also applies the lesson is their choice (by
 * default it does not).
 *
 * One publication stores twice — the signed document, then how its first
 * delivery went — and reads nothing else: the document replaced, the
 * delivery state and the next retry all come from those two updates.
 */
import { importSchoolSigningKey, keyFingerprint, signClassDocument, signingKeyId, type ClassDocument, type ClassPause, type PublicKeyJwk } from '../../core/feed/document';
import { classFeedUrl } from '../../core/feed/format';
import {
  afterAttempt,
  deliveryResultOf,
  deliveryUnreachable,
  dueForDelivery,
  newEntry,
  nextDeliveryAt,
  nextDocument,
  type ClassChange,
  type DeliveryResult,
  type OutboxEntry,
  type OutboxStore,
} from '../../core/feed/outbox';
import { planAt } from '../../core/feed/plan';
import { deliveryOf, type FeedDelivery, type SigningKeyInfo } from '../../core/feed/status';
import type { Policy } from '../../core/policy/policy';
import type { PublishedClass } from '../../core/protocol';
import type { Lesson } from '../../core/schemas';
import { alarmAt } from '../../platform/alarms';
import { deviceSigningKey } from '../../platform/keystore';
import { putFeedDocument } from '../../platform/network';
import { RequestError } from '../errors';
import { ensureCurrent } from '../rules/flow';
import { feedBook, updateFeedBook } from './book';

export const RETRY_ALARM = 'lesmodus-feed-retry';
const MINUTE = 60_000;

interface Signer {
  readonly privateKey: CryptoKey;
  readonly kid: string;
  readonly info: SigningKeyInfo;
}

let schoolKey: { readonly source: string; readonly key: Promise<CryptoKey> } | null = null;

/** The key this device signs with: IT's school key when the policy has one, else the device's own. */
async function signer(policy: Policy, now: number): Promise<Signer> {
  const school = policy.schoolSigningKey;
  if (school !== undefined) {
    const publicKey: PublicKeyJwk = { kty: 'EC', crv: 'P-256', x: school.x, y: school.y };
    const source = `${school.kid}:${school.x}:${school.d}`;
    if (schoolKey?.source !== source) schoolKey = { source, key: importSchoolSigningKey(school) };
    return { privateKey: await schoolKey.key, kid: school.kid, info: { source: 'school', kid: school.kid, fingerprint: await keyFingerprint(publicKey), publicKey, createdAt: null } };
  }
  const device = await deviceSigningKey(now);
  const kid = await signingKeyId(device.publicKey, policy.teacherKeys);
  return { privateKey: device.privateKey, kid, info: { source: 'device', kid, fingerprint: await keyFingerprint(device.publicKey), publicKey: device.publicKey, createdAt: device.createdAt } };
}

const sameKey = (a: SigningKeyInfo | null, b: SigningKeyInfo): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Makes sure a teacher device has its signing key (generated on first use)
 * and shows it on the status page, so IT can list it before the first lesson.
 */
export async function prepareSigningKey(policy: Policy, now: number): Promise<SigningKeyInfo | null> {
  if (policy.role !== 'teacher' || policy.classFeed === undefined) return null;
  const { info } = await signer(policy, now);
  if (!sameKey((await feedBook()).book.key, info)) await updateFeedBook((book) => ({ patch: sameKey(book.key, info) ? {} : { key: info }, result: undefined }));
  return info;
}

async function scheduleRetry(outbox: OutboxStore, now: number): Promise<void> {
  await alarmAt(RETRY_ALARM, nextDeliveryAt(outbox), now, () => void deliverDue());
}

/** One PUT of `entry`, the class's newest document; resolves with the outbox as it then is. */
async function deliver(classId: string, entry: OutboxEntry, policy: Policy): Promise<OutboxStore> {
  const template = policy.classFeed?.urlTemplate;
  if (template === undefined) return (await feedBook()).book.outbox;
  const answer = await putFeedDocument(classFeedUrl(template, classId), entry.jws, policy.classFeed?.authorization);
  const result: DeliveryResult = answer.kind === 'status' ? deliveryResultOf(answer.status) : deliveryUnreachable(answer.message);
  const { book } = await updateFeedBook((latest) => {
    const now = latest.outbox[classId];
    // A newer document was published while this one travelled: its own delivery counts, not this one's.
    if (now === undefined || now.jws !== entry.jws) return { patch: {}, result: undefined };
    return { patch: { outbox: { ...latest.outbox, [classId]: afterAttempt(now, result, Date.now()) } }, result: undefined };
  });
  return book.outbox;
}

/** Delivers every document whose (re)try is due, and sets the alarm for the next; `policy` is the policy in force. */
export async function deliverDue(policy?: Policy): Promise<void> {
  const inForce = policy ?? (await ensureCurrent(Date.now())).inputs.resolve.policy;
  let { outbox } = (await feedBook()).book;
  if (inForce.role === 'teacher' && inForce.classFeed !== undefined) {
    const due = dueForDelivery(outbox, Date.now());
    for (const classId of due) outbox = await deliver(classId, outbox[classId]!, inForce);
  }
  await scheduleRetry(outbox, Date.now());
}

/** What a publication led to: how its first delivery went, and the document it replaced. */
interface Publication {
  readonly delivery: FeedDelivery;
  readonly previous: ClassDocument | undefined;
}

/** `policy` is the policy in force; the caller has checked that it lets this device publish to `classId`. */
async function publish(policy: Policy, classId: string, change: ClassChange, now: number): Promise<Publication> {
  const key = await signer(policy, now);
  const { result } = await updateFeedBook(async (book) => {
    const previous = book.outbox[classId]?.document;
    let signed;
    try {
      signed = await signClassDocument(nextDocument(classId, previous, change, now), key.privateKey, key.kid);
    } catch (error) {
      throw new RequestError('invalid', error instanceof Error ? error.message : String(error));
    }
    const entry = newEntry(signed.jws, signed.document, previous);
    return { patch: { outbox: { ...book.outbox, [classId]: entry }, ...(sameKey(book.key, key.info) ? {} : { key: key.info }) }, result: { entry, previous } };
  });
  const outbox = await deliver(classId, result.entry, policy);
  await scheduleRetry(outbox, Date.now());
  const delivery = deliveryOf(classId, outbox);
  if (delivery === null) throw new RequestError('internal', 'the published document was not recorded');
  return { delivery, previous: result.previous };
}

/**
 * Publishes `lesson` as class `classId`'s lesson (a running pause stays), or
 * with null ends it. Start, extend, change and end all come here with the
 * lesson as it now is; a lesson with a `startPage` opens it on every student
 * browser once. Resolves after the first delivery attempt.
 */
export function publishLesson(policy: Policy, classId: string, lesson: Lesson | null, now: number): Promise<Publication> {
  return publish(policy, classId, { lesson }, now);
}

/** A pause as the teacher asks for it: the message, and how long (1 to 10 minutes) from now. */
interface PauseRequest {
  readonly message: string;
  readonly minutes: number;
}

/** Pauses class `classId` ("eyes on me") with `pause`, or with null resumes it; the lesson stays as it is. */
export function publishPause(policy: Policy, classId: string, pause: PauseRequest | null, now: number): Promise<Publication> {
  if (pause !== null && !(pause.minutes > 0 && pause.minutes <= 10)) return Promise.reject(new RequestError('invalid', 'a pause lasts 1 to 10 minutes'));
  const classPause: ClassPause | null = pause === null ? null : { message: pause.message.trim(), startsAt: now, until: now + Math.round(pause.minutes * MINUTE) };
  return publish(policy, classId, { pause: classPause }, now);
}

/** Publishes any other change to class `classId`: the lessons waiting to start, a link. What it leaves out stays as it is. */
export function publishChange(policy: Policy, classId: string, change: ClassChange, now: number): Promise<Publication> {
  return publish(policy, classId, change, now);
}

/** What was last published to a class, as it stands at `now` (a scheduled lesson whose start has come is the running one). */
function planned(classId: string, document: ClassDocument | undefined, now: number): PublishedClass {
  if (document === undefined) return { classId, lesson: null, pause: null, scheduled: [], link: null };
  const plan = planAt(document.lesson, document.scheduled, now);
  return { classId, lesson: plan.lesson, pause: document.pause ?? null, scheduled: plan.scheduled, link: document.link ?? null };
}

/** The class's last published state at `now` (to extend or change the lesson it carries); null when nothing was published. */
export async function publishedState(classId: string, now: number): Promise<PublishedClass | null> {
  const entry = (await feedBook()).book.outbox[classId];
  return entry === undefined ? null : planned(classId, entry.document, now);
}

/** The last published state of each of `classIds` at `now` (a class never published to has neither lesson nor pause). */
export async function publishedClasses(classIds: readonly string[], now: number): Promise<PublishedClass[]> {
  const { outbox } = (await feedBook()).book;
  return classIds.map((classId) => planned(classId, outbox[classId]?.document, now));
}
