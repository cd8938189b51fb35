// Class publishing on a teacher device, through the real handlers: a signed
// document PUT to the class's address, its delivery state, the retry after
// a failure, and a student's browser that follows the same feed.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { startBackground, type TestBackground } from './support/background';
import { useClock } from './support/clock';
import { FeedHost } from './support/feed-host';
import { verifyClassDocument } from '../../../src/core/feed/document';
import type { Status } from '../../../src/core/protocol';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const FEED = { urlTemplate: 'https://feed.school.test/{class}.jws', authorization: 'Bearer teacher-token' };
const TEACHER = { role: 'teacher', classes: ['2B', '3A'], classFeed: FEED };
const URL_2B = 'https://feed.school.test/2B.jws';
const draft = { title: 'Breuken', mode: 'allowlist' as const, sites: ['rekenen.nl'], embeds: [], minutes: 45, startPage: 'https://rekenen.nl/les-1' };

const started: TestBackground[] = [];
let teacher: TestBackground;
let token: string;

async function startTeacher(host = new FeedHost()): Promise<void> {
  teacher = await startBackground({ policy: TEACHER, pin: '1234', feedHost: host });
  started.push(teacher);
  token = (await teacher.connector.request({ type: 'unlock', pin: '1234' })).token;
}

const delivery = (status: Status, classId = '2B') => status.feed?.classes.find((entry) => entry.classId === classId)?.delivery ?? null;

beforeEach(() => useClock(T0));

afterEach(async () => {
  for (const background of started.splice(0)) await background.stop();
  jest.useRealTimers();
});

describe('a teacher device publishing to its class', () => {
  it('signs the lesson with its own key and PUTs it to the class, with IT\'s credentials', async () => {
    await startTeacher();
    const status = await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: draft });
    const [put] = teacher.feedHost.sent('PUT');
    expect(put).toMatchObject({ url: URL_2B, headers: { authorization: 'Bearer teacher-token', 'content-type': 'application/jose' } });
    // Anyone holding the public key the status page shows (IT lists it for the students) can verify it.
    const key = status.feed?.signingKey;
    expect(key).toMatchObject({ source: 'device' });
    const verified = await verifyClassDocument(put!.body!, { trustedKeys: [{ id: key!.kid, name: 'J. de Vries', publicKey: key!.publicKey }], classId: '2B', lastIssuedAt: null, now: T0 });
    expect(verified).toMatchObject({ ok: true, document: { class: '2B', issuedAt: T0, lesson: { title: 'Breuken', startPage: 'https://rekenen.nl/les-1', endsAt: T0 + 45 * M } } });
    expect(delivery(status)).toMatchObject({ state: 'delivered', attempts: 1, deliveredAt: T0 });
    expect(status.published?.find((entry) => entry.classId === '2B')?.lesson?.title).toBe('Breuken');
    // Not on the teacher's own browser unless asked.
    expect(status.active).toBeNull();
    expect(teacher.lesson).toBeNull();
  });

  it('refuses a class the policy does not list, and publishes nothing', async () => {
    await startTeacher();
    await expect(teacher.connector.request({ type: 'startLesson', token, classId: '4C', lesson: draft })).rejects.toMatchObject({ code: 'not-found' });
    expect(teacher.feedHost.requests).toEqual([]);
  });

  it('refuses on a device that is not a teacher device', async () => {
    const student = await startBackground({ policy: { role: 'student', classFeed: { urlTemplate: FEED.urlTemplate } }, pin: '1234' });
    started.push(student);
    const unlock = await student.connector.request({ type: 'unlock', pin: '1234' });
    await expect(student.connector.request({ type: 'pauseClass', token: unlock.token, classId: '2B', message: 'Kijk even', minutes: 5 })).rejects.toMatchObject({ code: 'forbidden' });
    expect(student.feedHost.sent('PUT')).toEqual([]);
  });

  it('retries a delivery that failed, with growing waits, until the feed has it', async () => {
    const host = new FeedHost();
    host.putAnswer = 503;
    await startTeacher(host);
    const status = await teacher.connector.request({ type: 'pauseClass', token, classId: '2B', message: 'Kijk even naar het bord', minutes: 5 });
    expect(delivery(status)).toMatchObject({ state: 'pending', attempts: 1, lastProblem: { code: 'http', status: 503 }, nextAttemptAt: T0 + 5_000 });
    expect((await teacher.browser.alarms.get('lesmodus-feed-retry'))?.scheduledTime).toBe(T0 + 5_000);

    host.putAnswer = 'unreachable';
    await teacher.retryDeliveries();
    let now = await teacher.connector.request({ type: 'getStatus' });
    expect(delivery(now)).toMatchObject({ state: 'pending', attempts: 2, lastError: 'the class feed could not be reached: Failed to fetch', nextAttemptAt: T0 + 15_000 });

    host.putAnswer = 201;
    await teacher.retryDeliveries();
    now = await teacher.connector.request({ type: 'getStatus' });
    expect(delivery(now)).toMatchObject({ state: 'delivered', attempts: 3, deliveredAt: T0 + 15_000 });
    expect(host.sent('PUT')).toHaveLength(3);
    expect(await teacher.browser.alarms.get('lesmodus-feed-retry')).toBeUndefined();
  });

  it('gives up on a document the feed refuses for good, and says so', async () => {
    const host = new FeedHost();
    host.putAnswer = 413;
    await startTeacher(host);
    const status = await teacher.connector.request({ type: 'pauseClass', token, classId: '2B', message: 'Kijk even', minutes: 5 });
    expect(delivery(status)).toMatchObject({ state: 'failed', lastProblem: { code: 'refused', status: 413 } });
    expect(await teacher.browser.alarms.get('lesmodus-feed-retry')).toBeUndefined();
  });

  it('extends, changes and ends the published lesson, each a newer document', async () => {
    await startTeacher();
    await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: draft });
    await teacher.connector.request({ type: 'extendLesson', token, classId: '2B', minutes: 15 });
    await teacher.connector.request({ type: 'updateLesson', token, classId: '2B', sites: ['rekenen.nl', 'wikipedia.org'] });
    const ended = await teacher.connector.request({ type: 'endLesson', token, classId: '2B' });
    expect(teacher.feedHost.sent('PUT').map((put) => put.url)).toEqual([URL_2B, URL_2B, URL_2B, URL_2B]);
    expect(teacher.outbox['2B']?.document).toMatchObject({ issuedAt: T0 + 3, lesson: null });
    expect(ended.published?.find((entry) => entry.classId === '2B')?.lesson).toBeNull();
  });

  it('applies the lesson on this browser too when asked, and ends it here with the class', async () => {
    await startTeacher();
    const status = await teacher.connector.request({ type: 'startLesson', token, classId: '2B', applyHere: true, lesson: draft });
    expect(status.active).toMatchObject({ origin: 'teacher', title: 'Breuken' });
    await teacher.connector.request({ type: 'endLesson', token, classId: '2B' });
    expect(teacher.lesson).toBeNull();
  });
});

