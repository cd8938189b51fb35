/**
 * Stand-in pages for the demo's made-up sites (`npm start`), on 127.0.0.1:
 * the browsers send those hosts here (see LocalHosts in browsers.ts), so the
 * demo never needs a name to resolve, offline or not. Every host and path
 * gets one small page that says where it stands in for; if a student's tab
 * ever shows it, the lesson did not block that address, and `npm start`
 * says so.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInSites {
  readonly port: number;
  close(): Promise<void>;
}

/** The document title of every stand-in page for `host`. */
export const standInTitle = (host: string): string => `Lesmodus demo: stand-in for ${host}`;

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

export async function startStandInSites(): Promise<StandInSites> {
  const server = createServer((request, response) => {
    // Through Firefox's proxy script the request line holds the whole address; Chromium sends a path and a Host header.
    const host = (request.headers.host ?? 'unknown').replace(/:\d+$/, '');
    const title = escapeHtml(standInTitle(host));
    response.writeHead(request.url?.endsWith('/favicon.ico') ? 404 : 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>${title}</h1>
<p>This page is served by <code>npm start</code> on this computer in place of the real site, so the demo works without a network.
In the demo lesson this address is blocked: a student's browser shows the Lesmodus blocked page instead of this one.</p></body></html>
`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
