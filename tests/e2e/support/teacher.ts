/**
 * The teacher's side of the class feed, driven from a test or the bench with
 * the extension's own signing code: a P-256 key pair whose public half goes
 * into the students' policy, and a signed class document PUT to the feed
 * server with a bearer token, as a teacher's browser does.
 */
import { exportJWK } from 'jose';
import { signClassDocument, type ClassDocumentDraft } from '../../../src/core/feed';

export interface TeacherKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
}

export async function newTeacherKey(kid: string): Promise<TeacherKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = await exportJWK(pair.publicKey);
  return { kid, privateKey: pair.privateKey, publicKey: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } };
}

/** Publishes a class's next document; issuedAt always increases, so the newest wins. */
export class TeacherPublisher {
  private lastIssuedAt = 0;

  constructor(
    private readonly feedOrigin: string,
    private readonly token: string,
    private readonly key: TeacherKey,
  ) {}

  async publish(classId: string, draft: Omit<ClassDocumentDraft, 'class' | 'issuedAt'>): Promise<number> {
    const issuedAt = Math.max(Date.now(), this.lastIssuedAt + 1);
    this.lastIssuedAt = issuedAt;
    const { jws } = await signClassDocument({ class: classId, issuedAt, ...draft }, this.key.privateKey, this.key.kid);
    const response = await fetch(`${this.feedOrigin}/feed/${encodeURIComponent(classId)}.jws`, {
      method: 'PUT',
      body: jws,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/jose' },
    });
    if (response.status >= 300) throw new Error(`the feed server refused the document: ${response.status}`);
    return issuedAt;
  }
}
