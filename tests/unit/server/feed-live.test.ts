/**
 * The reference feed server's live delivery, over real sockets on 127.0.0.1:
 * the protocol of docs/class-feed-nginx.md ("The client protocol") that
 * nginx + nchan speaks too — the newest document on connect, every newly
 * stored document to every subscriber of its class and no other, the
 * heartbeat, nothing a client sends passed on, the handshakes refused (web
 * pages, message ids, unknown classes), the subscriber count for token
 * holders, dead sockets leaving the count, subscribers outside the HTTP
 * connection cap and timeouts with a cap of their own, and stopping.
 * Intervals are set small; the tests wait on events, never on a clock.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { signClassDocument } from '../../../src/core/feed/document';
import { FeedSubscriber } from '../../../src/dev/feed-subscriber';
import { configFrom, startFeedServer, type FeedServer, type FeedServerConfig } from '../../../src/server/feed-server';
import { startSubscriberHub } from '../../../src/server/feed-subscribers';

const TOKEN = 'test-token-0123456789abcdef';
const SCOPED_TOKEN = 'token-for-3A-only-0123456789';
const NOW = Date.UTC(2026, 2, 10, 9, 0);
const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

let key: CryptoKey;
let dataDir: string;
let server: FeedServer;
let logLines: string[];
let subscribers: FeedSubscriber[];

async function start(extra: Partial<FeedServerConfig> = {}): Promise<FeedServer> {
  return startFeedServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    tokens: [TOKEN, { token: SCOPED_TOKEN, classes: ['3A'] }],
    maxBytes: 4096,
    log: 'all',
    logLine: (line) => logLines.push(line),
    now: () => NOW,
    ...extra,
  });
}

async function restart(extra: Partial<FeedServerConfig>): Promise<void> {
  await server.close();
  server = await start(extra);
}

async function documentFor(classId: string, issuedAt: number): Promise<string> {
  const lesson = { id: `l-${issuedAt}`, title: 'Rekenen', mode: 'allowlist' as const, sites: ['rekenen.nl'], embeds: [], startsAt: NOW, endsAt: NOW + 3_600_000 };
  return (await signClassDocument({ class: classId, issuedAt, lesson }, key, 'teacher')).jws;
}

const url = (classId: string): string => `${server.origin}/feed/${encodeURIComponent(classId)}.jws`;
const wsUrl = (classId: string): string => url(classId).replace(/^http:/, 'ws:');

async function put(classId: string, body: string): Promise<number> {
  const response = await fetch(url(classId), { method: 'PUT', body, headers: { 'Content-Type': 'application/jose', Authorization: `Bearer ${TOKEN}` } });
  return response.status;
}

/** A subscriber as a student's extension opens one (an extension origin unless told otherwise). */
function subscribe(classId: string, origin: string | undefined = EXTENSION, address = wsUrl(classId)): FeedSubscriber {
  const subscriber = new FeedSubscriber(address, origin === undefined ? {} : { origin });
  subscribers.push(subscriber);
  return subscriber;
}

/** A subscriber that is open (fails the test otherwise). */
async function subscribed(classId: string): Promise<FeedSubscriber> {
  const subscriber = subscribe(classId);
  expect(await subscriber.opened).toEqual({ ok: true });
  return subscriber;
}

