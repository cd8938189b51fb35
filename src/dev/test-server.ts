// A local HTTP server that plays every test site. The browsers resolve every
// `*.test` host to 127.0.0.1 (see browsers.ts), so `http://allowed.test:PORT/`
// and `http://blocked.test:PORT/` reach this one server, which answers per
// `Host` header. Nothing leaves the machine.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server saw: the host without port, and the path with query. */
interface RecordedRequest {
  host: string;
  path: string;
}

export interface TestServer {
  /** The random port on 127.0.0.1; the same for every host. */
  port: number;
  /** `origin('allowed.test')` → `http://allowed.test:PORT`. */
  origin(host: string): string;
  /** Every request so far, in arrival order (clear it with `requests.length = 0`). */
  requests: RecordedRequest[];
  /** Answers the `/held?key=KEY` requests waiting so far (and any that arrive later) with their page. */
  release(key: string): void;
  close(): Promise<void>;
}

// A real 1x1 transparent PNG, so an <img> fires `load`, not `error`.
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const MAX_SLOW_MS = 30_000;

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A JS string literal that is also safe inside an inline <script>. */
function jsString(text: string): string {
  return JSON.stringify(text).replaceAll('<', '\\u003c');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>${body}</body></html>
`;
}

/** The page every path gets unless a route below says otherwise. */
function plainPage(host: string, path: string): string {
  return page(`${host}${path}`, `<h1 id="where">${escapeHtml(`${host} ${path}`)}</h1>`);
}

function withImagePage(host: string, path: string, assetOrigin: string): string {
  // Inline handlers, so the result is recorded even if the image settles
  // before any later script would run.
  return page(
    `${host}${path}`,
    `<h1 id="where">${escapeHtml(`${host} ${path}`)}</h1>
<img id="img" alt="" src="${escapeHtml(`${assetOrigin}/pixel.png`)}"
  onload="document.body.dataset.imgLoaded = 'yes'"
  onerror="document.body.dataset.imgLoaded = 'no'">
<script src="${escapeHtml(`${assetOrigin}/script.js`)}"></script>`,
  );
}

function framePage(host: string, path: string, src: string): string {
  return page(
    `${host}${path}`,
    `<h1 id="where">${escapeHtml(`${host} ${path}`)}</h1>
<iframe id="f" src="${escapeHtml(src)}" onload="document.body.dataset.frameLoaded = 'yes'"></iframe>`,
  );
}

function plugInPage(host: string, path: string, element: 'object' | 'embed', src: string): string {
  const tag = element === 'object' ? `<object id="o" type="text/html" data="${escapeHtml(src)}"></object>` : `<embed id="o" type="text/html" src="${escapeHtml(src)}">`;
  return page(`${host}${path}`, `<h1 id="where">${escapeHtml(`${host} ${path}`)}</h1>\n${tag}`);
}

function linkPage(host: string, path: string, to: string): string {
  return page(`${host}${path}`, `<h1 id="where">${escapeHtml(`${host} ${path}`)}</h1>\n<a id="go" href="${escapeHtml(to)}">go</a>`);
}

/**
 * The start of a page whose body never ends: committed and shown, and
 * "loading" for as long as the browser keeps the connection. The padding
 * passes any buffering before the first bytes are parsed.
 */
function stalledPageStart(host: string, path: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(`${host}${path}`)}</title></head>
<body><h1 id="where">${escapeHtml(`${host} ${path}`)}</h1>
<!-- ${'.'.repeat(2048)} -->
`;
}

function pushStatePage(host: string, path: string, to: string): string {
  return page(
    `${host}${path}`,
    `<h1 id="where">${escapeHtml(`${host} ${path}`)}</h1>
<button id="go" type="button">go</button>
<script>
document.getElementById('go').addEventListener('click', () => history.pushState({}, '', ${jsString(to)}));
</script>`,
  );
}

function swPage(host: string, path: string): string {
  // `data-sw-ready="yes"` once the worker controls this page, so a test can
  // wait for it and then visit /sw-cached.
  return page(
    `${host}${path}`,
    `<h1 id="where">${escapeHtml(`${host} ${path}`)}</h1>
<script>
navigator.serviceWorker.register('/sw.js', { scope: '/' })
  .then(() => navigator.serviceWorker.ready)
  .then(() => {
    if (navigator.serviceWorker.controller) { document.body.dataset.swReady = 'yes'; return; }
    navigator.serviceWorker.addEventListener('controllerchange', () => { document.body.dataset.swReady = 'yes'; });
  })
  .catch((error) => { document.body.dataset.swReady = 'error: ' + error; });
</script>`,
  );
}

// Caches /sw-cached at install and serves it from the cache from then on,
// marked with `<body data-from-sw="yes">`, so a test can tell a page that
// came from the site's own service worker (which DNR never sees) from one
// that came over the network.
const SERVICE_WORKER = `
const CACHE = 'e2e-v1';
self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.add('/sw-cached')).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (event) => { event.waitUntil(self.clients.claim()); });
self.addEventListener('fetch', (event) => {
  if (new URL(event.request.url).pathname !== '/sw-cached') return;
  event.respondWith(caches.match('/sw-cached').then(async (cached) => {
    if (!cached) return fetch(event.request);
    const html = (await cached.text()).replace('<body>', '<body data-from-sw="yes">');
    return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } });
  }));
});
`;

