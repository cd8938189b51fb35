/**
 * Following the class feed on a student device (docs/design.md, "Teacher
 * control"): documents arrive over the live socket (live.ts) the moment
 * they are published, and each class's document is also fetched with
 * If-None-Match on start-up, on a periodic alarm, and when a navigation
 * starts while the last fetch is a few seconds old and the class has no
 * open socket — the fallback, and all there is for a host that only serves
 * files. A frame from the socket takes the fetched document's path
 * (receiveFrame), except that one at or below the document held is
 * dropped without a word. Every document is verified (core/feed/document.ts); an accepted one
 * replaces the class's stored document, a rules input, and the rules flow
 * runs. Nothing here ends a lesson: a lesson ends at its own endsAt, offline
 * or not, because resolve() says so.
 */
import { verifyClassDocument } from '../../core/feed/document';
import { MAX_DOCUMENT_BYTES, classFeedUrl } from '../../core/feed/format';
import {
  NO_FOLLOW,
  StoredStartPages,
  afterFetch,
  conditionalEtag,
  fetchError,
  follows,
  knownBody,
  rememberStartPage,
  shouldFetch,
  startPageToOpen,
  trustDigest,
  type FetchOutcome,
  type FetchResult,
  type FollowEntry,
} from '../../core/feed/follow';
import { afterLiveFrame, binaryOutcome, type Frame } from '../../core/feed/live';
import { StoredLinks, linkToOpen, rememberLink } from '../../core/feed/plan';
import { decide } from '../../core/rules/decide';
import type { FeedBook } from '../../core/feed/status';
import type { Policy } from '../../core/policy/policy';
import { KEYS } from '../../core/state';
import { clearAlarm, repeatEvery } from '../../platform/alarms';
import { fetchFeedDocument } from '../../platform/network';
import { readLocal, writeLocal } from '../../platform/storage';
import { openOwnTab } from '../rules/tabs';
import { feedBook, updateFeedBook } from './book';
import { isLive } from './live';
import { ensureCurrent, inputsChanged, type Current } from '../rules/flow';
import { noteHostTime, noteSignedTime, trustedNow } from '../clock';
import { serialQueue } from '../serial';

export const POLL_ALARM = 'lesmodus-feed-poll';

/** When the last poll began (this worker's memory: after a restart the start-up poll runs anyway). */
let lastPollStartedAt: number | null = null;
let polling: Promise<void> | null = null;

/** Verifies a document fetched for (or sent live to) `classId`, unless it was seen before: the outcome for core's afterFetch. */
async function verified(policy: Policy, book: FeedBook, classId: string, trust: string, body: string, etag: string | null): Promise<FetchOutcome> {
  const follow = book.follow[classId] ?? NO_FOLLOW;
  const accepted = book.classFeed[classId];
  const known = knownBody(body, accepted, follow, trust);
  const verdict =
    known ??
    (await verifyClassDocument(body, {
      trustedKeys: policy.teacherKeys,
      classId,
      lastIssuedAt: accepted?.document.issuedAt ?? null,
      now: await trustedNow(),
    }));
  if (typeof verdict === 'object' && verdict.ok) await noteSignedTime(verdict.document.issuedAt);
  return { kind: 'document', body, etag, verdict };
}

/** One class's fetch, verified: the outcome for core's afterFetch. */
async function fetchClass(policy: Policy, book: FeedBook, classId: string, trust: string): Promise<FetchOutcome> {
  const template = policy.classFeed?.urlTemplate;
  if (template === undefined) return fetchError('no class feed', null);
  const follow = book.follow[classId] ?? NO_FOLLOW;
  const answer = await fetchFeedDocument(classFeedUrl(template, classId), conditionalEtag(follow, trust), MAX_DOCUMENT_BYTES);
  // The feed host's clock puts a device clock right that was set back or forward (background/clock.ts).
  if (answer.date !== null) await noteHostTime(answer.date);
  switch (answer.kind) {
    case 'not-modified':
    case 'not-found':
      return answer;
    case 'error':
      return fetchError(answer.message, answer.status);
    case 'oversized':
      return { kind: 'document', body: '', etag: null, verdict: { ok: false, reason: 'oversized', detail: answer.detail } };
    case 'document':
      return verified(policy, book, classId, trust, answer.body, answer.etag);
  }
}

/** A fetch's or a frame's result for one class: what afterFetch (or afterLiveFrame) made of it. */
interface ClassResult {
  readonly classId: string;
  readonly result: (follow: FollowEntry) => FetchResult | null;
}

/** Stores what the fetches (or a frame) led to; true when a class's document in force changed. */
async function record(results: readonly ClassResult[]): Promise<boolean> {
  const { result } = await updateFeedBook((book) => {
    const follow = { ...book.follow };
    const classFeed = { ...book.classFeed };
    let changed = false;
    let followed = false;
    for (const { classId, result: of } of results) {
      const result = of(follow[classId] ?? NO_FOLLOW);
      if (result === null) continue;
      follow[classId] = result.follow;
      followed = true;
      if (result.rejected !== null) console.warn(`Lesmodus: class ${classId}: document refused (${result.rejected.reason}): ${result.rejected.detail}`);
      const stored = classFeed[classId];
      // Checked again here: a document accepted meanwhile by another poll (or the socket) must not be replaced by an older one.
      if (result.accept !== null && (stored === undefined || result.accept.document.issuedAt > stored.document.issuedAt)) {
        classFeed[classId] = result.accept;
        changed = true;
      }
    }
    return { patch: changed ? { follow, classFeed } : followed ? { follow } : {}, result: changed };
  });
  return result;
}

