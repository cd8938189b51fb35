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
 * socket could keep the background awake. The host's own subscriber count
 * says whether the socket is open; the student's tab says when a pause
 * arrived. The student sits idle for over two minutes (four times Firefox's
 * idle timeout), then the teacher publishes a pause and the tab must give
 * way at once — with a socket closed by a suspended background it would
 * wait for the next poll alarm (30 s).
 */
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

test('after sitting idle for over two minutes, a pause arrives at once: the socket keeps the event page running', async () => {
  const url = hosts.nodes[0]!.url('2B');
  // Watching the host only: the count of open sockets, every 2 s while the student sits idle.
  const counts: number[] = [];
  const idleUntil = Date.now() + IDLE_MS;
  while (Date.now() < idleUntil) {
    counts.push((await subscribers(url, hosts.authorization)) ?? -1);
    await new Promise((wait) => setTimeout(wait, 2000));
  }
  const dropped = counts.filter((count) => count !== 1).length;
  console.log(`Firefox, idle ${IDLE_MS / 1000} s: the socket was counted open in ${counts.length - dropped} of ${counts.length} looks`);

  const start = Date.now();
  await teacher.publish('2B', { lesson: null, pause: { message: 'Iedereen kijkt naar het bord', startsAt: Date.now(), until: Date.now() + 5 * 60_000 } });
  await waitFor(async () => (await currentUrl(tab)) === blockedPageFor(student, reading()), 'the still tab to give way to the pause', 45_000);
  const elapsed = Date.now() - start;
  console.log(`Firefox, after ${IDLE_MS / 1000} s idle: pause published -> tab swept in ${elapsed} ms`);
  expect(dropped).toBe(0);
});
