/**
 * Teacher authentication in the background: the PIN (IT's hash from the
 * policy, or one set on this device), wrong attempts with growing waits
 * (storage.local, so a restart does not reset them), and the unlock token
 * (only its hash, in storage.session, so a restarted service worker still
 * honours it). The rules of it are pure, in core/teacher/auth.ts.
 */
import { hashPin, PIN_ITERATIONS, PIN_SALT_BYTES, verifyPin } from '../../core/teacher/pin';
import type { UnlockResult } from '../../core/protocol';
import { PinHashSchema, type PinHash } from '../../core/schemas';
import { KEYS, SESSION_KEYS } from '../../core/state';
import {
  afterWrongPin,
  hashToken,
  NO_ATTEMPTS,
  PinAttemptsSchema,
  pinRetryAt,
  sessionActive,
  startSession,
  TeacherSessionSchema,
  tokenFromBytes,
  TOKEN_BYTES,
  touchSession,
  type TeacherSession,
} from '../../core/teacher/auth';
import { readLocal, removeLocal, writeLocal } from '../../platform/storage';
import { readSession, removeSession, writeSession } from '../../platform/session-storage';
import { RequestError } from '../errors';
import { serialQueue } from '../serial';

export interface PinSource {
  /** The PIN hash from IT's policy, if any: it wins over a local one, which then cannot be set. */
  readonly policyPin: PinHash | undefined;
}

export interface TeacherInfo {
  readonly pinSet: boolean;
  readonly pinFromPolicy: boolean;
  readonly lockedUntil: number | null;
}

/**
 * PIN checks run one at a time: otherwise a burst of guesses sent at once
 * would all be checked before the first wrong one is counted.
 */
const serially = serialQueue();

async function localPin(): Promise<PinHash | null> {
  return (await readLocal(KEYS.teacherPin, PinHashSchema.nullable(), null)).value;
}

async function pinInForce(source: PinSource): Promise<PinHash | null> {
  return source.policyPin ?? (await localPin());
}

async function attempts() {
  return (await readLocal(KEYS.pinAttempts, PinAttemptsSchema, NO_ATTEMPTS)).value;
}

/** What the status tells the UI about the teacher PIN. */
export async function teacherInfo(source: PinSource, now: number): Promise<TeacherInfo> {
  const [pin, tries] = await Promise.all([pinInForce(source), attempts()]);
  return { pinSet: pin !== null, pinFromPolicy: source.policyPin !== undefined, lockedUntil: pinRetryAt(tries, now) };
}

/**
 * Checks a PIN, counting wrong ones. Throws 'rate-limited' (with the time of
 * the next allowed try) while a wait is running, 'wrong-pin' for a wrong PIN.
 */
export function checkPin(source: PinSource, pin: string): Promise<void> {
  // The time is read when the check runs, not when the request came in: a
  // queued guess must see the wait that the one before it started.
  return serially(() => checkPinNow(source, pin, Date.now()));
}

async function checkPinNow(source: PinSource, pin: string, now: number): Promise<void> {
  const hash = await pinInForce(source);
  if (hash === null) throw new RequestError('forbidden', 'no teacher PIN has been set on this device yet');
  const tries = await attempts();
  const retryAt = pinRetryAt(tries, now);
  if (retryAt !== null) throw new RequestError('rate-limited', 'too many wrong PINs: wait a moment', retryAt);
  if (await verifyPin(pin, hash)) {
    if (tries.failures > 0) await removeLocal([KEYS.pinAttempts]);
    return;
  }
  const next = afterWrongPin(tries, now);
  await writeLocal({ [KEYS.pinAttempts]: next });
  const wait = pinRetryAt(next, now);
  throw new RequestError('wrong-pin', 'that PIN is not right', wait ?? undefined);
}

async function newSession(now: number): Promise<UnlockResult> {
  const token = tokenFromBytes(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)));
  const session = startSession(await hashToken(token), now);
  await writeSession({ [SESSION_KEYS.teacherSession]: session });
  return { token, expiresAt: session.expiresAt };
}

/** A correct PIN gives a fresh token; any earlier token stops working. */
export async function unlock(source: PinSource, pin: string): Promise<UnlockResult> {
  await checkPin(source, pin);
  return newSession(Date.now());
}

async function currentSession(): Promise<TeacherSession | null> {
  return readSession(SESSION_KEYS.teacherSession, TeacherSessionSchema.nullable(), null);
}

/**
 * Throws 'locked' unless `token` is the current unlock and still fresh; a
 * valid use moves its idle expiry on. Every state-changing request passes
 * through here.
 */
export async function requireToken(token: string | undefined, now: number): Promise<UnlockResult> {
  const session = await currentSession();
  if (token === undefined || session === null || !sessionActive(session, now) || (await hashToken(token)) !== session.tokenHash) {
    throw new RequestError('locked', 'the teacher panel is locked: enter the PIN');
  }
  const touched = touchSession(session, now);
  await writeSession({ [SESSION_KEYS.teacherSession]: touched });
  return { token, expiresAt: touched.expiresAt };
}

/** Ends the unlock; only its holder can. */
export async function lock(token: string, now: number): Promise<null> {
  await requireToken(token, now);
  await removeSession([SESSION_KEYS.teacherSession]);
  return null;
}

/**
 * Sets the PIN on this device: the first time without anything (whoever
 * installs Lesmodus sets it; IT can set it school-wide instead), later only
 * with a valid token and the old PIN. Never where IT's policy sets the PIN.
 * Returns a fresh unlock, since the teacher has just proved they know it.
 */
export function setPin(source: PinSource, request: { token?: string; oldPin?: string; newPin: string }): Promise<UnlockResult> {
  // One at a time, like PIN checks: two first-time settings at once must not both succeed.
  return serially(() => setPinNow(source, request, Date.now()));
}

async function setPinNow(source: PinSource, request: { token?: string; oldPin?: string; newPin: string }, now: number): Promise<UnlockResult> {
  if (source.policyPin !== undefined) throw new RequestError('forbidden', 'your school sets the teacher PIN: ask IT to change it');
  const existing = await localPin();
  if (existing !== null) {
    await requireToken(request.token, now);
    if (request.oldPin === undefined) throw new RequestError('wrong-pin', 'enter the current PIN to change it');
    await checkPinNow(source, request.oldPin, now);
  }
  const salt = crypto.getRandomValues(new Uint8Array(PIN_SALT_BYTES));
  const hash = await hashPin(request.newPin, salt, PIN_ITERATIONS);
  await writeLocal({ [KEYS.teacherPin]: hash });
  await removeLocal([KEYS.pinAttempts]);
  return newSession(now);
}