/** The handshake's HTTP status (101 when it opened), with the given headers. */
function handshakeStatus(address: string, headers: Record<string, string> = {}, protocols?: string[]): Promise<number | string> {
  return new Promise((done) => {
    const socket = new WebSocket(address, protocols, { headers });
    socket.on('unexpected-response', (_request, response) => {
      done(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      done(101);
      socket.terminate();
    });
    socket.on('error', (error) => done(error.message));
  });
}

/** The count as a teacher's popup asks for it. */
async function count(classId: string, token = TOKEN, accept = 'application/json'): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(url(classId), { headers: { Authorization: `Bearer ${token}`, Accept: accept } });
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

async function subscriberCount(classId: string): Promise<number> {
  const answer = await count(classId);
  if (answer.status === 404) return 0;
  return (JSON.parse(answer.body) as { subscribers: number }).subscribers;
}

/** Asks for the count until it is `expected`: the server learns of a closed socket on its own time (each try waits on its answer). */
async function countBecomes(classId: string, expected: number): Promise<number> {
  let seen = await subscriberCount(classId);
  for (let attempt = 0; attempt < 200 && seen !== expected; attempt++) seen = await subscriberCount(classId);
  return seen;
}

beforeAll(async () => {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  key = pair.privateKey;
});

beforeEach(async () => {
  logLines = [];
  subscribers = [];
  dataDir = await mkdtemp(join(tmpdir(), 'lesmodus-feed-live-'));
  server = await start();
});

afterEach(async () => {
  await Promise.all(subscribers.map((subscriber) => subscriber.close()));
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('delivery', () => {
  it('sends a new subscriber the newest document at once, exactly as published, then each new one', async () => {
    await put('2B', await documentFor('2B', NOW - 2000));
    const current = await documentFor('2B', NOW - 1000);
    expect(await put('2B', current)).toBe(204);
    const student = subscribe('2B');
    expect(await student.next()).toBe(current);
    const next = await documentFor('2B', NOW);
    await put('2B', next);
    expect(await student.next()).toBe(next);
    expect(student.received).toEqual([current, next]);
  });

  it('sends nothing on connect before the first document, and the first document once it is published', async () => {
    const student = await subscribed('2B');
    await student.heartbeat();
    const first = await documentFor('2B', NOW);
    expect(await put('2B', first)).toBe(201);
    expect(await student.next()).toBe(first);
  });

  it('sends a published document to every subscriber of its class and to none of another class', async () => {
    const twoB = await Promise.all([subscribed('2B'), subscribed('2B'), subscribed('2B')]);
    const threeA = await subscribed('3A');
    const forTwoB = await documentFor('2B', NOW);
    await put('2B', forTwoB);
    for (const student of twoB) expect(await student.next()).toBe(forTwoB);
    const forThreeA = await documentFor('3A', NOW);
    await put('3A', forThreeA);
    // Frames arrive in order: had 2B's document reached 3A, it would come first.
    expect(await threeA.next()).toBe(forThreeA);
    expect(threeA.received).toEqual([forThreeA]);
  });

  it('passes on no document that newest-wins refused (409) and none stored already (a retry)', async () => {
    const current = await documentFor('2B', NOW);
    await put('2B', current);
    const student = subscribe('2B');
    expect(await student.next()).toBe(current);
    expect(await put('2B', await documentFor('2B', NOW - 1000))).toBe(409);
    expect(await put('2B', current)).toBe(204);
    const newer = await documentFor('2B', NOW + 1000);
    await put('2B', newer);
    expect(await student.next()).toBe(newer);
    expect(student.received).toEqual([current, newer]);
  });

  it('sends each document of many published one after another, in order', async () => {
    const student = await subscribed('2B');
    const documents = await Promise.all(Array.from({ length: 10 }, (_, index) => documentFor('2B', NOW - 10_000 + index)));
    for (const document of documents) await put('2B', document);
    for (const document of documents) expect(await student.next()).toBe(document);
  });
});

describe('what a subscriber sends', () => {
  it('answers the text frame ping with pong, and drops every other frame', async () => {
    const current = await documentFor('7A', NOW - 1000);
    await put('7A', current);
    const student = subscribe('7A');
    const other = subscribe('7A');
    expect(await student.next()).toBe(current);
    expect(await other.next()).toBe(current);
    await student.heartbeat();
    student.send(await documentFor('7A', NOW));
    student.send('PING');
    await student.heartbeat();
    expect(student.isOpen).toBe(true);
    expect(await (await fetch(url('7A'))).text()).toBe(current);
    const next = await documentFor('7A', NOW + 1000);
    await put('7A', next);
    expect(await other.next()).toBe(next);
    expect(other.received).toEqual([current, next]);
    expect(await student.next()).toBe(next);
  });

  it('closes the socket of a client that sends a frame over 1 KB (1009)', async () => {
    const student = await subscribed('7A');
    student.send('x'.repeat(2048));
    expect((await student.closed()).code).toBe(1009);
    expect(await countBecomes('7A', 0)).toBe(0);
  });
});

describe('handshakes', () => {
  it("accepts an extension's origin and no origin, and refuses a web page's with 403", async () => {
    expect(await subscribe('8A', EXTENSION).opened).toEqual({ ok: true });
    expect(await subscribe('8A', 'moz-extension://5e1f3c2a-8b4d-4f6e-9a7c-2d0b1e3f4a56').opened).toEqual({ ok: true });
    expect(await subscribe('8A', undefined).opened).toEqual({ ok: true });
    for (const origin of ['https://example.org', 'null', 'chrome-extension://a/b', 'http://127.0.0.1']) {
      expect([origin, await subscribe('8A', origin).opened]).toMatchObject([origin, { ok: false, status: 403 }]);
    }
    expect(await subscriberCount('8A')).toBe(3);
  });

  it('refuses a handshake that names a message id to start from with 400, as nginx does', async () => {
    for (const [header, value] of [
      ['If-None-Match', '"abc"'],
      ['Last-Event-ID', '1:0'],
      ['If-Modified-Since', 'Tue, 10 Mar 2026 09:00:00 GMT'],
    ] as const) {
      expect([header, await handshakeStatus(wsUrl('8B'), { [header]: value })]).toEqual([header, 400]);
    }
    expect(await handshakeStatus(`${wsUrl('8B')}?last_event_id=12:0`)).toBe(400);
    expect(await handshakeStatus(`${wsUrl('8B')}?other=1`)).toBe(101);
  });

  it('answers 404 for an address that names no class, as a GET there', async () => {
    for (const path of ['/feed/-2B.jws', `/feed/${'a'.repeat(33)}.jws`, '/feed/..%2Fetc.jws', '/healthz', '/other']) {
      expect([path, await handshakeStatus(`${server.origin.replace(/^http:/, 'ws:')}${path}`)]).toEqual([path, 404]);
    }
  });

  it('chooses no subprotocol: a client that insists on one (nchan ws+meta.nchan) does not connect', async () => {
    expect(await handshakeStatus(wsUrl('2B'), {}, ['ws+meta.nchan'])).toMatch(/subprotocol/i);
  });

  it('answers a broken handshake with 400 and another upgrade (h2c) as a plain request', async () => {
    const raw = connect(server.port, '127.0.0.1');
    let answer = '';
    raw.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    raw.write('GET /feed/2B.jws HTTP/1.1\r\nHost: feed\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    await new Promise((done) => raw.on('close', done));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);

    const current = await documentFor('2B', NOW);
    await put('2B', current);
    const h2c = await new Promise<{ status: number; body: string }>((done, fail) => {
      const request = httpRequest(url('2B'), { headers: { Connection: 'Upgrade, HTTP2-Settings', Upgrade: 'h2c', 'HTTP2-Settings': 'AAMAAABkAARAAAAAAAIAAAAA' } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => done({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', fail);
      request.end();
    });
    expect(h2c).toEqual({ status: 200, body: current });
  });
});

describe('the count', () => {
  it('tells a token holder how many sockets follow the class, in the shape nchan answers', async () => {
    expect((await count('6A')).status).toBe(404);
    await Promise.all([subscribed('6A'), subscribed('6A')]);
    expect(JSON.parse((await count('6A')).body)).toEqual({ messages: 0, subscribers: 2 });
    await put('6A', await documentFor('6A', NOW));
    await subscribed('6A');
    const answer = await count('6A');
    expect(answer.type).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({ messages: 1, subscribers: 3 });
    const text = await count('6A', TOKEN, '*/*');
    expect([text.status, text.body]).toEqual([200, 'queued messages: 1\nactive subscribers: 3\n']);
    // A published class nobody follows: zero.
    await put('5B', await documentFor('5B', NOW));
    expect(JSON.parse((await count('5B')).body)).toEqual({ messages: 1, subscribers: 0 });
  });

  it('refuses a token that may not publish the class: unknown, malformed or scoped to another class', async () => {
    await subscribed('6A');
    await subscribed('3A');
    expect((await count('6A', 'guessed-token-guessed-token')).status).toBe(403);
    expect((await count('6A', SCOPED_TOKEN)).status).toBe(403);
    expect(JSON.parse((await count('3A', SCOPED_TOKEN)).body)).toEqual({ messages: 0, subscribers: 1 });
    const malformed = await fetch(url('6A'), { headers: { Authorization: 'Basic eDp5', Accept: 'application/json' } });
    expect(malformed.status).toBe(401);
    // Without Authorization it is a fetch.
    expect((await fetch(url('6A'), { headers: { Accept: 'application/json' } })).status).toBe(404);
  });

  it('follows sockets that close', async () => {
    const students = await Promise.all([subscribed('6A'), subscribed('6A'), subscribed('6A')]);
    await students[0]!.close();
    expect(await countBecomes('6A', 2)).toBe(2);
  });

  it('drops a socket that leaves two pings unanswered (a laptop gone without a word), and keeps one that answers', async () => {
    await restart({ pingIntervalMs: 20 });
    const alive = await subscribed('6A');
    // autoPong off: the client no longer answers ping control frames, as a laptop that went to sleep.
    const silent = new WebSocket(wsUrl('6A'), { autoPong: false });
    const closed = new Promise<void>((done) => silent.once('close', () => done()));
    silent.on('error', () => undefined);
    await new Promise<void>((done) => silent.once('open', () => done()));
    expect(await subscriberCount('6A')).toBe(2);
    await closed;
    expect(await subscriberCount('6A')).toBe(1);
    // The other one saw the same pings and answered them: still there, still served.
    expect(alive.isOpen).toBe(true);
    await alive.heartbeat();
    const next = await documentFor('6A', NOW);
    await put('6A', next);
    expect(await alive.next()).toBe(next);
  });
});

describe('connections, limits and stopping', () => {
  it('keeps subscribers out of the HTTP connection cap and its timeouts', async () => {
    await restart({ maxConnections: 2, headersTimeoutMs: 50, requestTimeoutMs: 100, keepAliveTimeoutMs: 50 });
    const students: FeedSubscriber[] = [];
    for (let index = 0; index < 6; index++) students.push(await subscribed('2B'));
    // A client that stops halfway through its headers is cut by the timeout: by then the subscribers have outlived it.
    const slow = connect(server.port, '127.0.0.1');
    let answer = '';
    slow.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    slow.write('GET /feed/2B.jws HTTP/1.1\r\nHost: feed\r\n');
    await new Promise((done) => slow.on('close', done));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(students.every((student) => student.isOpen)).toBe(true);
    const next = await documentFor('2B', NOW);
    expect(await put('2B', next)).toBe(201);
    for (const student of students) expect(await student.next()).toBe(next);
    expect(await subscriberCount('2B')).toBe(6);
  });

  it('caps subscribers (503 with Retry-After beyond maxSubscribers), and takes a new one when a place is free', async () => {
    await restart({ maxSubscribers: 2 });
    const [first] = await Promise.all([subscribed('2B'), subscribed('3A')]);
    const refused = subscribe('2B');
    expect(await refused.opened).toMatchObject({ ok: false, status: 503 });
    await first!.close();
    let opened = await subscribe('2B').opened;
    for (let attempt = 0; attempt < 200 && !opened.ok; attempt++) opened = await subscribe('2B').opened;
    expect(opened).toEqual({ ok: true });
  });

  it('takes a burst of reconnecting subscribers larger than the connection cap, each retrying after a 503', async () => {
    await restart({ maxConnections: 4 });
    const current = await documentFor('2B', NOW);
    await put('2B', current);
    let refusals = 0;
    const reconnect = async (): Promise<FeedSubscriber> => {
      for (;;) {
        const student = subscribe('2B');
        const opened = await student.opened;
        if (opened.ok) return student;
        refusals += 1;
        if (refusals > 10_000) throw new Error(`still refused: ${opened.message}`);
      }
    };
    const students = await Promise.all(Array.from({ length: 40 }, reconnect));
    for (const student of students) expect(await student.next()).toBe(current);
    expect(await subscriberCount('2B')).toBe(40);
  });

  it("closes every subscriber's socket when it stops (1001, going away)", async () => {
    const students = await Promise.all([subscribed('2B'), subscribed('3A')]);
    await server.close();
    for (const student of students) expect((await student.closed()).code).toBe(1001);
    server = await start();
  });

  it('logs a subscription as method, class and status, and no address or origin', async () => {
    await subscribed('2B');
    await subscribe('2B', 'https://example.org').opened;
    await handshakeStatus(wsUrl('2B'), { 'Last-Event-ID': '1:0' });
    await count('2B');
    expect(logLines.map((line) => line.replace(/^\S+ /, ''))).toEqual(['GET 2B 101', 'GET 2B 403', 'GET 2B 400', 'GET 2B 200']);
    const all = logLines.join('\n');
    for (const secret of ['127.0.0.1', 'example.org', EXTENSION, TOKEN]) expect(all).not.toContain(secret);
  });

  it('reads --max-subscribers and its variable', async () => {
    expect((await configFrom(['--max-subscribers', '20000'], {})).maxSubscribers).toBe(20_000);
    expect((await configFrom([], { LESMODUS_FEED_MAX_SUBSCRIBERS: '500' })).maxSubscribers).toBe(500);
    await expect(configFrom(['--max-subscribers', '0'], {})).rejects.toThrow('--max-subscribers is a whole number of at least 1, not "0"');
  });
});

describe('the subscriber hub', () => {
  /** A socket that takes nothing: whatever is sent stays waiting. */
  function stuckSocket(): WebSocket & { sent: number; terminated: boolean } {
    const socket = {
      readyState: WebSocket.OPEN as number,
      bufferedAmount: 0,
      sent: 0,
      terminated: false,
      on: () => socket,
      send(body: Buffer) {
        socket.sent += 1;
        socket.bufferedAmount += body.length;
      },
      ping: () => undefined,
      terminate() {
        socket.terminated = true;
        socket.readyState = WebSocket.CLOSED;
      },
      close: () => undefined,
    };
    return socket as unknown as WebSocket & { sent: number; terminated: boolean };
  }

  it('cuts a subscriber that does not take what it is sent, rather than buffering for it', async () => {
    const hub = startSubscriberHub({ pingIntervalMs: 60_000, maxBufferedBytes: 2500 });
    const stuck = stuckSocket();
    hub.add('2B', stuck, Promise.resolve(null));
    for (let index = 0; index < 5; index++) hub.broadcast('2B', Buffer.alloc(1000));
    expect([stuck.sent, stuck.terminated, hub.count('2B'), hub.total]).toEqual([3, true, 0, 0]);
    hub.closeAll(0);
  });
});
