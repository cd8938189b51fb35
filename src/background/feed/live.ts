/**
 * Live delivery on a student device (docs/class-feed-nginx.md, "The client
 * protocol"): one WebSocket per followed class to the feed host, at the feed
 * URL with ws(s):. The host sends the class's newest document when the
 * socket opens and each new one the moment it is published; every frame
 * goes to the fetched-document path (follow.ts, receiveFrame), so the trust
 * model is the poll's.
 *
 * The socket is kept honest with a `ping` every 20 s (which is also what
 * keeps Chrome's service worker alive while the socket is open); two
 * unanswered in a row, and it is closed as dead. A socket that closes, is
 * refused (a host that only serves files) or dies is tried again with
 * jittered exponential backoff, while the poll (follow.ts) carries on as
 * before. The worker may be stopped: every start and every poll alarm calls
 * keepLive again, which opens what is missing. Nothing here is stored: a
 * new worker starts over, and the host sends the newest document again.
 */
import { classFeedUrl } from '../../core/feed/format';
import { follows } from '../../core/feed/follow';
import {
  CONNECT_TIMEOUT_MS,
  FRESH_HEARTBEAT,
  HEARTBEAT,
  HEARTBEAT_MS,
  closeReason,
  frameOf,
  heard,
  heartbeatDue,
  liveUrl,
  reconnectDelay,
  type Frame,
  type Heartbeat,
  type LiveState,
  type LiveStatus,
} from '../../core/feed/live';
import type { Policy } from '../../core/policy/policy';
import { openSocket, socketsAvailable, type OpenSocket } from '../../platform/socket';

/** Where a frame that is not a heartbeat answer goes. */
export type Receiver = (classId: string, frame: Exclude<Frame, { kind: 'pong' }>) => void;

interface Connection {
  readonly classId: string;
  readonly url: string;
  socket: OpenSocket | null;
  state: LiveState;
  since: number;
  retryAt: number | null;
  failures: number;
  lastError: string | null;
  lastDocumentAt: number | null;
  heartbeat: Heartbeat;
  /** Set when Lesmodus itself closes the socket, to say why. */
  closing: string | null;
  heartbeatTimer: ReturnType<typeof setInterval> | null;
  retryTimer: ReturnType<typeof setTimeout> | null;
}

const connections = new Map<string, Connection>();
let receiver: Receiver = () => undefined;

/**
 * Whether to hold sockets on this browser. Chrome (116+) keeps the service
 * worker alive while its socket exchanges a message every < 30 s. Firefox
 * ESR suspends its event page after 30 s without extension events, socket
 * or not (measured: tests/e2e/live.firefox.e2e.ts, docs/class-feed.md,
 * "Firefox"); but the poll alarm wakes it every pollSeconds and the socket
 * opens again at once, so with the default 30 s poll a document still
 * arrives over the socket nearly always, and never later than the poll
 * would bring it. So both browsers hold them.
 */
const LIVE_ON_THIS_BROWSER = true;

/** True while class `classId`'s socket is open: its documents arrive as they are published. */
export function isLive(classId: string): boolean {
  return connections.get(classId)?.state === 'open';
}

/** Each class's socket, for the status page. */
export function liveStatuses(): Record<string, LiveStatus> {
  const out: Record<string, LiveStatus> = {};
  for (const [classId, connection] of connections) {
    out[classId] = {
      state: connection.state,
      since: connection.since,
      retryAt: connection.retryAt,
      failures: connection.failures,
      lastError: connection.lastError,
      lastDocumentAt: connection.lastDocumentAt,
    };
  }
  return out;
}

function stopTimers(connection: Connection): void {
  if (connection.heartbeatTimer !== null) clearInterval(connection.heartbeatTimer);
  if (connection.retryTimer !== null) clearTimeout(connection.retryTimer);
  connection.heartbeatTimer = null;
  connection.retryTimer = null;
}

/** Ends a class's socket for good (the class is no longer followed, or its address changed). */
function drop(connection: Connection): void {
  connections.delete(connection.classId);
  stopTimers(connection);
  const socket = connection.socket;
  connection.socket = null;
  socket?.close();
}

