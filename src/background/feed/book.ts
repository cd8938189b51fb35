/**
 * Reading and writing what is stored about the class feed, and a mirror of
 * it for the status. Feed bookkeeping (a poll that found nothing new, a
 * delivery attempt) is deliberately not a rules input — it would re-run the
 * rules on every poll — so the status reads this mirror, which follows every
 * change of the feed keys in storage (storage is the truth, the mirror only
 * a cache the next worker rebuilds). Writes go through updateFeedBook, one
 * at a time, which keeps the mirror in step without reading storage again.
 */
import { SigningKeyInfoSchema, type FeedBook } from '../../core/feed/status';
import { StoredClassFeed, StoredFeedFollow } from '../../core/feed/follow';
import { StoredOutbox } from '../../core/feed/outbox';
import { KEYS } from '../../core/state';
import { onLocalChange, readLocal, writeLocal } from '../../platform/storage';
import { serialQueue } from '../serial';

const FEED_BOOK_KEYS: readonly string[] = [KEYS.classFeed, KEYS.feedFollow, KEYS.feedOutbox, KEYS.feedKey];

interface ReadBook {
  readonly book: FeedBook;
  /** Parts that were corrupt and start empty, by key, in words for the status page. The class feed's own part is a rules input and reported there. */
  readonly notes: Readonly<Record<string, string>>;
}

/** Reads every stored part, validated; a corrupt part is reported and starts empty. */
async function readFeedBook(): Promise<ReadBook> {
  const [classFeed, follow, outbox, key] = await Promise.all([
    readLocal(KEYS.classFeed, StoredClassFeed, {}),
    readLocal(KEYS.feedFollow, StoredFeedFollow, {}),
    readLocal(KEYS.feedOutbox, StoredOutbox, {}),
    readLocal(KEYS.feedKey, SigningKeyInfoSchema.nullable(), null),
  ]);
  const notes: Record<string, string> = {};
  if (follow.problem) notes[KEYS.feedFollow] = follow.problem;
  if (outbox.problem) notes[KEYS.feedOutbox] = outbox.problem;
  if (key.problem) notes[KEYS.feedKey] = key.problem;
  return { book: { classFeed: classFeed.value, follow: follow.value, outbox: outbox.value, key: key.value }, notes };
}

let mirror: ReadBook | null = null;
let loading: Promise<ReadBook> | null = null;
/** Bumped by every write and reload, so that a slower read started earlier never overwrites a newer state. */
let generation = 0;

function reloadMirror(): Promise<ReadBook> {
  const mine = ++generation;
  const read = readFeedBook().then((result) => {
    if (mine === generation) mirror = result;
    return mirror ?? result;
  });
  loading = read;
  return read;
}

/** What storage holds for `key`, as the mirror last saw it. */
function mirrored(key: string): unknown {
  const book = mirror?.book;
  if (book === undefined) return undefined;
  if (key === KEYS.classFeed) return book.classFeed;
  if (key === KEYS.feedFollow) return book.follow;
  if (key === KEYS.feedOutbox) return book.outbox;
  return book.key;
}

/** Keeps the mirror in step with storage; call once, at the top level of the service worker. */
export function followFeedBook(): void {
  onLocalChange(FEED_BOOK_KEYS, (changed) => {
    // This worker's own writes are in the mirror already; only a change made elsewhere is read.
    const news = Object.entries(changed).some(([key, value]) => JSON.stringify(value ?? null) !== JSON.stringify(mirrored(key) ?? null));
    if (news) void reloadMirror();
  });
  void reloadMirror();
}

/** The stored feed state, from the mirror (read first when this worker has not read it yet). */
export async function feedBook(): Promise<ReadBook> {
  return mirror ?? (await (loading ?? reloadMirror()));
}

const serially = serialQueue();

/**
 * Read-modify-write of the feed's stored parts, one at a time (a poll and a
 * delivery retry must not overwrite each other's changes). `change` gets the
 * stored state and returns the parts to replace; only those are written.
 * Resolves with `change`'s result and the book as it now is.
 */
export function updateFeedBook<T>(
  change: (book: FeedBook) => { patch: Partial<FeedBook>; result: T } | Promise<{ patch: Partial<FeedBook>; result: T }>,
): Promise<{ result: T; book: FeedBook }> {
  return serially(async () => {
    const read = await readFeedBook();
    const { patch, result } = await change(read.book);
    const writes: Record<string, unknown> = {};
    if (patch.classFeed !== undefined) writes[KEYS.classFeed] = patch.classFeed;
    if (patch.follow !== undefined) writes[KEYS.feedFollow] = patch.follow;
    if (patch.outbox !== undefined) writes[KEYS.feedOutbox] = patch.outbox;
    if (patch.key !== undefined) writes[KEYS.feedKey] = patch.key;
    const book = { ...read.book, ...patch };
    const notes = Object.fromEntries(Object.entries(read.notes).filter(([key]) => !(key in writes)));
    // The mirror first: the storage change event this write sends then finds nothing new.
    generation++;
    mirror = { book, notes };
    if (Object.keys(writes).length > 0) {
      try {
        await writeLocal(writes);
      } catch (error) {
        void reloadMirror();
        throw error;
      }
    }
    return { result, book };
  });
}
