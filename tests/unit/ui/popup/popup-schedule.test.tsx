/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The popup on a teacher device with a class feed: "Start later" (a time, or
// the timetable's next period), the planned lessons with Cancel, and "Send a
// link to the class" during the class's lesson — each within three clicks
// after unlocking, every refusal in the teacher's words. Over the real
// background, which signs and PUTs to a class feed in memory.
import { describe, expect, it } from '@jest/globals';
import { act, render, screen, waitFor } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
// Before core's class-feed code, which loads jose (it sets up WebCrypto and TextEncoder for jsdom).
import { startExtension, type ExtensionOptions, type TestBackground } from '../support/extension';
import type { Preset } from '../../../../src/core/schemas';
import { Popup } from '../../../../src/ui/popup/popup';
import type { PopupServices } from '../../../../src/ui/popup/services';
import { formatTime, setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations } from '../support/axe';
import { eachPageTest } from '../support/lifecycle';
import { localeSource } from '../support/locale';

const M = 60_000;
// A Monday, 09:00 UTC.
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const taal: Preset = { id: 'taal', title: 'Taal', mode: 'allowlist', sites: ['taal.nl'], embeds: [], minutes: 50 };
const topo: Preset = { id: 'topo', title: 'Topo', mode: 'allowlist', sites: ['topo.nl'], embeds: [], minutes: 30 };
/** The next period: Mondays 09:30 to 10:20 UTC, with preset Topo. */
const timetable = { schedule: [{ days: ['mon'], start: '09:30', end: '10:20', preset: 'topo' }], timeZone: 'UTC' };

let background: TestBackground | null = null;

eachPageTest(T0, async () => {
  await background?.stop();
  background = null;
});

async function answered() {
  await act(async () => {
    await background!.settled();
  });
}

async function setup(options: ExtensionOptions = {}, teacherButton = 'Teacher', openButton = 'Open') {
  background = await startExtension({ teacherClasses: ['2B'], ...options });
  const services: PopupServices = { connector: background.connector, currentTabUrl: async () => null, now: () => Date.now(), classChoice: { load: async () => null, save: async () => undefined } };
  const user = userEvent.setup();
  render(<Popup services={services} />);
  await waitFor(() => expect(document.querySelector('.skeleton')).toBeNull());
  // Unlocking, which the three clicks count from.
  await user.click(await screen.findByRole('button', { name: teacherButton }));
  await user.type(document.getElementById('pin') as HTMLInputElement, '1234');
  await user.click(screen.getByRole('button', { name: openButton }));
  await screen.findByRole('heading', { level: 1, name: /^(2B|3A): / });
  await answered();
  return { background, user };
}

/** The preset's own Start button (the lesson starts now). */
async function startNow(user: ReturnType<typeof userEvent.setup>, presetId: string, name = 'Start') {
  const start = screen.getAllByRole('button', { name }).find((button) => button.getAttribute('aria-describedby') === `preset-it-${presetId}`);
  await user.click(start!);
  await answered();
}

/** "HH:MM" on this device's clock, `minutes` after T0. */
function localTime(minutes: number): string {
  const at = new Date(T0 + minutes * M);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

describe('starting a lesson later', () => {
  it('starts the next period\'s lesson at its start in one click, lists it, and cancels it in one more', async () => {
    const { background, user } = await setup({ policy: { presets: [taal, topo], ...timetable } });
    expect(screen.getByRole('heading', { name: 'Start later' })).toBeTruthy();
    expect((screen.getByRole('checkbox', { name: `Next period, ${formatTime(T0 + 30 * M)}` }) as HTMLInputElement).checked).toBe(true);
    expect(await axeViolations()).toEqual([]);

    await user.click(screen.getByRole('button', { name: `Start Topo at ${formatTime(T0 + 30 * M)}` }));
    expect(await screen.findByText(`2B: Topo starts at ${formatTime(T0 + 30 * M)}.`)).toBeTruthy();
    expect(background.published('2B')).toMatchObject({ lesson: null, scheduled: [{ title: 'Topo', sites: ['topo.nl'], startsAt: T0 + 30 * M, endsAt: T0 + 80 * M }] });
    expect(screen.getByRole('heading', { name: 'Planned lessons' })).toBeTruthy();
    expect(screen.getByText(`Topo: ${formatTime(T0 + 30 * M)} to ${formatTime(T0 + 80 * M)}`)).toBeTruthy();
    expect(await axeViolations()).toEqual([]);

    await user.click(screen.getByRole('button', { name: `Cancel Topo at ${formatTime(T0 + 30 * M)}` }));
    expect(await screen.findByText('2B: Topo cancelled.')).toBeTruthy();
    expect(background.published('2B')?.scheduled).toBeUndefined();
    expect(screen.queryByRole('heading', { name: 'Planned lessons' })).toBeNull();
  });

  it('starts a preset at a time typed today, beside the lesson running, in three steps', async () => {
    const { background, user } = await setup({ policy: { presets: [taal, topo] } });
    await startNow(user, 'taal');
    await user.selectOptions(screen.getByLabelText('Lesson'), 'topo');
    await user.type(screen.getByLabelText('Start at'), localTime(90));
    await user.click(screen.getByRole('button', { name: `Start Topo at ${formatTime(T0 + 90 * M)}` }));
    expect(await screen.findByText(`2B: Topo starts at ${formatTime(T0 + 90 * M)}.`)).toBeTruthy();
    expect(background.published('2B')).toMatchObject({ lesson: { title: 'Taal' }, scheduled: [{ title: 'Topo', startsAt: T0 + 90 * M, endsAt: T0 + 120 * M }] });
  });

  it('starts a new lesson written in the editor at the time typed, and refuses a time that has passed', async () => {
    const { background, user } = await setup({ policy: { presets: [taal] } });
    await user.click(screen.getByRole('button', { name: 'New lesson…' }));
    await user.type(screen.getByLabelText('Lesson name'), 'Topo');
    await user.type(screen.getByLabelText('Add a site'), 'topo.nl{Enter}');
    await user.type(screen.getByLabelText('Start at (optional)'), localTime(-5));
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    expect(await screen.findByText('That start time has already passed.')).toBeTruthy();
    await user.clear(screen.getByLabelText('Start at (optional)'));
    await user.type(screen.getByLabelText('Start at (optional)'), localTime(60));
    expect(await axeViolations()).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    expect(await screen.findByText(`2B: Topo starts at ${formatTime(T0 + 60 * M)}.`)).toBeTruthy();
    expect(background.published('2B')).toMatchObject({ lesson: null, scheduled: [{ title: 'Topo', sites: ['topo.nl'], startsAt: T0 + 60 * M, endsAt: T0 + 105 * M }] });
  });

  it.each([
    ['a time that has passed', () => localTime(-30), 'That start time has already passed.'],
    ['no time at all', () => '', 'Choose a start time, or the next period.'],
  ])('says so for %s, and publishes nothing', async (_what, typed, message) => {
    const { background, user } = await setup({ policy: { presets: [taal] } });
    if (typed() !== '') await user.type(screen.getByLabelText('Start at'), typed());
    await user.click(screen.getByRole('button', { name: /^Start Taal (at|later)/ }));
    expect(await screen.findByText(message)).toBeTruthy();
    expect(background.published('2B')).toBeNull();
  });

  it('words the background\'s refusal of a start more than 7 days ahead', async () => {
    // The next period is after a holiday of two weeks.
    const { background, user } = await setup({ policy: { presets: [topo], ...timetable, noLessonDates: [{ from: '2026-03-02', to: '2026-03-15' }] } });
    await user.click(screen.getByRole('button', { name: /^Start Topo on .* at / }));
    expect(await screen.findByText('A lesson can start at most 7 days ahead.')).toBeTruthy();
    expect(background.published('2B')).toBeNull();
  });
});

describe('sending a link to the class', () => {
  it('is there only during the class\'s lesson, sends a page the lesson allows, and refuses one it blocks', async () => {
    const { background, user } = await setup({ policy: { presets: [taal] } });
    expect(screen.queryByRole('heading', { name: 'Send a link to the class' })).toBeNull();
    await startNow(user, 'taal');
    expect(await axeViolations()).toEqual([]);

    await user.type(screen.getByLabelText('Link'), 'games.test/play');
    await user.click(screen.getByRole('button', { name: 'Send link' }));
    expect(await screen.findByText('The lesson blocks this link. Add its site to the lesson first.')).toBeTruthy();
    expect(background.published('2B')?.link).toBeUndefined();

    await user.clear(screen.getByLabelText('Link'));
    await user.type(screen.getByLabelText('Link'), 'taal.nl/les/3');
    await user.click(screen.getByRole('button', { name: 'Send link' }));
    expect(await screen.findByText('2B: link sent.')).toBeTruthy();
    expect(background.published('2B')?.link).toMatchObject({ url: 'https://taal.nl/les/3', sentAt: T0 });
    expect(screen.getByText(`Sent at ${formatTime(T0)}: https://taal.nl/les/3`)).toBeTruthy();
    expect((screen.getByLabelText('Link') as HTMLInputElement).value).toBe('');
  });

  it('says what is wrong with a link that is not a web address', async () => {
    const { user } = await setup({ policy: { presets: [taal] } });
    await startNow(user, 'taal');
    await user.click(screen.getByRole('button', { name: 'Send link' }));
    expect(await screen.findByText('Write the link first.')).toBeTruthy();
    await user.type(screen.getByLabelText('Link'), 'ftp://files.school.test/x');
    await user.click(screen.getByRole('button', { name: 'Send link' }));
    expect(await screen.findByText('Write the link as a web address, such as https://example.com/task.')).toBeTruthy();
  });
});

describe('in Dutch', () => {
  it('words the new controls and their refusals in Dutch', async () => {
    setMessageSource(localeSource('nl'));
    const { user } = await setup({ policy: { presets: [taal, topo], ...timetable } }, 'Leraar', 'Openen');
    expect(screen.getByRole('heading', { name: 'Later starten' })).toBeTruthy();
    expect(screen.getByRole('button', { name: `Topo starten om ${formatTime(T0 + 30 * M)}` })).toBeTruthy();
    await user.clear(screen.getByLabelText('Starten om'));
    await user.type(screen.getByLabelText('Starten om'), localTime(-30));
    await user.click(screen.getByRole('button', { name: /^Topo starten om / }));
    expect(await screen.findByText('Die begintijd is al voorbij.')).toBeTruthy();

    await startNow(user, 'taal', 'Starten');
    await user.type(screen.getByLabelText('Link'), 'games.test');
    await user.click(screen.getByRole('button', { name: 'Link sturen' }));
    expect(await screen.findByText('De les blokkeert deze link. Voeg de site eerst aan de les toe.')).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
  });
});

