// A student cannot hold the teacher PIN or replace the class's lesson, over
// the real background: on a device whose policy makes it a student's (role
// "student", the default) the PIN comes from IT's policy only, and the class
// lesson beats one set on the device; a deleted storage folder neither lets
// a PIN be chosen nor ends a wrong-PIN wait.
import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { pinHash, restartBackground, startBackground, type TestBackground } from './support/background';
import { useClock } from './support/clock';
import { FeedHost } from './support/feed-host';
import { signClassDocument } from '../../../src/core/feed/document';
import { newTeacherKey, type TeacherKey } from '../../../src/dev/teacher';
import type { Lesson } from '../../../src/core/schemas';
import type { RequestInput } from '../../../src/ui/shared/channel';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const STUDENT = { role: 'student', blocked: ['games.test'] };
const PIN = '482916';

let background: TestBackground;
const others: TestBackground[] = [];

/** The answer to `request`: its value, or the refusal's code. */
async function answer(subject: TestBackground, request: RequestInput): Promise<unknown> {
  return subject.connector.request(request).catch((error: { code?: string }) => ({ refused: error.code }));
}

beforeEach(() => useClock(T0));

afterEach(async () => {
  await background.stop();
  for (const other of others.splice(0)) await other.stop();
  jest.useRealTimers();
});

describe('the teacher PIN on a student device', () => {
  it('is never set on the device: setPin is refused with "student-device", and the popup is told', async () => {
    background = await startBackground({ policy: STUDENT, pin: null });
    expect(await answer(background, { type: 'setPin', newPin: '12345678' })).toEqual({ refused: 'student-device' });
    expect(background.stored('teacherPin')).toBeUndefined();
    const status = await background.connector.request({ type: 'getStatus' });
    expect(status.teacher).toMatchObject({ pinSet: false, pinFromPolicy: false, studentDevice: true });
  });

  it("comes from IT's policy only: a PIN stored on the device does not open it", async () => {
    background = await startBackground({ policy: STUDENT, pin: PIN, local: { teacherPin: await pinHash('11112222') } });
    expect(await answer(background, { type: 'unlock', pin: '11112222' })).toEqual({ refused: 'wrong-pin' });
    jest.setSystemTime(T0 + M);
    expect(await background.connector.request({ type: 'unlock', pin: PIN })).toMatchObject({ token: expect.any(String) });
  });

  it('without one in the policy, no PIN opens the panel, and the refusal says who sets it', async () => {
    background = await startBackground({ policy: STUDENT, pin: null, local: { teacherPin: await pinHash('11112222') } });
    expect(await answer(background, { type: 'unlock', pin: '11112222' })).toEqual({ refused: 'student-device' });
  });

  it("after the storage folder was deleted, waits for the browser to say what IT's policy is, and then refuses", async () => {
    const first = await startBackground({ policy: STUDENT, pin: null });
    others.push(first);
    let answerManaged = (): void => undefined;
    const managedGate = new Promise<void>((done) => (answerManaged = done));
    background = await restartBackground(first, { wipeLocal: true, managedGate });
    // No policy yet: the device cannot tell a student's laptop from anyone's.
    expect((await background.connector.request({ type: 'getStatus' })).policy.source).toBe('none');
    const setting = answer(background, { type: 'setPin', newPin: '12345678' });
    await background.idle();
    expect(background.stored('teacherPin')).toBeUndefined();
    answerManaged();
    expect(await setting).toEqual({ refused: 'student-device' });
    expect(background.stored('teacherPin')).toBeUndefined();
  });

  it('on a device without any IT policy, the first PIN is set once the browser has said there is none', async () => {
    background = await startBackground({ pin: null });
    const unlocked = await background.connector.request({ type: 'setPin', newPin: '12345678' });
    expect(unlocked.token).toEqual(expect.any(String));
    expect(await background.pinIs('12345678')).toBe(true);
  });

  it('on a teacher device without a PIN from IT, the teacher sets one', async () => {
    background = await startBackground({ policy: { role: 'teacher' }, pin: null });
    await background.connector.request({ type: 'setPin', newPin: '12345678' });
    expect(await background.pinIs('12345678')).toBe(true);
    expect((await background.connector.request({ type: 'getStatus' })).teacher).toMatchObject({ pinSet: true, studentDevice: false });
  });
});

