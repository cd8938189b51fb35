/**
 * The reference feed server's live delivery: the WebSocket subscribers of
 * each class, as docs/class-feed-nginx.md ("The client protocol") sets it
 * out, so that a student's extension speaks one protocol to this server and
 * to nginx + nchan.
 *
 *   - On connect the newest stored document goes out at once (if there is
 *     one), then every newly stored one, each as one text frame holding
 *     exactly the compact JWS.
 *   - The text frame `ping` is answered with the text frame `pong`; any other
 *     frame is dropped (nothing a client sends is stored or passed on).
 *   - A ping control frame goes to every socket each interval; a socket that
 *     has left two of them unanswered is cut at the next one, so a laptop
 *     that vanished without closing leaves the count.
 *   - A socket that does not take what it is sent (more than `maxBufferedBytes`
 *     waiting) is cut rather than buffered for: it reconnects and gets the
 *     newest document then.
 *
 * What it keeps of a subscriber is the open socket and two counters, for as
 * long as the socket is open: no address, no name, nothing after it closes.
 */
import WebSocket from 'ws';

/** The heartbeat a client sends, and the answer. */
export const HEARTBEAT = 'ping';
export const HEARTBEAT_ANSWER = 'pong';

export interface SubscriberHubOptions {
  /** How often every socket is sent a ping control frame. */
  readonly pingIntervalMs: number;
  /** A socket with more than this waiting to be sent is cut. */
  readonly maxBufferedBytes: number;
}

export interface SubscriberHub {
  /**
   * Takes a socket that has just subscribed to `classId`. `current` is the
   * class's newest document as stored when the socket joined (null: none);
   * it is sent unless a newer one has reached the socket first.
   */
  add(classId: string, socket: WebSocket, current: Promise<Buffer | null>): void;
  /** Sends a newly stored document to every subscriber of the class. */
  broadcast(classId: string, body: Buffer): void;
  /** The subscribers of a class now. */
  count(classId: string): number;
  /** The subscribers of every class now. */
  readonly total: number;
  /** Closes every socket (1001, "going away"), cutting those that do not finish the close within `graceMs`; stops the pings. */
  closeAll(graceMs: number): void;
}

interface Subscriber {
  readonly classId: string;
  /** Pings sent since the socket was last heard from. */
  unanswered: number;
  /** True once a document stored after the socket joined was sent to it. */
  updated: boolean;
}

const HEARTBEAT_BYTES = Buffer.from(HEARTBEAT);

export function startSubscriberHub(options: SubscriberHubOptions): SubscriberHub {
  const byClass = new Map<string, Set<WebSocket>>();
  const subscribers = new Map<WebSocket, Subscriber>();

  const remove = (socket: WebSocket): void => {
    const subscriber = subscribers.get(socket);
    if (subscriber === undefined) return;
    subscribers.delete(socket);
    const sockets = byClass.get(subscriber.classId);
    sockets?.delete(socket);
    if (sockets?.size === 0) byClass.delete(subscriber.classId);
  };

  /** Cuts a socket at once; it leaves the count now, not when the close is read. */
  const cut = (socket: WebSocket): void => {
    remove(socket);
    socket.terminate();
  };

  const send = (socket: WebSocket, body: Buffer): void => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > options.maxBufferedBytes) {
      cut(socket);
      return;
    }
    // A Buffer sent as text: every subscriber's frame refers to the same bytes, none is copied.
    socket.send(body, { binary: false });
  };

  const heartbeat = setInterval(() => {
    for (const [socket, subscriber] of subscribers) {
      if (subscriber.unanswered >= 2) {
        cut(socket);
        continue;
      }
      subscriber.unanswered += 1;
      socket.ping();
    }
  }, options.pingIntervalMs);
  heartbeat.unref();

  return {
    add(classId, socket, current) {
      const subscriber: Subscriber = { classId, unanswered: 0, updated: false };
      subscribers.set(socket, subscriber);
      let sockets = byClass.get(classId);
      if (sockets === undefined) byClass.set(classId, (sockets = new Set()));
      sockets.add(socket);

      socket.on('pong', () => (subscriber.unanswered = 0));
      socket.on('message', (data, isBinary) => {
        subscriber.unanswered = 0;
        // maxPayload keeps frames small; anything but the heartbeat is dropped here.
        if (!isBinary && Buffer.isBuffer(data) && data.equals(HEARTBEAT_BYTES)) socket.send(HEARTBEAT_ANSWER);
      });
      socket.on('close', () => remove(socket));
      // Protocol errors (an oversized or malformed frame) close the socket; there is nothing else to do.
      socket.on('error', () => undefined);

      current.then(
        (body) => {
          // A document stored after the socket joined is newer than what was current then: it stands.
          if (body !== null && !subscriber.updated) send(socket, body);
        },
        (error: unknown) => {
          process.stderr.write(`feed-server: reading class ${classId} for a subscriber failed: ${error instanceof Error ? error.message : String(error)}\n`);
          // Closed, so the client reconnects (or polls) rather than waiting on a document that will not come.
          remove(socket);
          socket.close(1011, 'the document could not be read');
        },
      );
    },

    broadcast(classId, body) {
      const sockets = byClass.get(classId);
      if (sockets === undefined) return;
      for (const socket of [...sockets]) {
        const subscriber = subscribers.get(socket);
        if (subscriber !== undefined) subscriber.updated = true;
        send(socket, body);
      }
    },

    count: (classId) => byClass.get(classId)?.size ?? 0,

    get total() {
      return subscribers.size;
    },

    closeAll(graceMs) {
      clearInterval(heartbeat);
      const sockets = [...subscribers.keys()];
      for (const socket of sockets) {
        remove(socket);
        socket.close(1001, 'the feed server is stopping');
      }
      if (sockets.length === 0) return;
      setTimeout(() => {
        for (const socket of sockets) if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
      }, graceMs).unref();
    },
  };
}
