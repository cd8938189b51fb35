/**
 * Signed class documents (docs/design.md, "Teacher control"). One document per
 * class carries the class's whole current state: the lesson (or none: the
 * lesson was ended), the lessons that start later, a pause (or none) and a
 * link sent to the class (or none). A teacher's browser signs it with
 * ECDSA P-256 (ES256) and PUTs it to the class feed; student browsers fetch
 * it and accept it only when
 *
 *   - it is a well-formed compact JWS no larger than the limit,
 *   - it is signed by a key IT lists (teacherKeys) under the header's kid,
 *   - its payload is a valid document for the class the device follows,
 *   - it is newer than the last one accepted (a replayed old one is ignored),
 *   - it was not issued in the future (beyond a clock-skew allowance),
 *   - the signing key may sign for that class (IT can scope a key to classes),
 *   - its lesson or pause does not start more than a week ahead, and
 *   - it still has an effect: its lesson or pause is not over.
 *
 * How long an accepted lesson may hold a class is IT's maxLessonMinutes,
 * applied where the lesson goes into the rules (follow.ts, lessonInForce).
 *
 * Trust comes from the signature alone, never from the server that carried
 * the document. Pure: keys and the time come in as arguments. jose does the
 * JWS work over WebCrypto, which service workers and Node both have.
 */
import { CompactSign, calculateJwkThumbprint, compactVerify, importJWK, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { CLASS_DOCUMENT_TYPE, CLASS_ID_RE, CLOCK_SKEW_MS, KEY_ID_RE, MAX_DOCUMENT_BYTES, base64UrlToBytes, outlineClassDocument } from './format';
import { LessonSchema } from '../schemas';

const MINUTE = 60_000;

/** The longest a pause may last: "eyes on me" is a moment, not a lesson. */
export const MAX_PAUSE_MS = 10 * MINUTE;
/** The longest pause message, about two sentences. */
export const MAX_PAUSE_MESSAGE = 280;
export { CLOCK_SKEW_MS };
/**
 * How far ahead a lesson or pause may start. A teacher plans today's and
 * next week's lessons; a document that holds a class months ahead is a
 * mistake or an attack, and is refused rather than kept waiting.
 */
export const MAX_START_AHEAD_MS = 7 * 24 * 60 * MINUTE;

const Instant = z.number().int().nonnegative();

const ClassPauseSchema = z
  .object({
    message: z.string().trim().min(1, 'a pause needs a message').max(MAX_PAUSE_MESSAGE, `a pause message has at most ${MAX_PAUSE_MESSAGE} characters`),
    startsAt: Instant,
    until: Instant,
  })
  .refine((pause) => pause.until > pause.startsAt, { message: 'a pause must end after it starts', path: ['until'] })
  .refine((pause) => pause.until - pause.startsAt <= MAX_PAUSE_MS, { message: 'a pause lasts at most 10 minutes', path: ['until'] });
export type ClassPause = z.infer<typeof ClassPauseSchema>;

/** How many lessons a class may have waiting at once: today's and the week's, not a term's. */
export const MAX_SCHEDULED = 10;

/**
 * A link the teacher sends to every student browser of the class during a
 * lesson: opened once per device (remembered by `id`), and only when the
 * lesson in force allows its address.
 */
export const ClassLinkSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'not a link id'),
  url: z.url({ protocol: /^https?$/ }).max(2048),
  /** When the teacher sent it (epoch ms): it opens only in a lesson that ran then. */
  sentAt: Instant,
});
export type ClassLink = z.infer<typeof ClassLinkSchema>;

/** The signed payload: the whole current state of one class. */
export const ClassDocumentSchema = z.object({
  v: z.literal(1),
  class: z.string().regex(CLASS_ID_RE, 'not a class id'),
  /** When the teacher's browser signed it (epoch ms); a newer document replaces an older one. */
  issuedAt: Instant,
  /** The signing key's id; must equal the JWS header's kid. */
  kid: z.string().regex(KEY_ID_RE, 'not a key id'),
  /** The class's lesson; null when the teacher ended it (or started none). */
  lesson: LessonSchema.nullable(),
  /** A class-wide pause; absent when there is none. */
  pause: ClassPauseSchema.optional(),
  /**
   * Lessons that start later (each with its own startsAt and endsAt), in
   * addition to `lesson`: the latest to have started is the one in force
   * (core/feed/plan.ts). Absent in documents from before they existed, and
   * ignored by student devices from then (zod drops an unknown key), which
   * then simply do not start them.
   */
  scheduled: z.array(LessonSchema).max(MAX_SCHEDULED, `at most ${MAX_SCHEDULED} lessons can wait at once`).optional(),
  /** The link sent to the class during its lesson; absent when there is none. */
  link: ClassLinkSchema.optional(),
});
export type ClassDocument = z.infer<typeof ClassDocumentSchema>;

