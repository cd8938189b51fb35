/**
 * The teacher PIN (or password), stored only as a PBKDF2-SHA256 hash: in IT's
 * policy (made by `npm run policy -- pin`) or set on the device. Uses
 * WebCrypto's `crypto.subtle`, which browsers and Node 20 both provide as a
 * global, so the same code hashes in the IT command and verifies in the
 * extension.
 *
 * Pure apart from that: the salt comes in as an argument, so a hash is
 * reproducible and testable against an independent implementation.
 */
import type { PinHash } from '../schemas';

/**
 * OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256: what Lesmodus writes,
 * and the least `npm run policy -- check` accepts in a policy.
 */
export const PIN_ITERATIONS = 600_000;
export const PIN_SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Upper bound accepted when verifying, as in PinHashSchema: a policy cannot make the popup hang. */
const MAX_ITERATIONS = 10_000_000;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array | null {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
    return bytes;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// Strength
//
// On the device, wrong PINs wait up to 15 minutes each: the 10,000
// four-digit PINs fall in about 104 days of trying there, a million
// six-digit ones in decades. But the hash is readable by whoever can read
// the policy (a policy file, the registry) or the profile, and offline
// PBKDF2 at 600,000 iterations costs about a quarter of a second per guess
// on one core: every four-digit PIN in some 44 minutes, every six-digit one
// in about three days (a graphics card does either in minutes). So a PIN is
// at least 6 digits or 8 characters of any kind, and the hash is a secret
// that IT keeps from students (docs/it-deployment.md says how).

/** The shortest PIN of digits only. */
export const MIN_PIN_DIGITS = 6;
/** The shortest PIN or password with anything besides digits. */
export const MIN_PIN_CHARACTERS = 8;

/** What `npm run policy -- pin` declares about a PIN in its teacherPin entry: never the PIN itself. */
export interface PinStrength {
  /** Characters (Unicode code points, after NFC normalisation). */
  readonly length: number;
  readonly digitsOnly: boolean;
}

/** The strength facts of a PIN. */
export function pinStrength(pin: string): PinStrength {
  const characters = [...pin.normalize('NFC')];
  return { length: characters.length, digitsOnly: characters.length > 0 && characters.every((character) => character >= '0' && character <= '9') };
}

/** True when a PIN of this strength may guard the teacher panel: at least 6 digits, or 8 characters. */
export function strongEnough(strength: PinStrength): boolean {
  return strength.length >= (strength.digitsOnly ? MIN_PIN_DIGITS : MIN_PIN_CHARACTERS);
}

/** Why a PIN of this strength is too weak, in words for IT or a teacher; null when it is strong enough. */
export function weakPinProblem(strength: PinStrength): string | null {
  if (strongEnough(strength)) return null;
  return strength.digitsOnly
    ? `a PIN of digits needs at least ${MIN_PIN_DIGITS} (this one has ${strength.length}): anyone who can read the hash can try every shorter PIN within hours`
    : `a PIN or password with letters or signs needs at least ${MIN_PIN_CHARACTERS} characters (this one has ${strength.length}), or use at least ${MIN_PIN_DIGITS} digits`;
}

/**
 * The same PIN typed on different keyboards can arrive as different Unicode
 * sequences (é as one code point or as e + accent); NFC makes them equal.
 * Nothing else is changed: spaces and case count.
 */
function pinBytes(pin: string): Uint8Array {
  return new TextEncoder().encode(pin.normalize('NFC'));
}

async function derive(pin: string, salt: Uint8Array, iterations: number, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', pinBytes(pin) as BufferSource, 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, key, bytes * 8);
  return new Uint8Array(bits);
}

/** Compares in time that depends only on the lengths, not on where the first difference is. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= a[index]! ^ b[index]!;
  return difference === 0;
}

/**
 * Hashes a PIN with PBKDF2-SHA256 into the `teacherPin` entry of the policy.
 * @param salt random bytes (16 recommended), e.g. `crypto.getRandomValues(new Uint8Array(16))`
 * @param iterations defaults to {@link PIN_ITERATIONS}
 */
export async function hashPin(pin: string, salt: Uint8Array, iterations: number = PIN_ITERATIONS): Promise<PinHash> {
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('iterations must be a positive integer');
  if (salt.length === 0) throw new RangeError('the salt must not be empty');
  const hash = await derive(pin, salt, iterations, HASH_BYTES);
  return { algorithm: 'PBKDF2-SHA256', iterations, salt: toBase64(salt), hash: toBase64(hash), strength: pinStrength(pin) };
}

/**
 * Checks a PIN against a stored hash, comparing in constant time. A hash that
 * is malformed (unknown algorithm, bad base64, not 32 bytes, absurd iteration
 * count) matches no PIN.
 */
export async function verifyPin(pin: string, stored: PinHash): Promise<boolean> {
  if (stored.algorithm !== 'PBKDF2-SHA256') return false;
  if (!Number.isInteger(stored.iterations) || stored.iterations < 1 || stored.iterations > MAX_ITERATIONS) return false;
  const salt = fromBase64(stored.salt);
  const expected = fromBase64(stored.hash);
  // Exactly the 32 bytes hashPin writes: a shorter stored hash would let
  // many wrong PINs match (one byte: one PIN in 256).
  if (salt === null || expected === null || salt.length === 0 || expected.length !== HASH_BYTES) return false;
  const actual = await derive(pin, salt, stored.iterations, expected.length);
  return constantTimeEqual(actual, expected);
}
