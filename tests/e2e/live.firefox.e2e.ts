/**
 * Live delivery in real Firefox ESR, through nginx + nchan, and the
 * measurement behind what docs/class-feed.md says Firefox does. Its
 * Manifest V3 background is an event page (`background.scripts`), which
 * Firefox suspends after 30 s without extension events
 * (extensions.background.idle.timeout). Does an open WebSocket that
 * exchanges a `ping`/`pong` every 20 s keep it running, as it keeps
 * Chrome's service worker?
 *
 * Measured without touching the extension: no extension page is open and
 * nothing is sent to it while the student sits idle. nginx logs every
 * WebSocket once, when it closes (route `subscribe`, with how long it was
 * open): a suspended event page closes its socket, and the next poll alarm
 * wakes the page, which opens a new one. The host's subscriber count is
 * watched every second, and the student's tab says when a pause arrived.
 *
 *   - With the poll every 60 s: the socket alone does not keep the page
 *     running; it is closed about 30 s after each wake-up.
 *   - With the poll every 30 s (the default): the alarm wakes the page
 *     every 30 s, and after two idle minutes a pause still arrives over the
 *     socket, without a click.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'puppeteer-core';
import { distDir, launchFirefox, waitFor, type FirefoxSession } from '../../src/dev/browsers';
import { startFeedHosts, type FeedHosts } from '../../src/dev/feed-hosts';
import { open } from '../../src/dev/pages';
import { newTeacherKey, TeacherPublisher, type TeacherKey } from '../../src/dev/teacher';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { covered } from '../../src/dev/cover';
import { livePolicy, subscribers, waitForSubscribers } from './support/live';

jest.setTimeout(300_000);

const IDLE_MS = 130_000;

let site: TestServer;
let hosts: FeedHosts;
let key: TeacherKey;
let teacher: TeacherPublisher;

const reading = (): string => `${site.origin('other.test')}/reading`;
const classUrl = (): string => hosts.nodes[0]!.url('2B');

beforeAll(async () => {
  site = await startTestServer();
  hosts = await startFeedHosts({ nodes: 1 });
  key = await newTeacherKey('devries');
  teacher = new TeacherPublisher(hosts.nodes[0]!.urlTemplate, hosts.token, key);
});

afterAll(async () => {
  await hosts?.stop();
  await site?.close();
});

/** The subscriptions nginx logged as closed (one line per socket, when it closes). */
async function closedSubscriptions(): Promise<string[]> {
  const log = await readFile(hosts.nodes[0]!.accessLogFile, 'utf8').catch(() => '');
  return log.split('\n').filter((line) => / subscribe 2B /.test(line));
}

interface Idle {
  /** Sockets nginx saw closed while the student sat idle: `time method route class status bytes seconds-open`. */
  readonly closed: string[];
  /** Looks at the host's count (every second) that did not find exactly one socket. */
  readonly gaps: Array<{ at: number; count: number | null }>;
  readonly looks: number;
}

/** The student sits idle for IDLE_MS; only the host is watched. */
async function sitIdle(what: string): Promise<Idle> {
  const closedBefore = (await closedSubscriptions()).length;
  const looks: Array<{ at: number; count: number | null }> = [];
  const began = Date.now();
  while (Date.now() - began < IDLE_MS) {
    looks.push({ at: Date.now() - began, count: await subscribers(classUrl(), hosts.authorization) });
    await new Promise((wait) => setTimeout(wait, 1000));
  }
  const idle = { closed: (await closedSubscriptions()).slice(closedBefore), gaps: looks.filter((look) => look.count !== 1), looks: looks.length };
  console.log(`Firefox, ${what}, idle ${IDLE_MS / 1000} s: ${idle.closed.length} socket(s) closed ${JSON.stringify(idle.closed)}; no socket in ${idle.gaps.length} of ${idle.looks} looks`);
  return idle;
}

async function student(pollSeconds: number): Promise<{ session: FirefoxSession; tab: Page }> {
  const session = await launchFirefox({ extensionDir: distDir('firefox'), managedStorage: { ...livePolicy(hosts.nodes[0]!.urlTemplate, '2B', key), classFeed: { urlTemplate: hosts.nodes[0]!.urlTemplate, pollSeconds } } });
  const tab = await session.browser.newPage();
  expect(await open(session, tab, reading())).toBe(reading());
  await waitForSubscribers(classUrl(), hosts.authorization, 1, 'the Firefox student to connect', 60_000);
  return { session, tab };
}

describe('polling every 60 s', () => {
  test('the socket alone does not keep the event page running: Firefox closes it while the student sits idle', async () => {
    const { session } = await student(60);
    try {
      const idle = await sitIdle('poll every 60 s');
      expect(idle.closed.length).toBeGreaterThanOrEqual(1);
      expect(idle.gaps.length).toBeGreaterThanOrEqual(1);
    } finally {
      await session.close();
    }
    await waitForSubscribers(classUrl(), hosts.authorization, 0, 'the closed browser to leave the count');
  });
});

describe('polling every 30 s (the default)', () => {
  let session: FirefoxSession;
  let tab: Page;

  beforeAll(async () => {
    ({ session, tab } = await student(30));
  });

  afterAll(async () => {
    await session?.close();
  });

  test('after two idle minutes a pause reaches the student sitting still, over its socket', async () => {
    await sitIdle('poll every 30 s');
    // The socket is open now (the host counts it), so the pause goes out over it.
    await waitForSubscribers(classUrl(), hosts.authorization, 1, 'the student to be connected when the teacher publishes');
    const fetchesBefore = (await readFile(hosts.nodes[0]!.accessLogFile, 'utf8')).split('\n').filter((line) => / fetch 2B /.test(line)).length;
    const start = Date.now();
    await teacher.publish('2B', { lesson: null, pause: { message: 'Iedereen kijkt naar het bord', startsAt: Date.now(), until: Date.now() + 5 * 60_000 } });
    await waitFor(() => covered(tab), 'the still tab to be covered by the pause', 45_000);
    console.log(`Firefox, poll every 30 s, after ${IDLE_MS / 1000} s idle: pause published -> tab covered in ${Date.now() - start} ms`);
    // Not a poll that brought it: the feed was not fetched between the publish and the cover.
    const fetchesAfter = (await readFile(hosts.nodes[0]!.accessLogFile, 'utf8')).split('\n').filter((line) => / fetch 2B /.test(line)).length;
    expect(fetchesAfter).toBe(fetchesBefore);
  });
});
