/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The CommonJS builds of Testing Library: under jsdom Jest would pick their ESM ("browser") builds, which it cannot run untransformed.
// The popup over the real background (tests/unit/background/support/background.ts), through the same Connector as in the browser.
import { describe, expect, it, jest } from '@jest/globals';
import { act, render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { startExtension, type ExtensionOptions, type TestBackground } from '../support/extension';
import { useClock } from '../../background/support/clock';
import type { Lesson, Preset } from '../../../../src/core/schemas';
import { Popup } from '../../../../src/ui/popup/popup';
import type { PopupServices } from '../../../../src/ui/popup/services';
import { formatTime, setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations } from '../support/axe';
import { eachPageTest } from '../support/lifecycle';
import { localeSource } from '../support/locale';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);

const lesson = (extra: Partial<Lesson> = {}): Lesson => ({ id: 'l1', title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl', 'wikipedia.org'], embeds: [], startsAt: T0 - 10 * M, endsAt: T0 + 35 * M, ...extra });
const itPreset: Preset = { id: 'taal', title: 'Taal', mode: 'allowlist', sites: ['taal.nl'], embeds: [], minutes: 50 };
const ownPreset: Preset = { id: 'local-1', title: 'Topo', mode: 'allowlist', sites: ['topo.nl', 'maps.test'], embeds: [] };

let background: TestBackground | null = null;

eachPageTest(T0, async () => {
  await background?.stop();
  background = null;
});

async function setup(options: ExtensionOptions = {}, tabUrl: string | null = null) {
  background = await startExtension(options);
  const services: PopupServices = { connector: background.connector, currentTabUrl: async () => tabUrl, now: () => Date.now() };
  const user = userEvent.setup();
  render(<Popup services={services} />);
  // The popup opens as its skeleton; the tests start once the background has answered.
  await waitFor(() => expect(document.querySelector('.skeleton')).toBeNull());
  return { background, user };
}

/** The popup's own timers: its clock and its refresh. */
const PAGE_TIMERS = ['setInterval', 'clearInterval'] as const;

/** The popup's own timers (its clock, its refresh) run on, and the time with them. */
async function later(ms: number) {
  await act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });
}

/** Opens the teacher panel with the PIN. */
async function unlock(user: ReturnType<typeof userEvent.setup>, pin = '1234') {
  await user.click(await screen.findByRole('button', { name: 'Teacher' }));
  await user.type(screen.getByLabelText('Teacher PIN'), pin);
  await user.click(screen.getByRole('button', { name: 'Open' }));
  await answered();
}

/** Waits until the background has answered what the popup asked, and the popup shows it. */
async function answered() {
  await act(async () => {
    await background!.settled();
  });
}

