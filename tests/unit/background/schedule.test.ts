// Lessons that start later and a link for the class, through the real
// handlers of a teacher device and a student device over one in-memory feed
// host: what is published, what is refused (with its code), and what the
// student's browser does by itself — offline and after a restart too.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { restartBackground, startBackground, type TestBackground } from './support/background';
import { useClock } from './support/clock';
import { FeedHost } from './support/feed-host';
import type { Status } from '../../../src/core/protocol';

const M = 60_000;
const DAY = 24 * 60 * M;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const FEED = { urlTemplate: 'https://feed.school.test/{class}.jws', authorization: 'Bearer teacher-token' };
const TEACHER = { role: 'teacher', classes: ['2B'], classFeed: FEED, allowed: ['login.school.test'] };
const now = { title: 'Breuken', mode: 'allowlist' as const, sites: ['rekenen.nl'], embeds: [], minutes: 45 };
const later = { title: 'Topo', mode: 'allowlist' as const, sites: ['topo.nl'], embeds: [], minutes: 30, startsAt: T0 + 30 * M };

const started: TestBackground[] = [];
let host: FeedHost;
let teacher: TestBackground;
let student: TestBackground;
let token: string;

const published = (status: Status) => status.published?.find((entry) => entry.classId === '2B');

async function startStudent(): Promise<void> {
  const key = (await teacher.connector.request({ type: 'getStatus' })).feed!.signingKey!;
  student = await startBackground({
    policy: { role: 'student', classes: ['2B'], classFeed: { urlTemplate: FEED.urlTemplate, pollSeconds: 30 }, teacherKeys: [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }] },
    feedHost: host,
  });
  started.push(student);
}

const studentActive = async () => (await student.connector.request({ type: 'getStatus' })).active;
const opened = async (url: string) => (await student.browser.tabs.query({ url })).length;

beforeEach(async () => {
  useClock(T0);
  host = new FeedHost();
  teacher = await startBackground({ policy: TEACHER, pin: '1234', feedHost: host });
  started.push(teacher);
  token = (await teacher.connector.request({ type: 'unlock', pin: '1234' })).token;
});

afterEach(async () => {
  for (const background of started.splice(0)) await background.stop();
  jest.useRealTimers();
});

