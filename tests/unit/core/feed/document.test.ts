/**
 * Signed class documents: signing, and every reason a student device refuses
 * one, with real P-256 keys generated here.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CompactSign, exportJWK } from 'jose';
import {
  MAX_PAUSE_MS,
  importSchoolSigningKey,
  keyFingerprint,
  signClassDocument,
  signingKeyId,
  verifyClassDocument,
  type ClassDocumentDraft,
  type PublicKeyJwk,
  type TrustedKey,
  type VerifyOptions,
} from '../../../../src/core/feed/document';
import { CLASS_DOCUMENT_TYPE, outlineClassDocument } from '../../../../src/core/feed/format';
import type { Lesson } from '../../../../src/core/schemas';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const NOW = Date.UTC(2026, 2, 10, 9, 0);

interface TestKey {
  readonly privateKey: CryptoKey;
  readonly publicKey: PublicKeyJwk;
}

async function newKey(): Promise<TestKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = await exportJWK(pair.publicKey);
  return { privateKey: pair.privateKey, publicKey: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } };
}

let teacher: TestKey;
let stranger: TestKey;
let trusted: TrustedKey[];

beforeAll(async () => {
  teacher = await newKey();
  stranger = await newKey();
  trusted = [{ id: 'devries', name: 'J. de Vries', publicKey: teacher.publicKey }];
});

function lesson(extra: Partial<Lesson> = {}): Lesson {
  return { id: 'l-1', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: NOW - 5 * MIN, endsAt: NOW + 40 * MIN, ...extra };
}

function draft(extra: Partial<ClassDocumentDraft> = {}): ClassDocumentDraft {
  return { class: '2B', issuedAt: NOW, lesson: lesson(), ...extra };
}

function options(extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return { trustedKeys: trusted, classId: '2B', lastIssuedAt: null, now: NOW, ...extra };
}

/** Signs anything at all, bypassing signClassDocument's checks, to make the documents a forger or a bug would. */
async function signRaw(payload: unknown, key: CryptoKey, header: Record<string, unknown> = { alg: 'ES256', kid: 'devries', typ: CLASS_DOCUMENT_TYPE }): Promise<string> {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : new TextEncoder().encode(JSON.stringify(payload));
  return new CompactSign(bytes).setProtectedHeader(header as { alg: string }).sign(key);
}

describe('signClassDocument and verifyClassDocument', () => {
  it('accepts a document signed by a trusted key, and names the signer', async () => {
    const { jws, document } = await signClassDocument(draft({ lesson: lesson({ startPage: 'https://rekenen.nl/start' }) }), teacher.privateKey, 'devries');
    expect(document).toMatchObject({ v: 1, class: '2B', issuedAt: NOW, kid: 'devries' });
    const result = await verifyClassDocument(jws, options());
    expect(result).toEqual({ ok: true, document, signer: { kid: 'devries', name: 'J. de Vries', x: teacher.publicKey.x, y: teacher.publicKey.y } });
    if (result.ok) expect(result.document.lesson?.startPage).toBe('https://rekenen.nl/start');
  });

  it('puts alg, kid and the Lesmodus type in the protected header', async () => {
    const { jws } = await signClassDocument(draft(), teacher.privateKey, 'devries');
    const header = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8'));
    expect(header).toEqual({ alg: 'ES256', kid: 'devries', typ: CLASS_DOCUMENT_TYPE });
  });

  it('accepts a document that ends the lesson (lesson: null), and one with a current pause after the lesson', async () => {
    const ended = await signClassDocument(draft({ lesson: null }), teacher.privateKey, 'devries');
    expect((await verifyClassDocument(ended.jws, options())).ok).toBe(true);
    const pause = { message: 'Kijk even naar het bord', startsAt: NOW - MIN, until: NOW + 4 * MIN };
    const paused = await signClassDocument(draft({ lesson: lesson({ endsAt: NOW - MIN }), pause }), teacher.privateKey, 'devries');
    const result = await verifyClassDocument(paused.jws, options());
    expect(result.ok && result.document.pause).toEqual(pause);
  });

  it('accepts a lesson that has not begun yet (scheduled)', async () => {
    const { jws } = await signClassDocument(draft({ lesson: lesson({ startsAt: NOW + 30 * MIN, endsAt: NOW + 80 * MIN }) }), teacher.privateKey, 'devries');
    expect((await verifyClassDocument(jws, options())).ok).toBe(true);
  });

  it('refuses to sign what a student would refuse as invalid', async () => {
    await expect(signClassDocument(draft({ pause: { message: 'x', startsAt: NOW, until: NOW + MAX_PAUSE_MS + 1 } }), teacher.privateKey, 'devries')).rejects.toThrow(/at most 10 minutes/);
    await expect(signClassDocument(draft({ pause: { message: 'x'.repeat(281), startsAt: NOW, until: NOW + MIN } }), teacher.privateKey, 'devries')).rejects.toThrow(/280/);
    await expect(signClassDocument(draft({ class: 'no spaces' }), teacher.privateKey, 'devries')).rejects.toThrow(/class/);
    await expect(signClassDocument(draft(), teacher.privateKey, 'bad kid!')).rejects.toThrow(/kid/);
  });
});

