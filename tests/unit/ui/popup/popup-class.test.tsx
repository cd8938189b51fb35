/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The popup on a teacher device with a class feed: the class picker, lessons
// published to the chosen class (start page, "also on this browser"), the
// delivery state as it changes, extend/change/end, and pause/resume. Driven
// through the same connector as the real popup, over the real background,
// which signs and PUTs to a class feed in memory.
import { describe, expect, it, jest } from '@jest/globals';
import { act, render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
// Before core's class-feed code, which loads jose (it sets up WebCrypto and TextEncoder for jsdom).
import { startExtension, type ExtensionOptions, type TestBackground } from '../support/extension';
import { useClock } from '../../background/support/clock';
import type { Preset } from '../../../../src/core/schemas';
import { Popup } from '../../../../src/ui/popup/popup';
import type { PopupServices } from '../../../../src/ui/popup/services';
import { formatTime, setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations, preparePage } from '../support/axe';
import { eachPageTest } from '../support/lifecycle';
import { localeSource } from '../support/locale';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const itPreset: Preset = { id: 'taal', title: 'Taal', mode: 'allowlist', sites: ['taal.nl'], embeds: [], minutes: 50 };
const UNREACHABLE = 'the class feed could not be reached: Failed to fetch';
/** What the popup says for it: worded from _locales, without the network's (English) detail, which the diagnostics keep. */
const UNREACHABLE_TEXT = "the school's server could not be reached";
/** The popup's own timers: its clock and its refresh. */
const PAGE_TIMERS = ['setInterval', 'clearInterval'] as const;

let background: TestBackground | null = null;

eachPageTest(T0, async () => {
  await background?.stop();
  background = null;
});

/** The popup's own timers (its clock, its refresh while a delivery is pending) run on, and the time with them. */
async function later(ms: number) {
  await act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });
}

/** Waits until the background has answered what the popup asked, and the popup shows it. */
async function answered() {
  await act(async () => {
    await background!.settled();
  });
}

/** storage.session as the popup's entry uses it: here one variable, kept across popups of a test. */
function sessionChoice(initial: string | null = null) {
  let stored = initial;
  const saved: string[] = [];
  return {
    saved,
    classChoice: {
      load: async () => stored,
      save: async (classId: string) => {
        stored = classId;
        saved.push(classId);
      },
    },
  };
}

/** A teacher device of classes 2B and 3A with a class feed, unless `options` say otherwise. */
async function setup(options: ExtensionOptions = {}, choice = sessionChoice()) {
  background = await startExtension({ ...(options.policy?.role === undefined ? { teacherClasses: ['2B', '3A'] } : {}), ...options });
  const services: PopupServices = { connector: background.connector, currentTabUrl: async () => null, now: () => Date.now(), classChoice: choice.classChoice };
  const user = userEvent.setup();
  const view = render(<Popup services={services} />);
  // The popup opens as its skeleton; the tests start once the background has answered.
  await waitFor(() => expect(document.querySelector('.skeleton')).toBeNull());
  return { background, user, choice, view, services };
}

async function unlock(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('button', { name: 'Teacher' }));
  await user.type(screen.getByLabelText('Teacher PIN'), '1234');
  await user.click(screen.getByRole('button', { name: 'Open' }));
  await screen.findByRole('heading', { level: 1, name: /^(2B|3A): / });
  await answered();
}

const classRadio = (name: string) => within(screen.getByRole('group', { name: 'Class' })).getByRole('radio', { name });
const delivery = () => document.querySelector('.class-panel .delivery')?.textContent ?? '';

/** New lesson… for the chosen class: a name, one site, 45 minutes. */
async function writeLesson(user: ReturnType<typeof userEvent.setup>, title = 'Breuken', site = 'rekenen.nl') {
  await user.click(screen.getByRole('button', { name: 'New lesson…' }));
  await user.type(screen.getByLabelText('Lesson name'), title);
  await user.type(screen.getByLabelText('Add a site'), `${site}{Enter}`);
}

