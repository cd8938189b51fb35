/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The blocked page during a class pause ("eyes on me"): the teacher's message
// first, when it ends, and the page following the pause as it starts and ends.
// Over the real background of a student device of class 2B, whose class feed
// brought the pause.
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { act, render, screen } from '@testing-library/preact';
import { FEED_TEMPLATE, startExtension, type TestBackground } from '../support/extension';
import { newTeacherKey, type TeacherKey } from '../../../../src/dev/teacher';
import type { Pause } from '../../../../src/core/rules/resolve';
import type { Lesson } from '../../../../src/core/schemas';
import { BlockedView } from '../../../../src/ui/blocked/blocked-view';
import { formatTime, setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations } from '../support/axe';
import { eachPageTest } from '../support/lifecycle';
import { localeSource } from '../support/locale';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const lesson: Lesson = { id: 'l1', title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 10 * M, endsAt: T0 + 35 * M };
const pause: Pause = { message: 'Kijk allemaal even naar het bord', startsAt: T0 - M, until: T0 + 4 * M, classId: '2B' };

let teacherKey: TeacherKey;
let background: TestBackground | null = null;

beforeAll(async () => {
  teacherKey = await newTeacherKey('jdv');
});

/** What a student device stores once it has accepted the teacher's document for 2B: here one with `pauses` (at most one). */
function classFeed(pauses: Pause[]) {
  const [pause] = pauses;
  const document = { v: 1, class: '2B', issuedAt: T0 - 2 * M, kid: 'jdv', lesson: null, ...(pause ? { pause: { message: pause.message, startsAt: pause.startsAt, until: pause.until } } : {}) };
  return { '2B': { jws: 'accepted.earlier.jws', document, acceptedAt: T0 - 2 * M, signer: { kid: 'jdv', name: 'J. de Vries', x: teacherKey.publicKey.x, y: teacherKey.publicKey.y } } };
}

async function setup(url: string, pauses: Pause[], itBlocked: string[] = []) {
  background = await startExtension({
    pin: null,
    lesson,
    policy: { blocked: itBlocked, classes: ['2B'], classFeed: { urlTemplate: FEED_TEMPLATE, pollSeconds: 30 }, teacherKeys: [{ id: 'jdv', name: 'J. de Vries', publicKey: teacherKey.publicKey }] },
    local: { classFeed: classFeed(pauses) },
  });
  render(<BlockedView connector={background.connector} blockedUrl={url} inFrame={false} now={() => Date.now()} />);
  return background;
}

eachPageTest(T0, async () => {
  await background?.stop();
  background = null;
});

describe('the blocked page during a class pause', () => {
  it('shows the teacher\'s message and when the pause ends, for a page the lesson allows (reason "paused")', async () => {
    await setup('https://rekenen.nl/sommen', [pause]);
    expect(await screen.findByRole('heading', { level: 1, name: 'Eyes on your teacher' })).toBeTruthy();
    expect(screen.getByText('Kijk allemaal even naar het bord')).toBeTruthy();
    expect(screen.getByText(`Back to your work at ${formatTime(pause.until)}`)).toBeTruthy();
    // No lesson sites, no "ask your teacher", no letting through during a pause.
    expect(screen.queryByRole('link', { name: 'rekenen.nl' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Teacher: let this student through' })).toBeNull();
    expect(await axeViolations()).toEqual([]);
  });

  it('is titled by the pause, also on a site IT blocked: the tab says what the page says', async () => {
    await setup('http://games.test/play', [pause], ['games.test']);
    expect(await screen.findByRole('heading', { level: 1, name: 'Eyes on your teacher' })).toBeTruthy();
    expect(document.title).toBe('Eyes on your teacher');
    expect(screen.getByText('Kijk allemaal even naar het bord')).toBeTruthy();
    expect(screen.queryByText(/Your school/)).toBeNull();
  });

  it('says so in Dutch too', async () => {
    setMessageSource(localeSource('nl'));
    await setup('https://rekenen.nl/sommen', [pause]);
    expect(await screen.findByRole('heading', { level: 1, name: 'Even opletten' })).toBeTruthy();
    expect(document.title).toBe('Even opletten');
    expect(screen.getByText(`Om ${formatTime(pause.until)} ga je weer verder`)).toBeTruthy();
  });

  it('a tab already blocked by the lesson shows the pause when it starts, and the lesson again when it ends', async () => {
    jest.useFakeTimers({ now: T0, doNotFake: ['queueMicrotask', 'nextTick'] });
    const background = await setup('http://games.test/play', []);
    expect(await screen.findByRole('heading', { level: 1, name: 'This site is not part of the lesson' })).toBeTruthy();

    await background.setLocal({ classFeed: classFeed([pause]) });
    await act(async () => {
      await jest.advanceTimersByTimeAsync(5000);
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Eyes on your teacher' })).toBeTruthy();
    expect(screen.getByText('Kijk allemaal even naar het bord')).toBeTruthy();

    jest.setSystemTime(pause.until + 1);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(5000);
    });
    // By the page's next refresh at the latest (fake time: the wait costs nothing).
    expect(await screen.findByRole('heading', { level: 1, name: 'This site is not part of the lesson' }, { timeout: 15_000 })).toBeTruthy();
    expect(screen.queryByText('Kijk allemaal even naar het bord')).toBeNull();
  });
});
