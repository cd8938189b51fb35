/**
 * The reference feed server, running for real on 127.0.0.1 (a random port)
 * with a temporary data directory: ETag and 304, bearer tokens (and tokens
 * scoped to classes), the size cap, refusing what is not a class document or
 * is dated ahead of the server's clock, the newest of concurrent PUTs
 * winning, the cap on classes, documents kept over a restart and served
 * through a small cache, CORS for extensions, logs without addresses, and
 * clients that are slow, send bodies where none belong or open too many
 * connections. Timeouts are set small here and the tests wait on the server
 * closing the connection, never on a clock.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signClassDocument } from '../../../src/core/feed/document';
import { configFrom, matchesIfNoneMatch, parseTokens, startFeedServer, type FeedServer, type FeedServerConfig } from '../../../src/server/feed-server';

const TOKEN = 'test-token-0123456789abcdef';
const OTHER_TOKEN = 'second-teacher-token-0123456789';
const SCOPED_TOKEN = 'token-for-2B-and-3A-only-0123456789';
const NOW = Date.UTC(2026, 2, 10, 9, 0);
const MIN = 60_000;

let key: CryptoKey;
let dataDir: string;
let server: FeedServer;
let logLines: string[];

async function start(extra: Partial<FeedServerConfig> = {}): Promise<FeedServer> {
  return startFeedServer({ port: 0, host: '127.0.0.1', dataDir, tokens: [TOKEN, OTHER_TOKEN], maxBytes: 4096, log: 'all', logLine: (line) => logLines.push(line), now: () => NOW, ...extra });
}

/** Starts a second server that should not start: closed again (and reported) if it does. */
async function startOrClose(extra: Partial<FeedServerConfig>): Promise<void> {
  const started = await start(extra);
  await started.close();
  throw new Error('the server started');
}

async function documentFor(classId: string, issuedAt: number, title = 'Rekenen'): Promise<string> {
  const lesson = { id: `l-${issuedAt}`, title, mode: 'allowlist' as const, sites: ['rekenen.nl'], embeds: [], startsAt: NOW, endsAt: NOW + 3_600_000 };
  return (await signClassDocument({ class: classId, issuedAt, lesson }, key, 'teacher')).jws;
}

const url = (classId: string): string => `${server.origin}/feed/${encodeURIComponent(classId)}.jws`;

function put(classId: string, body: string, token: string | null = TOKEN, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url(classId), {
    method: 'PUT',
    body,
    headers: { 'Content-Type': 'application/jose', ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...headers },
  });
}

/** A raw connection, to send exactly the bytes a slow or odd client sends. */
interface RawClient {
  readonly socket: Socket;
  /** Everything the server sent, once it closed the connection. */
  readonly closed: Promise<string>;
  /** The first bytes the server sends. */
  readonly firstAnswer: Promise<string>;
}

function rawClient(localAddress = '127.0.0.1'): Promise<RawClient> {
  return new Promise((done, fail) => {
    const socket = connect({ port: server.port, host: '127.0.0.1', localAddress }, () => done({ socket, closed, firstAnswer }));
    let received = '';
    let answered: (text: string) => void = () => undefined;
    const firstAnswer = new Promise<string>((resolve) => (answered = resolve));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      answered(received);
    });
    const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
    socket.on('error', (error) => (socket.connecting ? fail(error) : undefined));
  });
}

beforeAll(async () => {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  key = pair.privateKey;
});

beforeEach(async () => {
  logLines = [];
  dataDir = await mkdtemp(join(tmpdir(), 'lesmodus-feed-test-'));
  server = await start();
});

