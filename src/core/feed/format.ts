/**
 * The outer shape of a class document, checked without any key: a compact
 * JWS (RFC 7515) whose protected header says ES256, names a key and carries
 * Lesmodus' type, and whose payload is a JSON object naming a class and an
 * issue time. Student devices check this before spending a signature
 * verification on it; the reference feed server checks only this (it holds no
 * keys: trust comes from the signature, which students check).
 *
 * Pure and dependency-free, so the server does not load any crypto library.
 */

/** A class document is a few kilobytes (a lesson lists at most 1,200 patterns); anything larger is refused. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

/**
 * The JWS `typ` header of a class document (RFC 8725 §3.11, explicit typing):
 * a signature made with the same key for some other purpose is never taken
 * for a lesson.
 */
export const CLASS_DOCUMENT_TYPE = 'lesmodus-class+jws';

/**
 * How far a document's issuedAt may be ahead of the reader's clock: clocks of
 * school laptops drift. Student devices allow this much; the reference feed
 * server refuses to store a document dated further ahead than this.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Key ids, as in IT's policy (teacherKeys[].id). */
export const KEY_ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Class ids, as in IT's policy (classes[]). */
export const CLASS_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

const COMPACT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** ES256 signatures are r‖s, 32 bytes each (RFC 7518 §3.4). */
const ES256_SIGNATURE_BYTES = 64;

/** Decodes base64url (no padding) to bytes; null when it is not base64url. */
export function base64UrlToBytes(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeJsonObject(part: string): Record<string, unknown> | null {
  const bytes = base64UrlToBytes(part);
  if (bytes === null) return null;
  try {
    const value: unknown = JSON.parse(utf8.decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What can be read from a class document without a key. */
interface DocumentOutline {
  readonly kid: string;
  readonly classId: string;
  readonly issuedAt: number;
  /** The decoded payload, not yet validated against the document schema. */
  readonly payload: Record<string, unknown>;
}

type OutlineResult =
  | { readonly ok: true; readonly outline: DocumentOutline }
  | { readonly ok: false; readonly reason: 'oversized' | 'malformed'; readonly detail: string };

/**
 * Checks that `text` is a compact JWS shaped like a class document: size,
 * three base64url parts, header `{alg: "ES256", kid, typ}` with no `crit`,
 * a 64-byte signature, and a JSON payload with `v: 1`, a class id and an
 * integer `issuedAt`. Says nothing about whether it is signed by anyone.
 */
export function outlineClassDocument(text: string, maxBytes: number = MAX_DOCUMENT_BYTES): OutlineResult {
  const malformed = (detail: string): OutlineResult => ({ ok: false, reason: 'malformed', detail });
  // Past the regex below the text is ASCII, so its length is its size in bytes.
  if (text.length > maxBytes) return { ok: false, reason: 'oversized', detail: `${text.length} bytes, at most ${maxBytes} accepted` };
  if (!COMPACT_RE.test(text)) return malformed('not a compact JWS (three base64url parts joined by dots)');
  const [headerPart = '', payloadPart = '', signaturePart = ''] = text.split('.');

  const header = decodeJsonObject(headerPart);
  if (header === null) return malformed('the protected header is not a JSON object');
  if (header.alg !== 'ES256') return malformed(`the algorithm is ${JSON.stringify(header.alg)}, only "ES256" is accepted`);
  if (typeof header.kid !== 'string' || !KEY_ID_RE.test(header.kid)) return malformed('the header names no valid key id (kid)');
  if (header.typ !== CLASS_DOCUMENT_TYPE) return malformed(`the header type (typ) is ${JSON.stringify(header.typ)}, not "${CLASS_DOCUMENT_TYPE}"`);
  if ('crit' in header || 'b64' in header) return malformed('the header asks for extensions (crit, b64) that class documents do not use');
  if (base64UrlToBytes(signaturePart)?.length !== ES256_SIGNATURE_BYTES) return malformed('the signature is not an ES256 signature (64 bytes)');

  const payload = decodeJsonObject(payloadPart);
  if (payload === null) return malformed('the payload is not a JSON object');
  if (payload.v !== 1) return malformed(`unknown document version ${JSON.stringify(payload.v)}`);
  if (typeof payload.class !== 'string' || !CLASS_ID_RE.test(payload.class)) return malformed('the payload names no valid class');
  if (typeof payload.issuedAt !== 'number' || !Number.isSafeInteger(payload.issuedAt) || payload.issuedAt < 0) return malformed('the payload has no valid issuedAt');
  return { ok: true, outline: { kid: header.kid, classId: payload.class, issuedAt: payload.issuedAt, payload } };
}

/**
 * A short, non-cryptographic digest (FNV-1a, 32 bits, hex) for telling one
 * document from another in bookkeeping — never for trust.
 */
export function shortDigest(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** The feed address of one class: `{class}` in IT's template replaced by the (URL-encoded) class id. */
export function classFeedUrl(template: string, classId: string): string {
  return template.split('{class}').join(encodeURIComponent(classId));
}
