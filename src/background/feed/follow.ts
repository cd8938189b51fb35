/**
 * Following the class feed on a student device (docs/design.md, "Teacher
 * control"): each class's document is fetched with If-None-Match on
 * start-up, on a periodic alarm, and when a navigation starts while the last
 * fetch is a few seconds old — so a new lesson is in force by the student's
 * next click. Every document is verified (core/feed/document.ts); an accepted one
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
} from '../../core/feed/follow';
import type { FeedBook } from '../../core/feed/status';
import type { Policy } from '../../core/policy/policy';
import { KEYS } from '../../core/state';
import { clearAlarm, repeatEvery } from '../../platform/alarms';
import { fetchFeedDocument } from '../../platform/network';
import { readLocal, writeLocal } from '../../platform/storage';
import { openTab } from '../../platform/tabs';
import { feedBook, updateFeedBook } from './book';
import { ensureCurrent, inputsChanged, type Current } from '../rules/flow';
import { noteHostTime, noteSignedTime, trustedNow } from '../clock';
import { serialQueue } from '../serial';

export const POLL_ALARM = 'lesmodus-feed-poll';

/** When the last poll began (this worker's memory: after a restart the start-up poll runs anyway). */
let lastPollStartedAt: number | null = null;
let polling: Promise<void> | null = null;

/** One class's fetch, verified: the outcome for core's afterFetch. */
async function fetchClass(policy: Policy, book: FeedBook, classId: string, trust: string): Promise<FetchOutcome> {
  const template = policy.classFeed?.urlTemplate;
  if (template === undefined) return fetchError('no class feed', null);
  const follow = book.follow[classId] ?? NO_FOLLOW;
  const accepted = book.classFeed[classId];
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
    case 'document': {
      const known = knownBody(answer.body, accepted, follow, trust);
      const verdict =
        known ??
        (await verifyClassDocument(answer.body, {
          trustedKeys: policy.teacherKeys,
          classId,
          lastIssuedAt: accepted?.document.issuedAt ?? null,
          now: await trustedNow(),
        }));
      if (typeof verdict === 'object' && verdict.ok) await noteSignedTime(verdict.document.issuedAt);
      return { kind: 'document', body: answer.body, etag: answer.etag, verdict };
    }
  }
}

/** Stores what the fetches led to; true when a class's document in force changed. */
async function record(results: ReadonlyArray<{ classId: string; outcome: FetchOutcome }>, trust: string, now: number): Promise<boolean> {
  const { result } = await updateFeedBook((book) => {
    const follow = { ...book.follow };
    const classFeed = { ...book.classFeed };
    let changed = false;
    for (const { classId, outcome } of results) {
      const result: FetchResult = afterFetch(follow[classId] ?? NO_FOLLOW, outcome, trust, now);
      follow[classId] = result.follow;
      if (result.rejected !== null) console.warn(`Lesmodus: class ${classId}: document refused (${result.rejected.reason}): ${result.rejected.detail}`);
      const stored = classFeed[classId];
      // Checked again here: a document accepted meanwhile by another poll must not be replaced by an older one.
      if (result.accept !== null && (stored === undefined || result.accept.document.issuedAt > stored.document.issuedAt)) {
        classFeed[classId] = result.accept;
        changed = true;
      }
    }
    return { patch: changed ? { follow, classFeed } : { follow }, result: changed };
  });
  return result;
}

const startPages = serialQueue();

/**
 * Opens the start page of the class lesson in force, once: the lesson is
 * remembered before the tab opens, so neither a restart nor a second run
 * opens it again.
 */
function openStartPageIfDue(current: Current): Promise<void> {
  return startPages(async () => {
    const opened = (await readLocal(KEYS.feedStartPages, StoredStartPages, [])).value;
    const due = startPageToOpen(current.resolution.active, opened);
    if (due === null) return;
    await writeLocal({ [KEYS.feedStartPages]: rememberStartPage(opened, due.key) });
    await openTab(due.url);
  });
}

async function pollOnce(): Promise<void> {
  const current = await ensureCurrent(await trustedNow());
  const policy = current.inputs.resolve.policy;
  if (!follows(policy)) return;
  lastPollStartedAt = Date.now();
  const trust = trustDigest(policy.teacherKeys);
  const { book } = await feedBook();
  const results = await Promise.all(policy.classes.map(async (classId) => ({ classId, outcome: await fetchClass(policy, book, classId, trust) })));
  const changed = await record(results, trust, await trustedNow());
  // One flow pass, whether this call or the storage event gets there first; awaited so the start page follows the lesson at once.
  const after = changed ? await inputsChanged([KEYS.classFeed]) : await ensureCurrent(await trustedNow());
  await openStartPageIfDue(after);
}

/** Fetches every class's document now; a poll already running is joined, not doubled. */
export function pollFeeds(): Promise<void> {
  polling ??= pollOnce()
    .catch((error: unknown) => console.warn('Lesmodus: class feed poll failed', error))
    .finally(() => {
      polling = null;
    });
  return polling;
}

/** A navigation is starting: fetch when the last fetch began more than a few seconds ago. */
export function onNavigationStart(): void {
  if (polling !== null || !shouldFetch(lastPollStartedAt, Date.now())) return;
  void pollFeeds();
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
