import { describe, expect, it } from '@jest/globals';
import { pbkdf2Sync } from 'node:crypto';
import { PIN_ITERATIONS, hashPin, pinStrength, strongEnough, verifyPin, weakPinProblem } from '../../../../src/core/teacher/pin';
import { PinHashSchema } from '../../../../src/core/schemas';

// Few iterations keep the suite fast; one test uses the real count.
const FAST = 1000;
const SALT = Uint8Array.from({ length: 16 }, (_, index) => index);

/** An independent PBKDF2 (OpenSSL, through Node), to check WebCrypto's against. */
const reference = (pin: string, salt: Uint8Array, iterations: number): string => pbkdf2Sync(Buffer.from(pin, 'utf8'), Buffer.from(salt), iterations, 32, 'sha256').toString('base64');

describe('hashPin', () => {
  it('matches a known test vector computed with Node crypto.pbkdf2Sync', async () => {
    const hash = await hashPin('1234', SALT, FAST);
    expect(hash).toEqual({
      algorithm: 'PBKDF2-SHA256',
      iterations: FAST,
      salt: 'AAECAwQFBgcICQoLDA0ODw==',
      hash: 'IkDqKiJ1SjxGEDVu+OTXrPJa8qw9LRGGbel6i3gSxSw=',
      strength: { length: 4, digitsOnly: true },
    });
    expect(hash.hash).toBe(reference('1234', SALT, FAST));
  });

  it.each(['1234', 'correct horse battery staple', 'wachtwoord-ü-€', '🍎🍏'])('agrees with the reference for %j', async (pin) => {
    expect((await hashPin(pin, SALT, FAST)).hash).toBe(reference(pin, SALT, FAST));
  });

  it('uses 600000 iterations by default and makes an entry the policy accepts', async () => {
    const hash = await hashPin('1234', SALT);
    expect(hash.iterations).toBe(PIN_ITERATIONS);
    expect(PIN_ITERATIONS).toBe(600_000);
    expect(hash.hash).toBe(reference('1234', SALT, PIN_ITERATIONS));
    expect(PinHashSchema.safeParse(hash).success).toBe(true);
  });

  it('gives a different hash for a different salt', async () => {
    const other = Uint8Array.from(SALT, (byte) => byte ^ 0xff);
    expect((await hashPin('1234', SALT, FAST)).hash).not.toBe((await hashPin('1234', other, FAST)).hash);
  });

  it('treats the same PIN typed as composed or decomposed Unicode alike', async () => {
    expect((await hashPin('caf\u00e9', SALT, FAST)).hash).toBe((await hashPin('cafe\u0301', SALT, FAST)).hash);
  });

  it('refuses an empty salt and a bad iteration count', async () => {
    await expect(hashPin('1234', new Uint8Array(0), FAST)).rejects.toThrow(/salt/);
    await expect(hashPin('1234', SALT, 0)).rejects.toThrow(/iterations/);
    await expect(hashPin('1234', SALT, 1.5)).rejects.toThrow(/iterations/);
  });
});

describe('verifyPin', () => {
  it('accepts the right PIN and refuses a wrong one', async () => {
    const stored = await hashPin('1234', SALT, FAST);
    expect(await verifyPin('1234', stored)).toBe(true);
    for (const wrong of ['1235', '12345', '123', '', ' 1234', '1234 ']) expect(await verifyPin(wrong, stored)).toBe(false);
  });

  it('verifies a hash made independently (as the IT command would write it)', async () => {
    const stored = { algorithm: 'PBKDF2-SHA256' as const, iterations: FAST, salt: Buffer.from(SALT).toString('base64'), hash: reference('geheim', SALT, FAST) };
    expect(await verifyPin('geheim', stored)).toBe(true);
    expect(await verifyPin('Geheim', stored)).toBe(false);
  });

  it('verifies the primary-school example (PIN 1234)', async () => {
    const stored = { algorithm: 'PBKDF2-SHA256' as const, iterations: 600000, salt: 'MQAazjFDR+36Zcl9Ls55cg==', hash: 'HoUe+2sS1UiGKBccSMaIUd4qVvRqSgr8+z6fkoMWbjE=' };
    expect(await verifyPin('1234', stored)).toBe(true);
  });

  it.each([
    ['another algorithm', { algorithm: 'PBKDF2-SHA1' }],
    ['bad base64 salt', { salt: '!!!' }],
    ['bad base64 hash', { hash: 'not base64 at all' }],
    ['an empty hash', { hash: '' }],
    ['no iterations', { iterations: 0 }],
    ['absurd iterations', { iterations: 1e9 }],
  ])('matches no PIN when the stored hash has %s', async (_name, change) => {
    const stored = { ...(await hashPin('1234', SALT, FAST)), ...change } as Parameters<typeof verifyPin>[1];
    expect(await verifyPin('1234', stored)).toBe(false);
  });

  it('a hash cut short matches no PIN, not even the right one', async () => {
    const stored = await hashPin('1234', SALT, FAST);
    for (const bytes of [1, 16, 31]) {
      const short = { ...stored, hash: Buffer.from(stored.hash, 'base64').subarray(0, bytes).toString('base64') };
      expect(await verifyPin('1234', short)).toBe(false);
    }
  });
});

describe('PIN strength: at least 6 digits, or 8 characters of any kind', () => {
  it.each([
    ['', 0, false, false],
    ['12345', 5, true, false],
    ['123456', 6, true, true],
    ['000000', 6, true, true],
    ['1234567', 7, true, true],
    ['abcdefg', 7, false, false],
    ['abcdefgh', 8, false, true],
    ['1234567a', 8, false, true],
    ['12345 6', 7, false, false],
    ['１２３４５６', 6, false, false], // full-width digits are not the digits 0-9
    ['e\u0301e\u0301e\u0301e\u0301', 4, false, false], // é typed as e + accent: NFC makes each one character
    ['🍎🍏🍎🍏🍎🍏🍎🍏', 8, false, true], // emoji count as one character each
  ])('%j: %i characters, digits only %s, strong enough %s', (pin, length, digitsOnly, strong) => {
    expect(pinStrength(pin)).toEqual({ length, digitsOnly });
    expect(strongEnough(pinStrength(pin))).toBe(strong);
    expect(weakPinProblem(pinStrength(pin)) === null).toBe(strong);
  });
});