describe('the status, for everyone', () => {
  it('shows the layout at once, before the background answers', async () => {
    background = await startExtension({ lesson: lesson() });
    let release: () => void = () => undefined;
    background.gate = new Promise((done) => (release = done));
    render(<Popup services={{ connector: background.connector, currentTabUrl: async () => null, now: () => T0 }} />);
    // Synchronously, on the first render: the status card's skeleton and the Teacher button.
    expect(document.querySelector('.status-card.skeleton')).not.toBeNull();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toContain('Loading');
    expect(screen.getByRole('button', { name: 'Teacher' })).toBeTruthy();
    release();
    expect(await screen.findByRole('heading', { level: 1, name: 'Rekenen 2B' })).toBeTruthy();
    expect(document.querySelector('.skeleton')).toBeNull();
  });

  it('says what is in force: title, kind, until when, time left, the sites, the next period', async () => {
    await setup({
      lesson: lesson(),
      policy: { presets: [itPreset], schedule: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '13:00', end: '13:50', preset: 'taal' }], timeZone: 'UTC' },
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Rekenen 2B' })).toBeTruthy();
    expect(screen.getByText('Set by the teacher')).toBeTruthy();
    expect(screen.getByText('Only the sites below')).toBeTruthy();
    expect(screen.getByText(`until ${formatTime(T0 + 35 * M)}`, { exact: false })).toBeTruthy();
    expect(screen.getByText('35 min left')).toBeTruthy();
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual(['rekenen.nl', 'wikipedia.org']);
    expect(screen.getByText(`Next: Taal at ${formatTime(Date.UTC(2026, 2, 2, 13, 0), 'UTC')}`)).toBeTruthy();
    // Nothing a student could change.
    expect(screen.getAllByRole('button').map((button) => button.textContent)).toEqual(['Teacher']);
    expect(screen.queryByRole('textbox')).toBeNull();
  });

  it("links the lesson's sites, opening in a new tab, and only web addresses", async () => {
    await setup({ lesson: lesson({ sites: ['rekenen.nl', 'https://schooltv.nl/programma/rekenen', '.exact.test', 'ftp://files.test', 'video.test/watch?v=*'] }) });
    await screen.findByRole('heading', { level: 1, name: 'Rekenen 2B' });
    const links = screen.getAllByRole('link');
    expect(links.map((link) => [link.textContent, link.getAttribute('href')])).toEqual([
      ['rekenen.nl', 'https://rekenen.nl'],
      ['https://schooltv.nl/programma/rekenen', 'https://schooltv.nl/programma/rekenen'],
      ['.exact.test', 'https://exact.test'],
    ]);
    for (const link of links) {
      expect(link.getAttribute('target')).toBe('_blank');
      expect(link.getAttribute('rel')).toContain('noopener');
    }
    // The others are listed as text.
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toContain('ftp://files.test');
  });

  it('offers the teacher entry quietly, below the status', async () => {
    await setup({ lesson: lesson() });
    await screen.findByRole('heading', { level: 1, name: 'Rekenen 2B' });
    const teacher = screen.getByRole('button', { name: 'Teacher' });
    expect(teacher.classList.contains('primary')).toBe(false);
    expect(teacher.closest('header')).toBeNull();
    // After everything a student reads: the lesson and its sites come first, also for the keyboard.
    const lastSite = screen.getByRole('link', { name: 'wikipedia.org' });
    expect(lastSite.compareDocumentPosition(teacher) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('counts down in minutes, and in seconds only in the last minute', async () => {
    useClock(T0, PAGE_TIMERS);
    await setup({ lesson: lesson({ endsAt: T0 + 2 * M + 30_000 }) });
    await screen.findByRole('heading', { level: 1, name: 'Rekenen 2B' });
    const countdown = () => document.querySelector('.countdown')?.textContent;
    expect(countdown()).toBe('3 min left');
    await later(29_000);
    expect(countdown()).toBe('3 min left');
    await later(1000);
    expect(countdown()).toBe('2 min left');
    await later(60_000);
    expect(countdown()).toBe('1 min left');
    await later(1000);
    expect(countdown()).toBe('59 seconds left');
    await later(58_000);
    expect(countdown()).toBe('1 second left');
  });

  it('says so when browsing is open', async () => {
    await setup();
    expect(await screen.findByRole('heading', { level: 1, name: 'No lesson: browsing is open' })).toBeTruthy();
  });

  it('shows sites a teacher let through for a while', async () => {
    await setup({ lesson: lesson(), exceptions: [{ site: 'games.test', until: T0 + 10 * M }] });
    expect(await screen.findByText('Let through for a while on this browser:')).toBeTruthy();
    expect(screen.getByText(`games.test until ${formatTime(T0 + 10 * M)}`)).toBeTruthy();
  });

  it('passes axe', async () => {
    await setup({ lesson: lesson() });
    await screen.findByRole('heading', { level: 1, name: 'Rekenen 2B' });
    expect(await axeViolations()).toEqual([]);
  });

  it('speaks Dutch in a Dutch browser', async () => {
    setMessageSource(localeSource('nl'));
    await setup({ lesson: lesson() });
    expect(await screen.findByRole('button', { name: 'Leraar' })).toBeTruthy();
    expect(screen.getByText('Alleen de sites hieronder')).toBeTruthy();
    expect(screen.getByText('nog 35 min')).toBeTruthy();
  });
});

describe('naming the teacher', () => {
  it.each([
    ['the neutral leraar without a school type', {}, 'Leraar', 'Code voor leraren', 'Ingesteld door de leraar'],
    ['leerkracht at a primary school', { schoolType: 'primary' as const }, 'Leerkracht', 'Code voor leerkrachten', 'Ingesteld door de leerkracht'],
    ['docent at a secondary school', { schoolType: 'secondary' as const }, 'Docent', 'Code voor docenten', 'Ingesteld door de docent'],
  ])('says %s in Dutch, on the status and in the PIN prompt', async (_name, policy, link, pinLabel, origin) => {
    setMessageSource(localeSource('nl'));
    const { user } = await setup({ lesson: lesson(), policy });
    expect(await screen.findByText(origin)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: link }));
    expect(screen.getByLabelText(pinLabel)).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/\{[Tt]eachers?\}/);
    expect(await axeViolations()).toEqual([]);
  });

  it.each(['primary', 'secondary'] as const)('says teacher in English at a %s school', async (schoolType) => {
    const { user } = await setup({ lesson: lesson(), policy: { schoolType } });
    expect(await screen.findByText('Set by the teacher')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Teacher' }));
    expect(screen.getByLabelText('Teacher PIN')).toBeTruthy();
  });
});

describe('teacher unlock', () => {
  it('sets the first PIN with a confirmation, then opens the panel', async () => {
    const { background, user } = await setup({ pin: null });
    await user.click(await screen.findByRole('button', { name: 'Teacher' }));
    expect(screen.getByRole('heading', { name: 'Choose a teacher PIN' })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('New PIN'));
    expect(await axeViolations()).toEqual([]);

    expect(screen.getByText('No teacher PIN is set on this browser yet. Choose at least 6 digits, or a password of at least 8 characters. Anyone who knows it can change the rules here.')).toBeTruthy();

    await user.type(screen.getByLabelText('New PIN'), '2468');
    await user.type(screen.getByLabelText('Repeat the new PIN'), '2468');
    await user.click(screen.getByRole('button', { name: 'Set PIN' }));
    expect(screen.getByRole('alert').textContent).toBe('The PIN needs at least 6 digits, or at least 8 characters if it has letters or other signs.');
    expect(background.changes()).toEqual([]);

    await user.clear(screen.getByLabelText('New PIN'));
    await user.clear(screen.getByLabelText('Repeat the new PIN'));
    await user.type(screen.getByLabelText('New PIN'), '246813');
    await user.type(screen.getByLabelText('Repeat the new PIN'), '246814');
    await user.click(screen.getByRole('button', { name: 'Set PIN' }));
    expect(screen.getByRole('alert').textContent).toBe('The two new PINs are not the same.');
    expect(background.changes()).toEqual([]);

    await user.clear(screen.getByLabelText('Repeat the new PIN'));
    await user.type(screen.getByLabelText('Repeat the new PIN'), '246813');
    await user.click(screen.getByRole('button', { name: 'Set PIN' }));
    expect(await screen.findByRole('heading', { name: 'Start a lesson' })).toBeTruthy();
    expect(background.sent('setPin')).toEqual([{ type: 'setPin', newPin: '246813' }]);
    expect(await background.pinIs('246813')).toBe(true);
  });

  it('refuses a wrong PIN, changes nothing, and shows the wait after repeated tries', async () => {
    const { background, user } = await setup({ lesson: lesson() });
    await unlock(user, '0000');
    expect((await screen.findByRole('alert')).textContent).toBe('That PIN is not right. Try again.');
    expect(screen.queryByRole('heading', { name: 'Start a lesson' })).toBeNull();
    expect((screen.getByLabelText('Teacher PIN') as HTMLInputElement).value).toBe('');
    await user.type(screen.getByLabelText('Teacher PIN'), '1111{Enter}');
    await answered();
    await user.type(screen.getByLabelText('Teacher PIN'), '2222{Enter}');
    await answered();
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('That PIN is not right. You can try again in 0:30.'));
    await user.type(screen.getByLabelText('Teacher PIN'), '1234{Enter}');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/^Too many wrong PINs\. Try again in 0:30\.$/));
    expect(background.lesson).toEqual(lesson());
    expect(background.unlocked).toBe(false);
  });

  it('goes back to the PIN when the panel locked itself in the background', async () => {
    const { background, user } = await setup({ lesson: lesson() });
    await unlock(user);
    await screen.findByRole('heading', { name: 'This lesson' });
    await background.expireUnlock(); // idle expiry in the background
    await user.click(screen.getByRole('button', { name: '+5 min' }));
    expect(await screen.findByText('The teacher panel locked itself. Enter the PIN again.')).toBeTruthy();
    expect(screen.getByLabelText('Teacher PIN')).toBeTruthy();
    expect(background.lesson?.endsAt).toBe(T0 + 35 * M);
  });

  it('locks on request', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'Lock' }));
    expect(await screen.findByRole('button', { name: 'Teacher' })).toBeTruthy();
    await answered();
    expect(background.sent('lock')).toHaveLength(1);
    expect(background.unlocked).toBe(false);
  });

  it('changes a local PIN with the old one', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'Change PIN' }));
    await user.type(screen.getByLabelText('Current PIN'), '1234');
    await user.type(screen.getByLabelText('New PIN'), '987654');
    await user.type(screen.getByLabelText('Repeat the new PIN'), '987654');
    await user.click(screen.getByRole('button', { name: 'Change PIN' }));
    expect(await screen.findByText('The PIN has been changed.')).toBeTruthy();
    expect(await background.pinIs('987654')).toBe(true);
    expect(background.sent('setPin')[0]).toMatchObject({ oldPin: '1234', newPin: '987654' });
  });

  it('offers no PIN change when IT sets the PIN', async () => {
    const { user } = await setup({ pinFromPolicy: true });
    await unlock(user);
    await screen.findByRole('heading', { name: 'Start a lesson' });
    expect(screen.queryByRole('button', { name: 'Change PIN' })).toBeNull();
  });
});

