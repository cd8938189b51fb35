/**
 * The reference class-feed server (`npm run feed-server`): stores one signed
 * document per class and serves it back. Node's `http` only, no framework.
 *
 *   GET  /feed/{class}.jws   200 with a strong ETag, or 304 for If-None-Match; 404 before the first PUT
 *   HEAD /feed/{class}.jws   the same, without the body
 *   PUT  /feed/{class}.jws   Authorization: Bearer <token>; the body is the compact JWS
 *   GET  /feed/{class}.jws   as a WebSocket handshake: subscribes (the newest document at once, then each new one)
 *   GET  /feed/{class}.jws   with Authorization: the number of subscribers, for a token that may publish the class
 *   GET  /healthz            200 "ok", for a service manager or load balancer
 *
 * The feed URL, the WebSocket and the count speak the protocol of the
 * production host, nginx + nchan (docs/class-feed-nginx.md, "The client
 * protocol"), so a student's extension has one code path for both. The
 * subscribers themselves are in feed-subscribers.ts.
 *
 * It holds no keys and needs none: trust comes from the teacher's signature,
 * which every student device checks. The server only refuses what is not a
 * class document at all (400), bodies over the cap (413), writers without a
 * configured token or writing a class their token is not for (401/403), a
 * document older than the one it has (409), so that of two teachers' devices
 * writing at once the newest wins, a document dated further ahead of its own
 * clock than student devices allow (422), so that nobody can store a
 * document "from next year" that every real lesson would lose to, and a new
 * class beyond the number of classes it holds (507).
 *
 * It does not trust slow or odd clients either: a request must send its
 * headers and body within set times, a connection beyond the cap is answered
 * 503 and closed, and a request that sends a body where none belongs (GET,
 * HEAD, DELETE, …) is answered 400 and its connection closed without the
 * body being read. Documents live on disk; memory holds an index and a
 * cache of bounded size (feed-store.ts). A subscribed WebSocket is not an
 * HTTP connection any more: it leaves the connection cap and the HTTP
 * timeouts, and counts against a cap of its own (maxSubscribers); the
 * heartbeat, not a timeout, ends the ones whose laptop went away.
 *
 * Privacy: it logs the method, the class and the status of each request,
 * and nothing else — no IP address, no user agent, no token. A student
 * laptop's address at a given time can identify a student, and the server
 * has no use for it; the class-level counts are all an operator needs. The
 * per-address connection count (when that cap is set) lives in memory only,
 * for as long as the connections are open, and is never logged. Of a
 * subscriber it keeps the open socket and nothing else; what a teacher can
 * learn is how many sockets a class has.
 *
 * Configuration: command-line options, each also from an environment
 * variable (the option wins); `npm run feed-server -- --help` lists them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { STATUS_CODES, ServerResponse, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CLASS_ID_RE, CLOCK_SKEW_MS, MAX_DOCUMENT_BYTES, outlineClassDocument } from '../core/feed/format';
import { USAGE_EXIT, UsageError, escapeForTerminal, helpHint, parseCommandLine } from '../tools/cli';
import { openFeedStore } from './feed-store';
import { startSubscriberHub } from './feed-subscribers';

type LogLevel = 'all' | 'writes' | 'none';

/** A bearer token that may PUT: for every class (a plain string), or only for the classes listed. */
export type WriteToken = string | { readonly token: string; readonly classes?: readonly string[] };

export interface FeedServerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Bearer tokens that may PUT; none makes the server read-only. */
  readonly tokens: readonly WriteToken[];
  readonly maxBytes: number;
  readonly log: LogLevel;
  /** Where log lines go; standard output by default. */
  readonly logLine?: (line: string) => void;
  /** The most classes the server holds; a PUT for one more is refused (507). Default 10,000. */
  readonly maxClasses?: number;
  /** Memory for documents kept ready to serve, in bytes; the rest is read from disk. Default 16 MiB. */
  readonly cacheBytes?: number;
  /** Time for a client to send the request headers. Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** Time for a client to send the whole request. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. Default 5 s. */
  readonly keepAliveTimeoutMs?: number;
  /**
   * Open HTTP connections at most (fetches, publishes, handshakes under
   * way); one more is answered 503 and closed. A socket that became a
   * WebSocket subscriber no longer counts here. Default 1,000.
   */
  readonly maxConnections?: number;
  /** WebSocket subscribers at most, over all classes; a handshake beyond is answered 503. Default 10,000. */
  readonly maxSubscribers?: number;
  /** How often a subscriber is sent a ping control frame; two unanswered and it is cut. Default 20 s. */
  readonly pingIntervalMs?: number;
  /**
   * Open connections from one address at most; 0 (the default) for no such
   * cap. Set it only when student devices reach the server directly: behind
   * a proxy or NAT every connection comes from one address.
   */
  readonly maxConnectionsPerAddress?: number;
  /** The server's clock, for tests. Default Date.now. */
  readonly now?: () => number;
}

