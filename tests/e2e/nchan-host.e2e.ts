/**
 * The production class-feed host — nginx with nchan and the shipped
 * configuration (src/server/nginx/lesmodus/) — driven from Node over HTTP
 * and WebSocket, as a teacher's and a student's extension will drive it
 * (docs/class-feed-nginx.md, "The client protocol"). No browser: real nginx,
 * real nchan, real Redis, started by src/dev/feed-hosts.ts.
 *
 * One node with its channels in shared memory: publishing and its refusals
 * (token, scope, size), live delivery, the newest document on connect, the
 * ETag fallback, the subscriber count, the heartbeat, origins, and a log
 * without addresses. Two nodes sharing Redis: a document published on one
 * reaches subscribers of the other; a node that stops closes its sockets and
 * serves the newest document again once back; while Redis is down the host
 * refuses with 503 and open sockets stay open; once Redis is back,
 * publishing works again and reaches them. And the production site file as
 * IT installs it (TLS, wss://), with only its EDIT lines changed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signClassDocument } from '../../src/core/feed/document';
import { startFeedHosts, startFeedSite, type FeedHosts, type FeedNode, type FeedSite } from '../../src/dev/feed-hosts';
import { FeedSubscriber } from '../../src/dev/feed-subscriber';
import { newTeacherKey, type TeacherKey } from '../../src/dev/teacher';
import WebSocket from 'ws';

jest.setTimeout(60_000);

interface Answer {
  readonly status: number;
  readonly etag: string | null;
  readonly body: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { cache: 'no-store', ...init });
  return { status: response.status, etag: response.headers.get('etag'), body: await response.text() };
}

/** PUT as a teacher's extension does (src/platform/network.ts putFeedDocument). */
function publish(url: string, body: string, authorization?: string): Promise<Answer> {
  return call(url, { method: 'PUT', body, headers: { 'Content-Type': 'application/jose', ...(authorization === undefined ? {} : { Authorization: authorization }) } });
}

/** The channel's subscriber count, as a teacher's popup asks for it. */
async function subscribers(url: string, authorization: string): Promise<number> {
  const answer = await call(url, { headers: { Authorization: authorization, Accept: 'application/json' } });
  if (answer.status !== 200) throw new Error(`channel info: HTTP ${answer.status} ${answer.body}`);
  return (JSON.parse(answer.body) as { subscribers: number }).subscribers;
}

const ok = (status: number): boolean => status >= 200 && status < 300;

/**
 * A PUT on a connection of its own, with Content-Length (`declared`) or
 * chunked; the status. A refused body can leave bytes nginx has not read on a
 * kept-alive connection, so an oversized PUT never shares one. A declared
 * body waits for 100 Continue (nginx refuses an oversized one before that);
 * a chunked one is written a chunk at a time until the answer comes.
 */
function putOnItsOwnConnection(url: string, authorization: string, chunks: readonly string[], declared: boolean): Promise<number> {
  return new Promise((done, fail) => {
    let answered = false;
    const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const headers = { Authorization: authorization, 'Content-Type': 'application/jose', Expect: '100-continue', ...(declared ? { 'Content-Length': String(length) } : {}) };
    const request = httpRequest(url, { method: 'PUT', agent: false, headers }, (response) => {
      answered = true;
      response.resume();
      done(response.statusCode ?? 0);
    });
    const writeFrom = (index: number): void => {
      if (answered) return;
      if (index === chunks.length) {
        request.end();
        return;
      }
      request.write(chunks[index]!, () => writeFrom(index + 1));
    };
    request.on('continue', () => writeFrom(0));
    request.on('error', (error) => (answered ? undefined : fail(error)));
    request.flushHeaders();
  });
}

/** The issuedAt of a class document (its payload, unverified). */
function issuedAtOf(jws: string): number {
  return (JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as { issuedAt: number }).issuedAt;
}

/**
 * The documents a new subscriber receives up to `current`. With Redis, a
 * node that recently had subscribers of the class may first hand out the
 * document before (nchan's cache of the channel) and the current one right
 * after; never a newer one first, never the current one not at all.
 */
async function untilCurrent(subscriber: FeedSubscriber, current: string): Promise<string[]> {
  const before: string[] = [];
  for (let document = await subscriber.next(); document !== current; document = await subscriber.next()) before.push(document);
  for (const older of before) expect(issuedAtOf(older)).toBeLessThan(issuedAtOf(current));
  return before;
}