describe('a student device', () => {
  it.each([
    ['en', "This is a student device: the teacher PIN comes from your school and cannot be chosen here. Ask your school's ICT to set the teacher PIN.", 'Back'],
    ['nl', 'Dit is een leerlingapparaat: de code voor leraren komt van je school en kan hier niet gekozen worden. Vraag de ICT van je school om die code in te stellen.', 'Terug'],
  ])('without a PIN from IT, says to ask ICT instead of offering to choose one (%s)', async (language, text, back) => {
    setMessageSource(localeSource(language as 'en' | 'nl'));
    const { background, user } = await setup({ policy: { role: 'student' }, pin: null });
    await user.click(await screen.findByRole('button', { name: language === 'en' ? 'Teacher' : 'Leraar' }));
    expect(screen.getByRole('status').textContent).toBe(text);
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(document.querySelector('input[type=password]')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: back }));
    expect(await axeViolations()).toEqual([]);
    await user.click(screen.getByRole('button', { name: back }));
    expect(await screen.findByRole('button', { name: language === 'en' ? 'Teacher' : 'Leraar' })).toBeTruthy();
    expect(background.changes()).toEqual([]);
  });

  it('with a PIN from IT, asks for it as anywhere', async () => {
    const { user } = await setup({ policy: { role: 'student' }, pin: '482916' });
    await unlock(user, '482916');
    expect(await screen.findByRole('heading', { name: 'Start a lesson' })).toBeTruthy();
  });
});

