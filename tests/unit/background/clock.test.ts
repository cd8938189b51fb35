// Time only moves forward, over the real background: a device clock set
// back neither ends a lesson nor a PIN wait, a clock set forward while the
// class feed's host can be asked does not end the class's lesson, a deleted
// storage folder does not take the latest time seen with it, and the status
// page says what happened to the clock.
import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { restartBackground, startBackground, type TestBackground } from './support/background';
import { useClock } from './support/clock';
import { FeedHost } from './support/feed-host';
import { signClassDocument } from '../../../src/core/feed/document';
import { newTeacherKey, type TeacherKey } from '../../../src/dev/teacher';
import type { Lesson } from '../../../src/core/schemas';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
/** Monday 2 March 2026, 10:14 in Amsterdam. */
const T0 = Date.UTC(2026, 2, 2, 9, 14);
const BLOCKED_PAGE = 'chrome-extension://test-extension-id/blocked.html';
const PIN = '482916';
const lesson: Lesson = { id: 'l1', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 5 * M, endsAt: T0 + 30 * M };

let background: TestBackground;
const others: TestBackground[] = [];

const blocked = (url: string) => background.dnr.evaluate(url).redirectUrl?.startsWith(BLOCKED_PAGE) ?? false;
const status = () => background.connector.request({ type: 'getStatus' });

beforeEach(() => useClock(T0));

afterEach(async () => {
  await background.stop();
  for (const other of others.splice(0)) await other.stop();
  jest.useRealTimers();
});

describe('a device clock set back an hour', () => {
  it('keeps the running lesson, ends it at its own end in real time, and the status page says so', async () => {
    background = await startBackground({ policy: { role: 'teacher', timeZone: 'Europe/Amsterdam' }, local: { lesson } });
    await background.setDeviceClock(T0 - H + 2 * S);
    await background.fireAlarm('lesmodus-feed-poll');
    expect((await status()).active).toMatchObject({ id: 'l1' });
    expect(blocked('https://wikipedia.org/')).toBe(true);
    expect((await status()).notes).toContain('clock: the device clock was set back by 1 h at 10:14; Lesmodus keeps time from its latest reading');

    // Real time goes on (the device clock with it, still an hour behind): the lesson ends at its end.
    jest.setSystemTime(lesson.endsAt - H + 2 * S);
    await background.fireAlarm('lesmodus-next-change');
    expect((await status()).active).toBeNull();
    expect(blocked('https://wikipedia.org/')).toBe(false);
  });

  it('keeps it after a restart of the worker, and after the folder of storage.local was deleted', async () => {
    const first = await startBackground({ policy: { role: 'teacher' }, local: { lesson } });
    others.push(first);
    // The latest time seen is written at most once a minute: a minute passes before the clock is set back.
    jest.setSystemTime(T0 + M);
    await first.connector.request({ type: 'getStatus' });
    expect(first.secondCopy('clock')).toMatchObject({ latest: T0 + M });
    await first.setDeviceClock(T0 + M - H);
    const second = await restartBackground(first);
    others.push(second);
    expect((await second.connector.request({ type: 'getStatus' })).active).toMatchObject({ id: 'l1' });

    // The lesson comes back from the background's own record of it (teacher/guard.ts), the time from the clock's second copy.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    background = await restartBackground(second, { wipeLocal: true });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/"lesson" was changed outside Lesmodus/));
    warn.mockRestore();
    const now = (await status()).now;
    expect(now).toBeGreaterThanOrEqual(T0 + M);
    expect((await status()).active).toMatchObject({ id: 'l1' });
  });

  it('does not end a wrong-PIN wait', async () => {
    background = await startBackground({ policy: { role: 'student' }, pin: PIN });
    for (const guess of ['000000', '111111', '222222', '333333', '444444']) {
      await background.connector.request({ type: 'unlock', pin: guess }).catch(() => undefined);
      jest.setSystemTime(Date.now() + M);
    }
    // The fifth wrong PIN waits two minutes; one has passed.
    await background.setDeviceClock(Date.now() - 2 * H);
    await expect(background.connector.request({ type: 'unlock', pin: PIN })).rejects.toMatchObject({ code: 'rate-limited' });
  });
});