export interface FeedServer {
  readonly port: number;
  readonly host: string;
  /** `http://host:port` */
  readonly origin: string;
  /** The feed address template for extension policies: `http://host:port/feed/{class}.jws`. */
  readonly urlTemplate: string;
  close(): Promise<void>;
}

export const FEED_SERVER_DEFAULTS = {
  maxClasses: 10_000,
  cacheBytes: 16 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
  maxConnectionsPerAddress: 0,
  maxSubscribers: 10_000,
  pingIntervalMs: 20_000,
} as const;

type Limits = { -readonly [K in keyof typeof FEED_SERVER_DEFAULTS]: number };

/** The limits with defaults filled in; throws naming the option that is not usable. */
function limitsOf(config: FeedServerConfig): Limits {
  const limits = { ...FEED_SERVER_DEFAULTS } as Limits;
  for (const name of Object.keys(FEED_SERVER_DEFAULTS) as Array<keyof Limits>) {
    const value = config[name];
    if (value === undefined) continue;
    const least = name === 'maxConnectionsPerAddress' || name === 'cacheBytes' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) throw new Error(`${name} must be a whole number of at least ${least}, not ${String(value)}`);
    limits[name] = value;
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new Error(`headersTimeoutMs (${limits.headersTimeoutMs}) must not be longer than requestTimeoutMs (${limits.requestTimeoutMs})`);
  return limits;
}

const DOCUMENT_PATH_RE = /^\/feed\/([^/]+)\.jws$/;
const EXTENSION_ORIGIN_RE = /^(?:chrome-extension|moz-extension|extension|safari-web-extension):\/\/[A-Za-z0-9._-]+$/;
const CONTENT_TYPE = 'application/jose';
/** The largest frame a subscriber may send (the heartbeat is 4 bytes); a larger one closes the socket. */
const CLIENT_FRAME_BYTES = 1024;
/** How long stopping waits for subscribers to finish the close before cutting them. */
const CLOSE_GRACE_MS = 1000;
/** Headers that name a message to start from: nchan reads them, so the production host refuses them on a handshake, and so does this one. */
const MESSAGE_ID_HEADERS = ['if-none-match', 'if-modified-since', 'last-event-id'] as const;
const BUSY_TEXT = 'too many connections; try again in a few seconds\n';
/** Written on the socket before any HTTP parsing: the answer to a connection beyond the cap. */
const BUSY_RESPONSE =
  'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\nRetry-After: 5\r\nConnection: close\r\n' +
  `Content-Length: ${Buffer.byteLength(BUSY_TEXT)}\r\n\r\n${BUSY_TEXT}`;

/** True when an If-None-Match header names `etag` (weak comparison, RFC 9110 §13.1.2) or is `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

interface KnownToken {
  readonly digest: Buffer;
  /** null: every class. */
  readonly classes: ReadonlySet<string> | null;
}

function knownTokens(tokens: readonly WriteToken[]): KnownToken[] {
  return tokens.map((entry, index) => {
    const { token, classes } = typeof entry === 'string' ? { token: entry, classes: undefined } : entry;
    if (token.length === 0 || /\s/.test(token)) throw new Error(`token ${index + 1} is empty or contains white space`);
    for (const classId of classes ?? []) if (!CLASS_ID_RE.test(classId)) throw new Error(`token ${index + 1}: "${classId}" is not a class id`);
    return { digest: tokenDigest(token), classes: classes === undefined ? null : new Set(classes) };
  });
}

