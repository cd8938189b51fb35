/**
 * What the live-delivery suites share: a student's policy for any feed URL
 * template, the extension's own account of its socket (the status the UI
 * pages get), the host's subscriber count, a teacher who publishes until the
 * host takes it, and a plain file host (PUT stores, GET serves with an ETag,
 * no WebSocket) standing in for a WebDAV share or a blob store.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'puppeteer-core';
import type { ClassDocumentDraft, PublicKeyJwk } from '../../../src/core/feed/document';
import type { LiveStatus } from '../../../src/core/feed/live';
import type { ExtensionSession } from '../../../src/dev/browsers';
import { waitFor } from '../../../src/dev/browsers';
import type { TeacherPublisher } from '../../../src/dev/teacher';

export function livePolicy(urlTemplate: string, classId: string, key: { kid: string; publicKey: PublicKeyJwk }): Record<string, unknown> {
  return { role: 'student', classes: [classId], classFeed: { urlTemplate, pollSeconds: 30 }, teacherKeys: [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }] };
}

/** What the status says about one class on a student device (the parts these suites read). */
export interface ClassStatus {
  classId: string;
  live?: LiveStatus | null;
  rejections: number;
  lastOutcome: string | null;
  accepted: { issuedAt: number } | null;
}

interface StatusReply {
  ok: boolean;
  value: { feed?: { classes: ClassStatus[] } };
}

/** The feed part of the status, for one class, asked from an extension page of the student's browser. */
export async function classStatus(page: Page, classId = '2B'): Promise<ClassStatus | undefined> {
  const reply = (await page.evaluate(() => chrome.runtime.sendMessage({ type: 'getStatus' }))) as StatusReply;
  return reply.value.feed?.classes.find((entry) => entry.classId === classId);
}

/** An extension page to ask the background from (the status page). */
export async function statusPage(session: ExtensionSession): Promise<Page> {
  const page = await session.browser.newPage();
  await session.goto(page, session.extensionUrl('status.html'));
  return page;
}

/** Waits until the student's socket for the class is in `state`. */
export async function waitForLive(page: Page, state: LiveStatus['state'], what: string, timeoutMs = 30_000): Promise<LiveStatus> {
  let seen: LiveStatus | null | undefined;
  try {
    await waitFor(
      async () => {
        seen = (await classStatus(page))?.live;
        return seen?.state === state;
      },
      `${what} (the live connection to be ${state})`,
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${String(error)}; last seen ${JSON.stringify(seen)}`);
  }
  return seen!;
}

/** What the last count request got when it got no count: an HTTP status with its body, or the network's error. */
let lastCountProblem = '';

/** The host's own count of the class's subscribers (GET with the token and Accept: application/json); 404 is 0; null when the host gives none. */
export async function subscribers(url: string, authorization: string): Promise<number | null> {
  try {
    const response = await fetch(url, { headers: { Authorization: authorization, Accept: 'application/json' } });
    if (response.status === 404) return 0;
    if (response.status !== 200) {
      lastCountProblem = `HTTP ${response.status} ${(await response.text()).slice(0, 200)}`;
      return null;
    }
    return ((await response.json()) as { subscribers: number }).subscribers;
  } catch (error) {
    lastCountProblem = String(error);
    return null;
  }
}

export async function waitForSubscribers(url: string, authorization: string, count: number, what: string, timeoutMs = 30_000): Promise<void> {
  let seen: number | null = null;
  try {
    await waitFor(async () => (seen = await subscribers(url, authorization)) === count, `${what} (${count} subscribers)`, timeoutMs);
  } catch (error) {
    throw new Error(`${String(error)}; last seen ${seen}${seen === null ? `: ${lastCountProblem}` : ''}`);
  }
}

/** Publishes, trying again while the host cannot store (503 while Redis is away): the teacher's device retries too. */
export async function publishWhenStored(teacher: TeacherPublisher, classId: string, draft: Omit<ClassDocumentDraft, 'class' | 'issuedAt'>, timeoutMs = 30_000): Promise<number> {
  let issuedAt = 0;
  let last = '';
  await waitFor(
    async () => {
      try {
        issuedAt = await teacher.publish(classId, draft);
        return true;
      } catch (error) {
        last = String(error);
        await new Promise((wait) => setTimeout(wait, 250));
        return false;
      }
    },
    `the host to store the document (${last})`,
    timeoutMs,
  );
  return issuedAt;
}

export interface FileHost {
  readonly origin: string;
  /** `http://127.0.0.1:PORT/feed/{class}.jws` */
  readonly urlTemplate: string;
  /** Requests as `METHOD path`, and upgrades refused as `UPGRADE path`. */
  readonly log: string[];
  close(): Promise<void>;
}

/** A host that only serves files: PUT stores, GET serves with an ETag (304 on a match), and a WebSocket upgrade is refused. */
export async function startFileHost(): Promise<FileHost> {
  const files = new Map<string, { body: string; etag: string }>();
  const log: string[] = [];
  let version = 0;
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    log.push(`${request.method} ${path}`);
    if (request.method === 'PUT') {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        files.set(path, { body, etag: `"f${++version}"` });
        response.writeHead(201).end();
      });
      return;
    }
    const file = files.get(path);
    if (file === undefined) return void response.writeHead(404).end();
    if (request.headers['if-none-match'] === file.etag) return void response.writeHead(304, { ETag: file.etag }).end();
    response.writeHead(200, { ETag: file.etag, 'Content-Type': 'application/jose' }).end(file.body);
  });
  server.on('upgrade', (request, socket) => {
    log.push(`UPGRADE ${request.url ?? '/'}`);
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    urlTemplate: `${origin}/feed/{class}.jws`,
    log,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
