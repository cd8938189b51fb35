/**
 * Reading and writing what is stored about the class feed, and a mirror of
 * it for the status. The status is built synchronously from the last rules
 * run, but feed bookkeeping (a poll that found nothing new, a delivery
 * retry) is deliberately not a rules input — it would re-run the rules on
 * every poll. So the status reads this mirror, which follows every change of
 * the feed keys in storage; until it has loaded, the copy the last rules run
 * read stands in (storage is the truth, the mirror only a cache).
 */
import { EMPTY_FEED_BOOK, SigningKeyInfoSchema, type FeedBook } from '../../core/feed/status';
import { StoredClassFeed, StoredFeedFollow } from '../../core/feed/follow';
import { StoredOutbox } from '../../core/feed/outbox';
import { KEYS } from '../../core/state';
import { onLocalChange, readLocal, writeLocal } from '../../platform/storage';
import { serialQueue } from '../serial';

const FEED_BOOK_KEYS: readonly string[] = [KEYS.classFeed, KEYS.feedFollow, KEYS.feedOutbox, KEYS.feedKey];

/** Reads every stored part, validated; a corrupt part is reported and starts empty. */
export async function readFeedBook(): Promise<{ book: FeedBook; notes: string[] }> {
  const [classFeed, follow, outbox, key] = await Promise.all([
    readLocal(KEYS.classFeed, StoredClassFeed, {}),
    readLocal(KEYS.feedFollow, StoredFeedFollow, {}),
    readLocal(KEYS.feedOutbox, StoredOutbox, {}),
    readLocal(KEYS.feedKey, SigningKeyInfoSchema.nullable(), null),
  ]);
  const notes = [classFeed, follow, outbox, key].flatMap((result) => (result.problem ? [result.problem] : []));
  return { book: { classFeed: classFeed.value, follow: follow.value, outbox: outbox.value, key: key.value }, notes };
}

let mirror: FeedBook | null = null;
let generation = 0;

async function reloadMirror(): Promise<void> {
  const mine = ++generation;
  const { book } = await readFeedBook();
  // A slower read started before a newer one must not overwrite it.
  if (mine === generation) mirror = book;
}

/** Keeps the mirror in step with storage; call once, at the top level of the service worker. */
export function followFeedBook(): void {
  onLocalChange(FEED_BOOK_KEYS, () => void reloadMirror());
  void reloadMirror();
}

/** The stored feed state for the status: the mirror, or `fallback` (the last rules run's copy) before it loaded. */
export function feedBookSnapshot(fallback: FeedBook = EMPTY_FEED_BOOK): FeedBook {
  return mirror ?? fallback;
}

const serially = serialQueue();

/**
 * Read-modify-write of the feed's stored parts, one at a time (a poll and a
 * delivery retry must not overwrite each other's changes). `change` gets the
 * stored state and returns the parts to replace; only those are written.
 */
export function updateFeedBook<T>(change: (book: FeedBook) => { patch: Partial<FeedBook>; result: T } | Promise<{ patch: Partial<FeedBook>; result: T }>): Promise<T> {
  return serially(async () => {
    const { book } = await readFeedBook();
    const { patch, result } = await change(book);
    const writes: Record<string, unknown> = {};
    if (patch.classFeed !== undefined) writes[KEYS.classFeed] = patch.classFeed;
    if (patch.follow !== undefined) writes[KEYS.feedFollow] = patch.follow;
    if (patch.outbox !== undefined) writes[KEYS.feedOutbox] = patch.outbox;
    if (patch.key !== undefined) writes[KEYS.feedKey] = patch.key;
    if (Object.keys(writes).length > 0) {
      await writeLocal(writes);
      generation++;
      mirror = { ...book, ...patch };
    }
    return result;
  });
}
