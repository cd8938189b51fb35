/**
 * A class-feed host in memory, standing in for `fetch` (src/platform/network.ts
 * is the extension's only network traffic): it stores what a PUT sends and
 * serves it back with an ETag, answering If-None-Match with 304, as any
 * host the README names does. A test decides how it answers: a status code,
 * or 'unreachable' for a network that fails (fetch then throws, as in a
 * browser, "Failed to fetch").
 *
 * With `live` on it is also a live host, standing in for `WebSocket` (see
 * FakeSocket below): a socket to a class's ws(s): address opens, gets the
 * stored document at once and each new one as it is stored, and `pong` for
 * `ping`. With `live` off the browser has no WebSocket at all, and the poll
 * alone follows the feed.
 */
import { ReadableStream } from 'node:stream/web';
import { setImmediate as realSetImmediate } from 'node:timers';
import { TextEncoder } from 'node:util';

export type HostAnswer = number | 'unreachable';

export interface HostRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries((init?.headers ?? {}) as Record<string, string>)) out[name.toLowerCase()] = value;
  return out;
}

/** The parts of a fetch Response that src/platform/network.ts reads. */
function response(status: number, body: string | null, headers: Record<string, string> = {}): Response {
  const bytes = body === null ? null : new TextEncoder().encode(body);
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  if (bytes !== null) lower['content-length'] = String(bytes.length);
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (name: string) => lower[name.toLowerCase()] ?? null },
    body:
      bytes === null
        ? null
        : new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new Uint8Array(bytes));
              controller.close();
            },
          }),
  } as unknown as Response;
}

/** What a socket's owner sees of it: the frames it sent, and whether it is open. */
export interface LiveSocket {
  readonly url: string;
  readonly sent: string[];
  readonly open: boolean;
  /** The host closes it (a node stopping, say), with `code`. */
  drop(code?: number): void;
}

export class FeedHost {
  /** Whether the browser has WebSocket and this host accepts sockets (read when a worker starts). */
  live = false;
  /** Refuse every socket handshake, as a host that only serves files does. */
  refuseLive = false;
  /** Answer `ping` with `pong` (off: a host that went silent). */
  answerPings = true;
  /** Every socket a browser opened (or tried to), in order. */
  readonly sockets: LiveSocket[] = [];
  /** Socket events so far: a test waits for them to stop before it counts anything. */
  liveEvents = 0;
  /** What the host holds, by URL. */
  readonly documents = new Map<string, { readonly body: string; readonly etag: string }>();
  /** Every request, in order. */
  readonly requests: HostRequest[] = [];
  /** How PUTs are answered: 201 stores the document. */
  putAnswer: HostAnswer = 201;
  /** How GETs are answered: null serves what is stored (404 when nothing is). */
  getAnswer: HostAnswer | null = null;
  /**
   * Sockets subscribed per class URL, as the host counts them: a GET with
   * Authorization and `Accept: application/json` answers `{"subscribers": n}`
   * for a URL listed here, 404 (no channel) otherwise.
   */
  readonly subscribers = new Map<string, number>();
  /** The host's clock, sent as the Date header of every answer; null: no Date header. */
  clock: (() => number) | null = null;
  private version = 0;

  /** Stores a document as a PUT would, e.g. one signed by another teacher's browser. */
  store(url: string, body: string): void {
    this.version += 1;
    this.documents.set(url, { body, etag: `"v${this.version}"` });
    this.push(url, body);
  }

  /** Sends a text frame to every open socket of the class at `url` (http(s) form), whatever it holds. */
  push(url: string, text: string): void {
    for (const socket of this.sockets) if (socket.open && socket.url === url) (socket as FakeSocket).deliver(text);
  }

  /** The open sockets of the class at `url`. */
  openSockets(url: string): LiveSocket[] {
    return this.sockets.filter((socket) => socket.open && socket.url === url);
  }

  /** The WebSocket the browser has: null when `live` is off. */
  webSocket(): unknown {
    if (!this.live) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const host = this;
    return class extends FakeSocket {
      constructor(url: string) {
        super(host, url);
      }
    };
  }

  /** Runs `step` on a later turn of the event loop, as a browser dispatches socket events. */
  later(step: () => void): void {
    this.liveEvents += 1;
    realSetImmediate(() => {
      this.liveEvents += 1;
      step();
    });
  }

  /** The requests of one method. */
  sent(method: 'GET' | 'PUT'): HostRequest[] {
    return this.requests.filter((request) => request.method === method);
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const headers = headersOf(init);
    this.requests.push({ method, url, headers, body: typeof init?.body === 'string' ? init.body : null });
    const answer = method === 'PUT' ? this.putAnswer : this.getAnswer;
    if (answer === 'unreachable') throw new TypeError('Failed to fetch');
    const date: Record<string, string> = this.clock === null ? {} : { Date: new Date(this.clock()).toUTCString() };
    if (method === 'PUT') {
      const status = this.putAnswer as number;
      if (status >= 200 && status < 300) this.store(url, String(init?.body ?? ''));
      return response(status, '', date);
    }
    if (answer !== null) return response(answer, '', date);
    if (headers.authorization !== undefined && headers.accept === 'application/json') {
      const count = this.subscribers.get(url);
      return count === undefined ? response(404, 'no channel', date) : response(200, JSON.stringify({ messages: this.documents.has(url) ? 1 : 0, subscribers: count }), { 'Content-Type': 'application/json', ...date });
    }
    const stored = this.documents.get(url);
    if (stored === undefined) return response(404, 'not found', date);
    if (headers['if-none-match'] === stored.etag) return response(304, null, { ETag: stored.etag, ...date });
    return response(200, stored.body, { ETag: stored.etag, 'Content-Type': 'application/jose', ...date });
  };
}

/** Just enough of the browser's WebSocket for src/platform/socket.ts. */
class FakeSocket implements LiveSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  readonly url: string;
  readonly sent: string[] = [];
  readyState = FakeSocket.CONNECTING;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;

  constructor(
    private readonly host: FeedHost,
    address: string,
  ) {
    this.url = address.replace(/^ws(s?):/, 'http$1:');
    host.sockets.push(this);
    host.later(() => {
      if (host.refuseLive) return this.finish(1006);
      this.readyState = FakeSocket.OPEN;
      this.onopen?.();
      // The newest document at once.
      const stored = host.documents.get(this.url);
      if (stored !== undefined) this.deliver(stored.body);
    });
  }

  get open(): boolean {
    return this.readyState === FakeSocket.OPEN;
  }

  deliver(text: string): void {
    this.host.later(() => {
      if (this.open) this.onmessage?.({ data: text });
    });
  }

  send(text: string): void {
    if (!this.open) throw new Error('InvalidStateError: the socket is not open');
    this.sent.push(text);
    if (text === 'ping' && this.host.answerPings) this.deliver('pong');
  }

  close(): void {
    this.drop(1000);
  }

  drop(code = 1006): void {
    if (this.readyState === FakeSocket.CLOSED) return;
    this.readyState = FakeSocket.CLOSED;
    this.host.later(() => this.finish(code));
  }

  private finish(code: number): void {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code, reason: '' });
  }
}
