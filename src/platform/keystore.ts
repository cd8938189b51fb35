/**
 * The teacher device's own signing key for the class feed, kept in
 * IndexedDB. It is generated here, on the device, as a non-extractable
 * WebCrypto key: IndexedDB stores the CryptoKey object itself, so the private
 * half can sign but can never be read out — not by a script, not by an
 * export, not by someone copying the profile to read it elsewhere in clear.
 * (storage.local holds only JSON, which would need an extractable key.)
 */

const DB_NAME = 'lesmodus-keys';
const STORE = 'keys';
const RECORD = 'class-feed-signing-key';

interface KeyRecord {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JsonWebKey;
  readonly createdAt: number;
}

interface DeviceSigningKey {
  readonly privateKey: CryptoKey;
  readonly publicKey: { readonly kty: 'EC'; readonly crv: 'P-256'; readonly x: string; readonly y: string };
  readonly createdAt: number;
}

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((done, fail) => {
    request.onsuccess = () => done(request.result);
    request.onerror = () => fail(request.error ?? new Error('IndexedDB request failed'));
  });
}

function openDatabase(): Promise<IDBDatabase> {
  const request = indexedDB.open(DB_NAME, 1);
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
  };
  return promised(request);
}

function isRecord(value: unknown): value is KeyRecord {
  const record = value as Partial<KeyRecord> | undefined;
  return typeof record === 'object' && record !== null && typeof record.publicJwk?.x === 'string' && typeof record.publicJwk?.y === 'string' && record.privateKey !== undefined && typeof record.createdAt === 'number';
}

function asKey(record: KeyRecord): DeviceSigningKey {
  return { privateKey: record.privateKey, publicKey: { kty: 'EC', crv: 'P-256', x: record.publicJwk.x!, y: record.publicJwk.y! }, createdAt: record.createdAt };
}

async function read(db: IDBDatabase): Promise<KeyRecord | null> {
  const value: unknown = await promised(db.transaction(STORE, 'readonly').objectStore(STORE).get(RECORD));
  return isRecord(value) ? value : null;
}

let cached: Promise<DeviceSigningKey> | null = null;

async function loadOrCreate(now: number): Promise<DeviceSigningKey> {
  const db = await openDatabase();
  try {
    const existing = await read(db);
    if (existing !== null) return asKey(existing);
    // Not extractable: only the public half (always extractable in WebCrypto) is exported.
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const record: KeyRecord = { privateKey: pair.privateKey, publicJwk: await crypto.subtle.exportKey('jwk', pair.publicKey), createdAt: now };
    try {
      // add(), not put(): should another context have stored a key meanwhile, that one is kept.
      await promised(db.transaction(STORE, 'readwrite').objectStore(STORE).add(record, RECORD));
      return asKey(record);
    } catch {
      const winner = await read(db);
      if (winner === null) throw new Error('the signing key could not be stored');
      return asKey(winner);
    }
  } finally {
    db.close();
  }
}

/** This device's signing key, generated and stored on first use. */
export function deviceSigningKey(now: number): Promise<DeviceSigningKey> {
  cached ??= loadOrCreate(now).catch((error: unknown) => {
    cached = null;
    throw error;
  });
  return cached;
}
