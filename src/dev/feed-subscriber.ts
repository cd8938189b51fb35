/**
 * A class-feed subscriber in Node (the `ws` package), speaking the live
 * protocol as a student's extension does (docs/class-feed-nginx.md,
 * "The client protocol"): one WebSocket per class at the feed address with
 * ws:// or wss://, every text frame a whole class document, the text frame
 * "ping" as heartbeat, answered with "pong". For tests and the bench; the
 * extension has its own client.
 */
import WebSocket from 'ws';

/** The heartbeat a client sends, and the server's answer (never a document). */
export const HEARTBEAT = 'ping';
export const HEARTBEAT_ANSWER = 'pong';

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

export type Opened = { readonly ok: true } | { readonly ok: false; readonly status: number | null; readonly message: string };

export class FeedSubscriber {
  private readonly socket: WebSocket;
  /** Documents received and not yet taken by next(). */
  private readonly queue: string[] = [];
  private readonly waiting: Array<{ done: (document: string) => void; fail: (error: Error) => void }> = [];
  private closedWith: Closed | null = null;
  private readonly closeWaiters: Array<(closed: Closed) => void> = [];
  private readonly pongWaiters: Array<() => void> = [];
  /** Every document received, in order (also those already taken by next()). */
  readonly received: string[] = [];
  /** How the handshake ended: open, or refused with an HTTP status. */
  readonly opened: Promise<Opened>;

  /** `origin`: the Origin header to send (a browser sends its own; tools send none). */
  constructor(url: string, options: { readonly origin?: string } = {}) {
    this.socket = new WebSocket(url, { headers: options.origin === undefined ? {} : { Origin: options.origin } });
    this.opened = new Promise<Opened>((done) => {
      this.socket.once('open', () => done({ ok: true }));
      this.socket.once('unexpected-response', (_request, response) => {
        done({ ok: false, status: response.statusCode ?? null, message: `HTTP ${response.statusCode}` });
        response.resume();
        this.socket.terminate();
      });
      this.socket.once('error', (error) => done({ ok: false, status: null, message: error.message }));
    });
    this.socket.on('message', (data, isBinary) => {
      const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString(isBinary ? 'latin1' : 'utf8');
      if (text === HEARTBEAT_ANSWER) {
        this.pongWaiters.splice(0).forEach((done) => done());
        return;
      }
      this.received.push(text);
      const waiter = this.waiting.shift();
      if (waiter) waiter.done(text);
      else this.queue.push(text);
    });
    this.socket.on('close', (code, reason) => {
      this.closedWith = { code, reason: reason.toString() };
      this.closeWaiters.splice(0).forEach((done) => done(this.closedWith!));
      this.waiting.splice(0).forEach(({ fail }) => fail(new Error(`the socket closed (${code} ${reason.toString()}) before a document arrived`)));
    });
    // Errors end in 'close' (or in `opened` for a refused handshake).
    this.socket.on('error', () => undefined);
  }

  /** The next document, in arrival order; fails if the socket closes first. */
  next(): Promise<string> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closedWith !== null) return Promise.reject(new Error(`the socket is closed (${this.closedWith.code})`));
    return new Promise((done, fail) => this.waiting.push({ done, fail }));
  }

  /** Sends the heartbeat and waits for its answer. */
  heartbeat(): Promise<void> {
    return new Promise((done, fail) => {
      if (this.socket.readyState !== WebSocket.OPEN) {
        fail(new Error('the socket is not open'));
        return;
      }
      this.pongWaiters.push(done);
      this.socket.send(HEARTBEAT);
    });
  }

  /** Sends a text frame as is (what a misbehaving client might send). */
  send(text: string): void {
    this.socket.send(text);
  }

  /** Resolves when the socket has closed, with the close code and reason. */
  closed(): Promise<Closed> {
    if (this.closedWith !== null) return Promise.resolve(this.closedWith);
    return new Promise((done) => this.closeWaiters.push(done));
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.closedWith !== null) return;
    if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    else this.socket.close(1000);
    await this.closed();
  }
}
