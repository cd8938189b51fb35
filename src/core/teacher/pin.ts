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

/** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
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
  return { algorithm: 'PBKDF2-SHA256', iterations, salt: toBase64(salt), hash: toBase64(hash) };
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