describe('starting a lesson', () => {
  it('starts a preset in one click, with its own length', async () => {
    const { background, user } = await setup({ policy: { presets: [itPreset] } });
    await unlock(user);
    const row = (await screen.findByText('Taal')).closest('li')!;
    expect(within(row).getByText('Only 1 site · 50 min')).toBeTruthy();
    await user.click(within(row).getByRole('button', { name: 'Start' }));
    expect(await screen.findByText('Lesson started: Taal')).toBeTruthy();
    expect(background.lesson).toMatchObject({ title: 'Taal', sites: ['taal.nl'], startsAt: T0, endsAt: T0 + 50 * M });
    expect(screen.getByRole('heading', { level: 1, name: 'Taal' })).toBeTruthy();
  });

  it('starts a custom allowlist lesson: title, sites checked as typed, this tab, 45 minutes', async () => {
    const { background, user } = await setup({}, 'https://www.wikipedia.org/wiki/Rekenen');
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'New lesson…' }));
    expect(document.activeElement).toBe(screen.getByLabelText('Lesson name'));
    await user.type(screen.getByLabelText('Lesson name'), 'Breuken');

    const field = screen.getByLabelText('Add a site');
    await user.type(field, '*.rekenen.nl');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Not a valid site: *.rekenen.nl → use rekenen.nl (includes all its subdomains)')).toBeTruthy();
    // The fix is one click: the corrected site goes in, and the field is empty again.
    await user.click(screen.getByRole('button', { name: 'Use rekenen.nl' }));
    expect((field as HTMLInputElement).value).toBe('');
    expect(field.getAttribute('aria-invalid')).toBe('false');
    expect(within(screen.getByRole('group', { name: 'Allowed sites' })).getByText('rekenen.nl')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: "+ Add this tab's site: wikipedia.org" }));
    await user.click(screen.getByRole('radio', { name: '45 min' }));
    expect(await axeViolations()).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    expect(await screen.findByText('Lesson started: Breuken')).toBeTruthy();
    expect(background.sent('startLesson')[0]?.lesson).toMatchObject({ title: 'Breuken', mode: 'allowlist', sites: ['rekenen.nl', 'wikipedia.org'], minutes: 45 });
    expect(background.lesson).toMatchObject({ endsAt: T0 + 45 * M });
  });

  it('adds what is still typed in the field when the lesson starts, and pasted lines one by one', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'New lesson…' }));
    await user.type(screen.getByLabelText('Lesson name'), 'Taal');
    await user.click(screen.getByLabelText('Add a site'));
    await user.paste('taal.nl\nwoordenboek.nl');
    await user.type(screen.getByLabelText('Add a site'), 'spelling.nl');
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    await screen.findByText('Lesson started: Taal');
    expect(background.lesson?.sites).toEqual(['taal.nl', 'woordenboek.nl', 'spelling.nl']);
  });

  it('does not start with a site that is not valid, or without a name', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'New lesson…' }));
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    expect(screen.getByRole('alert').textContent).toBe('Give the lesson a name.');
    await user.type(screen.getByLabelText('Lesson name'), 'Taal');
    await user.type(screen.getByLabelText('Add a site'), 'http:/taal.nl');
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    expect(screen.getByRole('alert').textContent).toBe('Correct the site in the field first, or empty the field.');
    expect(background.sent('startLesson')).toEqual([]);
  });

  it('asks whether a pasted address means the whole site or only that page', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'New lesson…' }));
    await user.type(screen.getByLabelText('Lesson name'), 'Rekenen');
    const field = screen.getByLabelText('Add a site') as HTMLInputElement;
    const sites = () => within(screen.getByRole('group', { name: 'Allowed sites' })).queryAllByRole('listitem').map((chip) => chip.firstChild?.textContent);

    await user.click(field);
    await user.paste('https://www.schooltv.nl/programma/rekenen');
    expect(screen.getByText('“https://www.schooltv.nl/programma/rekenen” is a page of schooltv.nl. Add the whole site, or only this page?')).toBeTruthy();
    expect(sites()).toEqual([]);
    expect(await axeViolations()).toEqual([]);
    // Not started while the choice is open.
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    expect(screen.getByRole('alert').textContent).toBe('First choose for the address in the field: the whole site, or only that page.');
    expect(background.sent('startLesson')).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'The whole site schooltv.nl' }));
    expect(sites()).toEqual(['schooltv.nl']);
    expect(field.value).toBe('');

    await user.click(field);
    await user.paste('https://www.youtube.com/watch?v=abc');
    await user.click(screen.getByRole('button', { name: 'Only this page' }));
    expect(sites()).toEqual(['schooltv.nl', 'youtube.com/watch?v=abc']);

    // Enter takes the suggestion: the whole site.
    await user.click(field);
    await user.paste('https://nl.wikipedia.org/wiki/Breuk');
    await user.keyboard('{Enter}');
    expect(sites()).toEqual(['schooltv.nl', 'youtube.com/watch?v=abc', 'nl.wikipedia.org']);
    expect(screen.queryByRole('button', { name: 'Only this page' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    await screen.findByText('Lesson started: Rekenen');
    expect(background.lesson?.sites).toEqual(['schooltv.nl', 'youtube.com/watch?v=abc', 'nl.wikipedia.org']);
  });

  it('asks in Dutch too', async () => {
    setMessageSource(localeSource('nl'));
    const { user } = await setup();
    await user.click(await screen.findByRole('button', { name: 'Leraar' }));
    await user.type(screen.getByLabelText('Code voor leraren'), '1234{Enter}');
    await answered();
    await user.click(await screen.findByRole('button', { name: 'Nieuwe les…' }));
    await user.click(screen.getByLabelText('Een site toevoegen'));
    await user.paste('https://www.schooltv.nl/programma/rekenen');
    expect(screen.getByText('“https://www.schooltv.nl/programma/rekenen” is een pagina van schooltv.nl. De hele site toevoegen, of alleen deze pagina?')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'De hele site schooltv.nl' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Alleen deze pagina' })).toBeTruthy();
    await user.clear(screen.getByLabelText('Een site toevoegen'));
    await user.type(screen.getByLabelText('Een site toevoegen'), '*.bad.com');
    expect(screen.getByText('Geen geldige site: *.bad.com → gebruik bad.com (met al zijn subdomeinen)')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'bad.com gebruiken' }));
    expect(within(screen.getByRole('group', { name: 'Toegestane sites' })).getByText('bad.com')).toBeTruthy();
  });

  it('takes an end time instead of a length', async () => {
    const { background, user } = await setup();
    jest.setSystemTime(new Date(2026, 2, 2, 9, 0).getTime());
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'New lesson…' }));
    await user.type(screen.getByLabelText('Lesson name'), 'Project');
    await user.type(screen.getByLabelText('or until'), '10:15');
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    await screen.findByText('Lesson started: Project');
    expect(background.lesson?.endsAt).toBe(new Date(2026, 2, 2, 10, 15).getTime());
  });

  it("keeps to IT's limits: no blocklist choice, no lengths beyond the maximum", async () => {
    const { user } = await setup({ policy: { allowBlocklistLessons: false, maxLessonMinutes: 50, presets: [{ ...itPreset, id: 'open', title: 'Open', mode: 'blocklist' }] } });
    await unlock(user);
    const row = (await screen.findByText('Open')).closest('li')!;
    expect(within(row).getByRole('button', { name: 'Start' }).hasAttribute('disabled')).toBe(true);
    expect(within(row).getByText('Blocks sites: not allowed by your school')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'New lesson…' }));
    expect(screen.queryByRole('radio', { name: 'All sites except the ones below' })).toBeNull();
    expect(within(screen.getByRole('group', { name: 'Length' })).getAllByRole('radio').map((radio) => radio.getAttribute('value'))).toEqual(['15', '30', '45', '50']);
  });

  it('starts a blocklist lesson where IT allows it', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'New lesson…' }));
    await user.type(screen.getByLabelText('Lesson name'), 'Toets');
    await user.click(screen.getByRole('radio', { name: 'All sites except the ones below' }));
    await user.type(screen.getByLabelText('Add a site'), 'chatgpt.com{Enter}');
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    await screen.findByText('Lesson started: Toets');
    expect(background.lesson).toMatchObject({ mode: 'blocklist', sites: ['chatgpt.com'] });
  });
});