describe('every reason a document is refused', () => {
  it('oversized: larger than the limit, before anything else is looked at', async () => {
    const { jws } = await signClassDocument(draft({ lesson: lesson({ sites: Array.from({ length: 300 }, (_, i) => `site-${i}.example.nl`) }) }), teacher.privateKey, 'devries');
    expect(await verifyClassDocument(jws, options({ maxBytes: 4096 }))).toMatchObject({ ok: false, reason: 'oversized' });
    expect((await verifyClassDocument(jws, options())).ok).toBe(true);
    expect(await verifyClassDocument('x'.repeat(70 * 1024), options())).toMatchObject({ ok: false, reason: 'oversized' });
  });

  it.each([
    ['an empty body', ''],
    ['HTML from a captive portal', '<html><body>Log in to the school Wi-Fi</body></html>'],
    ['two parts', 'eyJhbGciOiJFUzI1NiJ9.eyJ2IjoxfQ'],
    ['a JSON lesson instead of a JWS', JSON.stringify({ v: 1, class: '2B' })],
  ])('malformed: %s', async (_what, body) => {
    expect(await verifyClassDocument(body, options())).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('malformed: another algorithm, no type, no key id, or a payload that is not JSON', async () => {
    const payload = { v: 1, class: '2B', issuedAt: NOW, kid: 'devries', lesson: null };
    const hmacKey = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const cases = [
      await signRaw(payload, hmacKey, { alg: 'HS256', kid: 'devries', typ: CLASS_DOCUMENT_TYPE }),
      await signRaw(payload, teacher.privateKey, { alg: 'ES256', kid: 'devries' }),
      await signRaw(payload, teacher.privateKey, { alg: 'ES256', typ: CLASS_DOCUMENT_TYPE }),
      await signRaw('not json at all', teacher.privateKey),
    ];
    for (const jws of cases) expect(await verifyClassDocument(jws, options())).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('unknown-key: signed by a key the policy does not list', async () => {
    const { jws } = await signClassDocument(draft(), stranger.privateKey, 'someone-else');
    const result = await verifyClassDocument(jws, options());
    expect(result).toMatchObject({ ok: false, reason: 'unknown-key' });
    expect(!result.ok && result.detail).toContain('someone-else');
  });

  it('bad-signature: another key under a trusted key id', async () => {
    const { jws } = await signClassDocument(draft(), stranger.privateKey, 'devries');
    expect(await verifyClassDocument(jws, options())).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('bad-signature: a payload changed after signing (a longer lesson, say)', async () => {
    const { jws } = await signClassDocument(draft(), teacher.privateKey, 'devries');
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const changed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    changed.lesson.endsAt += 600 * MIN;
    const forged = [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join('.');
    expect(await verifyClassDocument(forged, options())).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('wrong-class: a document for 2B served at 3A\'s address', async () => {
    const { jws } = await signClassDocument(draft(), teacher.privateKey, 'devries');
    expect(await verifyClassDocument(jws, options({ classId: '3A' }))).toMatchObject({ ok: false, reason: 'wrong-class' });
  });

  it('key-not-for-class: a key IT scoped to other classes; an unscoped key signs for every class', async () => {
    const scoped = [{ ...trusted[0]!, classes: ['3A', '4C'] }];
    const { jws } = await signClassDocument(draft(), teacher.privateKey, 'devries');
    const refused = await verifyClassDocument(jws, options({ trustedKeys: scoped }));
    expect(refused).toMatchObject({ ok: false, reason: 'key-not-for-class' });
    if (!refused.ok) expect(refused.detail).toBe('signed with key "devries", which this device\'s policy allows only for "3A", "4C"');
    expect((await verifyClassDocument(jws, options({ trustedKeys: [{ ...trusted[0]!, classes: ['3A', '2B'] }] }))).ok).toBe(true);
    expect((await verifyClassDocument(jws, options())).ok).toBe(true);
  });

  it.each([
    ['a lesson', { lesson: lesson({ startsAt: NOW + 7 * DAY + MIN, endsAt: NOW + 7 * DAY + 60 * MIN }) }, 'its lesson starts in 7 days'],
    ['a pause', { lesson: null, pause: { message: 'Stil', startsAt: NOW + 30 * DAY, until: NOW + 30 * DAY + 5 * MIN } }, 'its pause starts in 30 days'],
  ])('too-far-ahead: %s that starts more than 7 days from now', async (_what, change, detail) => {
    const { jws } = await signClassDocument(draft(change), teacher.privateKey, 'devries');
    const result = await verifyClassDocument(jws, options());
    expect(result).toMatchObject({ ok: false, reason: 'too-far-ahead' });
    if (!result.ok) expect(result.detail).toMatch(new RegExp(`^${detail}`));
  });

  it('accepts a lesson planned a week ahead, to the minute', async () => {
    const { jws } = await signClassDocument(draft({ lesson: lesson({ startsAt: NOW + 7 * DAY, endsAt: NOW + 7 * DAY + 50 * MIN }) }), teacher.privateKey, 'devries');
    expect((await verifyClassDocument(jws, options())).ok).toBe(true);
  });

  it.each([
    ['a pause longer than 10 minutes', { pause: { message: 'Stil', startsAt: NOW, until: NOW + 11 * MIN } }],
    ['a pause message longer than 280 characters', { pause: { message: 'x'.repeat(281), startsAt: NOW, until: NOW + MIN } }],
    ['a lesson that ends before it starts', { lesson: { ...lesson(), endsAt: NOW - 10 * MIN } }],
    ['a lesson without a title', { lesson: { ...lesson(), title: '' } }],
    ['an invalid site pattern', { lesson: { ...lesson(), sites: ['http://'] } }],
    ['a payload kid that differs from the header', { kid: 'other' }],
    ['no lesson field', { lesson: undefined }],
  ])('invalid: %s', async (_what, change) => {
    const payload = { v: 1, class: '2B', issuedAt: NOW, kid: 'devries', lesson: lesson(), ...change };
    expect(await verifyClassDocument(await signRaw(payload, teacher.privateKey), options())).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('replayed: not newer than the last accepted document', async () => {
    const { jws } = await signClassDocument(draft(), teacher.privateKey, 'devries');
    expect(await verifyClassDocument(jws, options({ lastIssuedAt: NOW }))).toMatchObject({ ok: false, reason: 'replayed' });
    expect(await verifyClassDocument(jws, options({ lastIssuedAt: NOW + 1 }))).toMatchObject({ ok: false, reason: 'replayed' });
    expect((await verifyClassDocument(jws, options({ lastIssuedAt: NOW - 1 }))).ok).toBe(true);
  });

  it('expired: the lesson is over and there is no pause, or the pause is over too', async () => {
    const over = await signClassDocument(draft({ lesson: lesson({ startsAt: NOW - 60 * MIN, endsAt: NOW - MIN }) }), teacher.privateKey, 'devries');
    expect(await verifyClassDocument(over.jws, options())).toMatchObject({ ok: false, reason: 'expired' });
    const both = await signClassDocument(
      draft({ lesson: lesson({ startsAt: NOW - 60 * MIN, endsAt: NOW - MIN }), pause: { message: 'Stil', startsAt: NOW - 8 * MIN, until: NOW - 2 * MIN } }),
      teacher.privateKey,
      'devries',
    );
    expect(await verifyClassDocument(both.jws, options())).toMatchObject({ ok: false, reason: 'expired' });
    const pauseOnly = await signClassDocument(draft({ lesson: null, pause: { message: 'Stil', startsAt: NOW - 8 * MIN, until: NOW - 2 * MIN } }), teacher.privateKey, 'devries');
    expect(await verifyClassDocument(pauseOnly.jws, options())).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('future: issued further ahead than the clock-skew allowance', async () => {
    const ahead = await signClassDocument(draft({ issuedAt: NOW + 6 * MIN }), teacher.privateKey, 'devries');
    expect(await verifyClassDocument(ahead.jws, options())).toMatchObject({ ok: false, reason: 'future' });
    const skewed = await signClassDocument(draft({ issuedAt: NOW + 4 * MIN }), teacher.privateKey, 'devries');
    expect((await verifyClassDocument(skewed.jws, options())).ok).toBe(true);
  });
});

describe('outlineClassDocument (the server\'s shape check)', () => {
  it('reads kid, class and issuedAt without any key', async () => {
    const { jws } = await signClassDocument(draft(), teacher.privateKey, 'devries');
    expect(outlineClassDocument(jws)).toMatchObject({ ok: true, outline: { kid: 'devries', classId: '2B', issuedAt: NOW } });
  });

  it('refuses a signature that is not 64 bytes', async () => {
    const { jws } = await signClassDocument(draft(), teacher.privateKey, 'devries');
    expect(outlineClassDocument(`${jws.slice(0, jws.lastIndexOf('.'))}.AAAA`)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('keys', () => {
  it('fingerprints a key as four groups of four hex digits, stable for the same key', async () => {
    const print = await keyFingerprint(teacher.publicKey);
    expect(print).toMatch(/^[0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}$/);
    expect(await keyFingerprint({ ...teacher.publicKey })).toBe(print);
    expect(await keyFingerprint(stranger.publicKey)).not.toBe(print);
  });

  it('signs under the id IT lists the key with, or else an id derived from the key', async () => {
    expect(await signingKeyId(teacher.publicKey, trusted)).toBe('devries');
    const derived = await signingKeyId(stranger.publicKey, trusted);
    expect(derived).toMatch(/^k-[A-Za-z0-9_-]{16}$/);
    expect(await signingKeyId(stranger.publicKey, [])).toBe(derived);
  });

  it('imports the school key from the policy as a non-extractable key whose documents verify', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = await exportJWK(pair.privateKey);
    const school = await importSchoolSigningKey({ kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y!, d: jwk.d! });
    expect(school.extractable).toBe(false);
    expect(school.type).toBe('private');
    const { jws } = await signClassDocument(draft(), school, 'school');
    const result = await verifyClassDocument(jws, options({ trustedKeys: [{ id: 'school', publicKey: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } }] }));
    expect(result.ok).toBe(true);
  });
});