function beat(connection: Connection): void {
  const { action, next } = heartbeatDue(connection.heartbeat);
  connection.heartbeat = next;
  if (action === 'ping' && connection.socket?.send(HEARTBEAT)) return;
  connection.closing = action === 'dead' ? 'no answer to two heartbeats: the live connection was given up as dead' : 'the heartbeat could not be sent';
  connection.socket?.close();
}

function connect(connection: Connection): void {
  if (connections.get(connection.classId) !== connection) return;
  stopTimers(connection);
  connection.state = 'connecting';
  connection.since = Date.now();
  connection.retryAt = null;
  connection.closing = null;
  connection.heartbeat = FRESH_HEARTBEAT;
  const socket = openSocket(connection.url, {
    onOpen: () => {
      stopTimers(connection);
      connection.state = 'open';
      connection.since = Date.now();
      connection.heartbeatTimer = setInterval(() => beat(connection), HEARTBEAT_MS);
    },
    onFrame: (data) => {
      connection.heartbeat = heard();
      // Something came through: the connection works, and the next drop is retried soon.
      connection.failures = 0;
      const frame = frameOf(data);
      if (frame.kind === 'pong') return;
      connection.lastDocumentAt = Date.now();
      receiver(connection.classId, frame);
    },
    onClose: (code, reason, opened) => closed(connection, code, reason, opened),
  });
  if (socket === null) {
    connection.state = 'unavailable';
    connection.lastError = `the browser refused to open a live connection to ${connection.url}`;
    return;
  }
  connection.socket = socket;
  // The retry timer slot holds the handshake's deadline until the socket opens.
  connection.retryTimer = setTimeout(() => {
    connection.closing = `the feed host did not complete the live connection within ${CONNECT_TIMEOUT_MS / 1000} s`;
    connection.socket?.close();
  }, CONNECT_TIMEOUT_MS);
}

function closed(connection: Connection, code: number, reason: string, opened: boolean): void {
  stopTimers(connection);
  connection.socket = null;
  // Dropped on purpose: nothing follows.
  if (connections.get(connection.classId) !== connection) return;
  const now = Date.now();
  const delay = reconnectDelay(connection.failures, Math.random());
  connection.failures += 1;
  connection.lastError = connection.closing ?? closeReason(code, reason, opened);
  connection.closing = null;
  connection.state = 'waiting';
  connection.since = now;
  connection.retryAt = now + delay;
  connection.retryTimer = setTimeout(() => connect(connection), delay);
}

/**
 * Holds one socket per class the policy follows, opening what is missing
 * and closing what is no longer followed; `receive` takes every frame that
 * is not a heartbeat answer. Called on every flow pass that brings a
 * policy (a worker start too) and on every poll alarm.
 */
export function keepLive(policy: Policy, receive: Receiver): void {
  receiver = receive;
  const wanted = new Map<string, string>();
  const template = policy.classFeed?.urlTemplate;
  if (LIVE_ON_THIS_BROWSER && follows(policy) && template !== undefined) {
    for (const classId of policy.classes) wanted.set(classId, liveUrl(classFeedUrl(template, classId)) ?? '');
  }
  for (const connection of [...connections.values()]) {
    if (!wanted.has(connection.classId) || wanted.get(connection.classId) !== connection.url) drop(connection);
  }
  const now = Date.now();
  for (const [classId, url] of wanted) {
    const existing = connections.get(classId);
    if (existing !== undefined) {
      // A retry whose timer died with an earlier worker's sleep, or is overdue: now.
      if (existing.state === 'waiting' && existing.retryAt !== null && existing.retryAt <= now) connect(existing);
      continue;
    }
    const connection: Connection = {
      classId,
      url,
      socket: null,
      state: 'unavailable',
      since: now,
      retryAt: null,
      failures: 0,
      lastError: null,
      lastDocumentAt: null,
      heartbeat: FRESH_HEARTBEAT,
      closing: null,
      heartbeatTimer: null,
      retryTimer: null,
    };
    connections.set(classId, connection);
    if (url === '') connection.lastError = 'the class feed address is not http(s): no live connection, the poll only';
    else if (!socketsAvailable()) connection.lastError = 'this browser cannot open a live connection here: the poll only';
    else connect(connection);
  }
}

/** Closes every socket and forgets them, with no retry (the worker is going away; a test's stop). */
export function closeLive(): void {
  for (const connection of [...connections.values()]) drop(connection);
}