function hostOf(request: IncomingMessage): string {
  const header = request.headers.host ?? '';
  // Strip the port; IPv6 literals are not used by the tests.
  return header.replace(/:\d+$/, '').toLowerCase();
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  extraHeaders: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': contentType,
    // Every load must reach the server (and `requests`), never the HTTP cache.
    'cache-control': 'no-store',
    ...extraHeaders,
  });
  response.end(body);
}

const HTML = 'text/html; charset=utf-8';

/**
 * Starts the test site server on 127.0.0.1 with a random port.
 *
 * Routes, the same on every host:
 * - any path → a page titled `host + path` (path includes the query) with
 *   `<h1 id="where">host path</h1>`;
 * - `/with-image[?from=HOST]` → loads `http://cdn.test:PORT/pixel.png` as
 *   `<img id="img">` (sets `body.dataset.imgLoaded` to `yes`/`no`) and
 *   `http://cdn.test:PORT/script.js` (sets `window.cdnScriptRan = true`);
 *   `from` picks another asset host;
 * - `/pixel.png` (1x1 PNG), `/script.js`;
 * - `/frame?src=URL` → `<iframe id="f" src="URL">`; `body.dataset.frameLoaded`
 *   becomes `yes` on the frame's load event. For a frame a DNR rule blocks,
 *   Chromium fires load (for its error page) and Firefox does not: judge a
 *   frame by its content or by `requests`, not by this flag;
 * - `/pushstate?to=/path` → button `#go` calls `history.pushState({}, '', to)`;
 * - `/sw` registers `/sw.js`, which caches `/sw-cached` and serves it from the
 *   cache with `<body data-from-sw="yes">`; `/sw` sets `body.dataset.swReady`
 *   to `yes` once controlled. Service workers need a secure context: launch
 *   the browser with `serviceWorkerOrigins: [server.origin(host)]`;
 * - `/slow?ms=N` → the plain page after N ms (default 2000, at most 30000);
 * - `/held?key=KEY` → the plain page once the test calls `release(KEY)`:
 *   a navigation whose response is still to come;
 * - `/stall` → a page whose body never ends: committed and shown (`#where`),
 *   and still loading;
 * - `/object?src=URL`, `/embed?src=URL` → `<object id="o" data="URL">` or
 *   `<embed id="o" src="URL">` (type text/html);
 * - `/link?to=URL` → a link `#go` to URL, for a navigation the page makes;
 * - `/favicon.ico` → 404 (browsers ask for it on their own).
 */
export async function startTestServer(): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  let port = 0;
  const released = new Set<string>();
  const held = new Map<string, Array<() => void>>();
  const assetOrigin = (host: string): string => `http://${host}:${port}`;

  const server = createServer((request, response) => {
    const host = hostOf(request);
    const path = request.url ?? '/';
    requests.push({ host, path });
    const url = new URL(path, 'http://placeholder');
    const query = url.searchParams;

    switch (url.pathname) {
      case '/with-image':
        send(response, 200, HTML, withImagePage(host, path, assetOrigin(query.get('from') ?? 'cdn.test')));
        return;
      case '/pixel.png':
        send(response, 200, 'image/png', PIXEL_PNG);
        return;
      case '/script.js':
        send(response, 200, 'text/javascript; charset=utf-8', 'window.cdnScriptRan = true;\n');
        return;
      case '/frame':
        send(response, 200, HTML, framePage(host, path, query.get('src') ?? 'about:blank'));
        return;
      case '/pushstate':
        send(response, 200, HTML, pushStatePage(host, path, query.get('to') ?? '/pushed'));
        return;
      case '/sw':
        send(response, 200, HTML, swPage(host, path));
        return;
      case '/sw.js':
        send(response, 200, 'text/javascript; charset=utf-8', SERVICE_WORKER);
        return;
      case '/slow': {
        const requested = Number(query.get('ms') ?? 2000);
        const ms = Number.isFinite(requested) ? Math.min(Math.max(requested, 0), MAX_SLOW_MS) : 2000;
        const timer = setTimeout(() => send(response, 200, HTML, plainPage(host, path)), ms);
        // A browser that gives up (or a close()) must not leave the timer writing to a dead socket.
        response.on('close', () => clearTimeout(timer));
        return;
      }
      case '/held': {
        const key = query.get('key') ?? '';
        const answer = (): void => send(response, 200, HTML, plainPage(host, path));
        if (released.has(key)) {
          answer();
          return;
        }
        const waiting = held.get(key) ?? [];
        waiting.push(answer);
        held.set(key, waiting);
        // A browser that gives up must not be answered later on a dead socket.
        response.on('close', () => {
          const at = waiting.indexOf(answer);
          if (at >= 0) waiting.splice(at, 1);
        });
        return;
      }
      case '/stall':
        response.writeHead(200, { 'content-type': HTML, 'cache-control': 'no-store' });
        response.write(stalledPageStart(host, path));
        return;
      case '/object':
      case '/embed':
        send(response, 200, HTML, plugInPage(host, path, url.pathname === '/object' ? 'object' : 'embed', query.get('src') ?? 'about:blank'));
        return;
      case '/link':
        send(response, 200, HTML, linkPage(host, path, query.get('to') ?? '/'));
        return;
      case '/favicon.ico':
        send(response, 404, 'text/plain; charset=utf-8', 'no favicon\n');
        return;
      default:
        send(response, 200, HTML, plainPage(host, path));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    origin: (host) => `http://${host}:${port}`,
    requests,
    release: (key) => {
      released.add(key);
      for (const answer of held.get(key) ?? []) answer();
      held.delete(key);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Browsers keep connections alive; without this close() waits for them.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