const hasAuthorization = (request: IncomingMessage): boolean => (request.headers.authorization ?? '') !== '';

/** The class a path names (/feed/{class}.jws, the class id URL-encoded); null for any other path or an invalid id. */
function classOfPath(path: string): string | null {
  const match = DOCUMENT_PATH_RE.exec(path);
  if (!match) return null;
  let classId: string;
  try {
    classId = decodeURIComponent(match[1]!);
  } catch {
    // A broken %-escape names no class.
    return null;
  }
  return CLASS_ID_RE.test(classId) ? classId : null;
}

/** True when the request says it carries a body: a Content-Length above 0, or any Transfer-Encoding. */
function hasBody(request: IncomingMessage): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = request.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Reads the body up to `max` bytes; null when it is larger. A larger body is
 * drained (so the client reads the 413 rather than a reset connection) up to
 * a hard limit, past which the connection is cut.
 */
function readBody(request: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
      else if (size > max * 16) {
        request.destroy();
        done(null);
      }
    });
    request.on('end', () => done(size > max ? null : Buffer.concat(chunks)));
    request.on('error', (error) => (size > max ? done(null) : fail(error)));
  });
}

interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly text?: string;
}

/** Starts the server; resolves once it listens. Port 0 picks a free port. */
export async function startFeedServer(config: FeedServerConfig): Promise<FeedServer> {
  const limits = limitsOf(config);
  const tokens = knownTokens(config.tokens);
  const now = config.now ?? Date.now;
  const store = await openFeedStore({ dataDir: resolve(config.dataDir), maxBytes: config.maxBytes, maxClasses: limits.maxClasses, cacheBytes: limits.cacheBytes });
  const writeLine = config.logLine ?? ((line: string) => void process.stdout.write(`${line}\n`));

  const log = (method: string, classId: string | null, status: number): void => {
    if (config.log === 'none') return;
    if (config.log === 'writes' && method !== 'PUT' && status < 400) return;
    writeLine(`${new Date().toISOString()} ${method} ${classId ?? '-'} ${status}`);
  };

  /** Null when `header` carries a token that may publish (and so count) `classId`; otherwise the refusal. */
  const authorize = (header: string | undefined, classId: string, what = 'publish'): Answer | null => {
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="lesmodus-feed"' }, text: `a bearer token is required to ${what}\n` };
    const digest = tokenDigest(match[1]!);
    // Compare with every token, so the time taken says nothing about which one was close.
    let found: KnownToken | null = null;
    for (const known of tokens) if (timingSafeEqual(known.digest, digest)) found = known;
    if (found === null) return { status: 403, text: `this token may not ${what}\n` };
    if (found.classes !== null && !found.classes.has(classId)) return { status: 403, text: `this token may not ${what} for class "${classId}"\n` };
    return null;
  };

  const hub = startSubscriberHub({ pingIntervalMs: limits.pingIntervalMs, maxBufferedBytes: 4 * config.maxBytes });
  const stopBroadcasting = store.onStored(({ classId, body }) => hub.broadcast(classId, body));
  let closing = false;

  /**
   * The count, as nchan's channel information: how many sockets follow the
   * class and whether a document is stored. 404 when there is neither (nchan
   * has no channel then): the count is zero. JSON with `Accept: application/json`.
   */
  const channelInfo = (request: IncomingMessage, classId: string): Answer => {
    const refused = authorize(request.headers.authorization, classId, 'see this class');
    if (refused !== null) return refused;
    const subscribers = hub.count(classId);
    const messages = store.entry(classId) === undefined ? 0 : 1;
    if (subscribers === 0 && messages === 0) return { status: 404, text: 'no channel: nobody follows this class and nothing is published\n' };
    if (/\b(?:application|text)\/json\b/i.test(request.headers.accept ?? '')) {
      return { status: 200, headers: { 'Content-Type': 'application/json' }, text: `${JSON.stringify({ messages, subscribers })}\n` };
    }
    return { status: 200, text: `queued messages: ${messages}\nactive subscribers: ${subscribers}\n` };
  };

  const tooMany = (maxClasses: number): Answer => ({ status: 507, text: `this feed server holds its maximum of ${maxClasses} classes and takes no new class\n` });

  async function handlePut(request: IncomingMessage, classId: string): Promise<Answer> {
    const refused = authorize(request.headers.authorization, classId);
    if (refused !== null) return refused;
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > config.maxBytes) return { status: 413, text: `at most ${config.maxBytes} bytes\n` };
    if (store.entry(classId) === undefined && store.classCount >= limits.maxClasses) return tooMany(limits.maxClasses);
    const body = await readBody(request, config.maxBytes);
    if (body === null) return { status: 413, text: `at most ${config.maxBytes} bytes\n` };
    // A trailing newline from `curl --data-binary @file` is not part of the JWS.
    const text = body.toString('latin1').trim();
    const outline = outlineClassDocument(text, config.maxBytes);
    if (!outline.ok) return { status: outline.reason === 'oversized' ? 413 : 400, text: `not a class document: ${outline.detail}\n` };
    if (outline.outline.classId !== classId) return { status: 400, text: `a document for class "${outline.outline.classId}" cannot be stored as class "${classId}"\n` };
    const { issuedAt } = outline.outline;
    const ahead = issuedAt - now();
    if (ahead > CLOCK_SKEW_MS) {
      return {
        status: 422,
        text: `the document is dated ${Math.round(ahead / 1000)} s after this server's clock (at most ${CLOCK_SKEW_MS / 1000} s are allowed): is the publishing device's clock right?\n`,
      };
    }

    const outcome = await store.put(classId, Buffer.from(text, 'latin1'), issuedAt);
    switch (outcome.kind) {
      case 'stored':
        return { status: outcome.created ? 201 : 204, headers: { ETag: outcome.etag } };
      case 'same':
        // The same document again (a retry whose answer was lost) succeeds; an older or competing one does not.
        return { status: 204, headers: { ETag: outcome.etag } };
      case 'older':
        return { status: 409, text: `a newer document is stored (issuedAt ${outcome.storedIssuedAt})\n` };
      case 'full':
        return tooMany(outcome.maxClasses);
    }
  }

  /** Sockets answered 503 at the connection cap: whatever they send is not handled. */
  const turnedAway = new WeakSet<Socket>();

  const handleRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (turnedAway.has(request.socket)) {
      request.socket.destroy();
      return;
    }
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const origin = request.headers.origin;
    const cors: Record<string, string> =
      origin !== undefined && EXTENSION_ORIGIN_RE.test(origin) ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'ETag', Vary: 'Origin' } : { Vary: 'Origin' };
    const send = (classId: string | null, status: number, headers: Record<string, string> = {}, body?: Buffer | string): void => {
      log(method, classId, status);
      response.writeHead(status, { 'X-Content-Type-Options': 'nosniff', ...cors, ...headers });
      response.end(method === 'HEAD' ? undefined : body);
    };
    const plain = (classId: string | null, status: number, text: string, headers: Record<string, string> = {}): void =>
      send(classId, status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers }, text);
    /**
     * Answers before the body is read, and closes the connection: Node then
     * ends it once the answer is out, rather than reading the rest of a body
     * to reach a next request.
     */
    const refuseUnread = (classId: string | null, status: number, text: string, headers: Record<string, string> = {}): void =>
      plain(classId, status, text, { ...headers, ...(request.complete ? {} : { Connection: 'close' }) });

    const classId = classOfPath(path);

    if (method !== 'PUT' && hasBody(request)) {
      refuseUnread(classId, 400, `a ${method} request has no body\n`);
      return;
    }

    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      plain(null, 200, 'ok\n');
      return;
    }
    if (classId === null) {
      refuseUnread(null, 404, 'not found\n');
      return;
    }

    if (method === 'OPTIONS') {
      if (cors['Access-Control-Allow-Origin'] === undefined) {
        plain(classId, 403, 'only browser extensions may call this server from a browser\n');
        return;
      }
      send(classId, 204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, PUT, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, If-None-Match, Accept',
        'Access-Control-Max-Age': '600',
      });
      return;
    }

    // As on nginx: a GET with Authorization asks for the count, not the document.
    if (method === 'GET' && hasAuthorization(request)) {
      const answer = channelInfo(request, classId);
      plain(classId, answer.status, answer.text ?? '', answer.headers);
      return;
    }

    if (method === 'GET' || method === 'HEAD') {
      const entry = store.entry(classId);
      if (entry === undefined) {
        plain(classId, 404, 'no document for this class yet\n');
        return;
      }
      // The common poll, between two lessons: answered from the index, no document read.
      if (matchesIfNoneMatch(request.headers['if-none-match'], entry.etag)) {
        send(classId, 304, { ETag: entry.etag, 'Cache-Control': 'no-cache' });
        return;
      }
      const id = classId;
      store.read(id).then(
        (stored) => {
          if (stored === null) plain(id, 404, 'no document for this class yet\n');
          else send(id, 200, { ETag: stored.etag, 'Cache-Control': 'no-cache', 'Content-Type': CONTENT_TYPE, 'Content-Length': String(stored.body.length) }, stored.body);
        },
        (error: unknown) => {
          process.stderr.write(`feed-server: reading class ${id} failed: ${error instanceof Error ? error.message : String(error)}\n`);
          plain(id, 500, 'the document could not be read\n');
        },
      );
      return;
    }

    if (method === 'PUT') {
      const id = classId;
      handlePut(request, id).then(
        (answer) => {
          if (answer.text !== undefined) refuseUnread(id, answer.status, answer.text, answer.headers);
          else send(id, answer.status, answer.headers);
        },
        (error: unknown) => {
          // The client went away, or took longer than requestTimeoutMs and was cut off: nobody to answer.
          if (request.socket.destroyed) {
            log(method, id, 408);
            return;
          }
          process.stderr.write(`feed-server: storing class ${id} failed: ${error instanceof Error ? error.message : String(error)}\n`);
          refuseUnread(id, 500, 'the document could not be stored\n');
        },
      );
      return;
    }

    refuseUnread(classId, 405, 'method not allowed\n', { Allow: 'GET, HEAD, PUT, OPTIONS' });
  };

  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node enforces both timeouts on this tick (30 s by default, which let a silent connection live 90 s).
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    handleRequest,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // A connection on which nothing moves at all (a client that stopped reading its answer) is closed as well.
  server.timeout = limits.requestTimeoutMs;

  // The connection caps. Counted here rather than with server.maxConnections,
  // which closes a connection without a word: a client should read that the
  // server is busy, not that it is unreachable. A socket that becomes a
  // subscriber leaves these counts (releaseHttp) for the subscribers' cap.
  let open = 0;
  const perAddress = new Map<string, number>();
  const releaseHttp = new WeakMap<Duplex, () => void>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const fromAddress = limits.maxConnectionsPerAddress > 0 ? (perAddress.get(address) ?? 0) : 0;
    if (open >= limits.maxConnections || (limits.maxConnectionsPerAddress > 0 && fromAddress >= limits.maxConnectionsPerAddress)) {
      turnedAway.add(socket);
      socket.on('error', () => undefined);
      socket.end(BUSY_RESPONSE, () => socket.destroy());
      log('-', null, 503);
      return;
    }
    open += 1;
    if (limits.maxConnectionsPerAddress > 0) perAddress.set(address, fromAddress + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      open -= 1;
      if (limits.maxConnectionsPerAddress === 0) return;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    };
    releaseHttp.set(socket, release);
    socket.once('close', release);
  });

  const webSockets = new WebSocketServer({
    noServer: true,
    // The hub keeps the subscribers, by class.
    clientTracking: false,
    maxPayload: CLIENT_FRAME_BYTES,
    perMessageDeflate: false,
    // No subprotocol: a client asking for one (nchan's ws+meta.nchan, say) gets none, and its handshake fails.
    handleProtocols: () => false,
  });

  /** An answer written on a socket that is not an HTTP exchange any more (an upgrade request); the socket is then closed. */
  const answerRaw = (socket: Duplex, request: IncomingMessage, classId: string | null, answer: Answer): void => {
    log(request.method ?? 'GET', classId, answer.status);
    const text = answer.text ?? '';
    const headers: Record<string, string> = {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...answer.headers,
      Connection: 'close',
      'Content-Length': String(Buffer.byteLength(text)),
    };
    const head = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
    socket.end(`${head.join('\r\n')}\r\n\r\n${text}`, () => socket.destroy());
  };

  /** Why a WebSocket handshake for `classId` is not taken (checked as nginx's routing does); null to take it. */
  const handshakeRefusal = (request: IncomingMessage, classId: string | null, query: URLSearchParams): Answer | null => {
    if (classId === null) return { status: 404, text: 'not found: the feed serves /feed/{class}.jws, class ids as in the policy\n' };
    const origin = request.headers.origin;
    // A browser always sends its origin on a WebSocket; only a web page's is refused (tools send none).
    if (origin !== undefined && origin !== '' && !EXTENSION_ORIGIN_RE.test(origin)) return { status: 403, text: 'only browser extensions may use the feed from a browser\n' };
    if (request.method !== 'GET') return { status: 405, headers: { Allow: 'GET, HEAD, PUT, OPTIONS' }, text: 'only a GET opens a WebSocket\n' };
    if (hasAuthorization(request)) return channelInfo(request, classId);
    if (MESSAGE_ID_HEADERS.some((name) => (request.headers[name] ?? '') !== '') || (query.get('last_event_id') ?? '') !== '') {
      return { status: 400, text: 'a subscription names no message id: it always starts at the newest document\n' };
    }
    if (hasBody(request)) return { status: 400, text: 'a WebSocket handshake has no body\n' };
    if (closing) return { status: 503, headers: { 'Retry-After': '5' }, text: 'the feed server is stopping\n' };
    if (hub.total >= limits.maxSubscribers) {
      return { status: 503, headers: { 'Retry-After': '10' }, text: `this feed server holds its maximum of ${limits.maxSubscribers} subscribers; try again later\n` };
    }
    return null;
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    if (turnedAway.has(socket as Socket)) {
      socket.destroy();
      return;
    }
    if (!/^websocket$/i.test(request.headers.upgrade ?? '')) {
      // Another upgrade (h2c from curl --http2, say) is declined: a request without a body is answered as if it had not asked.
      if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') {
        const response = new ServerResponse(request);
        response.shouldKeepAlive = false;
        response.assignSocket(socket as Socket);
        response.once('finish', () => {
          response.detachSocket(socket as Socket);
          socket.end();
        });
        handleRequest(request, response);
      } else {
        answerRaw(socket, request, null, { status: 400, text: 'this server upgrades a connection to WebSocket only\n' });
      }
      return;
    }
    const [path = '/', query = ''] = (request.url ?? '/').split('?');
    const classId = classOfPath(path);
    const refused = handshakeRefusal(request, classId, new URLSearchParams(query));
    if (refused !== null) {
      answerRaw(socket, request, classId, refused);
      return;
    }
    const id = classId!;
    webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      releaseHttp.get(socket)?.();
      log('GET', id, 101);
      hub.add(id, webSocket, store.read(id).then((stored) => stored?.body ?? null));
    });
  });
  // A handshake that is not a valid WebSocket one (no key, another version): answered here, so that it is logged like the rest.
  webSockets.on('wsClientError', (error: Error, socket: Duplex, request: IncomingMessage) => {
    const classId = classOfPath((request.url ?? '/').split('?')[0] ?? '/');
    answerRaw(socket, request, classId, { status: 400, headers: { 'Sec-WebSocket-Version': '13' }, text: `not a WebSocket handshake: ${error.message}\n` });
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => {
      server.off('error', fail);
      done();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const origin = `http://${hostInUrl}:${port}`;
  return {
    port,
    host: config.host,
    origin,
    urlTemplate: `${origin}/feed/{class}.jws`,
    close: () =>
      new Promise<void>((done, fail) => {
        closing = true;
        stopBroadcasting();
        server.close((error) => (error ? fail(error) : done()));
        server.closeAllConnections();
        // Subscribers are told the server goes away (1001) and reconnect; the server closes once they are gone.
        hub.closeAll(CLOSE_GRACE_MS);
      }),
  };
}

/**
 * Write tokens, one per entry: the token alone may write every class; a
 * token followed by class ids ("s3cret-token 2B 3A") only those. `where`
 * names the source in errors, with the entry's number.
 */
export function parseTokens(text: string, separator: RegExp, where: string): WriteToken[] {
  const tokens: WriteToken[] = [];
  text.split(separator).forEach((line, index) => {
    const [token, ...classes] = line.replace(/#.*$/, '').trim().split(/\s+/).filter((word) => word.length > 0);
    if (token === undefined) return;
    const bad = classes.find((classId) => !CLASS_ID_RE.test(classId));
    if (bad !== undefined) throw new Error(`${where} ${index + 1}: "${bad}" is not a class id (1 to 32 letters, digits, "-", "_" or ".")`);
    tokens.push(classes.length === 0 ? token : { token, classes });
  });
  return tokens;
}

const COMMAND = 'npm run feed-server --';

const USAGE = `Usage: npm run feed-server -- [options]

The reference class-feed server: stores one signed document per class, serves
it back and sends it live to WebSocket subscribers (GET/HEAD/PUT and
WebSocket /feed/{class}.jws, GET /healthz).

Options (each also from its environment variable; the option wins):
  --port PORT          LESMODUS_FEED_PORT         default 8787
  --host HOST          LESMODUS_FEED_HOST         default 127.0.0.1 (put a TLS proxy in front for a network)
  --data DIR           LESMODUS_FEED_DATA         default ./feed-data
  --tokens-file FILE   LESMODUS_FEED_TOKENS_FILE  one bearer token per line, # comments; a token may be
                                                  followed by the classes it may write: "token 2B 3A"
                       LESMODUS_FEED_TOKENS       comma-separated bearer tokens, each optionally "token 2B 3A"
  --max-bytes N        LESMODUS_FEED_MAX_BYTES    largest document, default ${MAX_DOCUMENT_BYTES}
  --max-classes N      LESMODUS_FEED_MAX_CLASSES  classes held at most, default 10000
  --max-connections N  LESMODUS_FEED_MAX_CONNECTIONS  open HTTP connections at most, default 1000
                                                  (WebSocket subscribers not counted)
  --max-subscribers N  LESMODUS_FEED_MAX_SUBSCRIBERS  WebSocket subscribers at most, default 10000;
                                                  each is an open file: see docs/class-feed.md
  --cache-bytes N      LESMODUS_FEED_CACHE_BYTES  memory for documents ready to serve, default 16777216
  --log LEVEL          LESMODUS_FEED_LOG          all (default), writes (PUTs and errors), none
  -h, --help           print this and exit
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  'tokens-file': { type: 'string' },
  'max-bytes': { type: 'string' },
  'max-classes': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-subscribers': { type: 'string' },
  'cache-bytes': { type: 'string' },
  log: { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The configuration from command-line arguments and the environment (arguments win). A bad flag or value is a UsageError. */
export async function configFrom(argv: readonly string[], env: Record<string, string | undefined>): Promise<FeedServerConfig> {
  const { values } = parseCommandLine(COMMAND, argv, OPTIONS);
  const source = (name: OptionName, variable: string): { value: string; from: string } | undefined => {
    const given = (values as Partial<Record<OptionName, string>>)[name];
    if (given !== undefined) return { value: given, from: `--${name}` };
    const fromEnv = env[variable];
    return fromEnv === undefined ? undefined : { value: fromEnv, from: variable };
  };
  const bad = (from: string, what: string, value: string): UsageError =>
    new UsageError(escapeForTerminal(`npm run feed-server: ${from} ${what}, not "${value}"; see ${helpHint(COMMAND)}`));
  const wholeNumber = (text: string): number => (/^\d+$/.test(text.trim()) ? Number(text) : NaN);

  const portSource = source('port', 'LESMODUS_FEED_PORT');
  const port = portSource === undefined ? 8787 : wholeNumber(portSource.value);
  if (portSource !== undefined && !(port <= 65535)) throw bad(portSource.from, 'is a port number from 0 to 65535', portSource.value);
  const maxSource = source('max-bytes', 'LESMODUS_FEED_MAX_BYTES');
  const maxBytes = maxSource === undefined ? MAX_DOCUMENT_BYTES : wholeNumber(maxSource.value);
  if (maxSource !== undefined && !(maxBytes >= 1024)) throw bad(maxSource.from, 'is a whole number of at least 1024', maxSource.value);
  const positive = (name: OptionName, variable: string): number | undefined => {
    const given = source(name, variable);
    if (given === undefined) return undefined;
    const value = wholeNumber(given.value);
    if (!(value >= 1)) throw bad(given.from, 'is a whole number of at least 1', given.value);
    return value;
  };
  const maxClasses = positive('max-classes', 'LESMODUS_FEED_MAX_CLASSES');
  const maxConnections = positive('max-connections', 'LESMODUS_FEED_MAX_CONNECTIONS');
  const maxSubscribers = positive('max-subscribers', 'LESMODUS_FEED_MAX_SUBSCRIBERS');
  const cacheBytes = positive('cache-bytes', 'LESMODUS_FEED_CACHE_BYTES');
  const logSource = source('log', 'LESMODUS_FEED_LOG');
  const log = logSource?.value ?? 'all';
  if (log !== 'all' && log !== 'writes' && log !== 'none') throw bad(logSource!.from, 'is all, writes or none', log);
  const tokensFrom = (text: string, separator: RegExp, where: string): WriteToken[] => {
    try {
      return parseTokens(text, separator, where);
    } catch (error) {
      throw new UsageError(escapeForTerminal(`npm run feed-server: ${error instanceof Error ? error.message : String(error)}`));
    }
  };
  const tokens = tokensFrom(env.LESMODUS_FEED_TOKENS ?? '', /,/, 'LESMODUS_FEED_TOKENS entry');
  const tokensFile = source('tokens-file', 'LESMODUS_FEED_TOKENS_FILE');
  if (tokensFile !== undefined) {
    let text: string;
    try {
      text = await readFile(tokensFile.value, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the tokens file (${tokensFile.from}) ${tokensFile.value}: ${error instanceof Error ? error.message : String(error)}`);
    }
    tokens.push(...tokensFrom(text, /\r?\n/, `${tokensFile.value} line`));
  }
  return {
    port,
    host: source('host', 'LESMODUS_FEED_HOST')?.value ?? '127.0.0.1',
    dataDir: source('data', 'LESMODUS_FEED_DATA')?.value ?? 'feed-data',
    tokens,
    maxBytes,
    log,
    ...(maxClasses === undefined ? {} : { maxClasses }),
    ...(maxConnections === undefined ? {} : { maxConnections }),
    ...(maxSubscribers === undefined ? {} : { maxSubscribers }),
    ...(cacheBytes === undefined ? {} : { cacheBytes }),
  };
}

