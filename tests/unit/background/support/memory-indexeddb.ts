/**
 * The little of IndexedDB that src/platform/keystore.ts and
 * src/platform/second-copy.ts use (open with an upgrade, one object store,
 * get, add, put and delete), in memory. Values are kept as
 * they are given, as IndexedDB keeps a CryptoKey: a teacher device's
 * non-extractable signing key works in tests as in the browser. Requests
 * answer asynchronously, after the caller has set its handlers.
 */

type Handler = (() => void) | null;

class FakeRequest<T> {
  result!: T;
  error: unknown = null;
  onsuccess: Handler = null;
  onerror: Handler = null;
  onupgradeneeded: Handler = null;

  settle(work: () => T, upgrade?: () => void): this {
    void Promise.resolve().then(() => {
      try {
        this.result = work();
        upgrade?.();
        this.onsuccess?.();
      } catch (error) {
        this.error = error;
        this.onerror?.();
      }
    });
    return this;
  }
}

class FakeStore {
  constructor(private readonly records: Map<unknown, unknown>) {}

  get(key: unknown): FakeRequest<unknown> {
    return new FakeRequest<unknown>().settle(() => this.records.get(key));
  }

  add(value: unknown, key: unknown): FakeRequest<unknown> {
    return new FakeRequest<unknown>().settle(() => {
      if (this.records.has(key)) throw new Error('a record with this key already exists');
      this.records.set(key, value);
      return key;
    });
  }

  put(value: unknown, key: unknown): FakeRequest<unknown> {
    return new FakeRequest<unknown>().settle(() => {
      this.records.set(key, value);
      return key;
    });
  }

  delete(key: unknown): FakeRequest<undefined> {
    return new FakeRequest<undefined>().settle(() => {
      this.records.delete(key);
      return undefined;
    });
  }
}

class FakeDatabase {
  readonly stores = new Map<string, Map<unknown, unknown>>();
  readonly objectStoreNames = { contains: (name: string) => this.stores.has(name) };

  createObjectStore(name: string): void {
    this.stores.set(name, new Map());
  }

  transaction(name: string): { objectStore: () => FakeStore } {
    const records = this.stores.get(name);
    if (!records) throw new Error(`no object store ${name}`);
    return { objectStore: () => new FakeStore(records) };
  }

  close(): void {}
}

/** What a test sees of the in-memory IndexedDB beside the API. */
export interface MemoryStores {
  readonly databases: Map<string, FakeDatabase>;
  /** Puts a record at once, creating its database and store when needed: what another context of the extension wrote. */
  putNow(database: string, store: string, key: unknown, value: unknown): void;
}

export type MemoryIndexedDb = IDBFactory & { readonly memory: MemoryStores };

/** A fresh, empty IndexedDB for this test's browser. */
export function memoryIndexedDb(): MemoryIndexedDb {
  const databases = new Map<string, FakeDatabase>();
  const memory: MemoryStores = {
    databases,
    putNow(name, store, key, value) {
      let database = databases.get(name);
      if (database === undefined) {
        database = new FakeDatabase();
        databases.set(name, database);
      }
      if (!database.stores.has(store)) database.createObjectStore(store);
      database.stores.get(store)!.set(key, value);
    },
  };
  return {
    memory,
    open(name: string) {
      const request = new FakeRequest<FakeDatabase>();
      const existing = databases.get(name);
      const database = existing ?? new FakeDatabase();
      databases.set(name, database);
      return request.settle(
        () => database,
        existing ? undefined : () => request.onupgradeneeded?.(),
      );
    },
  } as unknown as MemoryIndexedDb;
}
