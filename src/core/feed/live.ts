/**
 * Live delivery of the class feed (docs/class-feed-nginx.md, "The client
 * protocol"), as pure functions: the socket's address, when to reconnect,
 * the heartbeat's bookkeeping, what a frame is, and what the status shows
 * about a class's socket. The background (background/feed/live.ts) holds the
 * sockets and timers; src/platform/socket.ts opens them.
 *
 * A socket only brings documents sooner. Each one is verified exactly as a
 * fetched one (background/feed/follow.ts); the poll with If-None-Match goes
 * on beside it, and is all there is while the socket is down.
 */
import { afterFetch, type FetchOutcome, type FetchResult, type FollowEntry } from './follow';

const SECOND = 1000;

/** The text frame a client sends, and the one the host answers with. */
export const HEARTBEAT = 'ping';
export const HEARTBEAT_ANSWER = 'pong';

/**
 * A heartbeat every 20 s: Chrome (116 and later) keeps an extension's
 * service worker alive while its WebSocket exchanges a message at least
 * every 30 s.
 */
export const HEARTBEAT_MS = 20 * SECOND;
/** Heartbeats in a row that may go unanswered before the socket counts as dead. */
export const HEARTBEATS_MISSED_DEAD = 2;

/** A handshake that has not opened by then is given up (and tried again later): a host that never answers. */
export const CONNECT_TIMEOUT_MS = 10 * SECOND;

/** The first reconnect waits up to this long; each next one up to twice as long, at most RECONNECT_MAX_MS. */
export const RECONNECT_FIRST_MS = 1 * SECOND;
export const RECONNECT_MAX_MS = 60 * SECOND;

/**
 * The socket address of a class's feed URL: `https:` becomes `wss:` and
 * `http:` becomes `ws:`, the rest stays. Null for any other scheme (a
 * feed that only a file host could serve has no socket).
 */
export function liveUrl(feedUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(feedUrl);
  } catch {
    return null;
  }
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  else return null;
  url.hash = '';
  return url.href;
}

/** The longest wait before reconnect number `failures` + 1: 1 s, 2 s, 4 s, … at most 60 s. */
export function reconnectCeiling(failures: number): number {
  return Math.min(RECONNECT_FIRST_MS * 2 ** Math.max(0, Math.min(failures, 30)), RECONNECT_MAX_MS);
}

/**
 * The wait before the next reconnect after `failures` failed ones, with full
 * jitter: anywhere from 0 to the ceiling, `random` (in [0, 1)) choosing
 * where. A class whose host comes back after an outage is thus not hit by
 * every laptop in the same instant: each waits its own share of a window
 * that grew while the host was away.
 */
export function reconnectDelay(failures: number, random: number): number {
  const share = Math.min(Math.max(random, 0), 1);
  return Math.floor(share * reconnectCeiling(failures));
}

/** The heartbeat's bookkeeping for one socket. */
export interface Heartbeat {
  /** Heartbeats sent since anything was last heard on the socket. */
  readonly unanswered: number;
}

export const FRESH_HEARTBEAT: Heartbeat = { unanswered: 0 };

/** Anything heard on the socket (a pong, a document) shows it is alive. */
export function heard(): Heartbeat {
  return FRESH_HEARTBEAT;
}

/**
 * A heartbeat is due: send `ping`, or, when the last HEARTBEATS_MISSED_DEAD
 * went unanswered, give the socket up as dead (close it and fall back to the
 * poll until a reconnect works).
 */
export function heartbeatDue(heartbeat: Heartbeat): { readonly action: 'ping' | 'dead'; readonly next: Heartbeat } {
  if (heartbeat.unanswered >= HEARTBEATS_MISSED_DEAD) return { action: 'dead', next: heartbeat };
  return { action: 'ping', next: { unanswered: heartbeat.unanswered + 1 } };
}

/** What one message on the socket is. */
export type Frame =
  | { readonly kind: 'pong' }
  /** A text frame to verify as a class document (whatever it holds: verification says what is wrong with it). */
  | { readonly kind: 'document'; readonly body: string }
  /** A binary frame: never a class document. */
  | { readonly kind: 'binary'; readonly bytes: number };

export function frameOf(data: string | { readonly bytes: number }): Frame {
  if (typeof data !== 'string') return { kind: 'binary', bytes: data.bytes };
  if (data === HEARTBEAT_ANSWER) return { kind: 'pong' };
  return { kind: 'document', body: data.trim() };
}

/** A binary frame, as the outcome the fetched-document path records: refused, counted, changing nothing. */
export function binaryOutcome(bytes: number): FetchOutcome {
  return { kind: 'document', body: `binary:${bytes}`, etag: null, verdict: { ok: false, reason: 'malformed', detail: `a binary frame of ${bytes} bytes, not a class document` } };
}

/**
 * Whether a verified frame is to be dropped without a word: over the socket
 * a document at or below the one held is not a sign of a replay (the host
 * sends the newest again on every reconnect, and with Redis may send the one
 * before it first), so it is neither counted nor shown as a refusal.
 */
export function dropSilently(outcome: FetchOutcome): boolean {
  if (outcome.kind !== 'document') return false;
  const { verdict } = outcome;
  if (verdict === 'same-as-accepted') return true;
  return typeof verdict === 'object' && !verdict.ok && verdict.reason === 'replayed';
}

/**
 * A class's socket as the status page shows it:
 *   open         connected; documents arrive as they are published
 *   connecting   a connection is being made
 *   waiting      closed or refused; the next try is at retryAt, and the poll carries on
 *   unavailable  no socket for this feed (its address is not http(s), or the browser has none): the poll only
 */
export type LiveState = 'open' | 'connecting' | 'waiting' | 'unavailable';

export interface LiveStatus {
  readonly state: LiveState;
  /** When the socket opened (open), or the state began. */
  readonly since: number;
  /** waiting: when the next try is due. */
  readonly retryAt: number | null;
  /** Connections that failed or dropped since one last worked. */
  readonly failures: number;
  /** Why the last socket closed or failed, in English for IT (diagnostics); null when none did. */
  readonly lastError: string | null;
  /** When the last document arrived over the socket; null before any. */
  readonly lastDocumentAt: number | null;
}

/** Why a socket closed, in English for IT, from the close code and reason the browser reports. */
export function closeReason(code: number, reason: string, opened: boolean): string {
  if (!opened) return 'the feed host did not open a live connection (it may only serve files, or refused the upgrade)';
  const said = reason.trim() === '' ? '' : `: ${reason.trim().slice(0, 120)}`;
  if (code === 1001) return `the feed host closed the live connection (going away, 1001)${said}`;
  if (code === 1006) return 'the live connection dropped (1006, no close frame)';
  return `the live connection closed (${code})${said}`;
}

/**
 * What a frame that is to be verified leads to: the fetched-document path's
 * result (afterFetch), or null when it is dropped silently. A frame is not
 * a fetch: the last fetch's time and the ETag for the next poll stay as
 * they are (the ETag only when it was stored under the same keys).
 */
export function afterLiveFrame(follow: FollowEntry, outcome: FetchOutcome, trust: string, now: number): FetchResult | null {
  if (dropSilently(outcome)) return null;
  const result = afterFetch(follow, outcome, trust, now);
  const etag = follow.trust === trust ? follow.etag : null;
  return { ...result, follow: { ...result.follow, lastFetchAt: follow.lastFetchAt, etag } };
}