describe('a running lesson', () => {
  it('extends by 5 and 15 minutes', async () => {
    const { background, user } = await setup({ lesson: lesson() });
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: '+5 min' }));
    expect(await screen.findByText(`The lesson now ends at ${formatTime(T0 + 40 * M)}.`)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '+15 min' }));
    await screen.findByText(`The lesson now ends at ${formatTime(T0 + 55 * M)}.`);
    expect(background.lesson?.endsAt).toBe(T0 + 55 * M);
    expect(screen.getByRole('group', { name: 'Extend:' })).toBeTruthy();
  });

  it('changes the sites live', async () => {
    const { background, user } = await setup({ lesson: lesson() });
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'Change sites' }));
    await user.click(screen.getByRole('button', { name: 'Remove wikipedia.org' }));
    await user.type(screen.getByLabelText('Add a site'), 'khanacademy.org{Enter}');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('The sites have been changed.')).toBeTruthy();
    expect(background.lesson).toMatchObject({ sites: ['rekenen.nl', 'khanacademy.org'], endsAt: T0 + 35 * M });
  });

  it('ends now, and the status shows open browsing at once', async () => {
    const { background, user } = await setup({ lesson: lesson() });
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'End now' }));
    expect(await screen.findByText('The lesson has ended.')).toBeTruthy();
    expect(background.lesson).toBeNull();
    expect(screen.getByRole('heading', { level: 1, name: 'No lesson: browsing is open' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'End now' })).toBeNull();
  });

  it("puts the running lesson's controls first, with its sites folded away", async () => {
    const { user } = await setup({ lesson: lesson(), presets: [ownPreset], policy: { presets: [itPreset] } });
    await unlock(user);
    const extend = await screen.findByRole('button', { name: '+5 min' });
    const newLesson = screen.getByRole('button', { name: 'New lesson…' });
    expect(extend.compareDocumentPosition(newLesson) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const card = document.querySelector('.status-card') as HTMLElement;
    const folded = within(card).getByText('Show the 2 sites').closest('details')!;
    expect(folded.open).toBe(false);
    expect(folded.compareDocumentPosition(extend) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await user.click(within(card).getByText('Show the 2 sites'));
    expect(within(folded).getAllByRole('link').map((link) => link.textContent)).toEqual(['rekenen.nl', 'wikipedia.org']);
  });

  it('passes axe with the panel open', async () => {
    const { user } = await setup({ lesson: lesson(), presets: [ownPreset], policy: { presets: [itPreset] } });
    await unlock(user);
    await screen.findByRole('heading', { name: 'This lesson' });
    expect(await axeViolations()).toEqual([]);
  });

  it('refreshes the status when the lesson ends by itself', async () => {
    useClock(T0, PAGE_TIMERS);
    await setup({ lesson: lesson({ endsAt: T0 + 1500 }) });
    await screen.findByRole('heading', { level: 1, name: 'Rekenen 2B' });
    jest.setSystemTime(T0 + 2000);
    await later(1000);
    expect(await screen.findByRole('heading', { level: 1, name: 'No lesson: browsing is open' })).toBeTruthy();
  });
});