describe('a PIN set on a device that is not a student\'s', () => {
  it.each([['1234'], ['48291'], ['leraar2']])('is refused as "weak-pin" when it is %j, and nothing is stored', async (pin) => {
    background = await startBackground({ policy: { role: 'teacher' }, pin: null });
    expect(await answer(background, { type: 'setPin', newPin: pin })).toEqual({ refused: 'weak-pin' });
    expect(background.stored('teacherPin')).toBeUndefined();
  });

  it('is refused as "weak-pin" when changed to a weak one, before the old PIN is checked (a weak try costs no guess)', async () => {
    background = await startBackground({ policy: { role: 'teacher' }, pin: '11112222' });
    const { token } = await background.connector.request({ type: 'unlock', pin: '11112222' });
    expect(await answer(background, { type: 'setPin', token, oldPin: 'wrong-one', newPin: '2468' })).toEqual({ refused: 'weak-pin' });
    expect(background.stored('pinAttempts')).toBeUndefined();
    expect(await background.pinIs('11112222')).toBe(true);
  });
});

describe('the wrong-PIN wait', () => {
  async function guessWrong(subject: TestBackground, times: number): Promise<void> {
    for (let guess = 0; guess < times; guess += 1) {
      expect(await answer(subject, { type: 'unlock', pin: `00000${guess}` })).toMatchObject({ refused: 'wrong-pin' });
      // The next guess once the wait of this one is over (a minute after the fourth; two after the fifth).
      jest.setSystemTime(Date.now() + M);
    }
  }

  it.each([
    ['storage.local (its folder deleted with the browser closed)', { wipeLocal: true }],
    ['the second copy (IndexedDB)', { wipeSecond: true }],
  ])('is kept when %s is gone: the stricter copy counts', async (_what, wipe) => {
    const first = await startBackground({ policy: STUDENT, pin: PIN });
    others.push(first);
    await guessWrong(first, 5);
    expect(first.stored('pinAttempts')).toMatchObject({ failures: 5 });
    expect(first.secondCopy('pinAttempts')).toMatchObject({ failures: 5 });
    if ('wipeSecond' in wipe) first.wipeSecondCopies();
    background = await restartBackground(first, 'wipeLocal' in wipe ? { wipeLocal: true } : {});
    const refused = (await background.connector.request({ type: 'unlock', pin: PIN }).catch((error: unknown) => error)) as { code: string; retryAt: number };
    expect(refused).toMatchObject({ code: 'rate-limited' });
    expect(refused.retryAt).toBeGreaterThan(Date.now());
  });
});

describe('the lesson in force on a student device', () => {
  const FEED = 'https://feed.school.test/{class}.jws';
  let key: TeacherKey;
  beforeAll(async () => {
    key = await newTeacherKey('jdv');
  });

  it('is the class lesson, whatever lesson was set on the device; the device lesson follows when the class lesson ends', async () => {
    const host = new FeedHost();
    const classLesson: Lesson = { id: 'c1', title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 5 * M, endsAt: T0 + 30 * M };
    const { jws } = await signClassDocument({ class: '2B', issuedAt: T0 - 5 * M, lesson: classLesson }, key.privateKey, key.kid);
    host.store('https://feed.school.test/2B.jws', jws);
    const onDevice: Lesson = { id: 'here', title: 'Vrij', mode: 'blocklist', sites: ['tiktok.com'], embeds: [], startsAt: T0 - M, endsAt: T0 + 60 * M };
    background = await startBackground({
      policy: { ...STUDENT, classes: ['2B'], classFeed: { urlTemplate: FEED, pollSeconds: 30 }, teacherKeys: [{ id: key.kid, name: 'J. de Vries', publicKey: key.publicKey }] },
      pin: PIN,
      local: { lesson: onDevice },
      feedHost: host,
    });
    expect((await background.connector.request({ type: 'getStatus' })).active).toMatchObject({ origin: 'class', id: 'c1' });
    expect(background.dnr.evaluate('https://wikipedia.org/').allowed).toBe(false);

    jest.setSystemTime(classLesson.endsAt);
    await background.fireAlarm('lesmodus-next-change');
    expect((await background.connector.request({ type: 'getStatus' })).active).toMatchObject({ origin: 'teacher', id: 'here' });
    expect(background.dnr.evaluate('https://wikipedia.org/').allowed).toBe(true);
  });
});
