/**
 * Where the reference feed server keeps its documents: one file per class on
 * disk, the source of truth, and in memory only what answering needs —
 * an index of every class (ETag, issuedAt, size: about a hundred bytes each)
 * and the most recently served documents in a cache bounded by bytes.
 * A server with thousands of classes of 64 KB therefore grows by the cache's
 * budget, not by the sum of its documents. A poll that carries the current
 * ETag (the usual case between two lessons) is answered from the index
 * without touching the disk or the cache.
 *
 * It also decides what may be stored: of two documents for a class the newer
 * wins, and no more than `maxClasses` classes are held. Writes of one class
 * run one after another; each write reaches the disk (file and directory
 * synced) before it is acknowledged. Whoever passes documents on live (the
 * server's WebSocket subscribers) hears of each newly stored one through
 * onStored, in the order they were stored, as soon as the index has it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { outlineClassDocument } from '../core/feed/format';

/** What the server knows about a class without reading its document. */
export interface IndexEntry {
  readonly etag: string;
  readonly issuedAt: number;
  readonly size: number;
}

export interface StoredBody {
  readonly body: Buffer;
  readonly etag: string;
}

export type PutOutcome =
  | { readonly kind: 'stored'; readonly created: boolean; readonly etag: string }
  /** The document stored already (a retry whose answer was lost). */
  | { readonly kind: 'same'; readonly etag: string }
  /** A document at least as new is stored. */
  | { readonly kind: 'older'; readonly storedIssuedAt: number }
  /** A new class, and the store holds `maxClasses` already. */
  | { readonly kind: 'full'; readonly maxClasses: number };

/** A document that has just become the class's newest. */
export interface StoredDocument {
  readonly classId: string;
  readonly body: Buffer;
  readonly etag: string;
  readonly issuedAt: number;
}

export interface FeedStoreOptions {
  readonly dataDir: string;
  /** Files larger than this, or that are no class document, are not loaded. */
  readonly maxBytes: number;
  readonly maxClasses: number;
  /** The budget of the in-memory cache of documents, in bytes. */
  readonly cacheBytes: number;
}

export interface FeedStore {
  /** The class's ETag and issuedAt, from memory; undefined when nothing is stored. */
  entry(classId: string): IndexEntry | undefined;
  /** The class's document, from the cache or the disk; null when nothing is stored. */
  read(classId: string): Promise<StoredBody | null>;
  /** Stores `body` (already checked to be a document of `classId`, issued at `issuedAt`) unless a newer one is stored. */
  put(classId: string, body: Buffer, issuedAt: number): Promise<PutOutcome>;
  /**
   * Calls `listener` with every document stored from now on (a put whose
   * outcome is 'stored'; never for 'same', 'older' or 'full'), right after
   * entry() and read() serve it. Returns a function that stops the calls.
   */
  onStored(listener: (document: StoredDocument) => void): () => void;
  /** How many classes are stored. */
  readonly classCount: number;
  /** What the cache holds now (for tests and measurements). */
  readonly cached: { readonly entries: number; readonly bytes: number };
}

export function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** A least-recently-used cache whose budget is the total size of its values. */
export class ByteLru<V extends { readonly body: Buffer }> {
  private readonly entries = new Map<string, V>();
  private total = 0;

  constructor(private readonly budget: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    // A value larger than the whole budget would only push everything else out.
    if (value.body.length > this.budget) return;
    this.entries.set(key, value);
    this.total += value.body.length;
    for (const [oldest, old] of this.entries) {
      if (this.total <= this.budget) break;
      this.entries.delete(oldest);
      this.total -= old.body.length;
    }
  }

  delete(key: string): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.total -= value.body.length;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.total;
  }
}

/** Errors of platforms that cannot open or sync a directory (Windows): the rename is then as durable as that platform makes it. */
const NO_DIRECTORY_SYNC = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'EACCES']);

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!NO_DIRECTORY_SYNC.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Writes `body` to `file` so that a reader (or a crash) sees the old file or
 * the new one, never half of one, and so that once this resolves the new one
 * survives a power cut: the data is synced before the rename, and the
 * directory (which holds the rename) after it.
 */
