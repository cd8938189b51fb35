/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The blocked page during a class pause ("eyes on me"): the teacher's message
// first, when it ends, and the page following the pause as it starts and ends.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { act, render, screen } from '@testing-library/preact';
import { resolve, type Pause } from '../../../../src/core/rules/resolve';
import type { Lesson } from '../../../../src/core/schemas';
import { BlockedView } from '../../../../src/ui/blocked/blocked-view';
import { formatTime, setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations, preparePage } from '../support/axe';
import { FakeBackground } from '../support/fake-background';
import { localeSource } from '../support/locale';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const lesson: Lesson = { id: 'l1', title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 10 * M, endsAt: T0 + 35 * M };
const pause: Pause = { message: 'Kijk allemaal even naar het bord', startsAt: T0 - M, until: T0 + 4 * M, classId: '2B' };

/** The fake background with class pauses, as the class feed brings them. */
class PausingBackground extends FakeBackground {
  pauses: Pause[] = [];
  override resolution() {
    return resolve({ policy: this.policy, teacherLesson: this.lesson, classLessons: [], pauses: this.pauses, exceptions: this.exceptions }, this.now);
  }
}

function setup(url: string, pauses: Pause[]) {
  const background = new PausingBackground({ now: T0, lesson });
  background.pauses = pauses;
  render(<BlockedView connector={background.connector} blockedUrl={url} inFrame={false} now={() => background.now} />);
  return background;
}

beforeEach(() => {
  setMessageSource(localeSource('en'));
  preparePage();
});

afterEach(() => {
  jest.useRealTimers();
  document.body.innerHTML = '';
});

describe('the blocked page during a class pause', () => {
  it('shows the teacher\'s message and when the pause ends, for a page the lesson allows (reason "paused")', async () => {
    setup('https://rekenen.nl/sommen', [pause]);
    expect(await screen.findByRole('heading', { level: 1, name: 'Eyes on your teacher' })).toBeTruthy();
    expect(screen.getByText('Kijk allemaal even naar het bord')).toBeTruthy();
    expect(screen.getByText(`Back to your work at ${formatTime(pause.until)}`)).toBeTruthy();
    // No lesson sites, no "ask your teacher", no letting through during a pause.
    expect(screen.queryByRole('link', { name: 'rekenen.nl' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Teacher: let this student through' })).toBeNull();
    expect(await axeViolations()).toEqual([]);
  });

  it('says so in Dutch too', async () => {
    setMessageSource(localeSource('nl'));
    setup('https://rekenen.nl/sommen', [pause]);
    expect(await screen.findByRole('heading', { level: 1, name: 'Even opletten' })).toBeTruthy();
    expect(screen.getByText(`Om ${formatTime(pause.until)} ga je weer verder`)).toBeTruthy();
  });

  it('a tab already blocked by the lesson shows the pause when it starts, and the lesson again when it ends', async () => {
    jest.useFakeTimers({ now: T0, doNotFake: ['queueMicrotask', 'nextTick'] });
    const background = setup('http://games.test/play', []);
    expect(await screen.findByRole('heading', { level: 1, name: 'This site is not part of the lesson' })).toBeTruthy();

    background.pauses = [pause];
    await act(async () => {
      await jest.advanceTimersByTimeAsync(5000);
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Eyes on your teacher' })).toBeTruthy();
    expect(screen.getByText('Kijk allemaal even naar het bord')).toBeTruthy();

    background.now = pause.until + 1;
    await act(async () => {
      await jest.advanceTimersByTimeAsync(5000);
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'This site is not part of the lesson' })).toBeTruthy();
    expect(screen.queryByText('Kijk allemaal even naar het bord')).toBeNull();
  });
});