describe('the class picker', () => {
  it('lists the classes of the policy, starts on the first, and remembers a pick for the session', async () => {
    const { user, choice, view, services } = await setup();
    await unlock(user);
    expect(screen.getByRole('heading', { level: 1, name: '2B: no lesson' })).toBeTruthy();
    expect((classRadio('2B') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByRole('heading', { name: 'Start a lesson for 2B' })).toBeTruthy();

    await user.click(classRadio('3A'));
    expect(screen.getByRole('heading', { level: 1, name: '3A: no lesson' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Start a lesson for 3A' })).toBeTruthy();
    expect(choice.saved).toEqual(['3A']);

    // The popup closes and opens again: the class is still 3A.
    view.unmount();
    render(<Popup services={services} />);
    await unlock(user);
    expect((classRadio('3A') as HTMLInputElement).checked).toBe(true);
  });

  it("heads the panel with what the picked class is doing, not with this browser's open browsing", async () => {
    const { user } = await setup();
    await unlock(user);
    expect(screen.getAllByRole('heading', { level: 1 }).map((heading) => heading.textContent)).toEqual(['2B: no lesson']);
    expect(screen.queryByText('No lesson: browsing is open')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Pause class 2B' }));
    await screen.findByRole('button', { name: 'Resume' });
    expect(screen.getAllByRole('heading', { level: 1 }).map((heading) => heading.textContent)).toEqual(['2B: paused']);
    // The other class is not paused.
    await user.click(classRadio('3A'));
    expect(screen.getAllByRole('heading', { level: 1 }).map((heading) => heading.textContent)).toEqual(['3A: no lesson']);
  });

  it('puts starting a lesson first and pausing the class second; Resume leads while the class is paused', async () => {
    const { user } = await setup({ policy: { presets: [itPreset] } });
    await unlock(user);
    const buttons = () => screen.getAllByRole('button').map((button) => button.textContent);
    const order = buttons();
    expect(order.indexOf('New lesson…')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('New lesson…')).toBeLessThan(order.indexOf('Pause class 2B'));
    expect(order.indexOf('Start')).toBeLessThan(order.indexOf('Pause class 2B'));
    // One main action: the new lesson is the primary button, the pause is not.
    expect(screen.getByRole('button', { name: 'New lesson…' }).classList.contains('primary')).toBe(true);
    expect(screen.getByRole('button', { name: 'Pause class 2B' }).classList.contains('primary')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Pause class 2B' }));
    await screen.findByRole('button', { name: 'Resume' });
    const paused = buttons();
    expect(paused.indexOf('Resume')).toBeLessThan(paused.indexOf('New lesson…'));
  });

  it('forgets a remembered class that the policy no longer lists', async () => {
    const { user } = await setup({}, sessionChoice('4C'));
    await unlock(user);
    expect((classRadio('2B') as HTMLInputElement).checked).toBe(true);
  });

  it.each([
    ['a teacher device without a class feed', { role: 'teacher' as const }],
    [
      'a student device',
      {
        role: 'student' as const,
        classes: ['2B'],
        classFeed: { urlTemplate: 'https://feed.school.test/{class}.jws', pollSeconds: 30 },
        teacherKeys: [{ id: 'jdv', name: 'J. de Vries', publicKey: { kty: 'EC', crv: 'P-256', x: 'vj6hKToI5vYLDnY4sxpOxCjGrG2ZoVFvj-vBV9VxiKE', y: 'DhPBObjplL6Qqha1QaWkf7A6pbJX7ewnBJrhiprYz6I' } }],
      },
    ],
  ])('is not there on %s', async (_name, policy) => {
    const { user } = await setup({ policy });
    await user.click(await screen.findByRole('button', { name: 'Teacher' }));
    await user.type(screen.getByLabelText('Teacher PIN'), '1234');
    await user.click(screen.getByRole('button', { name: 'Open' }));
    await screen.findByRole('heading', { name: 'Start a lesson' });
    expect(screen.queryByRole('group', { name: 'Class' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Pause class/ })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'New lesson…' }));
    expect(screen.queryByLabelText('Start page (optional)')).toBeNull();
    expect(screen.queryByRole('checkbox', { name: 'Also apply on this browser' })).toBeNull();
  });

  it('is keyboard operable: arrow keys pick the class', async () => {
    const { user } = await setup();
    await unlock(user);
    classRadio('2B').focus();
    await user.keyboard('{ArrowRight}');
    expect((classRadio('3A') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByRole('heading', { level: 1, name: '3A: no lesson' })).toBeTruthy();
  });
});

describe('publishing a lesson to the class', () => {
  it('starts a custom lesson with a start page for 2B, not on this browser, and shows it delivered', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await writeLesson(user);
    expect(screen.getByRole('heading', { name: 'New lesson for class 2B' })).toBeTruthy();
    const applyHere = screen.getByRole('checkbox', { name: 'Also apply on this browser' }) as HTMLInputElement;
    expect(applyHere.checked).toBe(false);
    await user.type(screen.getByLabelText('Start page (optional)'), 'https://rekenen.nl/breuken/les-1');
    expect(await axeViolations()).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));

    expect(await screen.findByText('Lesson started for 2B: Breuken')).toBeTruthy();
    expect(background.sent('startLesson')[0]).toMatchObject({
      classId: '2B',
      applyHere: false,
      lesson: { title: 'Breuken', sites: ['rekenen.nl'], minutes: 45, startPage: 'https://rekenen.nl/breuken/les-1' },
    });
    expect(background.published('2B')?.lesson).toMatchObject({ title: 'Breuken', startPage: 'https://rekenen.nl/breuken/les-1', endsAt: T0 + 45 * M });
    // Not on this browser; the headline is the class's, not this browser's open browsing.
    expect(background.lesson).toBeNull();
    expect(screen.getByRole('heading', { level: 1, name: '2B: Breuken' })).toBeTruthy();
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    expect(screen.queryByText('No lesson: browsing is open')).toBeNull();
    expect(screen.getByText(`until ${formatTime(T0 + 45 * M)}`, { exact: false })).toBeTruthy();
    expect(delivery()).toBe(`Sent to 2B at ${formatTime(T0)}`);
    expect(screen.queryByText('Also in force on this browser.')).toBeNull();
    // Another lesson would replace it.
    expect(screen.getByRole('heading', { name: 'Start another lesson for 2B' })).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
  });

  it('adds https:// to a start page typed without it, and refuses one that is not a web address', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await writeLesson(user);
    await user.type(screen.getByLabelText('Start page (optional)'), 'ftp://files.school.test/x');
    expect(screen.getByLabelText('Start page (optional)').getAttribute('aria-invalid')).toBe('true');
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    expect(screen.getByRole('alert').textContent).toBe('Write the start page as a web address, such as https://example.com/task.');
    expect(background.sent('startLesson')).toEqual([]);

    await user.clear(screen.getByLabelText('Start page (optional)'));
    await user.type(screen.getByLabelText('Start page (optional)'), 'rekenen.nl/start');
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    await screen.findByText('Lesson started for 2B: Breuken');
    expect(background.sent('startLesson')[0]?.lesson.startPage).toBe('https://rekenen.nl/start');
  });

  it('starts a preset for the chosen class, also on this browser when the teacher ticks it', async () => {
    const { background, user } = await setup({ policy: { presets: [itPreset] } });
    await unlock(user);
    await user.click(classRadio('3A'));
    await user.click(screen.getByRole('checkbox', { name: 'Also apply on this browser' }));
    await user.click(within((await screen.findByText('Taal')).closest('li')!).getByRole('button', { name: 'Start' }));
    expect(await screen.findByText('Lesson started for 3A: Taal')).toBeTruthy();
    expect(background.sent('startLesson')[0]).toMatchObject({ classId: '3A', applyHere: true });
    expect(background.published('3A')?.lesson?.id).toBe(background.lesson?.id);
    expect(screen.getByRole('heading', { level: 1, name: '3A: Taal' })).toBeTruthy();
    expect(screen.getByText('Also in force on this browser.')).toBeTruthy();
    // Run from the class's controls, not twice.
    expect(screen.getAllByRole('button', { name: 'End now' })).toHaveLength(1);

    // Ending it for the class ends it here too.
    await user.click(screen.getByRole('button', { name: 'End now' }));
    expect(await screen.findByText('The lesson of 3A has ended.')).toBeTruthy();
    expect(background.published('3A')?.lesson).toBeNull();
    expect(background.lesson).toBeNull();
    expect(screen.getByRole('heading', { level: 1, name: '3A: no lesson' })).toBeTruthy();
  });

  it("extends, changes and ends the class's lesson", async () => {
    const { background, user } = await setup();
    await unlock(user);
    await writeLesson(user);
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    await screen.findByText('Lesson started for 2B: Breuken');

    await user.click(within(screen.getByRole('group', { name: 'Extend:' })).getByRole('button', { name: '+15 min' }));
    expect(await screen.findByText(`The lesson of 2B now ends at ${formatTime(T0 + 60 * M)}.`)).toBeTruthy();
    expect(background.sent('extendLesson')[0]).toMatchObject({ classId: '2B', minutes: 15 });
    expect(screen.getByText(`until ${formatTime(T0 + 60 * M)}`, { exact: false })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Change sites' }));
    expect(screen.getByRole('heading', { name: 'Change the sites of class 2B' })).toBeTruthy();
    await user.type(screen.getByLabelText('Add a site'), 'wikipedia.org{Enter}');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('The sites have been changed.')).toBeTruthy();
    expect(background.sent('updateLesson')[0]).toMatchObject({ classId: '2B', sites: ['rekenen.nl', 'wikipedia.org'] });
    expect(background.published('2B')?.lesson).toMatchObject({ sites: ['rekenen.nl', 'wikipedia.org'], endsAt: T0 + 60 * M });

    await user.click(screen.getByRole('button', { name: 'End now' }));
    expect(await screen.findByText('The lesson of 2B has ended.')).toBeTruthy();
    expect(background.sent('endLesson')[0]).toMatchObject({ classId: '2B' });
    expect(screen.getByRole('heading', { level: 1, name: '2B: no lesson' })).toBeTruthy();
    expect(background.lesson).toBeNull();
  });

  it('says when IT no longer lists the class', async () => {
    const { background, user } = await setup({ policy: { presets: [itPreset] } });
    await unlock(user);
    await user.click(classRadio('3A'));
    await background.pushPolicy({ ...(await background.browser.storage.managed.get()), classes: ['2B'] });
    await user.click(within(screen.getByText('Taal').closest('li')!).getByRole('button', { name: 'Start' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Class 3A is not one of your classes on this browser (any more): ask IT.');
  });
});

describe('delivery to the class feed', () => {
  it('shows a failed delivery with its attempt and reason, and "delivered" once a retry works, without reopening', async () => {
    useClock(T0, PAGE_TIMERS);
    const { background, user } = await setup();
    background.feedHost.putAnswer = 'unreachable';
    await unlock(user);
    await writeLesson(user);
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    await screen.findByText('Lesson started for 2B: Breuken');
    expect(delivery()).toBe(`Not delivered yet — retrying (attempt 2): ${UNREACHABLE_TEXT}`);

    // The background's alarm retries, and fails again: the popup follows by itself.
    await background.retryDeliveries();
    await later(1500);
    await waitFor(() => expect(delivery()).toBe(`Not delivered yet — retrying (attempt 3): ${UNREACHABLE_TEXT}`));

    background.feedHost.putAnswer = 201;
    jest.setSystemTime(T0 + 20_000);
    await background.retryDeliveries();
    await later(1500);
    await waitFor(() => expect(delivery()).toBe(`Sent to 2B at ${formatTime(T0 + 20_000)}`));
    expect(document.querySelector('.class-panel .delivery')?.getAttribute('role')).toBe('status');
  });

  it('says when the feed refused the document for good, and when another browser published a newer one', async () => {
    const { background, user } = await setup();
    background.feedHost.putAnswer = 413;
    await unlock(user);
    await user.click(screen.getByRole('button', { name: 'Pause class 2B' }));
    await screen.findByRole('button', { name: 'Resume' });
    expect(delivery()).toBe("Not delivered: the school's server refused it (HTTP 413)");

    background.feedHost.putAnswer = 409;
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    await screen.findByText('Class 2B can carry on.');
    expect(delivery()).toBe('2B already has something newer (sent from another browser?).');
  });

  it("shows each class's own delivery", async () => {
    const { background, user } = await setup();
    await unlock(user);
    await user.click(screen.getByRole('button', { name: 'Pause class 2B' }));
    await screen.findByRole('button', { name: 'Resume' });
    background.feedHost.putAnswer = 'unreachable';
    await user.click(classRadio('3A'));
    expect(delivery()).toBe('');
    await user.click(screen.getByRole('button', { name: 'Pause class 3A' }));
    await screen.findByText(/^Class 3A is paused/);
    expect(delivery()).toBe(`Not delivered yet — retrying (attempt 2): ${UNREACHABLE_TEXT}`);
    await user.click(classRadio('2B'));
    expect(delivery()).toBe(`Sent to 2B at ${formatTime(T0)}`);
  });
});

describe('pause and resume', () => {
  it('pauses the class with the default message for 5 minutes, and resumes it', async () => {
    const { background, user } = await setup();
    await unlock(user);
    const message = screen.getByLabelText('Message for the students') as HTMLInputElement;
    expect(message.value).toBe('Stop for a moment and look at the board, please.');
    expect((screen.getByLabelText('For how long') as HTMLSelectElement).value).toBe('5');
    expect([...(screen.getByLabelText('For how long') as HTMLSelectElement).options].map((option) => option.textContent)).toEqual(
      ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].map((minutes) => `${minutes} min`),
    );
    await user.click(screen.getByRole('button', { name: 'Pause class 2B' }));

    expect(await screen.findByText(`Class 2B is paused until ${formatTime(T0 + 5 * M)}.`)).toBeTruthy();
    expect(background.sent('pauseClass')[0]).toMatchObject({ classId: '2B', message: 'Stop for a moment and look at the board, please.', minutes: 5 });
    expect(background.published('2B')?.pause).toEqual({ message: 'Stop for a moment and look at the board, please.', startsAt: T0, until: T0 + 5 * M });
    expect(screen.getByText(`Paused until ${formatTime(T0 + 5 * M)}: Stop for a moment and look at the board, please.`)).toBeTruthy();
    // Not on the teacher's own browser.
    expect(screen.queryByText(/^Paused until .*:$/)).toBeNull();
    // The focus follows to Resume.
    const resume = screen.getByRole('button', { name: 'Resume' });
    await waitFor(() => expect(document.activeElement).toBe(resume));
    expect(await axeViolations()).toEqual([]);

    await user.click(resume);
    expect(await screen.findByText('Class 2B can carry on.')).toBeTruthy();
    expect(background.sent('resumeClass')[0]).toMatchObject({ classId: '2B' });
    expect(background.published('2B')?.pause).toBeUndefined();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Pause class 2B' })));
  });

  it('keeps the running lesson through a pause, and takes a message and length of its own, by keyboard', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await writeLesson(user);
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    await screen.findByText('Lesson started for 2B: Breuken');
    // Back on the panel the focus goes to its heading first.
    await waitFor(() => expect(document.activeElement?.id).toBe('status-title'));

    const message = screen.getByLabelText('Message for the students');
    await user.clear(message);
    await user.keyboard('{Enter}');
    expect(screen.getByText('Write a message for the students.')).toBeTruthy();
    expect(background.sent('pauseClass')).toEqual([]);

    await user.type(message, 'Handen op tafel');
    await user.selectOptions(screen.getByLabelText('For how long'), '2');
    await user.click(message);
    await user.keyboard('{Enter}');
    await screen.findByText(`Class 2B is paused until ${formatTime(T0 + 2 * M)}.`);
    expect(background.published('2B')).toMatchObject({ lesson: { title: 'Breuken' }, pause: { message: 'Handen op tafel', until: T0 + 2 * M } });
    expect(screen.getByRole('heading', { level: 1, name: '2B: Breuken' })).toBeTruthy();
    expect(screen.getByText(`until ${formatTime(T0 + 45 * M)}`, { exact: false })).toBeTruthy();
  });

  it('shows the pause over once its time is up', async () => {
    useClock(T0, PAGE_TIMERS);
    const { user } = await setup();
    await unlock(user);
    await user.selectOptions(screen.getByLabelText('For how long'), '1');
    await user.click(screen.getByRole('button', { name: 'Pause class 2B' }));
    await screen.findByRole('button', { name: 'Resume' });
    jest.setSystemTime(T0 + M);
    await later(1000);
    expect(await screen.findByRole('button', { name: 'Pause class 2B' })).toBeTruthy();
  });
});

describe('who is listening', () => {
  const AUTH = 'Bearer teacher-token-0123456789abcdef';
  const URL_2B = 'https://feed.school.test/2B.jws';
  const URL_3A = 'https://feed.school.test/3A.jws';
  const connected = () => document.querySelector('.class-panel .connected')?.textContent ?? '';
  const withToken = { teacherClasses: ['2B', '3A'], policy: { classFeed: { urlTemplate: 'https://feed.school.test/{class}.jws', authorization: AUTH } } };
  const asks = () => background!.feedHost.requests.filter((request) => request.method === 'GET' && request.headers.accept === 'application/json');

  it("shows how many browsers of the class are connected, from the host's own count, asked again while the panel is open", async () => {
    useClock(T0, PAGE_TIMERS);
    const { user } = await setup(withToken);
    background!.feedHost.subscribers.set(URL_2B, 23);
    background!.feedHost.subscribers.set(URL_3A, 4);
    await unlock(user);
    await waitFor(() => expect(connected()).toBe('23 browsers of 2B are connected'));

    background!.feedHost.subscribers.set(URL_2B, 1);
    await later(5000);
    await answered();
    expect(connected()).toBe('1 browser of 2B is connected');
    background!.feedHost.subscribers.delete(URL_2B);
    await later(5000);
    await answered();
    expect(connected()).toBe('No browser of 2B is connected right now');

    // Another class: its own count, at once.
    await user.click(classRadio('3A'));
    await answered();
    await waitFor(() => expect(connected()).toBe('4 browsers of 3A are connected'));
    // Asked with the teacher's token, for the count only: nothing about any device travels.
    expect(asks().length).toBeGreaterThanOrEqual(4);
    for (const ask of asks()) expect(ask.headers.authorization).toBe(AUTH);
    expect(await axeViolations()).toEqual([]);
  });

  it('says why there is no count when the host refuses the token', async () => {
    const { user } = await setup(withToken);
    background!.feedHost.getAnswer = 403;
    await unlock(user);
    await waitFor(() => expect(connected()).toMatch(/^How many browsers are connected is not known: the school's server did not accept this browser's credentials \(HTTP 403\)/));
  });

  it('counts in Dutch, with the proper plural', async () => {
    useClock(T0, PAGE_TIMERS);
    setMessageSource(localeSource('nl'));
    preparePage('nl');
    const { user } = await setup(withToken);
    background!.feedHost.subscribers.set(URL_2B, 23);
    await user.click(await screen.findByRole('button', { name: 'Leraar' }));
    await user.type(screen.getByLabelText('Code voor leraren'), '1234');
    await user.click(screen.getByRole('button', { name: 'Openen' }));
    await waitFor(() => expect(connected()).toBe('23 browsers van 2B zijn verbonden'));
    background!.feedHost.subscribers.set(URL_2B, 1);
    await later(5000);
    await answered();
    expect(connected()).toBe('1 browser van 2B is verbonden');
  });
});

describe('in Dutch', () => {
  it('speaks Dutch on a Dutch browser', async () => {
    setMessageSource(localeSource('nl'));
    preparePage('nl');
    const { user } = await setup();
    await user.click(await screen.findByRole('button', { name: 'Leraar' }));
    await user.type(screen.getByLabelText('Code voor leraren'), '1234');
    await user.click(screen.getByRole('button', { name: 'Openen' }));
    expect(await screen.findByRole('heading', { level: 1, name: '2B: geen les' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Klas 2B pauzeren' }));
    expect(await screen.findByText(`Klas 2B is gepauzeerd tot ${formatTime(T0 + 5 * M)}.`)).toBeTruthy();
    expect(delivery()).toBe(`Verstuurd naar 2B om ${formatTime(T0)}`);
    expect(await axeViolations()).toEqual([]);
  });

  it('says in Dutch why a delivery failed, whatever the English lastError says', async () => {
    useClock(T0, PAGE_TIMERS);
    setMessageSource(localeSource('nl'));
    preparePage('nl');
    const { background, user } = await setup();
    background.feedHost.putAnswer = 401;
    await user.click(await screen.findByRole('button', { name: 'Leraar' }));
    await user.type(screen.getByLabelText('Code voor leraren'), '1234');
    await user.click(screen.getByRole('button', { name: 'Openen' }));
    await user.click(await screen.findByRole('button', { name: 'Klas 2B pauzeren' }));
    await screen.findByRole('button', { name: 'Verdergaan' });
    expect(background.outbox['2B']?.lastError).toMatch(/^the class feed refused the credentials \(HTTP 401\)/);
    expect(delivery()).toBe(
      'Nog niet afgeleverd — wordt opnieuw geprobeerd (poging 2): de server van school accepteerde de inloggegevens van deze browser niet (HTTP 401): ICT stelt die in het beleid in (classFeed.authorization)',
    );

    background.feedHost.putAnswer = 503;
    jest.setSystemTime(T0 + 5_000);
    await background.retryDeliveries();
    await later(1500);
    await waitFor(() => expect(delivery()).toBe('Nog niet afgeleverd — wordt opnieuw geprobeerd (poging 3): de server van school antwoordde met HTTP 503'));

    background.feedHost.putAnswer = 413;
    await user.click(screen.getByRole('button', { name: 'Verdergaan' }));
    await screen.findByText('Klas 2B kan weer verder.');
    expect(delivery()).toBe('Niet afgeleverd: de server van school weigerde het (HTTP 413)');

    background.feedHost.putAnswer = 'unreachable';
    await user.click(screen.getByRole('button', { name: 'Klas 2B pauzeren' }));
    await screen.findByRole('button', { name: 'Verdergaan' });
    expect(delivery()).toBe('Nog niet afgeleverd — wordt opnieuw geprobeerd (poging 2): de server van school was niet bereikbaar');
    expect(await axeViolations()).toEqual([]);
  });

  it('still shows the English reason of a delivery stored before reasons had codes', async () => {
    useClock(T0, PAGE_TIMERS);
    setMessageSource(localeSource('nl'));
    preparePage('nl');
    const { background, user } = await setup();
    background.feedHost.putAnswer = 'unreachable';
    await user.click(await screen.findByRole('button', { name: 'Leraar' }));
    await user.type(screen.getByLabelText('Code voor leraren'), '1234');
    await user.click(screen.getByRole('button', { name: 'Openen' }));
    await user.click(await screen.findByRole('button', { name: 'Klas 2B pauzeren' }));
    await screen.findByRole('button', { name: 'Verdergaan' });
    const { lastProblem: _none, ...older } = background.outbox['2B']!;
    await background.setLocal({ feedOutbox: { ...background.outbox, '2B': older } });
    // The popup refreshes by itself while a delivery is pending.
    await later(1500);
    await waitFor(() => expect(delivery()).toBe(`Nog niet afgeleverd — wordt opnieuw geprobeerd (poging 2): ${UNREACHABLE}`));
  });
});
