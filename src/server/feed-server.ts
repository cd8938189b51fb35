/**
 * The reference class-feed server (`npm run feed-server`): stores one signed
 * document per class and serves it back. Node's `http` only, no framework.
 *
 *   GET  /feed/{class}.jws   200 with a strong ETag, or 304 for If-None-Match; 404 before the first PUT
 *   HEAD /feed/{class}.jws   the same, without the body
 *   PUT  /feed/{class}.jws   Authorization: Bearer <token>; the body is the compact JWS
 *   GET  /healthz            200 "ok", for a service manager or load balancer
 *
 * It holds no keys and needs none: trust comes from the teacher's signature,
 * which every student device checks. The server only refuses what is not a
 * class document at all (400), bodies over the cap (413), writers without a
 * configured token (401/403), and a document older than the one it has
 * (409), so that of two teachers' devices writing at once the newest wins.
 *
 * Privacy: it logs the method, the class and the status of each request,
 * and nothing else — no IP address, no user agent, no token. A student
 * laptop's address at a given time can identify a student, and the server
 * has no use for it; the class-level counts are all an operator needs.
 *
 * Configuration (arguments win over the environment):
 *   --port / LESMODUS_FEED_PORT                 default 8787
 *   --host / LESMODUS_FEED_HOST                 default 127.0.0.1 (put a TLS proxy in front for a network)
 *   --data / LESMODUS_FEED_DATA                 default ./feed-data
 *   --tokens-file / LESMODUS_FEED_TOKENS_FILE   one bearer token per line, # comments
 *   LESMODUS_FEED_TOKENS                        comma-separated bearer tokens
 *   --max-bytes / LESMODUS_FEED_MAX_BYTES       default 65536
 *   --log / LESMODUS_FEED_LOG                   all (default), writes (PUTs and errors), none
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { CLASS_ID_RE, MAX_DOCUMENT_BYTES, outlineClassDocument } from '../core/feed/format';

type LogLevel = 'all' | 'writes' | 'none';

export interface FeedServerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Bearer tokens that may PUT; none makes the server read-only. */
  readonly tokens: readonly string[];
  readonly maxBytes: number;
  readonly log: LogLevel;
  /** Where log lines go; standard output by default. */
  readonly logLine?: (line: string) => void;
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

interface StoredDocument {
  readonly body: Buffer;
  readonly etag: string;
  readonly issuedAt: number;
}

const DOCUMENT_PATH_RE = /^\/feed\/([^/]+)\.jws$/;
const EXTENSION_ORIGIN_RE = /^(?:chrome-extension|moz-extension|extension|safari-web-extension):\/\/[A-Za-z0-9._-]+$/;
const CONTENT_TYPE = 'application/jose';

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

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

