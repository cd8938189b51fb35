/**
 * Teacher authentication in the background: the PIN (IT's hash from the
 * policy, or one set on a device that is not a student's), wrong attempts
 * with growing waits (storage.local and a second copy in IndexedDB, the
 * stricter counting, so neither a restart nor a deleted folder resets them),
 * and the unlock token (only its hash, in storage.session, so a restarted
 * service worker still honours it). The rules of it are pure, in
 * core/teacher/auth.ts.
 */
import { hashPin, PIN_ITERATIONS, PIN_SALT_BYTES, pinStrength, verifyPin, weakPinProblem } from '../../core/teacher/pin';
import type { UnlockResult } from '../../core/protocol';
import { PinHashSchema, type PinHash } from '../../core/schemas';
import { KEYS, SESSION_KEYS } from '../../core/state';
import {
  afterWrongPin,
  hashToken,
  type LocalPinRule,
  NO_ATTEMPTS,
  PinAttemptsSchema,
  type PinAttempts,
  pinRetryAt,
  sessionActive,
  startSession,
  stricterAttempts,
  TeacherSessionSchema,
  tokenFromBytes,
  TOKEN_BYTES,
  touchSession,
  type TeacherSession,
} from '../../core/teacher/auth';
import { readSecondCopies, removeSecondCopies, writeSecondCopies } from '../../platform/second-copy';
import { checkStored, readLocal, removeLocal, writeLocal } from '../../platform/storage';
import { readSession, removeSession, writeSession } from '../../platform/session-storage';
import { trustedNow } from '../clock';
import { RequestError } from '../errors';
import { serialQueue } from '../serial';

export interface PinSource {
  /** The PIN hash from IT's policy, if any: it wins over a local one, which then cannot be set. */
  readonly policyPin: PinHash | undefined;
  /** Whether a PIN may be set on this device, and a PIN set earlier counts (core/teacher/auth.ts). */
  readonly rule: LocalPinRule;
}

export interface TeacherInfo {
  readonly pinSet: boolean;
  readonly pinFromPolicy: boolean;
  readonly lockedUntil: number | null;
  /** IT's policy makes this a student device: its PIN comes from the policy only. */
  readonly studentDevice: boolean;
}

/**
 * PIN checks run one at a time: otherwise a burst of guesses sent at once
 * would all be checked before the first wrong one is counted.
 */
const serially = serialQueue();

async function localPin(): Promise<PinHash | null> {
  return (await readLocal(KEYS.teacherPin, PinHashSchema.nullable(), null)).value;
}

/** IT's PIN; else a PIN set on this device, only where one may be set (never on a student device). */
async function pinInForce(source: PinSource): Promise<PinHash | null> {
  if (source.policyPin !== undefined) return source.policyPin;
  return source.rule === 'allowed' ? localPin() : null;
}

/** The wrong PINs counted: the stricter of storage.local and the second copy. */
async function attempts(): Promise<PinAttempts> {
  const [local, second] = await Promise.all([readLocal(KEYS.pinAttempts, PinAttemptsSchema, NO_ATTEMPTS), readSecondCopies([KEYS.pinAttempts])]);
  return stricterAttempts(local.value, checkStored(KEYS.pinAttempts, second[KEYS.pinAttempts], PinAttemptsSchema, NO_ATTEMPTS).value);
}

async function writeAttempts(next: PinAttempts | null): Promise<void> {
  if (next === null) await Promise.all([removeLocal([KEYS.pinAttempts]), removeSecondCopies([KEYS.pinAttempts])]);
  else await Promise.all([writeLocal({ [KEYS.pinAttempts]: next }), writeSecondCopies({ [KEYS.pinAttempts]: next })]);
}

/** What the status tells the UI about the teacher PIN. */
export async function teacherInfo(source: PinSource, now: number): Promise<TeacherInfo> {
  const [pin, tries] = await Promise.all([pinInForce(source), attempts()]);
  return { pinSet: pin !== null, pinFromPolicy: source.policyPin !== undefined, lockedUntil: pinRetryAt(tries, now), studentDevice: source.rule === 'student-device' };
}

/**
 * Checks a PIN, counting wrong ones. Throws 'rate-limited' (with the time of
 * the next allowed try) while a wait is running, 'wrong-pin' for a wrong PIN.
 */
export function checkPin(source: PinSource, pin: string): Promise<void> {
  // The time is read when the check runs, not when the request came in: a
  // queued guess must see the wait that the one before it started.
  return serially(async () => checkPinNow(source, pin, await trustedNow()));
}

async function checkPinNow(source: PinSource, pin: string, now: number): Promise<void> {
  const hash = await pinInForce(source);
  if (hash === null) {
    if (source.rule === 'student-device') throw new RequestError('student-device', "IT's policy sets no teacher PIN for this student device: ask your school's ICT to set it");
    throw new RequestError('forbidden', 'no teacher PIN has been set on this device yet');
  }
  const tries = await attempts();
  const retryAt = pinRetryAt(tries, now);
  if (retryAt !== null) throw new RequestError('rate-limited', 'too many wrong PINs: wait a moment', retryAt);
  if (await verifyPin(pin, hash)) {
    if (tries.failures > 0) await writeAttempts(null);
    return;
  }
  const next = afterWrongPin(tries, now);
  await writeAttempts(next);
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
  return newSession(await trustedNow());
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
 * installs Lesmodus on their own browser sets it; IT can set it school-wide
 * instead), later only with a valid token and the old PIN. Never where IT's
 * policy sets the PIN, never on a student device ('student-device': the PIN
 * comes from IT's policy only), and not before the browser has said whether
 * IT has a policy here (the caller asks it first). Returns a fresh unlock,
 * since the teacher has just proved they know it.
 */
export function setPin(source: PinSource, request: { token?: string; oldPin?: string; newPin: string }): Promise<UnlockResult> {
  // One at a time, like PIN checks: two first-time settings at once must not both succeed.
  return serially(async () => setPinNow(source, request, await trustedNow()));
}

async function setPinNow(source: PinSource, request: { token?: string; oldPin?: string; newPin: string }, now: number): Promise<UnlockResult> {
  refuseUnlessAllowed(source.rule);
  // Checked before the old PIN, so that a weak new PIN costs no guess.
  const weak = weakPinProblem(pinStrength(request.newPin));
  if (weak !== null) throw new RequestError('weak-pin', weak);
  const existing = await localPin();
  if (existing !== null) {
    await requireToken(request.token, now);
    if (request.oldPin === undefined) throw new RequestError('wrong-pin', 'enter the current PIN to change it');
    await checkPinNow(source, request.oldPin, now);
  }
  const salt = crypto.getRandomValues(new Uint8Array(PIN_SALT_BYTES));
  const hash = await hashPin(request.newPin, salt, PIN_ITERATIONS);
  await writeLocal({ [KEYS.teacherPin]: hash });
  await writeAttempts(null);
  return newSession(now);
}

function refuseUnlessAllowed(rule: LocalPinRule): void {
  switch (rule) {
    case 'allowed':
      return;
    case 'policy-pin':
      throw new RequestError('forbidden', 'your school sets the teacher PIN: ask ICT to change it');
    case 'student-device':
      throw new RequestError('student-device', "this is a student device: the teacher PIN comes from IT's policy only; ask your school's ICT to set it");
    case 'policy-unknown':
      throw new RequestError('forbidden', "the browser has not yet said whether IT's policy sets the PIN here, or IT's policy is not valid: try again in a moment, or ask ICT");
  }
}