let key: TeacherKey;
let issued = 0;
/** A real class document: a compact JWS signed as a teacher signs one. */
async function documentFor(classId: string): Promise<string> {
  issued = Math.max(Date.now(), issued + 1);
  const { jws } = await signClassDocument({ class: classId, issuedAt: issued, lesson: null }, key.privateKey, key.kid);
  return jws;
}

beforeAll(async () => {
  key = await newTeacherKey('teacher-1');
});

describe('one nginx node, channels in shared memory', () => {
  let hosts: FeedHosts;
  let node: FeedNode;
  const scopedToken = 'b'.repeat(24) + '0123456789abcdef';
  const scoped = `Bearer ${scopedToken}`;
  const open: FeedSubscriber[] = [];
  const subscribe = (classId: string, origin?: string): FeedSubscriber => {
    const subscriber = new FeedSubscriber(node.subscribeUrl(classId), origin === undefined ? {} : { origin });
    open.push(subscriber);
    return subscriber;
  };

  beforeAll(async () => {
    hosts = await startFeedHosts({
      nodes: 1,
      tokens: [
        { token: 'a'.repeat(24) + '0123456789abcdef', classes: '*' },
        { token: scopedToken, classes: ['2B', '3C'] },
      ],
    });
    node = hosts.nodes[0]!;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((subscriber) => subscriber.close()));
  });
  afterAll(async () => {
    await hosts?.stop();
  });

  it('delivers a published document, exactly, to a subscriber already connected', async () => {
    const student = subscribe('1A');
    expect(await student.opened).toEqual({ ok: true });
    const jws = await documentFor('1A');
    const answer = await publish(node.url('1A'), jws, hosts.authorization);
    expect(ok(answer.status)).toBe(true);
    expect(await student.next()).toBe(jws);
  });

  it('gives a new subscriber the newest document at once, and then the next one', async () => {
    const older = await documentFor('1B');
    const newer = await documentFor('1B');
    expect(ok((await publish(node.url('1B'), older, hosts.authorization)).status)).toBe(true);
    expect(ok((await publish(node.url('1B'), newer, hosts.authorization)).status)).toBe(true);
    const student = subscribe('1B');
    expect(await student.next()).toBe(newer);
    const next = await documentFor('1B');
    await publish(node.url('1B'), next, hosts.authorization);
    // Nothing came between: the older document is not in the channel any more.
    expect(await student.next()).toBe(next);
  });

  it('refuses a missing or unknown token (401, 403) and publishes nothing', async () => {
    const kept = await documentFor('1C');
    await publish(node.url('1C'), kept, hosts.authorization);
    const student = subscribe('1C');
    expect(await student.next()).toBe(kept);

    const missing = await publish(node.url('1C'), await documentFor('1C'));
    expect(missing.status).toBe(401);
    expect(missing.body).toMatch(/bearer token is required/);
    expect((await publish(node.url('1C'), await documentFor('1C'), 'Bearer ' + 'f'.repeat(40))).status).toBe(403);
    expect((await publish(node.url('1C'), await documentFor('1C'), 'Basic dXNlcjpwYXNz')).status).toBe(401);

    expect((await call(node.url('1C'))).body).toBe(kept);
    const next = await documentFor('1C');
    await publish(node.url('1C'), next, hosts.authorization);
    expect(await student.next()).toBe(next);
  });

  it('lets a token scoped to classes publish to those and no other', async () => {
    expect(ok((await publish(node.url('2B'), await documentFor('2B'), scoped)).status)).toBe(true);
    expect(ok((await publish(node.url('3C'), await documentFor('3C'), scoped)).status)).toBe(true);
    const refused = await publish(node.url('2C'), await documentFor('2C'), scoped);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/not publish to this class/);
    // "2B" is in the scope, "2" is not a prefix match of it.
    expect((await publish(node.url('2'), await documentFor('2'), scoped)).status).toBe(403);
    expect((await call(node.url('2C'))).status).toBe(404);
  });

  it('refuses a document over 64 KB with 413, declared or streamed, and takes one of exactly 64 KB', async () => {
    const limit = 64 * 1024;
    expect(await putOnItsOwnConnection(node.url('4A'), hosts.authorization, ['x'.repeat(limit + 1)], true)).toBe(413);
    // Chunked, with no length declared up front: nginx counts as it reads.
    expect(await putOnItsOwnConnection(node.url('4A'), hosts.authorization, Array.from({ length: 9 }, () => 'x'.repeat(8192)), false)).toBe(413);
    expect((await call(node.url('4A'))).status).toBe(404);

    const largest = 'y'.repeat(limit);
    expect(ok((await publish(node.url('4A'), largest, hosts.authorization)).status)).toBe(true);
    expect((await call(node.url('4A'))).body).toBe(largest);
  });

  it('serves the GET fallback: 404 before the first document, then the document with an ETag, 304 for If-None-Match with it, 200 after a new publish', async () => {
    const none = await call(node.url('5A'));
    expect(none).toMatchObject({ status: 404, body: 'no document for this class yet\n' });
    const first = await documentFor('5A');
    await publish(node.url('5A'), first, hosts.authorization);
    const got = await call(node.url('5A'));
    expect(got).toMatchObject({ status: 200, body: first });
    expect(got.etag).toMatch(/^\d+:\d+$/);
    const again = await call(node.url('5A'), { headers: { 'If-None-Match': got.etag! } });
    expect(again).toMatchObject({ status: 304, body: '' });
    const head = await fetch(node.url('5A'), { method: 'HEAD', headers: { 'If-None-Match': got.etag! } });
    expect(head.status).toBe(304);

    const second = await documentFor('5A');
    await publish(node.url('5A'), second, hosts.authorization);
    const changed = await call(node.url('5A'), { headers: { 'If-None-Match': got.etag! } });
    expect(changed.status).toBe(200);
    expect(changed.body).toBe(second);
    expect(changed.etag).not.toBe(got.etag);
    // An ETag from elsewhere (the reference server's, say), or one of a document long replaced: the current document.
    expect((await call(node.url('5A'), { headers: { 'If-None-Match': '"Zm9vYmFy"' } })).body).toBe(second);
    expect((await call(node.url('5A'), { headers: { 'If-None-Match': '1:0' } })).body).toBe(second);
  });

  it('reports the number of connected sockets to token holders only', async () => {
    await publish(node.url('6A'), await documentFor('6A'), hosts.authorization);
    const students = Array.from({ length: 5 }, () => subscribe('6A'));
    // A subscriber has its first document once nchan counts it.
    await Promise.all(students.map((student) => student.next()));
    expect(await subscribers(node.url('6A'), hosts.authorization)).toBe(5);
    expect(await subscribers(node.url('6A'), `Bearer ${'a'.repeat(24)}0123456789abcdef`)).toBe(5);
    expect((await call(node.url('6A'), { headers: { Authorization: scoped } })).status).toBe(403);
    expect((await call(node.url('6A'), { headers: { Authorization: 'Bearer ' + 'e'.repeat(40) } })).status).toBe(403);

    await students[0]!.close();
    // The count follows a closed socket (nchan drops it when the close is read).
    let count = 5;
    while (count !== 4) count = await subscribers(node.url('6A'), hosts.authorization);
    expect(count).toBe(4);
  });

  it('answers the heartbeat and never publishes what a subscriber sends', async () => {
    const current = await documentFor('7A');
    await publish(node.url('7A'), current, hosts.authorization);
    const student = subscribe('7A');
    const other = subscribe('7A');
    expect(await student.next()).toBe(current);
    expect(await other.next()).toBe(current);
    await student.heartbeat();
    student.send('eyJhbGciOiJub25lIn0.eyJjbGFzcyI6IjdBIn0.');
    // The socket is still open and answers; the channel still holds the teacher's document.
    await student.heartbeat();
    expect(student.isOpen).toBe(true);
    expect((await call(node.url('7A'))).body).toBe(current);
    const next = await documentFor('7A');
    await publish(node.url('7A'), next, hosts.authorization);
    expect(await other.next()).toBe(next);
  });

  it('refuses a subscription that names a message id to start from', async () => {
    // Browsers cannot send these on a WebSocket; nchan 1.3.6 can crash a worker on some of them.
    for (const [header, value] of [['If-None-Match', '12:0'], ['Last-Event-ID', '1:0']] as const) {
      const answer = await new Promise<number | undefined>((done) => {
        const socket = new WebSocket(node.subscribeUrl('8B'), { headers: { [header]: value } });
        socket.on('unexpected-response', (_request, response) => done(response.statusCode));
        socket.on('open', () => done(101));
        socket.on('error', () => undefined);
      });
      expect(answer).toBe(400);
    }
    expect(await subscribe('8B').opened).toEqual({ ok: true });
    const withArgument = new FeedSubscriber(`${node.subscribeUrl('8B')}?last_event_id=12:0`);
    open.push(withArgument);
    expect(await withArgument.opened).toMatchObject({ ok: false, status: 400 });
  });

  it("accepts an extension's origin and no origin, and refuses a web page's", async () => {
    expect(await subscribe('8A', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop').opened).toEqual({ ok: true });
    expect(await subscribe('8A', 'moz-extension://5e1f3c2a-8b4d-4f6e-9a7c-2d0b1e3f4a56').opened).toEqual({ ok: true });
    expect(await subscribe('8A').opened).toEqual({ ok: true });
    expect(await subscribe('8A', 'https://example.org').opened).toMatchObject({ ok: false, status: 403 });
    expect((await call(node.url('8A'), { headers: { Origin: 'https://example.org' } })).status).toBe(403);
    const preflight = await fetch(node.url('8A'), { method: 'OPTIONS', headers: { Origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop', 'Access-Control-Request-Method': 'PUT' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });

  it('answers only /feed/{class}.jws with a valid class id, and only GET, HEAD, PUT, POST and OPTIONS', async () => {
    expect((await call(`${node.origin}/feed/-2B.jws`)).status).toBe(404);
    expect((await call(`${node.origin}/feed/${'a'.repeat(33)}.jws`)).status).toBe(404);
    expect((await call(`${node.origin}/feed/2B.json`)).status).toBe(404);
    expect((await call(`${node.origin}/.lesmodus/publish/2B`, { method: 'PUT', body: 'x', headers: { Authorization: hosts.authorization } })).status).toBe(404);
    const refused = await fetch(node.url('2B'), { method: 'DELETE', headers: { Authorization: hosts.authorization } });
    expect(refused.status).toBe(405);
    expect(refused.headers.get('allow')).toBe('GET, HEAD, PUT, POST, OPTIONS');
    // POST publishes like PUT.
    const posted = await documentFor('2B');
    expect(ok((await call(node.url('2B'), { method: 'POST', body: posted, headers: { Authorization: hosts.authorization } })).status)).toBe(true);
    expect((await call(node.url('2B'))).body).toBe(posted);
  });

  it('logs method, route, class and status, and no address', async () => {
    await call(node.url('9A'));
    let log = '';
    while (!log.includes(' 9A ')) log = await readFile(node.accessLogFile, 'utf8');
    expect(log).toMatch(/ GET fetch 9A 404 /);
    expect(log).toMatch(/ GET subscribe 1A 101 /);
    expect(log).toMatch(/ PUT publish 1C 401 /);
    expect(log).not.toMatch(/127\.0\.0\.1/);
    expect(log).not.toContain(hosts.token);
  });
});

describe('two nginx nodes sharing Redis', () => {
  let hosts: FeedHosts;
  let a: FeedNode;
  let b: FeedNode;
  const open: FeedSubscriber[] = [];
  const subscribe = (node: FeedNode, classId: string): FeedSubscriber => {
    const subscriber = new FeedSubscriber(node.subscribeUrl(classId));
    open.push(subscriber);
    return subscriber;
  };
  /** PUT until the host takes it (nchan answers 503 until it has reconnected to Redis). */
  async function publishOnceReady(node: FeedNode, jws: string): Promise<number> {
    for (;;) {
      const { status } = await publish(node.url('2B'), jws, hosts.authorization);
      if (status !== 503) return status;
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  beforeAll(async () => {
    hosts = await startFeedHosts({ nodes: 2, redis: true });
    [a, b] = hosts.nodes as [FeedNode, FeedNode];
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((subscriber) => subscriber.close()));
  });
  afterAll(async () => {
    await hosts?.stop();
  });

  it('delivers a document published on node A to a subscriber of node B, and counts subscribers of both', async () => {
    const onB = subscribe(b, '2B');
    expect(await onB.opened).toEqual({ ok: true });
    const jws = await documentFor('2B');
    expect(ok((await publish(a.url('2B'), jws, hosts.authorization)).status)).toBe(true);
    expect(await onB.next()).toBe(jws);
    const onA = subscribe(a, '2B');
    await untilCurrent(onA, jws);
    expect(await subscribers(a.url('2B'), hosts.authorization)).toBe(2);
  });

  it('closes the sockets of a node that stops; once back, a new socket gets the newest document', async () => {
    const current = await documentFor('2B');
    await publish(a.url('2B'), current, hosts.authorization);
    const onB = subscribe(b, '2B');
    await untilCurrent(onB, current);
    await b.stop();
    await onB.closed();
    expect(onB.isOpen).toBe(false);

    const whileAway = await documentFor('2B');
    expect(ok((await publish(a.url('2B'), whileAway, hosts.authorization)).status)).toBe(true);
    await b.restart();
    await untilCurrent(subscribe(b, '2B'), whileAway);
  });

  it('a node killed outright closes its sockets too, and comes back with the documents', async () => {
    const current = await documentFor('2B');
    await publish(a.url('2B'), current, hosts.authorization);
    const onB = subscribe(b, '2B');
    await untilCurrent(onB, current);
    await b.stop('SIGKILL');
    await onB.closed();
    await b.restart();
    await untilCurrent(subscribe(b, '2B'), current);
  });

  it('while Redis is down refuses with 503 and keeps open sockets open; once back, publishing reaches them', async () => {
    const before = await documentFor('2B');
    await publish(a.url('2B'), before, hosts.authorization);
    const onA = subscribe(a, '2B');
    const onB = subscribe(b, '2B');
    const staleA = await untilCurrent(onA, before);
    const staleB = await untilCurrent(onB, before);

    await hosts.redis!.stop();
    // Each node sees its Redis connection close.
    for (const node of [a, b]) while ((await call(node.url('2B'))).status !== 503);
    expect((await publish(a.url('2B'), await documentFor('2B'), hosts.authorization)).status).toBe(503);
    expect((await publish(b.url('2B'), await documentFor('2B'), hosts.authorization)).status).toBe(503);
    expect(await subscribe(b, '2B').opened).toMatchObject({ ok: false, status: 503 });

    await hosts.redis!.restart();
    const after = await documentFor('2B');
    expect(ok(await publishOnceReady(a, after))).toBe(true);
    // The same sockets, open all along, get the new document: nothing was lost on the way.
    expect(await onA.next()).toBe(after);
    expect(await onB.next()).toBe(after);
    expect(onA.received).toEqual([...staleA, before, after]);
    expect(onB.received).toEqual([...staleB, before, after]);
  });
});

describe('the production site file (lesmodus-feed.conf) behind TLS', () => {
  let site: FeedSite;
  let certDir: string;
  let ca: Buffer;
  const token = 'c'.repeat(24) + '0123456789abcdef';

  /** An HTTPS request that trusts only the test's certificate. */
  function https(path: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    return new Promise((done, fail) => {
      const request = httpsRequest(`${site.origin}${path}`, { method, headers, ca }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => done({ status: response.statusCode ?? 0, etag: (response.headers.etag as string | undefined) ?? null, body: text }));
      });
      request.on('error', fail);
      request.end(body);
    });
  }

  beforeAll(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'lesmodus-feed-cert-'));
    const [certFile, keyFile] = [join(certDir, 'cert.pem'), join(certDir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=feed.school.example',
      '-addext', 'subjectAltName=DNS:feed.school.example,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    ca = await readFile(certFile);
    site = await startFeedSite({ certFile, keyFile, tokens: [{ token, classes: ['2B'] }] });
  });
  afterAll(async () => {
    await site?.close();
    await rm(certDir, { recursive: true, force: true });
  });

  it('publishes over https and delivers over wss', async () => {
    const subscribeUrl = `${site.origin.replace('https:', 'wss:')}/feed/2B.jws`;
    const student = new WebSocket(subscribeUrl, { ca });
    const first = new Promise<string>((done, fail) => {
      student.once('message', (data) => done(data.toString()));
      student.once('error', fail);
    });
    await new Promise<void>((done, fail) => {
      student.once('open', () => done());
      student.once('error', fail);
    });
    const jws = await documentFor('2B');
    const published = await https('/feed/2B.jws', 'PUT', { Authorization: `Bearer ${token}`, 'Content-Type': 'application/jose' }, jws);
    expect(ok(published.status)).toBe(true);
    expect(await first).toBe(jws);
    student.close();

    const fetched = await https('/feed/2B.jws', 'GET', {});
    expect(fetched).toMatchObject({ status: 200, body: jws });
    expect((await https('/feed/2B.jws', 'GET', { 'If-None-Match': fetched.etag! })).status).toBe(304);
    expect((await https('/feed/3A.jws', 'PUT', { Authorization: `Bearer ${token}` }, jws)).status).toBe(403);
  });

  it('sends plain HTTP to HTTPS', async () => {
    const location = await new Promise<string | undefined>((done, fail) => {
      const request = httpRequest({ host: '127.0.0.1', port: site.httpPort, path: '/feed/2B.jws', headers: { Host: 'feed.school.example' } }, (response) => {
        response.resume();
        done(response.statusCode === 301 ? response.headers.location : `HTTP ${response.statusCode}`);
      });
      request.on('error', fail);
      request.end();
    });
    expect(location).toBe('https://feed.school.example/feed/2B.jws');
  });
});