describe('a lesson that starts later', () => {
  it('waits beside the running lesson, and the student starts it at its start with no action, offline and after a restart', async () => {
    await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: now });
    const status = await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: later });
    // The running lesson stays; the new one waits.
    expect(published(status)?.lesson?.title).toBe('Breuken');
    expect(published(status)?.scheduled?.map((lesson) => [lesson.title, lesson.startsAt, lesson.endsAt])).toEqual([['Topo', T0 + 30 * M, T0 + 60 * M]]);
    expect(teacher.published('2B')).toMatchObject({ lesson: { title: 'Breuken' }, scheduled: [{ title: 'Topo' }] });

    await startStudent();
    expect(await studentActive()).toMatchObject({ origin: 'class', title: 'Breuken' });
    expect(student.dnr.evaluate('https://topo.nl/').allowed).toBe(false);
    // The flow's wake-up is set for the scheduled start.
    expect((await student.browser.alarms.get('lesmodus-next-change'))?.scheduledTime).toBe(T0 + 30 * M);

    // The feed goes away and the browser stops the worker; then the start comes.
    host.getAnswer = 'unreachable';
    student = await restartBackground(student);
    started.push(student);
    jest.setSystemTime(T0 + 30 * M);
    await student.fireAlarm('lesmodus-next-change');
    expect(await studentActive()).toMatchObject({ origin: 'class', title: 'Topo', startsAt: T0 + 30 * M, endsAt: T0 + 60 * M });
    expect(student.dnr.evaluate('https://topo.nl/').allowed).toBe(true);
    expect(student.dnr.evaluate('https://rekenen.nl/').allowed).toBe(false);

    // On the teacher's side the scheduled lesson is now the class's running lesson.
    expect(published(await teacher.connector.request({ type: 'getStatus' }))).toMatchObject({ lesson: { title: 'Topo' }, scheduled: [] });
  });

  it('is not enforced before its start, and opens its start page when it starts', async () => {
    await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: { ...later, startPage: 'https://topo.nl/kaart' } });
    await startStudent();
    expect(await studentActive()).toBeNull();
    expect(student.dnr.evaluate('https://wikipedia.org/').allowed).toBe(true);
    expect(await opened('https://topo.nl/kaart')).toBe(0);
    jest.setSystemTime(T0 + 30 * M);
    await student.fireAlarm('lesmodus-next-change');
    expect(await studentActive()).toMatchObject({ title: 'Topo' });
    expect(student.dnr.evaluate('https://wikipedia.org/').allowed).toBe(false);
    expect(await opened('https://topo.nl/kaart')).toBe(1);
  });

  it('is cancelled: the students never start it, and the running lesson keeps its own end', async () => {
    await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: now });
    const scheduled = await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: later });
    const id = published(scheduled)!.scheduled![0]!.id;
    const cancelled = await teacher.connector.request({ type: 'cancelScheduled', token, classId: '2B', lessonId: id });
    expect(published(cancelled)).toMatchObject({ lesson: { title: 'Breuken' }, scheduled: [] });
    expect(teacher.published('2B')?.scheduled).toBeUndefined();
    await expect(teacher.connector.request({ type: 'cancelScheduled', token, classId: '2B', lessonId: id })).rejects.toMatchObject({ code: 'not-scheduled' });

    await startStudent();
    jest.setSystemTime(T0 + 30 * M);
    await student.fireAlarm('lesmodus-next-change');
    expect(await studentActive()).toMatchObject({ title: 'Breuken', endsAt: T0 + 45 * M });
  });

  it.each([
    ['a start that has passed', T0 - M, 'start-past'],
    ['a start more than 7 days ahead', T0 + 7 * DAY + M, 'start-too-far'],
  ])('refuses %s, and publishes nothing', async (_what, startsAt, code) => {
    await expect(teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: { ...later, startsAt } })).rejects.toMatchObject({ code });
    expect(host.sent('PUT')).toEqual([]);
  });

  it('is for a class only: a lesson on this device alone starts now', async () => {
    await expect(teacher.connector.request({ type: 'startLesson', token, lesson: later })).rejects.toMatchObject({ code: 'invalid' });
  });
});

describe('a link for the class', () => {
  it('opens once on the student\'s browser, also not again after a restart', async () => {
    await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: now });
    await startStudent();
    jest.setSystemTime(T0 + 2 * M);
    const status = await teacher.connector.request({ type: 'sendLink', token, classId: '2B', url: 'https://rekenen.nl/som/3' });
    expect(published(status)?.link).toMatchObject({ url: 'https://rekenen.nl/som/3', sentAt: T0 + 2 * M });
    expect(teacher.published('2B')?.lesson?.title).toBe('Breuken');

    await student.fireAlarm('lesmodus-feed-poll');
    expect(await opened('https://rekenen.nl/som/3')).toBe(1);
    await student.fireAlarm('lesmodus-feed-poll');
    student = await restartBackground(student);
    started.push(student);
    await student.fireAlarm('lesmodus-feed-poll');
    expect(await opened('https://rekenen.nl/som/3')).toBe(1);
    expect(student.stored('feedLinks')).toEqual([`2B/${published(status)!.link!.id}`]);
  });

  it.each([
    ['a site the lesson blocks', 'https://games.example/', 'link-blocked'],
    ['an address that is not a web address', 'file:///etc/passwd', 'link-invalid'],
  ])('refuses %s, and publishes nothing', async (_what, url, code) => {
    await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: now });
    const puts = host.sent('PUT').length;
    await expect(teacher.connector.request({ type: 'sendLink', token, classId: '2B', url })).rejects.toMatchObject({ code });
    expect(host.sent('PUT').length).toBe(puts);
  });

  it('needs a running lesson, and IT\'s allowed sites count as allowed', async () => {
    await expect(teacher.connector.request({ type: 'sendLink', token, classId: '2B', url: 'https://rekenen.nl/' })).rejects.toMatchObject({ code: 'no-lesson' });
    await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: now });
    await expect(teacher.connector.request({ type: 'sendLink', token, classId: '2B', url: 'https://login.school.test/' })).resolves.toBeDefined();
  });
});
