/**
 * Live delivery in real Firefox ESR, through nginx + nchan, and the
 * measurement behind what docs/class-feed.md says Firefox does: its Manifest
 * V3 background is an event page (`background.scripts`), which Firefox
 * suspends when idle (extensions.background.idle.timeout, 30 s by default).
 * Does an open WebSocket that exchanges a `ping`/`pong` every 20 s keep it
 * running?
 *
 * Measured without touching the extension: no extension page is open and
 * nothing is sent to it while the student sits idle, so nothing but the
 * socket could keep the background awake. nginx logs every WebSocket once,
 * when it closes (route `subscribe`, with its duration): a suspended event
 * page would close its socket, and the poll alarm would open a new one. The
 * host's subscriber count is watched too, and the student's tab says when
 * a pause arrived. The student sits idle for over two minutes (four times Firefox's
 * idle timeout), then the teacher publishes a pause and the tab must give
 * way at once — with a socket closed by a suspended background it would
 * wait for the next poll alarm (30 s).
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'puppeteer-core';
import { currentUrl, distDir, launchFirefox, waitFor, type FirefoxSession } from '../../src/dev/browsers';
import { startFeedHosts, type FeedHosts } from '../../src/dev/feed-hosts';
import { blockedPageFor, open } from '../../src/dev/pages';
import { newTeacherKey, TeacherPublisher } from '../../src/dev/teacher';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { livePolicy, subscribers, waitForSubscribers } from './support/live';

jest.setTimeout(300_000);

const IDLE_MS = 130_000;

let site: TestServer;
let hosts: FeedHosts;
let teacher: TeacherPublisher;
let student: FirefoxSession;
let tab: Page;

const reading = (): string => `${site.origin('other.test')}/reading`;

beforeAll(async () => {
  site = await startTestServer();
  hosts = await startFeedHosts({ nodes: 1 });
  const key = await newTeacherKey('devries');
  teacher = new TeacherPublisher(hosts.nodes[0]!.urlTemplate, hosts.token, key);
  student = await launchFirefox({ extensionDir: distDir('firefox'), managedStorage: livePolicy(hosts.nodes[0]!.urlTemplate, '2B', key) });
  tab = await student.browser.newPage();
  expect(await open(student, tab, reading())).toBe(reading());
});

afterAll(async () => {
  await student?.close();
  await hosts?.stop();
  await site?.close();
});

test('the student connects by itself', async () => {
  await waitForSubscribers(hosts.nodes[0]!.url('2B'), hosts.authorization, 1, 'the Firefox student to subscribe', 60_000);
});

/** The subscriptions nginx logged as closed (one line per socket, when it closes). */
async function closedSubscriptions(): Promise<string[]> {
  const log = await readFile(hosts.nodes[0]!.accessLogFile, 'utf8').catch(() => '');
  return log.split('\n').filter((line) => / subscribe 2B /.test(line));
}

test('after sitting idle for over two minutes, a pause arrives at once: the socket keeps the event page running', async () => {
  const url = hosts.nodes[0]!.url('2B');
  const closedBefore = (await closedSubscriptions()).length;
  // Watching the host only: its count of open sockets, every second while the student sits idle.
  const looks: Array<{ at: number; count: number | null }> = [];
  const began = Date.now();
  while (Date.now() - began < IDLE_MS) {
    looks.push({ at: Date.now() - began, count: await subscribers(url, hosts.authorization) });
    await new Promise((wait) => setTimeout(wait, 1000));
  }
  const closed = (await closedSubscriptions()).slice(closedBefore);
  const odd = looks.filter((look) => look.count !== 1);
  console.log(
    `Firefox, idle ${IDLE_MS / 1000} s: sockets closed meanwhile: ${closed.length} ${JSON.stringify(closed)}; ` +
      `count not 1 in ${odd.length} of ${looks.length} looks ${JSON.stringify(odd)}`,
  );

  const start = Date.now();
  await teacher.publish('2B', { lesson: null, pause: { message: 'Iedereen kijkt naar het bord', startsAt: Date.now(), until: Date.now() + 5 * 60_000 } });
  await waitFor(async () => (await currentUrl(tab)) === blockedPageFor(student, reading()), 'the still tab to give way to the pause', 45_000);
  console.log(`Firefox, after ${IDLE_MS / 1000} s idle: pause published -> tab swept in ${Date.now() - start} ms`);
  // The one socket stayed open all along: the event page was never suspended.
  expect(closed).toEqual([]);
});