describe('presets', () => {
  const signIn: Preset = { id: 'toets', title: 'Toets', mode: 'allowlist', sites: [], embeds: [] };
  const closed: Preset = { id: 'geen-ai', title: 'Geen AI', mode: 'blocklist', sites: ['chatgpt.com', 'gemini.google.com'], embeds: [], minutes: 30 };
  const open: Preset = { id: 'open', title: 'Open', mode: 'blocklist', sites: [], embeds: [] };
  const metaOf = (title: string) => within(screen.getByText(title).closest('li')!).getByText(/ · /).textContent;

  it.each([
    ['en', ['Only 1 site · 50 min', 'Only 2 sites · 45 min', "Only the school's sign-in sites · 45 min", 'Blocks 2 sites · 30 min', 'Blocks no sites · 45 min']],
    ['nl', ['Alleen 1 site · 50 min', 'Alleen 2 sites · 45 min', 'Alleen de inlogsites van school · 45 min', 'Blokkeert 2 sites · 30 min', 'Blokkeert geen sites · 45 min']],
  ] as const)('says what each preset does, with proper plurals (%s)', async (language, expected) => {
    setMessageSource(localeSource(language));
    const { user } = await setup({ presets: [ownPreset], policy: { presets: [itPreset, signIn, closed, open] } });
    await user.click(await screen.findByRole('button', { name: language === 'nl' ? 'Leraar' : 'Teacher' }));
    await user.type(screen.getByLabelText(language === 'nl' ? 'Code voor leraren' : 'Teacher PIN'), '1234{Enter}');
    await answered();
    await screen.findByText('Taal');
    expect(['Taal', 'Topo', 'Toets', 'Geen AI', 'Open'].map(metaOf)).toEqual(expected);
    expect(document.body.textContent).not.toContain('(s)');
  });

  it("shows a preset's sites on request, before it is started", async () => {
    const { background, user } = await setup({ presets: [ownPreset], policy: { presets: [signIn] } });
    await unlock(user);
    const row = (await screen.findByText('Topo')).closest('li')!;
    const disclosure = within(row).getByText('Show the 2 sites').closest('details')!;
    expect(disclosure.open).toBe(false);
    await user.click(within(row).getByText('Show the 2 sites'));
    expect(disclosure.open).toBe(true);
    expect(within(disclosure).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['topo.nl', 'maps.test']);
    expect(background.sent('startLesson')).toEqual([]);
    // A preset with no sites of its own has nothing to show.
    expect(within(screen.getByText('Toets').closest('li')!).queryByText(/^Show/)).toBeNull();
    expect(await axeViolations()).toEqual([]);
  });

  it('saves the running lesson as a preset', async () => {
    const { background, user } = await setup({ lesson: lesson() });
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'Save as preset' }));
    expect(await screen.findByText('Saved as a preset: Rekenen 2B')).toBeTruthy();
    expect(background.presets).toEqual([{ id: expect.any(String), title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl', 'wikipedia.org'], embeds: [], minutes: 45 }]);
    expect(within(screen.getByRole('list', { name: 'Your presets' })).getByText('Rekenen 2B')).toBeTruthy();
  });

  it('renames a preset', async () => {
    const { background, user } = await setup({ presets: [ownPreset] });
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'Rename' }));
    const input = screen.getByLabelText('New name for “Topo”');
    expect(document.activeElement).toBe(input);
    await user.clear(input);
    await user.type(input, 'Topografie{Enter}');
    expect(await screen.findByText('Renamed to Topografie')).toBeTruthy();
    expect(background.presets).toEqual([{ ...ownPreset, title: 'Topografie' }]);
  });

  it('edits a preset in the editor', async () => {
    const { background, user } = await setup({ presets: [ownPreset] });
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    expect(screen.getByRole('heading', { name: 'Edit preset' })).toBeTruthy();
    expect((screen.getByLabelText('Lesson name') as HTMLInputElement).value).toBe('Topo');
    await user.click(screen.getByRole('button', { name: 'Remove maps.test' }));
    await user.click(screen.getByRole('radio', { name: '30 min' }));
    await user.click(screen.getByRole('button', { name: 'Save preset' }));
    expect(await screen.findByText('Saved as a preset: Topo')).toBeTruthy();
    expect(background.presets).toEqual([{ ...ownPreset, sites: ['topo.nl'], minutes: 30 }]);
    expect(background.sent('savePreset')[0]?.id).toBe('local-1');
  });

  it("adapts one of IT's presets into a lesson without changing it", async () => {
    const { background, user } = await setup({ policy: { presets: [itPreset] } });
    await unlock(user);
    const row = (await screen.findByText('Taal')).closest('li')!;
    expect(within(row).queryByRole('button', { name: 'Rename' })).toBeNull();
    expect(within(row).queryByRole('button', { name: 'Delete' })).toBeNull();
    await user.click(within(row).getByRole('button', { name: 'Adapt' }));
    await user.type(screen.getByLabelText('Add a site'), 'woordenboek.nl{Enter}');
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    await screen.findByText('Lesson started: Taal');
    expect(background.lesson).toMatchObject({ sites: ['taal.nl', 'woordenboek.nl'], endsAt: T0 + 50 * M });
    expect((await background.connector.request({ type: 'getStatus' })).presets.it).toEqual([itPreset]);
  });

  it('deletes a preset after a confirmation', async () => {
    const { background, user } = await setup({ presets: [ownPreset] });
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    expect(screen.getByText('Delete “Topo”?')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Keep' }));
    expect(background.sent('deletePreset')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Deleted: Topo')).toBeTruthy();
    expect(background.presets).toEqual([]);
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Start a lesson' }));
  });
});