/** A document as the teacher's side composes it: `v` and `kid` are filled in when signing. */
export type ClassDocumentDraft = Omit<z.input<typeof ClassDocumentSchema>, 'v' | 'kid'>;

/** A P-256 public key as IT lists it (the JWK members that matter). */
export interface PublicKeyJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
}

/** A key student devices trust: policy.teacherKeys[] has this shape. */
export interface TrustedKey {
  readonly id: string;
  readonly name?: string;
  readonly publicKey: PublicKeyJwk;
  /** The classes this key may sign for; absent: every class. */
  readonly classes?: readonly string[];
}

/** True when `key` may sign documents for `classId`. */
export function keyMaySignFor(key: Pick<TrustedKey, 'classes'>, classId: string): boolean {
  return key.classes === undefined || key.classes.includes(classId);
}

/** Every way a document can be refused; stored with each refusal, and worded on the status page (ui/shared/text.ts). */
export const RejectReasonSchema = z.enum([
  'malformed',
  'oversized',
  'unknown-key',
  'bad-signature',
  'wrong-class',
  'key-not-for-class',
  'invalid',
  'replayed',
  'expired',
  'future',
  'too-far-ahead',
]);
export type RejectReason = z.infer<typeof RejectReasonSchema>;

interface VerifiedDocument {
  readonly document: ClassDocument;
  /** The trusted key that signed it. */
  readonly signer: { readonly kid: string; readonly name: string | null; readonly x: string; readonly y: string };
}

export type VerifyResult = ({ readonly ok: true } & VerifiedDocument) | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

export interface VerifyOptions {
  readonly trustedKeys: readonly TrustedKey[];
  /** The class this device fetched the document for. */
  readonly classId: string;
  /** issuedAt of the last document accepted for this class; null when none was. */
  readonly lastIssuedAt: number | null;
  readonly now: number;
  readonly maxBytes?: number;
  readonly clockSkewMs?: number;
}

/** True while a document still does something: its lesson (or one it schedules) has not ended, or its pause is not over. */
export function documentInEffect(document: Pick<ClassDocument, 'lesson' | 'pause'> & { readonly scheduled?: ClassDocument['scheduled'] }, now: number): boolean {
  return (
    (document.lesson !== null && document.lesson.endsAt > now) ||
    (document.pause !== undefined && document.pause.until > now) ||
    (document.scheduled ?? []).some((lesson) => lesson.endsAt > now)
  );
}

function reject(reason: RejectReason, detail: string): VerifyResult {
  return { ok: false, reason, detail };
}

function publicPart(jwk: PublicKeyJwk): PublicKeyJwk {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid document';
  return `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}

/**
 * Verifies a class document fetched for `classId`. Every way it can be
 * refused has its own reason, so the status page can say what is wrong
 * (a key IT forgot to list looks different from a forged document).
 */
export async function verifyClassDocument(jws: string, options: VerifyOptions): Promise<VerifyResult> {
  const { trustedKeys, classId, lastIssuedAt, now } = options;
  const outlined = outlineClassDocument(jws, options.maxBytes ?? MAX_DOCUMENT_BYTES);
  if (!outlined.ok) return reject(outlined.reason, outlined.detail);
  const { kid } = outlined.outline;

  const trusted = trustedKeys.find((key) => key.id === kid);
  if (trusted === undefined) return reject('unknown-key', `signed with key "${kid}", which this device's policy does not list`);

  let payloadBytes: Uint8Array;
  try {
    const key = await importJWK({ ...publicPart(trusted.publicKey), alg: 'ES256' }, 'ES256');
    ({ payload: payloadBytes } = await compactVerify(jws, key, { algorithms: ['ES256'] }));
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) return reject('bad-signature', `the signature does not match key "${kid}"`);
    return reject('malformed', `the JWS could not be checked: ${error instanceof Error ? error.message : String(error)}`);
  }

  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(payloadBytes));
  } catch {
    return reject('malformed', 'the payload is not JSON');
  }
  const parsed = ClassDocumentSchema.safeParse(payload);
  if (!parsed.success) return reject('invalid', firstIssue(parsed.error));
  const document = parsed.data;
  if (document.kid !== kid) return reject('invalid', `the payload names key "${document.kid}" but the header names "${kid}"`);
  if (document.class !== classId) return reject('wrong-class', `a document for class "${document.class}", fetched for class "${classId}"`);
  if (!keyMaySignFor(trusted, classId)) {
    return reject('key-not-for-class', `signed with key "${kid}", which this device's policy allows only for ${trusted.classes?.map((id) => `"${id}"`).join(', ') || 'no class'}`);
  }

  const skew = options.clockSkewMs ?? CLOCK_SKEW_MS;
  if (document.issuedAt > now + skew) return reject('future', `issued ${Math.round((document.issuedAt - now) / 1000)} s in the future; is a clock wrong?`);
  if (lastIssuedAt !== null && document.issuedAt <= lastIssuedAt) {
    return reject('replayed', `issued at ${document.issuedAt}, not newer than the document accepted before (${lastIssuedAt})`);
  }
  const starts: readonly (readonly [string, number])[] = [
    ['lesson', document.lesson?.startsAt ?? 0],
    ['pause', document.pause?.startsAt ?? 0],
    ...(document.scheduled ?? []).map((lesson) => ['scheduled lesson', lesson.startsAt] as const),
  ];
  const latest = starts.reduce((a, b) => (b[1] > a[1] ? b : a));
  if (latest[1] > now + MAX_START_AHEAD_MS) {
    return reject('too-far-ahead', `its ${latest[0]} starts in ${Math.round((latest[1] - now) / (24 * 60 * MINUTE))} days; at most 7 days ahead are accepted`);
  }
  if (!documentInEffect(document, now) && (document.lesson !== null || document.pause !== undefined || (document.scheduled ?? []).length > 0)) {
    return reject('expired', document.lesson !== null ? 'its lesson is over' : document.pause !== undefined ? 'its pause is over' : 'its scheduled lessons are over');
  }
  return { ok: true, document, signer: { kid, name: trusted.name ?? null, x: trusted.publicKey.x, y: trusted.publicKey.y } };
}