/** Writes `body` to `file` so that a reader (or a crash) sees the old file or the new one, never half of one. */
async function writeAtomically(dir: string, file: string, body: Buffer): Promise<void> {
  const temp = join(dir, `.${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, join(dir, file));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Loads the stored documents; temp files of an interrupted write are removed. */
async function loadDocuments(dir: string, maxBytes: number): Promise<Map<string, StoredDocument>> {
  await mkdir(dir, { recursive: true });
  const documents = new Map<string, StoredDocument>();
  for (const name of await readdir(dir)) {
    if (name.endsWith('.tmp')) {
      await rm(join(dir, name), { force: true });
      continue;
    }
    const match = /^(.+)\.jws$/.exec(name);
    if (!match) continue;
    const body = await readFile(join(dir, name));
    const outline = outlineClassDocument(body.toString('latin1'), maxBytes);
    if (!outline.ok || outline.outline.classId !== match[1]) continue;
    documents.set(match[1]!, { body, etag: etagOf(body), issuedAt: outline.outline.issuedAt });
  }
  return documents;
}

/** Starts the server; resolves once it listens. Port 0 picks a free port. */
export async function startFeedServer(config: FeedServerConfig): Promise<FeedServer> {
  const dataDir = resolve(config.dataDir);
  const documents = await loadDocuments(dataDir, config.maxBytes);
  const tokenDigests = config.tokens.map(tokenDigest);
  const writeLine = config.logLine ?? ((line: string) => void process.stdout.write(`${line}\n`));
  /** PUTs of one class run one after another, so "newest wins" compares against what is really stored. */
  const queues = new Map<string, Promise<unknown>>();

  const log = (method: string, classId: string | null, status: number): void => {
    if (config.log === 'none') return;
    if (config.log === 'writes' && method !== 'PUT' && status < 400) return;
    writeLine(`${new Date().toISOString()} ${method} ${classId ?? '-'} ${status}`);
  };

  const authorized = (header: string | undefined): 401 | 403 | null => {
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return 401;
    const digest = tokenDigest(match[1]!);
    // Compare with every token, so the time taken says nothing about which one was close.
    let ok = false;
    for (const known of tokenDigests) ok = timingSafeEqual(known, digest) || ok;
    return ok ? null : 403;
  };

  const serialized = <T>(classId: string, task: () => Promise<T>): Promise<T> => {
    const run = (queues.get(classId) ?? Promise.resolve()).then(task, task);
    const tail = run.catch(() => undefined);
    queues.set(classId, tail);
    void tail.then(() => {
      if (queues.get(classId) === tail) queues.delete(classId);
    });
    return run;
  };

  async function handlePut(request: IncomingMessage, classId: string): Promise<{ status: number; headers?: Record<string, string>; text?: string }> {
    const refused = authorized(request.headers.authorization);
    if (refused === 401) return { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="lesmodus-feed"' }, text: 'a bearer token is required to publish\n' };
    if (refused === 403) return { status: 403, text: 'this token may not publish\n' };
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > config.maxBytes) return { status: 413, text: `at most ${config.maxBytes} bytes\n` };
    const body = await readBody(request, config.maxBytes);
    if (body === null) return { status: 413, text: `at most ${config.maxBytes} bytes\n` };
    // A trailing newline from `curl --data-binary @file` is not part of the JWS.
    const text = body.toString('latin1').trim();
    const outline = outlineClassDocument(text, config.maxBytes);
    if (!outline.ok) return { status: outline.reason === 'oversized' ? 413 : 400, text: `not a class document: ${outline.detail}\n` };
    if (outline.outline.classId !== classId) return { status: 400, text: `a document for class "${outline.outline.classId}" cannot be stored as class "${classId}"\n` };

    const stored = Buffer.from(text, 'latin1');
    const issuedAt = outline.outline.issuedAt;
    return serialized(classId, async () => {
      const current = documents.get(classId);
      if (current !== undefined && issuedAt <= current.issuedAt) {
        // The same document again (a retry whose answer was lost) succeeds; an older or competing one does not.
        if (current.body.equals(stored)) return { status: 204, headers: { ETag: current.etag } };
        return { status: 409, text: `a newer document is stored (issuedAt ${current.issuedAt})\n` };
      }
      await writeAtomically(dataDir, `${classId}.jws`, stored);
      const document = { body: stored, etag: etagOf(stored), issuedAt };
      documents.set(classId, document);
      return { status: current === undefined ? 201 : 204, headers: { ETag: document.etag } };
    });
  }

  const server: Server = createServer((request, response) => {
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

    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      plain(null, 200, 'ok\n');
      return;
    }
    const match = DOCUMENT_PATH_RE.exec(path);
    let classId: string | null = null;
    try {
      classId = match ? decodeURIComponent(match[1]!) : null;
    } catch {
      // A broken %-escape names no class.
    }
    if (classId === null || !CLASS_ID_RE.test(classId)) {
      request.resume();
      plain(null, 404, 'not found\n');
      return;
    }

    if (method === 'OPTIONS') {
      if (cors['Access-Control-Allow-Origin'] === undefined) {
        plain(classId, 403, 'only browser extensions may call this server from a browser\n');
        return;
      }
      send(classId, 204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, PUT, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, If-None-Match',
        'Access-Control-Max-Age': '600',
      });
      return;
    }

    if (method === 'GET' || method === 'HEAD') {
      const document = documents.get(classId);
      if (document === undefined) {
        plain(classId, 404, 'no document for this class yet\n');
        return;
      }
      const headers = { ETag: document.etag, 'Cache-Control': 'no-cache' };
      if (matchesIfNoneMatch(request.headers['if-none-match'], document.etag)) {
        send(classId, 304, headers);
        return;
      }
      send(classId, 200, { ...headers, 'Content-Type': CONTENT_TYPE, 'Content-Length': String(document.body.length) }, document.body);
      return;
    }

    if (method === 'PUT') {
      handlePut(request, classId).then(
        (result) => {
          // Refused before the body was read: drop the connection rather than read what is left.
          if (!request.complete) response.setHeader('Connection', 'close');
          if (result.text !== undefined) plain(classId, result.status, result.text, result.headers);
          else send(classId, result.status, result.headers);
          if (!request.complete) request.resume();
        },
        (error: unknown) => {
          process.stderr.write(`feed-server: storing class ${classId} failed: ${error instanceof Error ? error.message : String(error)}\n`);
          plain(classId, 500, 'the document could not be stored\n');
        },
      );
      return;
    }

    request.resume();
    plain(classId, 405, 'method not allowed\n', { Allow: 'GET, HEAD, PUT, OPTIONS' });
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
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : done()));
      }),
  };
}

function argValue(argv: readonly string[], name: string): string | undefined {
  const index = argv.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (index < 0) return undefined;
  const arg = argv[index]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1];
}

function parseTokens(text: string, separator: RegExp): string[] {
  return text
    .split(separator)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((token) => token.length > 0);
}

/** The configuration from command-line arguments and the environment (arguments win). */
export async function configFrom(argv: readonly string[], env: Record<string, string | undefined>): Promise<FeedServerConfig> {
  const pick = (arg: string, variable: string): string | undefined => argValue(argv, arg) ?? env[variable];
  const port = Number(pick('--port', 'LESMODUS_FEED_PORT') ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`not a port: ${pick('--port', 'LESMODUS_FEED_PORT')}`);
  const maxBytes = Number(pick('--max-bytes', 'LESMODUS_FEED_MAX_BYTES') ?? MAX_DOCUMENT_BYTES);
  if (!Number.isInteger(maxBytes) || maxBytes < 1024) throw new Error('--max-bytes must be a whole number of at least 1024');
  const log = pick('--log', 'LESMODUS_FEED_LOG') ?? 'all';
  if (log !== 'all' && log !== 'writes' && log !== 'none') throw new Error('--log is all, writes or none');
  const tokens = parseTokens(env.LESMODUS_FEED_TOKENS ?? '', /,/);
  const tokensFile = pick('--tokens-file', 'LESMODUS_FEED_TOKENS_FILE');
  if (tokensFile !== undefined) tokens.push(...parseTokens(await readFile(tokensFile, 'utf8'), /\r?\n/));
  return {
    port,
    host: pick('--host', 'LESMODUS_FEED_HOST') ?? '127.0.0.1',
    dataDir: pick('--data', 'LESMODUS_FEED_DATA') ?? 'feed-data',
    tokens,
    maxBytes,
    log,
  };
}

async function main(): Promise<void> {
  const config = await configFrom(process.argv.slice(2), process.env);
  if (config.tokens.length === 0) process.stderr.write('feed-server: no tokens configured (LESMODUS_FEED_TOKENS or --tokens-file): read-only, every PUT is refused\n');
  for (const token of config.tokens) if (token.length < 16) process.stderr.write('feed-server: a token shorter than 16 characters is easy to guess\n');
  const server = await startFeedServer(config);
  process.stdout.write(`feed-server: serving ${resolve(config.dataDir)} at ${server.urlTemplate}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`feed-server: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
