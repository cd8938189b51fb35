/**
 * Publishing to the class feed from a teacher device: a change to a class
 * (a lesson, its end, a pause, its end) becomes the class's next signed
 * document, PUT to the class's address. Delivery is recorded per class in
 * storage.local (feedOutbox) and retried with exponential backoff on an
 * alarm until the feed has it, a newer document replaces it, or it no longer
 * matters. The popup's handlers call publishLesson / publishPause and show
 * feedDelivery; whether the teacher's own browser also applies the lesson is
 * the caller's choice (by default it does not).
 */
import { importSchoolSigningKey, keyFingerprint, signClassDocument, signingKeyId, type ClassPause, type PublicKeyJwk } from '../../core/feed/document';
import { classFeedUrl } from '../../core/feed/format';
import { afterAttempt, deliveryResultOf, deliveryUnreachable, dueForDelivery, newEntry, nextDeliveryAt, nextDocument, type ClassChange, type DeliveryResult } from '../../core/feed/outbox';
import { deliveryOf, type FeedDelivery, type SigningKeyInfo } from '../../core/feed/status';
import type { Policy } from '../../core/policy/policy';
import type { PublishedClass } from '../../core/protocol';
import type { Lesson } from '../../core/schemas';
import { alarmAt } from '../../platform/alarms';
import { deviceSigningKey } from '../../platform/keystore';
import { putFeedDocument } from '../../platform/network';
import { RequestError } from '../errors';
import { readFeedBook, updateFeedBook } from './book';
import { ensureCurrent } from '../rules/flow';

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

/** Records the signing key's public half for the status page, when it changed. */
async function noteKey(info: SigningKeyInfo): Promise<void> {
  await updateFeedBook((book) => ({ patch: JSON.stringify(book.key) === JSON.stringify(info) ? {} : { key: info }, result: undefined }));
}

/**
 * Makes sure a teacher device has its signing key (generated on first use)
 * and shows it on the status page, so IT can list it before the first lesson.
 */
export async function prepareSigningKey(policy: Policy, now: number): Promise<SigningKeyInfo | null> {
  if (policy.role !== 'teacher' || policy.classFeed === undefined) return null;
  const { info } = await signer(policy, now);
  await noteKey(info);
  return info;
}

function publishingPolicy(policy: Policy, classId: string): void {
  if (policy.role !== 'teacher') throw new RequestError('forbidden', 'only teacher devices publish lessons to the class feed');
  if (policy.classFeed === undefined) throw new RequestError('forbidden', 'your school has not set up a class feed');
  if (!policy.classes.includes(classId)) throw new RequestError('not-found', `class ${classId} is not one of the classes set for this device`);
}

async function scheduleRetry(now: number): Promise<void> {
  const { book } = await readFeedBook();
  await alarmAt(RETRY_ALARM, nextDeliveryAt(book.outbox), now, () => void deliverDue());
}

/** One PUT of the class's newest document, when it is still pending. */
async function deliver(classId: string, policy: Policy): Promise<void> {
  const { book } = await readFeedBook();
  const entry = book.outbox[classId];
  const template = policy.classFeed?.urlTemplate;
  if (entry === undefined || entry.state !== 'pending' || template === undefined) return;
  const answer = await putFeedDocument(classFeedUrl(template, classId), entry.jws, policy.classFeed?.authorization);
  const result: DeliveryResult = answer.kind === 'status' ? deliveryResultOf(answer.status) : deliveryUnreachable(answer.message);
  await updateFeedBook((latest) => {
    const now = latest.outbox[classId];
    // A newer document was published while this one travelled: its own delivery counts, not this one's.
    if (now === undefined || now.jws !== entry.jws) return { patch: {}, result: undefined };
    return { patch: { outbox: { ...latest.outbox, [classId]: afterAttempt(now, result, Date.now()) } }, result: undefined };
  });
}

/** Delivers every document whose (re)try is due, and sets the alarm for the next. */
export async function deliverDue(): Promise<void> {
  const current = await ensureCurrent(Date.now());
  const policy = current.inputs.resolve.policy;
  if (policy.role === 'teacher' && policy.classFeed !== undefined) {
    const { book } = await readFeedBook();
    await Promise.all(dueForDelivery(book.outbox, Date.now()).map((classId) => deliver(classId, policy)));
  }
  await scheduleRetry(Date.now());
}

async function publish(classId: string, change: ClassChange, now: number): Promise<FeedDelivery> {
  const policy = (await ensureCurrent(now)).inputs.resolve.policy;
  publishingPolicy(policy, classId);
  const key = await signer(policy, now);
  await noteKey(key.info);
  await updateFeedBook(async (book) => {
    const previous = book.outbox[classId]?.document;
    let signed;
    try {
      signed = await signClassDocument(nextDocument(classId, previous, change, now), key.privateKey, key.kid);
    } catch (error) {
      throw new RequestError('invalid', error instanceof Error ? error.message : String(error));
    }
    return { patch: { outbox: { ...book.outbox, [classId]: newEntry(signed.jws, signed.document, previous) } }, result: undefined };
  });
  await deliver(classId, policy);
  await scheduleRetry(Date.now());
  const delivery = await feedDelivery(classId);
  if (delivery === null) throw new RequestError('internal', 'the published document was not recorded');
  return delivery;
}

/**
 * Publishes `lesson` as class `classId`'s lesson (a running pause stays), or
 * with null ends it. Start, extend, change and end all come here with the
 * lesson as it now is; a lesson with a `startPage` opens it on every student
 * browser once. Resolves after the first delivery attempt.
 */
export function publishLesson(classId: string, lesson: Lesson | null, now: number = Date.now()): Promise<FeedDelivery> {
  return publish(classId, { lesson }, now);
}

/** A pause as the teacher asks for it: the message, and how long (1 to 10 minutes) from now. */
interface PauseRequest {
  readonly message: string;
  readonly minutes: number;
}

/** Pauses class `classId` ("eyes on me") with `pause`, or with null resumes it; the lesson stays as it is. */
export function publishPause(classId: string, pause: PauseRequest | null, now: number = Date.now()): Promise<FeedDelivery> {
  if (pause !== null && !(pause.minutes > 0 && pause.minutes <= 10)) return Promise.reject(new RequestError('invalid', 'a pause lasts 1 to 10 minutes'));
  const classPause: ClassPause | null = pause === null ? null : { message: pause.message.trim(), startsAt: now, until: now + Math.round(pause.minutes * MINUTE) };
  return publish(classId, { pause: classPause }, now);
}

/** How delivery of the class's last published document is going; null when nothing was published. */
async function feedDelivery(classId: string): Promise<FeedDelivery | null> {
  return deliveryOf(classId, (await readFeedBook()).book.outbox);
}

/** The class's last published state (to extend or change the lesson it carries); null when nothing was published. */
export async function publishedState(classId: string): Promise<{ lesson: Lesson | null; pause: ClassPause | null } | null> {
  const entry = (await readFeedBook()).book.outbox[classId];
  return entry === undefined ? null : { lesson: entry.document.lesson, pause: entry.document.pause ?? null };
}

/** The last published state of each of `classIds`, from one read (a class never published to has neither lesson nor pause). */
export async function publishedClasses(classIds: readonly string[]): Promise<PublishedClass[]> {
  const { outbox } = (await readFeedBook()).book;
  return classIds.map((classId) => {
    const document = outbox[classId]?.document;
    return { classId, lesson: document?.lesson ?? null, pause: document?.pause ?? null };
  });
}