async function writeDurably(dir: string, file: string, body: Buffer): Promise<void> {
  const temp = join(dir, `.${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, join(dir, file));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/**
 * Opens the store in `dataDir` (created when missing): indexes every stored
 * document, filling the cache while it has room, and removes the temp files
 * of writes a crash interrupted.
 */
export async function openFeedStore(options: FeedStoreOptions): Promise<FeedStore> {
  const { dataDir, maxBytes, maxClasses } = options;
  await mkdir(dataDir, { recursive: true });
  const index = new Map<string, IndexEntry>();
  const cache = new ByteLru<StoredBody>(options.cacheBytes);
  /** Reads under way, so that many students polling a class that is not cached cause one read. */
  const reading = new Map<string, Promise<StoredBody | null>>();
  /** Writes of one class run one after another, so "newest wins" compares against what is really stored. */
  const queues = new Map<string, Promise<unknown>>();
  /** New classes being written: counted against maxClasses before they are in the index. */
  let reserved = 0;
  const listeners = new Set<(document: StoredDocument) => void>();

  for (const name of await readdir(dataDir)) {
    if (name.endsWith('.tmp')) {
      await rm(join(dataDir, name), { force: true });
      continue;
    }
    const match = /^(.+)\.jws$/.exec(name);
    if (!match) continue;
    const body = await readFile(join(dataDir, name));
    const outline = outlineClassDocument(body.toString('latin1'), maxBytes);
    if (!outline.ok || outline.outline.classId !== match[1]) continue;
    const etag = etagOf(body);
    index.set(match[1], { etag, issuedAt: outline.outline.issuedAt, size: body.length });
    if (cache.bytes + body.length <= options.cacheBytes) cache.set(match[1], { body, etag });
  }

  const fileOf = (classId: string): string => `${classId}.jws`;

  const serialized = <T>(classId: string, task: () => Promise<T>): Promise<T> => {
    const run = (queues.get(classId) ?? Promise.resolve()).then(task, task);
    const tail = run.catch(() => undefined);
    queues.set(classId, tail);
    void tail.then(() => {
      if (queues.get(classId) === tail) queues.delete(classId);
    });
    return run;
  };

  async function readFromDisk(classId: string, entry: IndexEntry): Promise<StoredBody | null> {
    let body: Buffer;
    try {
      body = await readFile(join(dataDir, fileOf(classId)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // Removed behind the server's back: the class has no document any more.
      if (index.get(classId) === entry) index.delete(classId);
      return null;
    }
    const stored = { body, etag: etagOf(body) };
    // Cached only when nothing was stored meanwhile: a write that finished
    // during this read must not be overtaken by the older body read before it.
    if (index.get(classId) === entry && stored.etag === entry.etag) cache.set(classId, stored);
    return stored;
  }

  return {
    entry: (classId) => index.get(classId),

    read(classId) {
      const entry = index.get(classId);
      if (entry === undefined) return Promise.resolve(null);
      const cached = cache.get(classId);
      if (cached !== undefined && cached.etag === entry.etag) return Promise.resolve(cached);
      const pending = reading.get(classId);
      if (pending !== undefined) return pending;
      const read = readFromDisk(classId, entry).finally(() => reading.delete(classId));
      reading.set(classId, read);
      return read;
    },

    put(classId, body, issuedAt) {
      return serialized(classId, async (): Promise<PutOutcome> => {
        const current = index.get(classId);
        const etag = etagOf(body);
        if (current !== undefined && issuedAt <= current.issuedAt) {
          return current.etag === etag ? { kind: 'same', etag } : { kind: 'older', storedIssuedAt: current.issuedAt };
        }
        if (current === undefined) {
          if (index.size + reserved >= maxClasses) return { kind: 'full', maxClasses };
          reserved += 1;
        }
        try {
          await writeDurably(dataDir, fileOf(classId), body);
        } finally {
          if (current === undefined) reserved -= 1;
        }
        index.set(classId, { etag, issuedAt, size: body.length });
        cache.set(classId, { body, etag });
        for (const listener of [...listeners]) {
          try {
            listener({ classId, body, etag, issuedAt });
          } catch (error) {
            // The document is stored whatever a listener does; the failure is the listener's to report.
            process.stderr.write(`feed-store: a listener for stored documents failed: ${error instanceof Error ? error.message : String(error)}\n`);
          }
        }
        return { kind: 'stored', created: current === undefined, etag };
      });
    },

    onStored(listener) {
      const own = (document: StoredDocument): void => listener(document);
      listeners.add(own);
      return () => void listeners.delete(own);
    },

    get classCount() {
      return index.size;
    },

    get cached() {
      return { entries: cache.size, bytes: cache.bytes };
    },
  };
}