/**
 * Signs a class document with `privateKey` (ECDSA P-256) under key id `kid`.
 * The draft is validated first: a document a student would refuse as invalid
 * is never sent. Returns the compact JWS and the document it carries.
 */
export async function signClassDocument(draft: ClassDocumentDraft, privateKey: CryptoKey, kid: string): Promise<{ jws: string; document: ClassDocument }> {
  const parsed = ClassDocumentSchema.safeParse({ ...draft, v: 1, kid });
  if (!parsed.success) throw new Error(`not a valid class document: ${firstIssue(parsed.error)}`);
  const document = parsed.data;
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(document))).setProtectedHeader({ alg: 'ES256', kid, typ: CLASS_DOCUMENT_TYPE }).sign(privateKey);
  if (jws.length > MAX_DOCUMENT_BYTES) throw new Error(`the class document is ${jws.length} bytes; at most ${MAX_DOCUMENT_BYTES} can be published`);
  return { jws, document };
}

/**
 * A short fingerprint of a public key for people to compare by eye (the
 * status page on a teacher's laptop against IT's policy): the first 8 bytes
 * of the key's RFC 7638 thumbprint (itself a SHA-256), in four groups of
 * four hex digits, e.g. "3F2A 9C01 77DE 4B20".
 */
export async function keyFingerprint(jwk: PublicKeyJwk): Promise<string> {
  const thumbprint = base64UrlToBytes(await calculateJwkThumbprint(publicPart(jwk), 'sha256'));
  const hex = [...(thumbprint ?? new Uint8Array()).slice(0, 8)].map((byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join('');
  return hex.match(/.{4}/g)?.join(' ') ?? hex;
}

/**
 * The key id a teacher device signs with: the id under which its policy
 * already lists this public key (IT may name keys after teachers), or else
 * one derived from the key itself ("k-" and 16 characters of its
 * thumbprint), which is what the status page tells IT to list.
 */
export async function signingKeyId(jwk: PublicKeyJwk, listed: readonly TrustedKey[]): Promise<string> {
  const known = listed.find((key) => key.publicKey.x === jwk.x && key.publicKey.y === jwk.y);
  if (known !== undefined) return known.id;
  return `k-${(await calculateJwkThumbprint(publicPart(jwk), 'sha256')).slice(0, 16)}`;
}

/** Imports IT's school signing key (a private JWK from the policy) as a non-extractable signing key. */
export async function importSchoolSigningKey(jwk: PublicKeyJwk & { d: string }): Promise<CryptoKey> {
  const key = await importJWK({ ...publicPart(jwk), d: jwk.d, alg: 'ES256' }, 'ES256', { extractable: false });
  // importJWK gives bytes only for symmetric ("oct") keys.
  if (key instanceof Uint8Array) throw new Error('the school signing key is not an EC key');
  return key;
}
