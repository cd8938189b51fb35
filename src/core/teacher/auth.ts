/**
 * Teacher authentication, the pure part: how long a wrong PIN makes the next
 * attempt wait, and when an unlock token stops being honoured. The background
 * keeps the state (attempts in storage.local, so a browser restart does not
 * reset the waits; the session in storage.session) and passes `now` in.
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

/** The attempts after a wrong PIN at `now`. */
export function afterWrongPin(attempts: PinAttempts, now: number): PinAttempts {
  const previous = attempts.lastFailureAt !== null && attempts.lastFailureAt <= now && forgotten(attempts, now) ? 0 : attempts.failures;
  return { failures: previous + 1, lastFailureAt: now };
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