/** Where the command line writes; standard output and error, or a test's lists. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * `npm run feed-server`: with --help only the usage (exit status 0, nothing
 * created); a bad flag or value one line and status 2; otherwise the running
 * server, which SIGINT and SIGTERM stop.
 */
export async function runCommand(argv: readonly string[], env: Record<string, string | undefined>, io: CommandIo = processIo): Promise<{ status: number } | { server: FeedServer }> {
  let config: FeedServerConfig;
  try {
    if (parseCommandLine(COMMAND, argv, OPTIONS).values.help) {
      io.out(USAGE);
      return { status: 0 };
    }
    config = await configFrom(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n`);
    return { status: USAGE_EXIT };
  }
  if (config.tokens.length === 0) io.err('feed-server: no tokens configured (LESMODUS_FEED_TOKENS or --tokens-file): read-only, every PUT is refused\n');
  for (const token of config.tokens) if ((typeof token === 'string' ? token : token.token).length < 16) io.err('feed-server: a token shorter than 16 characters is easy to guess\n');
  const server = await startFeedServer(config);
  io.out(`feed-server: serving ${escapeForTerminal(resolve(config.dataDir))} at ${server.urlTemplate}\n`);
  return { server };
}

if (require.main === module) {
  runCommand(process.argv.slice(2), process.env).then(
    (result) => {
      if ('status' in result) {
        process.exitCode = result.status;
        return;
      }
      const stop = (): void => {
        void result.server.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (error: unknown) => {
      process.stderr.write(`feed-server: ${escapeForTerminal(error instanceof Error ? error.message : String(error))}\n`);
      process.exit(1);
    },
  );
}