const startPages = serialQueue();

/**
 * Opens the start page of the class lesson in force, and a link sent to
 * the class during it, each once: it is remembered before the tab opens,
 * so neither a restart nor a second run opens it again. A link opens only
 * when the rules in force let students open it.
 */
export function openStartPageIfDue(current: Current): Promise<void> {
  return startPages(async () => {
    if (!follows(current.inputs.resolve.policy)) return;
    const { active } = current.resolution;
    const opened = (await readLocal(KEYS.feedStartPages, StoredStartPages, [])).value;
    const due = startPageToOpen(active, opened);
    if (due !== null) {
      await writeLocal({ [KEYS.feedStartPages]: rememberStartPage(opened, due.key) });
      // Opened as Lesmodus's own tab: the lesson's tab limit lets it in.
      await openOwnTab(due.url);
    }
    if (current.inputs.classLinks.length === 0) return;
    let links = (await readLocal(KEYS.feedLinks, StoredLinks, [])).value;
    for (const { classId, link } of current.inputs.classLinks) {
      const open = linkToOpen(classId, link, active, links, (url) => decide(url, current.prepared, 'page').allowed);
      if (open === null) continue;
      links = rememberLink(links, open.key);
      await writeLocal({ [KEYS.feedLinks]: links });
      await openOwnTab(open.url);
    }
  });
}

/** After documents were taken in: one flow pass, and the start page of a new class lesson opened at once. */
async function takeIn(changed: boolean): Promise<void> {
  // One flow pass, whether this call or the storage event gets there first; awaited so the start page follows the lesson at once.
  const after = changed ? await inputsChanged([KEYS.classFeed]) : await ensureCurrent(await trustedNow());
  await openStartPageIfDue(after);
}

async function pollOnce(skip: (classId: string) => boolean): Promise<void> {
  const current = await ensureCurrent(await trustedNow());
  const policy = current.inputs.resolve.policy;
  if (!follows(policy)) return;
  const classes = policy.classes.filter((classId) => !skip(classId));
  if (classes.length === 0) return;
  const now = Date.now();
  lastPollStartedAt = now;
  const trust = trustDigest(policy.teacherKeys);
  const { book } = await feedBook();
  const outcomes = await Promise.all(classes.map(async (classId) => ({ classId, outcome: await fetchClass(policy, book, classId, trust) })));
  const at = await trustedNow();
  const changed = await record(outcomes.map(({ classId, outcome }) => ({ classId, result: (follow: FollowEntry) => afterFetch(follow, outcome, trust, at) })));
  await takeIn(changed);
}

/** Fetches every class's document now (or those `skip` leaves); a poll already running is joined, not doubled. */
export function pollFeeds(skip: (classId: string) => boolean = () => false): Promise<void> {
  polling ??= pollOnce(skip)
    .catch((error: unknown) => console.warn('Lesmodus: class feed poll failed', error))
    .finally(() => {
      polling = null;
    });
  return polling;
}

/**
 * A navigation is starting: fetch when the last fetch began more than a few
 * seconds ago — only the classes without an open live connection, whose
 * documents arrive the moment they are published.
 */
export function onNavigationStart(): void {
  if (polling !== null || !shouldFetch(lastPollStartedAt, Date.now())) return;
  void pollFeeds(isLive);
}

const frames = serialQueue();

/**
 * A frame that arrived on class `classId`'s socket: verified exactly as a
 * fetched document (signature, class, key scope, replay, expiry) and taken
 * in the same way, except that one at or below the document held is
 * dropped without a word (core/feed/live.ts). One frame at a time, so a
 * previous document and the current one right after it are judged in order.
 */
export function receiveFrame(classId: string, frame: Exclude<Frame, { kind: 'pong' }>): Promise<void> {
  return frames(async () => {
    const current = await ensureCurrent(await trustedNow());
    const policy = current.inputs.resolve.policy;
    if (!follows(policy) || !policy.classes.includes(classId)) return;
    const trust = trustDigest(policy.teacherKeys);
    const { book } = await feedBook();
    const outcome = frame.kind === 'binary' ? binaryOutcome(frame.bytes) : await verified(policy, book, classId, trust, frame.body, null);
    const at = await trustedNow();
    const changed = await record([{ classId, result: (follow) => afterLiveFrame(follow, outcome, trust, at) }]);
    await takeIn(changed);
  }).catch((error: unknown) => console.warn(`Lesmodus: class ${classId}: a live document could not be taken in`, error));
}

/** Sets the periodic poll for the policy in force (or clears it) and polls once. */
export async function startFollowing(policy: Policy): Promise<void> {
  if (!follows(policy)) {
    await clearAlarm(POLL_ALARM);
    return;
  }
  await repeatEvery(POLL_ALARM, policy.classFeed?.pollSeconds ?? 30);
  await pollFeeds();
}