afterEach(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('GET with ETag and 304', () => {
  it('404 before the first document, then the document with a strong ETag, no-cache and the JOSE type', async () => {
    expect((await fetch(url('2B'))).status).toBe(404);
    const jws = await documentFor('2B', NOW);
    expect((await put('2B', jws)).status).toBe(201);
    const response = await fetch(url('2B'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(jws);
    expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-type')).toBe('application/jose');
  });

  it('answers 304 without a body to a matching If-None-Match (also weak or in a list), 200 to another', async () => {
    await put('2B', await documentFor('2B', NOW));
    const etag = (await fetch(url('2B'))).headers.get('etag')!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await fetch(url('2B'), { headers: { 'If-None-Match': header } });
      expect(response.status).toBe(304);
      expect(response.headers.get('etag')).toBe(etag);
      expect(await response.text()).toBe('');
    }
    expect((await fetch(url('2B'), { headers: { 'If-None-Match': '"stale"' } })).status).toBe(200);
  });

  it('gives a new ETag when the document changes, and HEAD answers like GET without a body', async () => {
    await put('2B', await documentFor('2B', NOW));
    const first = (await fetch(url('2B'))).headers.get('etag');
    await put('2B', await documentFor('2B', NOW + 1000));
    const head = await fetch(url('2B'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).not.toBe(first);
    expect(await head.text()).toBe('');
  });

  it('keeps classes apart', async () => {
    const twoB = await documentFor('2B', NOW);
    const threeA = await documentFor('3A', NOW);
    await put('2B', twoB);
    await put('3A', threeA);
    expect(await (await fetch(url('2B'))).text()).toBe(twoB);
    expect(await (await fetch(url('3A'))).text()).toBe(threeA);
  });
});

describe('PUT needs a configured bearer token', () => {
  it('401 with a challenge without Authorization, 403 with a wrong token; nothing is stored', async () => {
    const jws = await documentFor('2B', NOW);
    const anonymous = await put('2B', jws, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await put('2B', jws, 'guessed-token-guessed-token')).status).toBe(403);
    expect((await put('2B', jws, null, { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` })).status).toBe(401);
    expect((await fetch(url('2B'))).status).toBe(404);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('accepts any of the configured tokens', async () => {
    expect((await put('2B', await documentFor('2B', NOW), OTHER_TOKEN)).status).toBe(201);
  });

  it('is read-only without tokens', async () => {
    await server.close();
    server = await start({ tokens: [] });
    expect((await put('2B', await documentFor('2B', NOW))).status).toBe(403);
  });
});

describe('tokens scoped to classes', () => {
  it('lets a scoped token write its own classes only (403 for another), and an unscoped token every class', async () => {
    await server.close();
    server = await start({ tokens: [{ token: SCOPED_TOKEN, classes: ['2B', '3A'] }, TOKEN] });
    expect((await put('2B', await documentFor('2B', NOW), SCOPED_TOKEN)).status).toBe(201);
    expect((await put('3A', await documentFor('3A', NOW), SCOPED_TOKEN)).status).toBe(201);
    const refused = await put('4C', await documentFor('4C', NOW), SCOPED_TOKEN);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toBe('this token may not publish for class "4C"\n');
    expect((await fetch(url('4C'))).status).toBe(404);
    expect((await put('4C', await documentFor('4C', NOW), TOKEN)).status).toBe(201);
  });

  it('reads "token class class" entries from the token file and the variable, and names a bad class id with its line', async () => {
    const file = join(dataDir, 'tokens.txt');
    await writeFile(file, '# teachers\nfile-token-aaaaaaaaaaaaaaaa 2B 3A # mr. Jansen\nfile-token-bbbbbbbbbbbbbbbb\n');
    const config = await configFrom(['--tokens-file', file], { LESMODUS_FEED_TOKENS: 'env-token-1 groep-7, env-token-2' });
    expect(config.tokens).toEqual([{ token: 'env-token-1', classes: ['groep-7'] }, 'env-token-2', { token: 'file-token-aaaaaaaaaaaaaaaa', classes: ['2B', '3A'] }, 'file-token-bbbbbbbbbbbbbbbb']);
    expect(() => parseTokens('ok-token\nbad-token 2B groep/7\n', /\n/, 'tokens line')).toThrow('tokens line 2: "groep/7" is not a class id');
  });

  it('refuses to start with a scoped token naming something that is not a class id', async () => {
    await expect(startOrClose({ tokens: [{ token: SCOPED_TOKEN, classes: ['2B', '../x'] }] })).rejects.toThrow('token 1: "../x" is not a class id');
  });
});

describe('refusing what is not a class document', () => {
  it('413 for a body over the cap, declared or streamed', async () => {
    const big = 'a'.repeat(5000);
    expect((await put('2B', big)).status).toBe(413);
    const streamed = await new Promise<number>((done, fail) => {
      const request = httpRequest(url('2B'), { method: 'PUT', headers: { Authorization: `Bearer ${TOKEN}`, 'Transfer-Encoding': 'chunked' } }, (response) => {
        response.resume();
        done(response.statusCode ?? 0);
      });
      request.on('error', fail);
      for (let index = 0; index < 5; index++) request.write('b'.repeat(1000));
      request.end();
    });
    expect(streamed).toBe(413);
    expect((await fetch(url('2B'))).status).toBe(404);
  });

  it.each([
    ['an empty body', ''],
    ['a JSON lesson', JSON.stringify({ v: 1, class: '2B', lesson: null })],
    ['an unsigned JWT', 'eyJhbGciOiJub25lIn0.eyJ2IjoxfQ.'],
    ['HTML', '<html>hello</html>'],
  ])('400 for %s', async (_what, body) => {
    expect((await put('2B', body)).status).toBe(400);
  });

  it('400 for a document of another class than the address', async () => {
    expect((await put('3A', await documentFor('2B', NOW))).status).toBe(400);
  });

  it('404 for addresses that name no class, 405 for other methods', async () => {
    expect((await fetch(`${server.origin}/feed/..%2Fetc.jws`)).status).toBe(404);
    expect((await fetch(`${server.origin}/other`)).status).toBe(404);
    expect((await fetch(url('2B'), { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    expect((await fetch(`${server.origin}/healthz`)).status).toBe(200);
  });
});

describe('newest wins', () => {
  it('refuses an older document with 409 and takes the same one again (a retry) without complaint', async () => {
    const newer = await documentFor('2B', NOW + 5000);
    expect((await put('2B', newer)).status).toBe(201);
    expect((await put('2B', await documentFor('2B', NOW))).status).toBe(409);
    expect((await put('2B', await documentFor('2B', NOW + 5000, 'another lesson, same time'))).status).toBe(409);
    expect((await put('2B', newer)).status).toBe(204);
    expect(await (await fetch(url('2B'))).text()).toBe(newer);
  });

  it('keeps the newest of many concurrent PUTs, whatever order they arrive in', async () => {
    const documents = await Promise.all(Array.from({ length: 30 }, (_, index) => documentFor('2B', NOW + index * 1000, `lesson ${index}`)));
    const shuffled = documents.map((jws, index) => ({ jws, order: (index * 7919) % 31 })).sort((a, b) => a.order - b.order);
    const statuses = await Promise.all(shuffled.map(({ jws }, index) => put('2B', jws, index % 2 === 0 ? TOKEN : OTHER_TOKEN).then((response) => response.status)));
    expect(statuses.every((status) => [201, 204, 409].includes(status))).toBe(true);
    expect(await (await fetch(url('2B'))).text()).toBe(documents[29]);
    // One file per class, and no temp file left behind.
    expect(await readdir(dataDir)).toEqual(['2B.jws']);
  });
});

describe('documents dated ahead of the server\'s clock', () => {
  it('refuses a document dated more than 5 minutes ahead (422), so that it cannot lock the class against every real lesson', async () => {
    const refused = await put('2B', await documentFor('2B', NOW + 365 * 24 * 60 * MIN, 'next year'));
    expect(refused.status).toBe(422);
    expect(await refused.text()).toMatch(/^the document is dated 31536000 s after this server's clock \(at most 300 s are allowed\)/);
    expect((await fetch(url('2B'))).status).toBe(404);
    // The real lesson that follows is stored.
    expect((await put('2B', await documentFor('2B', NOW))).status).toBe(201);
  });

  it('takes a document from a device whose clock is a few minutes ahead', async () => {
    expect((await put('2B', await documentFor('2B', NOW + 5 * MIN))).status).toBe(201);
    expect((await put('2B', await documentFor('2B', NOW + 5 * MIN + 1))).status).toBe(422);
  });
});

describe('the number of classes', () => {
  it('refuses a new class beyond maxClasses (507), and still takes newer documents of the classes it holds', async () => {
    await server.close();
    server = await start({ maxClasses: 2 });
    expect((await put('2B', await documentFor('2B', NOW))).status).toBe(201);
    expect((await put('3A', await documentFor('3A', NOW))).status).toBe(201);
    const full = await put('4C', await documentFor('4C', NOW));
    expect(full.status).toBe(507);
    expect(await full.text()).toBe('this feed server holds its maximum of 2 classes and takes no new class\n');
    expect((await put('2B', await documentFor('2B', NOW + 1000))).status).toBe(204);
    expect((await fetch(url('4C'))).status).toBe(404);
    expect((await readdir(dataDir)).sort()).toEqual(['2B.jws', '3A.jws']);
  });

  it('counts new classes written at the same moment against the cap', async () => {
    await server.close();
    server = await start({ maxClasses: 3 });
    const classes = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const statuses = await Promise.all(classes.map(async (classId) => (await put(classId, await documentFor(classId, NOW))).status));
    expect(statuses.filter((status) => status === 201)).toHaveLength(3);
    expect(statuses.filter((status) => status === 507)).toHaveLength(3);
    expect(await readdir(dataDir)).toHaveLength(3);
  });
});

describe('serving from disk through a bounded cache', () => {
  it('serves every class right, also with a cache too small for one document, and after a restart', async () => {
    await server.close();
    server = await start({ cacheBytes: 0 });
    const documents = new Map<string, string>();
    for (const classId of ['2B', '3A', '4C']) documents.set(classId, await documentFor(classId, NOW, `lesson of ${classId}`));
    for (const [classId, jws] of documents) expect((await put(classId, jws)).status).toBe(201);
    const newer = await documentFor('2B', NOW + 1000, 'changed');
    expect((await put('2B', newer)).status).toBe(204);
    documents.set('2B', newer);
    for (const round of [1, 2]) {
      for (const [classId, jws] of documents) {
        const response = await fetch(url(classId));
        expect([round, classId, response.status, await response.text()]).toEqual([round, classId, 200, jws]);
        expect((await fetch(url(classId), { headers: { 'If-None-Match': response.headers.get('etag')! } })).status).toBe(304);
      }
      await server.close();
      server = await start({ cacheBytes: 5000 });
    }
  });
});

describe('slow and odd clients', () => {
  it('closes a connection whose headers do not arrive within headersTimeoutMs', async () => {
    await server.close();
    server = await start({ headersTimeoutMs: 100, requestTimeoutMs: 5000 });
    const client = await rawClient();
    client.socket.write('GET /feed/2B.jws HTTP/1.1\r\nHost: feed\r\n');
    expect(await client.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a PUT whose body does not arrive within requestTimeoutMs, and stores nothing', async () => {
    await server.close();
    server = await start({ headersTimeoutMs: 100, requestTimeoutMs: 200 });
    const client = await rawClient();
    client.socket.write(`PUT /feed/2B.jws HTTP/1.1\r\nHost: feed\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 3000\r\n\r\neyJhbGciOiJFUzI1NiJ9`);
    await client.closed;
    expect((await fetch(url('2B'))).status).toBe(404);
  });

  it.each(['GET', 'HEAD', 'DELETE', 'OPTIONS'])('answers a %s that announces a 1 GiB body at once with 400, and closes without reading it', async (method) => {
    const client = await rawClient();
    client.socket.write(`${method} /feed/2B.jws HTTP/1.1\r\nHost: feed\r\nContent-Length: ${2 ** 30}\r\n\r\nabc`);
    // Nothing more is sent: the answer and the close come while the server still waits for almost all of the body.
    expect(await client.firstAnswer).toMatch(/^HTTP\/1\.1 400 /);
    expect(await client.closed).toMatch(method === 'HEAD' ? /\r\n\r\n$/ : new RegExp(`a ${method} request has no body`));
  });

  it('closes a PUT refused before its body (a wrong token) without reading the body', async () => {
    const client = await rawClient();
    client.socket.write(`PUT /feed/2B.jws HTTP/1.1\r\nHost: feed\r\nAuthorization: Bearer wrong-token-wrong-token\r\nContent-Length: ${2 ** 30}\r\n\r\nabc`);
    expect(await client.closed).toMatch(/^HTTP\/1\.1 403 [\s\S]*this token may not publish/);
  });

  it('answers connections beyond maxConnections with 503 and closes them; a freed place is taken again', async () => {
    await server.close();
    server = await start({ maxConnections: 3 });
    const held = await Promise.all([rawClient(), rawClient(), rawClient()]);
    for (const client of held) client.socket.write('GET /feed/2B.jws HTTP/1.1\r\n');
    const turnedAway = await rawClient();
    turnedAway.socket.write('GET /healthz HTTP/1.1\r\nHost: feed\r\n\r\n');
    const answer = await turnedAway.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(answer).toContain('Retry-After: 5');
    held[0]!.socket.destroy();
    // The server learns of the close on its own time: try until a connection is served (each try waits on the server's answer).
    let status = 503;
    for (let attempt = 0; attempt < 100 && status === 503; attempt++) {
      const client = await rawClient();
      client.socket.write('GET /healthz HTTP/1.1\r\nHost: feed\r\nConnection: close\r\n\r\n');
      status = Number(/^HTTP\/1\.1 (\d{3})/.exec(await client.closed)?.[1]);
    }
    expect(status).toBe(200);
    for (const client of held) client.socket.destroy();
    expect(logLines.join('\n')).not.toContain('127.0.0.1');
  });

  it('caps connections per address when told to, leaving other addresses served', async () => {
    await server.close();
    server = await start({ maxConnectionsPerAddress: 2 });
    const held = await Promise.all([rawClient(), rawClient()]);
    for (const client of held) client.socket.write('GET /feed/2B.jws HTTP/1.1\r\n');
    const third = await rawClient();
    expect(await third.closed).toMatch(/^HTTP\/1\.1 503 /);
    const elsewhere = await rawClient('127.0.0.2');
    elsewhere.socket.write('GET /healthz HTTP/1.1\r\nHost: feed\r\nConnection: close\r\n\r\n');
    expect(await elsewhere.closed).toMatch(/^HTTP\/1\.1 200 /);
    for (const client of held) client.socket.destroy();
  });

  it.each([
    [{ headersTimeoutMs: 0 }, 'headersTimeoutMs must be a whole number of at least 1, not 0'],
    [{ maxConnections: 1.5 }, 'maxConnections must be a whole number of at least 1, not 1.5'],
    [{ headersTimeoutMs: 20_000, requestTimeoutMs: 15_000 }, 'headersTimeoutMs (20000) must not be longer than requestTimeoutMs (15000)'],
  ])('refuses to start with unusable limits: %p', async (limits, message) => {
    await expect(startOrClose(limits)).rejects.toThrow(message);
  });
});

describe('a restart keeps the documents', () => {
  it('serves the same document with the same ETag after a restart, and drops a half-written temp file', async () => {
    const jws = await documentFor('2B', NOW);
    await put('2B', jws);
    const etag = (await fetch(url('2B'))).headers.get('etag');
    await server.close();
    await writeFile(join(dataDir, '.2B.jws.123.abc.tmp'), 'half a docu');
    server = await start();
    const response = await fetch(url('2B'), { headers: { 'If-None-Match': etag! } });
    expect(response.status).toBe(304);
    expect(await (await fetch(url('2B'))).text()).toBe(jws);
    expect(await readdir(dataDir)).toEqual(['2B.jws']);
    // And it still refuses an older document after the restart.
    expect((await put('2B', await documentFor('2B', NOW - 1000))).status).toBe(409);
  });
});

describe('browsers and logs', () => {
  it('lets extension origins read and publish (preflight), and no web page', async () => {
    const origin = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    const preflight = await fetch(url('2B'), { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization,content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    await put('2B', await documentFor('2B', NOW));
    const get = await fetch(url('2B'), { headers: { Origin: 'moz-extension://5e1f3c2a-8b4d-4f6e-9a7c-2d0b1e3f4a56' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('moz-extension://5e1f3c2a-8b4d-4f6e-9a7c-2d0b1e3f4a56');
    expect(get.headers.get('access-control-expose-headers')).toBe('ETag');
    const web = await fetch(url('2B'), { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'PUT' } });
    expect(web.status).toBe(403);
    expect(web.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('logs method, class and status only: no address, no token, no user agent', async () => {
    await put('2B', await documentFor('2B', NOW));
    await fetch(url('2B'), { headers: { 'User-Agent': 'student-laptop-17' } });
    await put('2B', 'junk', 'wrong-token-wrong-token');
    expect(logLines.map((line) => line.replace(/^\S+ /, ''))).toEqual(['PUT 2B 201', 'GET 2B 200', 'PUT 2B 403']);
    const all = logLines.join('\n');
    for (const secret of ['127.0.0.1', TOKEN, 'wrong-token', 'student-laptop']) expect(all).not.toContain(secret);
  });
});

describe('configuration', () => {
  it('reads arguments before the environment, and tokens from both the variable and a file', async () => {
    const file = join(dataDir, 'tokens.txt');
    await writeFile(file, '# teachers\nfile-token-aaaaaaaaaaaaaaaa\n\nfile-token-bbbbbbbbbbbbbbbb # mr. Jansen\n');
    const config = await configFrom(['--port', '9000', '--data=/srv/feed', '--tokens-file', file], {
      LESMODUS_FEED_PORT: '1234',
      LESMODUS_FEED_HOST: '0.0.0.0',
      LESMODUS_FEED_TOKENS: 'env-token-1, env-token-2',
    });
    expect(config).toMatchObject({ port: 9000, host: '0.0.0.0', dataDir: '/srv/feed', maxBytes: 65536, log: 'all' });
    expect(config.tokens).toEqual(['env-token-1', 'env-token-2', 'file-token-aaaaaaaaaaaaaaaa', 'file-token-bbbbbbbbbbbbbbbb']);
    await expect(configFrom(['--port', 'x'], {})).rejects.toThrow(/port/);
  });

  it('compares If-None-Match as RFC 9110 says (weak comparison)', () => {
    expect(matchesIfNoneMatch('"a"', '"a"')).toBe(true);
    expect(matchesIfNoneMatch('W/"a"', '"a"')).toBe(true);
    expect(matchesIfNoneMatch('"b", "a"', '"a"')).toBe(true);
    expect(matchesIfNoneMatch('"b"', '"a"')).toBe(false);
    expect(matchesIfNoneMatch(undefined, '"a"')).toBe(false);
  });
});

