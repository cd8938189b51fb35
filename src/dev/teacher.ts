/**
 * The teacher's side of the class feed, driven from a test, the bench or
 * `npm start` with the extension's own signing code: a P-256 key pair whose
 * public half goes into the students' policy, and a signed class document
 * PUT to the feed server with a bearer token, as a teacher's browser does.
 */
import { exportJWK } from 'jose';
import { signClassDocument, type ClassDocumentDraft, type PublicKeyJwk } from '../core/feed/document';

export interface TeacherKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: PublicKeyJwk;
}

/** A signing key pair made in the test (not extractable), as a teacher's browser makes one. */
export async function newTeacherKey(kid: string): Promise<TeacherKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = await exportJWK(pair.publicKey);
  return { kid, privateKey: pair.privateKey, publicKey: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } };
}

/** Publishes a class's next document; issuedAt always increases, so the newest wins. */
export class TeacherPublisher {
  private lastIssuedAt = 0;

  /** `feed`: the host's origin (`http://127.0.0.1:PORT`, documents under /feed/) or a policy's urlTemplate with `{class}`. */
  constructor(
    private readonly feed: string,
    private readonly token: string,
    private readonly key: TeacherKey,
  ) {}

  /** The feed URL of a class. */
  url(classId: string): string {
    const id = encodeURIComponent(classId);
    return this.feed.includes('{class}') ? this.feed.split('{class}').join(id) : `${this.feed}/feed/${id}.jws`;
  }

  /**
   * Signs with the teacher's key, or with `signer` (someone with write access
   * to the feed but not a trusted key) in the same issuedAt sequence.
   * Resolves to the document's issuedAt once the server stored it: any 2xx
   * (the reference server answers 201 or 204; nchan 201 when someone is
   * subscribed, 202 when no one is), anything else fails.
   */
  async publish(classId: string, draft: Omit<ClassDocumentDraft, 'class' | 'issuedAt'>, signer: TeacherKey = this.key): Promise<number> {
    const issuedAt = Math.max(Date.now(), this.lastIssuedAt + 1);
    this.lastIssuedAt = issuedAt;
    const { jws } = await signClassDocument({ class: classId, issuedAt, ...draft }, signer.privateKey, signer.kid);
    const response = await fetch(this.url(classId), {
      method: 'PUT',
      body: jws,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/jose' },
    });
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) throw new Error(`the feed server refused the document: ${response.status}`);
    return issuedAt;
  }
}
