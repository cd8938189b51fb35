/**
 * A classroom on one machine, for the class-feed suites: the real reference
 * feed server on 127.0.0.1, the policies IT gives teacher and student
 * devices, and what the suites do with the students' browsers, Chromium or
 * Firefox: wait for the policy, read what the extension accepted from the
 * feed, click until the feed has been fetched, and (Chromium) record every
 * request an extension's service worker makes. The browsers' extension IDs and their one managed
 * policy file are in src/dev/chromium-policy.ts, the teacher's signing and
 * publishing in src/dev/teacher.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Target } from 'puppeteer-core';
import type { PublicKeyJwk } from '../../../src/core/feed/document';
import { startFeedServer, type FeedServer } from '../../../src/server/feed-server';
import { waitFor, type ChromiumSession, type ExtensionSession } from '../../../src/dev/browsers';
import { stored } from '../../../src/dev/extension-state';
import { open } from '../../../src/dev/pages';

/** The bearer token teacher devices PUT with. */
export const FEED_TOKEN = 'e2e-feed-token-0123456789abcdef';

/** The reference feed server on 127.0.0.1, with its documents on disk, so it can be stopped and started again on the same port. */
export class FeedHost {
  server!: FeedServer;
  /** Every line the server logged (method, class, status). */
  readonly log: string[] = [];
  private dir = '';

  async start(port = 0): Promise<void> {
    if (this.dir === '') this.dir = await mkdtemp(join(tmpdir(), 'lesmodus-feed-e2e-'));
    this.server = await startFeedServer({ port, host: '127.0.0.1', dataDir: this.dir, tokens: [FEED_TOKEN], maxBytes: 64 * 1024, log: 'all', logLine: (line) => this.log.push(line) });
  }

  get urlTemplate(): string {
    return this.server.urlTemplate;
  }

  /** The address of a class's document. */
  classUrl(classId: string): string {
    return `${this.server.origin}/feed/${classId}.jws`;
  }

  async stop(): Promise<void> {
    await this.server?.close().catch(() => undefined);
  }

  async remove(): Promise<void> {
    await this.stop();
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true });
  }
}

/** A trusted key as IT lists it in student policies. */
export interface ListedKey {
  id: string;
  name?: string;
  publicKey: PublicKeyJwk;
}

export function studentPolicy(feed: FeedHost, classId: string, teacherKeys: ListedKey[]): Record<string, unknown> {
  return { role: 'student', classes: [classId], classFeed: { urlTemplate: feed.urlTemplate, pollSeconds: 30 }, teacherKeys };
}

export function teacherPolicy(feed: FeedHost, classes: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { role: 'teacher', classes, classFeed: { urlTemplate: feed.urlTemplate, authorization: `Bearer ${FEED_TOKEN}` }, ...extra };
}

/** Waits until the browser has read IT's policy (the extension caches it). */
export async function waitForPolicy(session: ExtensionSession): Promise<void> {
  await waitFor(async () => (await stored(session, 'policyCache')) !== undefined, 'the managed policy to be read', 30_000);
}

interface StoredEntry {
  document: { issuedAt: number; lesson: { id: string } | null; pause?: { message: string } };
}
export interface FollowEntry {
  lastOutcome: string | null;
  rejections: number;
  lastRejection: { reason: string } | null;
}

/** issuedAt of the class document a student device accepted last; null before any. */
export const acceptedIssuedAt = async (session: ExtensionSession, classId = '2B'): Promise<number | null> =>
  (await stored<Record<string, StoredEntry>>(session, 'classFeed'))?.[classId]?.document.issuedAt ?? null;
/** A student device's record of its fetches of a class. */
export const follow = async (session: ExtensionSession, classId = '2B'): Promise<FollowEntry | undefined> => (await stored<Record<string, FollowEntry>>(session, 'feedFollow'))?.[classId];

let nudges = 0;
/**
 * The student clicking around: a navigation in a spare tab every second
 * (a navigation refetches the feed when the last fetch is over 5 s old) to
 * `origin`/click-N, until `done` holds.
 */
export async function clickUntil(session: ExtensionSession, origin: string, done: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const spare = await session.browser.newPage();
  try {
    await waitFor(
      async () => {
        if (await done()) return true;
        await open(session, spare, `${origin}/click-${++nudges}`).catch(() => undefined);
        await new Promise((wait) => setTimeout(wait, 1000));
        return done();
      },
      what,
      timeoutMs,
    );
  } finally {
    await spare.close();
  }
}

/**
 * Records every request an extension's service worker makes (CDP Network
 * domain on its target, also after the worker restarts), WebSockets
 * included: privacy shown, not promised.
 */
export class WorkerRequests {
  readonly requests: Array<{ url: string; method: string; accept?: string }> = [];
  private readonly sessions: CDPSession[] = [];

  constructor(private readonly session: ChromiumSession) {}

  async start(): Promise<void> {
    const ours = (target: Target): boolean => target.type() === 'service_worker' && target.url().startsWith(`chrome-extension://${this.session.extensionId}/`);
    const attach = async (target: Target): Promise<void> => {
      if (!ours(target)) return;
      const cdp = await target.createCDPSession();
      this.sessions.push(cdp);
      cdp.on('Network.requestWillBeSent', (event) => {
        const accept = Object.entries(event.request.headers).find(([name]) => name.toLowerCase() === 'accept')?.[1];
        this.requests.push({ url: event.request.url, method: event.request.method, ...(accept !== undefined ? { accept } : {}) });
      });
      // A WebSocket's handshake is not a request to CDP: it is recorded as method 'WEBSOCKET'.
      cdp.on('Network.webSocketCreated', (event) => this.requests.push({ url: event.url, method: 'WEBSOCKET' }));
      await cdp.send('Network.enable');
    };
    this.session.browser.on('targetcreated', (target: Target) => void attach(target).catch(() => undefined));
    for (const target of this.session.browser.targets()) await attach(target);
  }

  /** Lets go of the worker (an attached worker is never stopped); a restarted worker is attached again. */
  async detach(): Promise<void> {
    await Promise.all(this.sessions.splice(0).map((cdp) => cdp.detach().catch(() => undefined)));
  }
}