describe('a device clock set forward an hour while Lesmodus runs', () => {
  it('without a class feed: taken as it is (it cannot be told from waking from sleep), and the lesson ends', async () => {
    background = await startBackground({ policy: { role: 'teacher' }, local: { lesson } });
    await background.setDeviceClock(T0 + H);
    await background.fireAlarm('lesmodus-next-change');
    expect((await status()).active).toBeNull();
  });

  describe('on a student device following its class', () => {
    let key: TeacherKey;
    beforeAll(async () => {
      key = await newTeacherKey('jdv');
    });

    async function student(host: FeedHost): Promise<void> {
      const classLesson: Lesson = { ...lesson, id: 'c1', title: 'Rekenen 2B' };
      const { jws } = await signClassDocument({ class: '2B', issuedAt: T0 - 5 * M, lesson: classLesson }, key.privateKey, key.kid);
      host.store('https://feed.school.test/2B.jws', jws);
      background = await startBackground({
        policy: { role: 'student', classes: ['2B'], classFeed: { urlTemplate: 'https://feed.school.test/{class}.jws', pollSeconds: 30 }, teacherKeys: [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }] },
        pin: PIN,
        feedHost: host,
      });
      expect((await status()).active).toMatchObject({ origin: 'class', id: 'c1' });
    }

    it("keeps the class's lesson when the feed host's clock says otherwise, and says so", async () => {
      const host = new FeedHost();
      // The host's clock is real time; the device's is set ahead.
      let real = T0;
      host.clock = () => real;
      await student(host);
      const polls = host.sent('GET').length;
      real += 20 * S;
      await background.setDeviceClock(real + H);
      // The next reading (an alarm) holds the time and asks the host at once.
      await background.fireAlarm('lesmodus-policy-check');
      expect(host.sent('GET').length).toBeGreaterThan(polls);
      expect((await status()).active).toMatchObject({ id: 'c1' });
      expect(blocked('https://wikipedia.org/')).toBe(true);
      expect((await status()).notes).toContain("clock: the device clock was 1 h ahead of the class feed host's at 10:14; Lesmodus keeps the feed host's time");
    });

    it('takes the jump when the feed host confirms it (a laptop that slept through the lesson)', async () => {
      const host = new FeedHost();
      let real = T0;
      host.clock = () => real;
      await student(host);
      real += H;
      // Asleep: the wall clock moved on, the monotonic clock did not.
      await background.setDeviceClock(real);
      await background.fireAlarm('lesmodus-policy-check');
      expect((await status()).active).toBeNull();
      expect((await status()).notes.filter((note) => note.startsWith('clock:'))).toEqual([]);
    });

    it("puts a device right whose clock was set back after its storage was wiped, from the host's clock", async () => {
      const host = new FeedHost();
      host.clock = () => T0;
      const first = await startBackground({ pin: null, feedHost: host });
      others.push(first);
      first.wipeSecondCopies();
      await first.setDeviceClock(T0 - H);
      background = await restartBackground(first, { wipeLocal: true });
      await background.pushPolicy({
        role: 'student',
        classes: ['2B'],
        classFeed: { urlTemplate: 'https://feed.school.test/{class}.jws', pollSeconds: 30 },
        teacherKeys: [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }],
      });
      const { jws } = await signClassDocument({ class: '2B', issuedAt: T0 - M, lesson: { ...lesson, id: 'c2' } }, key.privateKey, key.kid);
      host.store('https://feed.school.test/2B.jws', jws);
      await background.fireAlarm('lesmodus-feed-poll');
      const now = await status();
      expect(now.now).toBeGreaterThanOrEqual(T0);
      expect(now.active).toMatchObject({ id: 'c2' });
      expect(now.notes).toContain("clock: the device clock was 1 h behind the class feed host's at 09:14; Lesmodus keeps the feed host's time");
    });
  });
});
