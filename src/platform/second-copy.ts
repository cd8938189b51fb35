/**
 * A second copy of a few small values, in IndexedDB beside storage.local.
 *
 * The browser keeps the two in different folders of the profile (Chrome:
 * `Local Extension Settings/<id>` and `IndexedDB/chrome-extension_<id>_0…`),
 * so deleting one folder with the browser closed leaves the other. What
 * must outlive such a wipe — the wrong-PIN wait, the latest time seen, the
 * background's own record of the lesson it applied — is written to both, and
 * the background decides from both (core says how: the stricter wins).
 *
 * Both stores can be reached from an extension page's developer tools: this
 * raises the bar against a student with a file manager, not against one with
 * developer tools (docs/it-deployment.md, "Student devices: requirements").
 *
 * Values are stored as JSON text, so what comes back is what storage.local
 * would give. A failing IndexedDB (private mode in some browsers, a broken
 * profile) is reported and read as "no second copy": storage.local still
 * holds the first.
 */
import { SECOND_COPY } from '../core/state';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((done, fail) => {
    request.onsuccess = () => done(request.result);
    request.onerror = () => fail(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** The open database, kept for the life of the worker: the PIN state is read on every status. */
let database: Promise<IDBDatabase> | null = null;

function openDatabase(): Promise<IDBDatabase> {
  database ??= (async () => {
    const request = indexedDB.open(SECOND_COPY.database, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(SECOND_COPY.store)) request.result.createObjectStore(SECOND_COPY.store);
    };
    const db = await promised(request);
    // Closed by the browser (the profile going away, a newer version opening it): open again next time.
    db.onclose = () => {
      database = null;
    };
    return db;
  })();
  return database;
}

async function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => Promise<T>): Promise<T> {
  try {
    const db = await openDatabase();
    return await work(db.transaction(SECOND_COPY.store, mode).objectStore(SECOND_COPY.store));
  } catch (error) {
    database = null;
    throw error;
  }
}

/** The second copies of `keys` that exist; a key without one is left out. */
export async function readSecondCopies(keys: readonly string[]): Promise<Record<string, unknown>> {
  try {
    return await withStore('readonly', async (store) => {
      const found: Record<string, unknown> = {};
      for (const key of keys) {
        const text: unknown = await promised(store.get(key));
        if (typeof text !== 'string') continue;
        try {
          found[key] = JSON.parse(text) as unknown;
        } catch {
          // A copy that is not JSON is no copy; the first one decides.
        }
      }
      return found;
    });
  } catch (error) {
    console.warn('Lesmodus: the second copy of the device state could not be read', error);
    return {};
  }
}

/** Writes the second copy of each value; undefined removes it. */
export async function writeSecondCopies(values: Record<string, unknown>): Promise<void> {
  try {
    await withStore('readwrite', async (store) => {
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) await promised(store.delete(key));
        else await promised(store.put(JSON.stringify(value), key));
      }
    });
  } catch (error) {
    console.warn('Lesmodus: the second copy of the device state could not be written', error);
  }
}

export function removeSecondCopies(keys: readonly string[]): Promise<void> {
  return writeSecondCopies(Object.fromEntries(keys.map((key) => [key, undefined])));
}