describe('keyboard only', () => {
  it('unlocks and starts a preset without a mouse', async () => {
    const { background, user } = await setup({ policy: { presets: [itPreset] } });
    await screen.findByRole('heading', { level: 1, name: 'No lesson: browsing is open' });
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Teacher' }));
    await user.keyboard('{Enter}');
    expect(document.activeElement).toBe(screen.getByLabelText('Teacher PIN'));
    await user.keyboard('1234{Enter}');
    await screen.findByRole('heading', { name: 'Start a lesson' });
    const start = within(screen.getByText('Taal').closest('li')!).getByRole('button', { name: 'Start' });
    for (let presses = 0; presses < 10 && document.activeElement !== start; presses++) await user.tab();
    expect(document.activeElement).toBe(start);
    await user.keyboard('{Enter}');
    await screen.findByText('Lesson started: Taal');
    expect(background.lesson?.title).toBe('Taal');
  });
});

describe('a wait from earlier wrong PINs', () => {
  it('shows at once when the PIN form opens, and ends by itself', async () => {
    useClock(T0, PAGE_TIMERS);
    const { user } = await setup({ attempts: { failures: 3, lastFailureAt: T0 - 29_000 } });
    await user.click(await screen.findByRole('button', { name: 'Teacher' }));
    expect(screen.getByRole('alert').textContent).toBe('Too many wrong PINs. Try again in 0:01.');
    await later(2000);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('You can try the PIN again now.'));
  });
});
