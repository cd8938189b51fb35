/**
 * A classroom on one machine, for the class-feed suites: the real reference
 * feed server on 127.0.0.1, several Chromium browsers each running the built
 * extension under its own extension ID (copies of dist/chrome-dev with keys
 * of their own), and IT's policy for all of them in one managed policy file
 * (one entry per extension ID), the way IT pushes policy on Linux. Plus what
 * the suites do with them: read the extension's storage, navigate as a
 * student, click until the feed has been fetched, and record every request
 * an extension's service worker makes.
 *
 * The policy directory is global to the machine: run under the shared lock,
 * one suite at a time; the file is removed after the suite, pass or fail
 * (and at process exit).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page, Target } from 'puppeteer-core';
import { exportJWK } from 'jose';
import type { PublicKeyJwk } from '../../../src/core/feed';
import { startFeedServer, type FeedServer } from '../../../src/server/feed-server';
import { currentUrl, distDir, waitFor, type ChromiumSession } from './browsers';

const POLICY_ROOT = '/etc/chromium/policies';
const POLICY_DIR = join(POLICY_ROOT, 'managed');

/** The bearer token teacher devices PUT with. */
export const FEED_TOKEN = 'e2e-feed-token-0123456789abcdef';

/** Chrome's extension ID for a manifest key: SHA-256 of the DER key, first 32 hex digits mapped 0-f to a-p. */
export function extensionIdOf(base64Key: string): string {
  const hex = createHash('sha256').update(Buffer.from(base64Key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

const DEV_KEY = (JSON.parse(readFileSync(join(__dirname, '../../../manifest/dev-key.json'), 'utf8')) as { key: string }).key;
/** The extension ID of dist/chrome-dev itself. */
export const DEV_EXTENSION_ID = extensionIdOf(DEV_KEY);

/** A copy of dist/chrome-dev with a key of its own, so a second browser gets its own extension ID (and its own policy). */
export function extensionCopy(dir: string): { dir: string; id: string } {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  cpSync(distDir('chrome'), dir, { recursive: true });
  const manifestFile = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestFile, JSON.stringify({ ...manifest, key }));
  return { dir, id: extensionIdOf(key) };
}

/** A temporary directory for extension copies, removed by `remove()`. */
export async function extensionCopies(): Promise<{ copy(name: string): { dir: string; id: string }; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'lesmodus-feed-ext-'));
  return { copy: (name) => extensionCopy(join(root, name)), remove: () => rm(root, { recursive: true, force: true }) };
}

export interface KeyPair {
  privateKey: CryptoKey;
  publicKey: PublicKeyJwk;
}

/** A P-256 signing key pair made in the test, as a teacher's browser makes one. */
export async function newKeyPair(): Promise<KeyPair> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = await exportJWK(pair.publicKey);
  return { privateKey: pair.privateKey, publicKey: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } };
}

/** IT's Chromium policy file for the extensions of a suite (`/etc/chromium/policies/managed/NAME.json`). */
export class ManagedPolicyFile {
  readonly path: string;
  private readonly createdDirs = [POLICY_ROOT, POLICY_DIR].filter((dir) => !existsSync(dir));

  constructor(name: string) {
    this.path = join(POLICY_DIR, `${name}.json`);
    process.once('exit', () => this.remove());
  }

  /** Writes the policy of each extension ID (Chromium reads it at start-up, and again when the file changes). */
  async write(policies: Record<string, Record<string, unknown>>): Promise<void> {
    await mkdir(POLICY_DIR, { recursive: true });
    await writeFile(this.path, JSON.stringify({ '3rdparty': { extensions: policies } }));
  }

  remove(): void {
    rmSync(this.path, { force: true });
    for (const dir of [...this.createdDirs].reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // Not empty (another suite's file) or gone: leave it.
      }
    }
  }
}

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

/** A value of the extension's storage.local. */
export async function stored<T>(session: ChromiumSession, key: string): Promise<T | undefined> {
  return session.evalInWorker(async (name) => (await chrome.storage.local.get(name))[name], key) as Promise<T | undefined>;
}

/** Waits until the browser has read IT's policy (the extension caches it). */
export async function waitForPolicy(session: ChromiumSession): Promise<void> {
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
export const acceptedIssuedAt = async (session: ChromiumSession, classId = '2B'): Promise<number | null> =>
  (await stored<Record<string, StoredEntry>>(session, 'classFeed'))?.[classId]?.document.issuedAt ?? null;
/** A student device's record of its fetches of a class. */
export const follow = async (session: ChromiumSession, classId = '2B'): Promise<FollowEntry | undefined> => (await stored<Record<string, FollowEntry>>(session, 'feedFollow'))?.[classId];
export const ruleCount = (session: ChromiumSession): Promise<number> => session.evalInWorker(async () => (await chrome.declarativeNetRequest.getDynamicRules()).length);
export const blockedPageFor = (session: ChromiumSession, url: string): string => `${session.extensionUrl('blocked.html')}#${url}`;

/** Navigates and returns where the tab ended up (a second redirect by the tab sweep reports ERR_ABORTED). */
export async function open(session: ChromiumSession, page: Page, url: string): Promise<string> {
  try {
    await session.goto(page, url);
  } catch (error) {
    if (!String(error).includes('ERR_ABORTED')) throw error;
    await page.waitForNavigation({ waitUntil: 'load', timeout: 5000 }).catch(() => undefined);
  }
  return currentUrl(page);
}

let nudges = 0;
/**
 * The student clicking around: a navigation in a spare tab every second
 * (a navigation refetches the feed when the last fetch is over 5 s old) to
 * `origin`/click-N, until `done` holds.
 */
export async function clickUntil(session: ChromiumSession, origin: string, done: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
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
 * domain on its target, also after the worker restarts): privacy shown,
 * not promised.
 */
export class WorkerRequests {
  readonly requests: Array<{ url: string; method: string }> = [];
  private readonly sessions: CDPSession[] = [];

  constructor(private readonly session: ChromiumSession) {}

  async start(): Promise<void> {
    const ours = (target: Target): boolean => target.type() === 'service_worker' && target.url().startsWith(`chrome-extension://${this.session.extensionId}/`);
    const attach = async (target: Target): Promise<void> => {
      if (!ours(target)) return;
      const cdp = await target.createCDPSession();
      this.sessions.push(cdp);
      cdp.on('Network.requestWillBeSent', (event) => this.requests.push({ url: event.request.url, method: event.request.method }));
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
