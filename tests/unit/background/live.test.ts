// Live delivery over the real background: a student device opens one socket
// per followed class, takes what the host sends without waiting for a poll,
// and treats each frame as a fetched document — except that one at or below
// the document held is dropped without a word. A refused socket leaves the
// poll to do the work. The teacher's publish goes through the real handlers
// to the same host in memory (./support/feed-host.ts).
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { startBackground, restartBackground, type TestBackground } from './support/background';
import { useClock } from './support/clock';
import { FeedHost } from './support/feed-host';
import type { FollowEntry } from '../../../src/core/feed/follow';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const FEED = { urlTemplate: 'https://feed.school.test/{class}.jws', authorization: 'Bearer teacher-token' };
const URL_2B = 'https://feed.school.test/2B.jws';
const draft = { title: 'Breuken', mode: 'allowlist' as const, sites: ['rekenen.nl'], embeds: [], minutes: 45, startPage: 'https://rekenen.nl/les-1' };

const started: TestBackground[] = [];
let host: FeedHost;
let teacher: TestBackground;
let token: string;
let student: TestBackground;

beforeEach(async () => {
  useClock(T0);
  host = new FeedHost();
  host.live = true;
  teacher = await startBackground({ policy: { role: 'teacher', classes: ['2B'], classFeed: FEED }, pin: '1234', feedHost: host });
  started.push(teacher);
  token = (await teacher.connector.request({ type: 'unlock', pin: '1234' })).token;
});

afterEach(async () => {
  for (const background of started.splice(0)) await background.stop();
  jest.useRealTimers();
});

async function startStudent(): Promise<TestBackground> {
  const key = (await teacher.connector.request({ type: 'getStatus' })).feed!.signingKey!;
  student = await startBackground({
    policy: { role: 'student', classes: ['2B'], classFeed: { urlTemplate: FEED.urlTemplate, pollSeconds: 30 }, teacherKeys: [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }] },
    feedHost: host,
  });
  started.push(student);
  await student.idle();
  return student;
}

const follow = (): FollowEntry | undefined => student.stored<Record<string, FollowEntry>>('feedFollow')?.['2B'];
const heldIssuedAt = (): number | null => student.stored<Record<string, { document: { issuedAt: number } }>>('classFeed')?.['2B']?.document.issuedAt ?? null;
const live = async () => (await student.connector.request({ type: 'getStatus' })).feed!.classes[0]!.live;

describe('a student device with a live host', () => {
  it('opens one socket for its class and takes a publication the moment it is stored, with no poll', async () => {
    await startStudent();
    expect(host.openSockets(URL_2B)).toHaveLength(1);
    expect(host.sockets.map((socket) => socket.url)).toEqual([URL_2B]);
    expect(await live()).toMatchObject({ state: 'open', failures: 0 });
    const gets = host.sent('GET').length;

    await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: draft });
    await student.idle();
    expect((await student.connector.request({ type: 'getStatus' })).active).toMatchObject({ origin: 'class', classId: '2B', title: 'Breuken' });
    expect(student.dnr.evaluate('https://wikipedia.org/').redirectUrl).toMatch(/blocked\.html#/);
    // The start page opened at once, not at the next poll.
    expect((await student.browser.tabs.query({ url: 'https://rekenen.nl/les-1' })).length).toBe(1);
    expect(host.sent('GET').length).toBe(gets);
    expect(follow()).toMatchObject({ lastOutcome: 'accepted', rejections: 0 });
  });

  it('drops a document at or below the one it holds without counting it, and counts one that does not verify', async () => {
    await startStudent();
    jest.setSystemTime(T0 + 1000);
    await teacher.connector.request({ type: 'pauseClass', token, classId: '2B', message: 'Kijk even', minutes: 5 });
    await student.idle();
    const first = host.documents.get(URL_2B)!.body;
    jest.setSystemTime(T0 + 2000);
    await teacher.connector.request({ type: 'resumeClass', token, classId: '2B' });
    await student.idle();
    const held = heldIssuedAt();
    expect(held).toBe(T0 + 2000);

    // The previous document after the current one, and the current one again (a reconnect): not a word.
    host.push(URL_2B, first);
    host.push(URL_2B, host.documents.get(URL_2B)!.body);
    await student.idle();
    expect(heldIssuedAt()).toBe(held);
    expect(follow()).toMatchObject({ rejections: 0, lastRejection: null });

    // Not a class document, and over 64 KB: refused, counted, nothing changes.
    host.push(URL_2B, 'hello');
    await student.idle();
    host.push(URL_2B, `${'a'.repeat(70_000)}.b.c`);
    await student.idle();
    expect(follow()).toMatchObject({ rejections: 2, lastRejection: { reason: 'oversized' } });
    expect(heldIssuedAt()).toBe(held);
  });

  it('reconnects by itself when the host drops the socket, and a restarted worker opens it again', async () => {
    await startStudent();
    jest.useRealTimers();
    host.openSockets(URL_2B)[0]!.drop(1001);
    await student.idle();
    expect((await live())?.state).toBe('waiting');
    // The first retry waits at most a second (full jitter).
    for (let tries = 0; host.openSockets(URL_2B).length === 0 && tries < 40; tries += 1) await new Promise((wait) => setTimeout(wait, 50));
    await student.idle();
    expect(host.openSockets(URL_2B)).toHaveLength(1);
    expect((await live())?.state).toBe('open');

    student = await restartBackground(student);
    started.push(student);
    await student.idle();
    expect(host.openSockets(URL_2B)).toHaveLength(1);
    expect(host.sockets).toHaveLength(3);
  });

  it('keeps to the poll when the host refuses the socket', async () => {
    host.refuseLive = true;
    await startStudent();
    expect(await live()).toMatchObject({ state: 'waiting', failures: 1, lastError: expect.stringMatching(/did not open a live connection/) });
    await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: draft });
    jest.setSystemTime(T0 + M);
    await student.fireAlarm('lesmodus-feed-poll');
    expect((await student.connector.request({ type: 'getStatus' })).active).toMatchObject({ origin: 'class', title: 'Breuken' });
  });

  it('sends ping every 20 s, and gives up a socket that left two unanswered, falling back to the poll', async () => {
    useClock(T0, ['setInterval', 'clearInterval']);
    await startStudent();
    const socket = host.openSockets(URL_2B)[0]!;
    const beat = async () => {
      await jest.advanceTimersByTimeAsync(20_000);
      await student.idle();
    };
    await beat();
    expect(socket.sent).toEqual(['ping']);
    host.answerPings = false;
    await beat();
    await beat();
    expect(socket.sent).toEqual(['ping', 'ping', 'ping']);
    expect(socket.open).toBe(true);
    await beat();
    expect(socket.open).toBe(false);
    expect(await live()).toMatchObject({ state: 'waiting', lastError: expect.stringMatching(/two heartbeats/) });
  });
});
