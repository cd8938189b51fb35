/**
 * Teacher authentication, the pure part: where the PIN may come from on a
 * device, how long a wrong PIN makes the next attempt wait, and when an
 * unlock token stops being honoured. The background keeps the state
 * (attempts in storage.local and a second copy, so neither a browser restart
 * nor a deleted folder resets the waits; the session in storage.session) and
 * passes `now` in.
 */
import { z } from 'zod';

/** Consecutive wrong PINs, and when the last one was entered. */
export const PinAttemptsSchema = z.object({
  failures: z.number().int().min(0).max(1_000_000),
  lastFailureAt: z.number().int().nullable(),
});
export type PinAttempts = z.infer<typeof PinAttemptsSchema>;

export const NO_ATTEMPTS: PinAttempts = { failures: 0, lastFailureAt: null };

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * The wait after the n-th wrong PIN in a row. A teacher who mistypes twice
 * is not held up; after that the waits double up to a quarter of an hour, so
 * guessing a 4-digit PIN (10,000 tries) takes months, not minutes.
 */
const WAITS: readonly number[] = [0, 0, 0, 30 * SECOND, MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE];
export const LONGEST_WAIT = 15 * MINUTE;

/** After a day without a wrong PIN, the count starts again. */
export const FORGET_FAILURES_AFTER = 24 * 60 * MINUTE;

/** How long the n-th consecutive wrong PIN makes the next attempt wait, in ms. */
export function waitAfterFailures(failures: number): number {
  if (failures <= 0) return 0;
  return WAITS[failures] ?? LONGEST_WAIT;
}

function forgotten(attempts: PinAttempts, now: number): boolean {
  return attempts.lastFailureAt === null || now - attempts.lastFailureAt >= FORGET_FAILURES_AFTER;
}

/**
 * When the next PIN attempt is allowed, or null when it is allowed now.
 * A clock set back to before the last wrong PIN allows the attempt at once:
 * waiting "until the clock catches up" could lock a teacher out for days,
 * and whoever can set the clock can skip any wait anyway. The count of wrong
 * PINs is kept, so the next wrong one waits longer still.
 */
export function pinRetryAt(attempts: PinAttempts, now: number): number | null {
  if (attempts.failures === 0 || attempts.lastFailureAt === null || attempts.lastFailureAt > now) return null;
  if (forgotten(attempts, now)) return null;
  const retryAt = attempts.lastFailureAt + waitAfterFailures(attempts.failures);
  return retryAt > now ? retryAt : null;
}

/**
 * The stricter of two copies of the attempts (storage.local and the second
 * copy): the higher count and the later wrong PIN. Deleting or rewinding one
 * copy never shortens a wait.
 */
export function stricterAttempts(a: PinAttempts, b: PinAttempts): PinAttempts {
  const last = a.lastFailureAt === null ? b.lastFailureAt : b.lastFailureAt === null ? a.lastFailureAt : Math.max(a.lastFailureAt, b.lastFailureAt);
  return { failures: Math.max(a.failures, b.failures), lastFailureAt: last };
}

/** The attempts after a wrong PIN at `now`. */
export function afterWrongPin(attempts: PinAttempts, now: number): PinAttempts {
  const previous = attempts.lastFailureAt !== null && attempts.lastFailureAt <= now && forgotten(attempts, now) ? 0 : attempts.failures;
  return { failures: previous + 1, lastFailureAt: now };
}

// ---------------------------------------------------------------------------
// Where the PIN comes from

/** What the device knows about IT's policy, as far as the PIN is concerned. */
export interface PinPolicyFacts {
  /** Where the policy in force came from: 'none' when no IT policy is in force. */
  readonly source: 'managed' | 'cache' | 'none';
  readonly role: 'student' | 'teacher';
  /** IT's policy sets teacherPin. */
  readonly policyPin: boolean;
  /** The last read of managed storage: null before the browser first answered on this profile. */
  readonly check: { readonly found: boolean; readonly failed: boolean } | null;
}

/**
 * Whether a PIN may be set (and a PIN set earlier counts) on this device:
 *
 * - 'allowed': a teacher device without a PIN from IT, or a device the
 *   browser says has no IT policy at all (a teacher's own browser at home).
 * - 'policy-pin': IT's policy sets the PIN; it is changed there.
 * - 'student-device': IT's policy makes this a student device (role
 *   "student", the default): the PIN comes from the policy only, so a
 *   student who clicks Teacher first cannot choose it.
 * - 'policy-unknown': the browser has not (successfully) said yet whether IT
 *   has a policy here — right after the local storage was wiped, say — or
 *   says it has one that is not valid. Nothing is set until that is known.
 */
export type LocalPinRule = 'allowed' | 'policy-pin' | 'student-device' | 'policy-unknown';

export function localPinRule(facts: PinPolicyFacts): LocalPinRule {
  if (facts.source !== 'none') {
    if (facts.policyPin) return 'policy-pin';
    return facts.role === 'student' ? 'student-device' : 'allowed';
  }
  if (facts.check === null || facts.check.failed || facts.check.found) return 'policy-unknown';
  return 'allowed';
}

// ---------------------------------------------------------------------------
// Unlock sessions

/** An unlock: only a hash of the token is kept, so reading storage gives no token. */
export const TeacherSessionSchema = z.object({
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  startedAt: z.number().int(),
  expiresAt: z.number().int(),
});
export type TeacherSession = z.infer<typeof TeacherSessionSchema>;

/** Unused for this long, an unlock expires: the panel locks itself a few minutes after the teacher walks away. */
export const SESSION_IDLE_MS = 5 * MINUTE;
/** However busy, an unlock lasts no longer than a school day. */
export const SESSION_MAX_MS = 8 * 60 * MINUTE;
/** Bytes of randomness in a token. */
export const TOKEN_BYTES = 32;

/** A token from random bytes (the caller draws them with crypto.getRandomValues): base64url. */
export function tokenFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 16) throw new RangeError('a token needs at least 16 random bytes');
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** SHA-256 of the token, hex. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A fresh session for a token hash, starting at `now`. */
export function startSession(tokenHash: string, now: number): TeacherSession {
  return { tokenHash, startedAt: now, expiresAt: now + SESSION_IDLE_MS };
}

/** True while the session is honoured at `now`. A clock set back before its start ends it too. */
export function sessionActive(session: TeacherSession, now: number): boolean {
  return now >= session.startedAt && now < session.expiresAt && now < session.startedAt + SESSION_MAX_MS;
}

/** The session after a use at `now`: the idle expiry moves on, up to the maximum length. */
export function touchSession(session: TeacherSession, now: number): TeacherSession {
  return { ...session, expiresAt: Math.min(now + SESSION_IDLE_MS, session.startedAt + SESSION_MAX_MS) };
}