describe('a student following the class', () => {
  it('takes the lesson the teacher published, opens its start page once, and follows its end', async () => {
    const host = new FeedHost();
    await startTeacher(host);
    const key = (await teacher.connector.request({ type: 'getStatus' })).feed!.signingKey!;
    const student = await startBackground({
      policy: { role: 'student', classes: ['2B'], classFeed: { urlTemplate: FEED.urlTemplate, pollSeconds: 30 }, teacherKeys: [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }] },
      feedHost: host,
    });
    started.push(student);
    expect((await student.browser.alarms.get('lesmodus-feed-poll'))?.periodInMinutes).toBe(0.5);

    await teacher.connector.request({ type: 'startLesson', token, classId: '2B', lesson: draft });
    await student.fireAlarm('lesmodus-feed-poll');
    const status = await student.connector.request({ type: 'getStatus' });
    expect(status.active).toMatchObject({ origin: 'class', classId: '2B', title: 'Breuken' });
    expect(student.dnr.evaluate('https://wikipedia.org/').redirectUrl).toMatch(/^chrome-extension:\/\/test-extension-id\/blocked\.html#/);
    expect((await student.browser.tabs.query({ url: 'https://rekenen.nl/les-1' })).length).toBe(1);

    // A poll that finds nothing new opens nothing again.
    await student.fireAlarm('lesmodus-feed-poll');
    expect((await student.browser.tabs.query({ url: 'https://rekenen.nl/les-1' })).length).toBe(1);

    jest.setSystemTime(T0 + M);
    await teacher.connector.request({ type: 'endLesson', token, classId: '2B' });
    await student.fireAlarm('lesmodus-feed-poll');
    expect((await student.connector.request({ type: 'getStatus' })).active).toBeNull();
    expect(student.dnr.evaluate('https://wikipedia.org/').allowed).toBe(true);
  });
});
