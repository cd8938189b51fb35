/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The CommonJS builds of Testing Library: under jsdom Jest would pick their ESM ("browser") builds, which it cannot run untransformed.
// The blocked page over the real background, through the same Connector as in the browser.
import { describe, expect, it, jest } from '@jest/globals';
import { options, render as renderNow } from 'preact';
import { act, render, screen, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { startExtension, type ExtensionOptions, type TestBackground } from '../support/extension';
import type { Lesson } from '../../../../src/core/schemas';
import { BlockedView } from '../../../../src/ui/blocked/blocked-view';
import type { PageHistory } from '../../../../src/ui/blocked/leave-actions';
import type { Connector } from '../../../../src/ui/shared/channel';
import { formatTime, setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations } from '../support/axe';
import { eachPageTest } from '../support/lifecycle';
import { localeSource } from '../support/locale';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const BLOCKED = 'http://games.test:8080/play?level=2';
const lesson: Lesson = { id: 'l1', title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 10 * M, endsAt: T0 + 35 * M };

let background: TestBackground | null = null;

eachPageTest(T0, async () => {
  await background?.stop();
  background = null;
});

/** The tab's history as a test gives it: with a page before this one unless `canGoBack` is false. */
function tabHistory(canGoBack = true) {
  return { canGoBack, goBack: jest.fn<() => void>(), closeTab: jest.fn<() => void>() } satisfies PageHistory;
}

async function setup(options: ExtensionOptions = {}, url = BLOCKED, history = tabHistory()) {
  background = await startExtension({ lesson, ...options });
  const onAllowed = jest.fn<(url: string) => void>();
  const user = userEvent.setup();
  render(<BlockedView connector={background.connector} blockedUrl={url} inFrame={false} history={history} now={() => Date.now()} onAllowed={onAllowed} />);
  // The page asks the background what is blocked and why; the tests start once it has answered.
  await answered();
  return { background, onAllowed, user, history };
}

/** Waits until the background has answered what the page asked, and the page shows it. */
async function answered() {
  await act(async () => {
    await background!.settled();
  });
}

describe('the blocked page', () => {
  it('says what lesson is on, until when, and offers its sites as links', async () => {
    await setup();
    expect(await screen.findByRole('heading', { level: 1, name: 'This site is not part of the lesson' })).toBeTruthy();
    expect(screen.getByText('Lesson: Rekenen 2B')).toBeTruthy();
    expect(screen.getByText(`Until ${formatTime(lesson.endsAt)}`)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'rekenen.nl' }).getAttribute('href')).toBe('https://rekenen.nl');
    expect(screen.getByText('Need this site for your work? Ask your teacher.')).toBeTruthy();
    expect(document.title).toBe('This site is not part of the lesson');
    expect(await axeViolations()).toEqual([]);
  });

  it('names the site that was blocked, and shows its full address only on demand', async () => {
    const { user } = await setup();
    expect(screen.getByText('You tried to open:').nextElementSibling!.textContent).toBe('games.test');
    const details = screen.getByText('Full address').closest('details')!;
    expect(details.open).toBe(false);
    await user.click(screen.getByText('Full address'));
    expect(details.open).toBe(true);
    expect(within(details).getByText(BLOCKED)).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
  });

  it('names no site when the school turned the address off', async () => {
    await setup({ policy: { showBlockedAddress: false } });
    await screen.findByText('Lesson: Rekenen 2B');
    expect(screen.queryByText('You tried to open:')).toBeNull();
    expect(screen.queryByText(/games\.test/)).toBeNull();
  });

  it('goes back to the page before', async () => {
    const { user, history } = await setup();
    await user.click(screen.getByRole('button', { name: 'Go back' }));
    expect(history.goBack).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('button', { name: 'Close this tab' })).toBeNull();
  });

  it('offers to close the tab when there is no page before it', async () => {
    const { user, history } = await setup({}, BLOCKED, tabHistory(false));
    expect(screen.queryByRole('button', { name: 'Go back' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Close this tab' }));
    expect(history.closeTab).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['en', 'Your school blocks this site', 'This is a rule of your school. It always applies, in lessons and outside them.', "Do you need this site for school work? Ask your teacher or the school's IT staff.", 'Go back'],
    ['nl', 'Je school blokkeert deze site', 'Dit is een regel van je school. Die geldt altijd, in en buiten de lessen.', 'Heb je deze site nodig voor schoolwerk? Vraag het je leraar of de ICT-afdeling van school.', 'Teruggaan'],
  ] as const)('says (%s) that a site IT blocked outside lessons is the school\'s rule, what to do, and offers a way back', async (language, heading, rule, ask, back) => {
    setMessageSource(localeSource(language));
    await setup({ lesson: null, policy: { blocked: ['games.test'] } });
    expect(await screen.findByRole('heading', { level: 1, name: heading })).toBeTruthy();
    expect(document.title).toBe(heading);
    expect(screen.getByText(rule)).toBeTruthy();
    expect(screen.getByText(ask)).toBeTruthy();
    expect(screen.getByRole('button', { name: back })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /let this student through|deze leerling doorlaten/ })).toBeNull();
    expect(await axeViolations()).toEqual([]);
  });

  it('offers the page again once its site is open, and nothing that is not a web address', async () => {
    await setup({ lesson: null });
    expect(await screen.findByRole('heading', { level: 1, name: 'This site is open again' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open the page' }).getAttribute('href')).toBe(BLOCKED);
    expect(screen.queryByText(/Ask your teacher/)).toBeNull();
    document.body.innerHTML = '';
    await background!.stop();

    await setup({ lesson: null }, 'javascript:alert(1)');
    await screen.findByRole('heading', { level: 1 });
    expect(screen.queryByRole('link', { name: 'Open the page' })).toBeNull();
  });

  it('shows the lesson in a tab that gets no frames (a tab in the background)', async () => {
    background = await startExtension({ lesson });
    // Preact runs plain effects after the next frame; this tab never gets one.
    const frames = options.requestAnimationFrame;
    options.requestAnimationFrame = () => undefined;
    try {
      const root = document.createElement('div');
      document.body.append(root);
      renderNow(<BlockedView connector={background.connector} blockedUrl={BLOCKED} inFrame={false} history={tabHistory()} />, root);
      await background.settled();
      await screen.findByText('Lesson: Rekenen 2B');
      expect(screen.getByRole('link', { name: 'rekenen.nl' })).toBeTruthy();
    } finally {
      options.requestAnimationFrame = frames;
    }
  });

  it('says so while the background does not answer, and shows the lesson once it does', async () => {
    jest.useFakeTimers({ now: T0, doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    background = await startExtension({ lesson });
    let refusals = 2;
    // The browser's messaging fails while the background is not listening yet.
    const flaky: Connector = {
      request: (request) => {
        if (refusals === 0) return background!.connector.request(request);
        refusals -= 1;
        return Promise.reject(new Error('Could not establish connection. Receiving end does not exist.'));
      },
    };
    render(<BlockedView connector={flaky} blockedUrl={BLOCKED} inFrame={false} history={tabHistory()} />);
    expect(await screen.findByRole('alert')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('Lesmodus is starting. Try again in a moment.');
    expect(screen.queryByText('Need this site for your work? Ask your teacher.')).toBeNull();
    expect(screen.getByRole('button', { name: 'Go back' })).toBeTruthy();
    await act(async () => {
      await jest.advanceTimersByTimeAsync(1000);
    });
    expect(await screen.findByText('Lesson: Rekenen 2B')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('let one student through', () => {
  it('lets the site through for the chosen minutes with the PIN, and goes back to the page', async () => {
    const { background, onAllowed, user } = await setup();
    const open = await screen.findByRole('button', { name: 'Teacher: let this student through' });
    await user.click(open);
    expect(document.activeElement).toBe(screen.getByLabelText('Teacher PIN'));
    expect(screen.getByText('Only games.test, only on this browser, for a few minutes.')).toBeTruthy();
    expect((screen.getByRole('radio', { name: '10 min' }) as HTMLInputElement).checked).toBe(true);
    expect(await axeViolations()).toEqual([]);

    await user.type(screen.getByLabelText('Teacher PIN'), '1234');
    await user.click(screen.getByRole('radio', { name: '5 min' }));
    await user.click(screen.getByRole('button', { name: 'Let through' }));

    expect(await screen.findByText(`games.test is open on this browser until ${formatTime(T0 + 5 * M)}. Opening the page…`)).toBeTruthy();
    expect(background.sent('allowTemporarily')).toEqual([{ type: 'allowTemporarily', pin: '1234', url: BLOCKED, minutes: 5 }]);
    expect(background.exceptions).toEqual([{ site: 'games.test', until: T0 + 5 * M }]);
    expect(onAllowed).toHaveBeenCalledWith(BLOCKED);
    // No unlocked session is left behind on a page in front of a student.
    expect(background.unlocked).toBe(false);
  });

  it('changes nothing with a wrong PIN', async () => {
    const { background, onAllowed, user } = await setup();
    await user.click(await screen.findByRole('button', { name: 'Teacher: let this student through' }));
    await user.type(screen.getByLabelText('Teacher PIN'), '9999{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('That PIN is not right. Try again.');
    expect(background.exceptions).toEqual([]);
    expect(onAllowed).not.toHaveBeenCalled();
  });

  it('is keyboard operable', async () => {
    const { background, user } = await setup();
    await screen.findByRole('button', { name: 'Teacher: let this student through' });
    for (let presses = 0; presses < 5 && document.activeElement?.textContent !== 'Teacher: let this student through'; presses++) await user.tab();
    await user.keyboard('{Enter}');
    await user.keyboard('1234');
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('radio', { name: '10 min' }));
    await user.keyboard('{ArrowRight}');
    expect((screen.getByRole('radio', { name: '15 min' }) as HTMLInputElement).checked).toBe(true);
    await user.keyboard('{Enter}');
    await screen.findByRole('status');
    await answered();
    expect(background.exceptions).toEqual([{ site: 'games.test', until: T0 + 15 * M }]);
  });

  it.each<[string, ExtensionOptions, string]>([
    ['for a site IT blocked', { policy: { blocked: ['games.test'] } }, BLOCKED],
    ['before any teacher PIN is set', { pin: null }, BLOCKED],
    ['for an address that is not a web page', {}, 'ftp://files.test/x'],
  ])('is not offered %s', async (_name, options, url) => {
    await setup(options, url);
    await screen.findByRole('heading', { level: 1 });
    await screen.findByText('Lesson: Rekenen 2B');
    expect(screen.queryByRole('button', { name: 'Teacher: let this student through' })).toBeNull();
  });

  it.each([
    ['leraar without a school type', {}, 'Leraar', 'Code voor leraren', 'Vraag het je leraar.'],
    ['leerkracht at a primary school', { schoolType: 'primary' as const }, 'Leerkracht', 'Code voor leerkrachten', 'Vraag het je leerkracht.'],
    ['docent at a secondary school', { schoolType: 'secondary' as const }, 'Docent', 'Code voor docenten', 'Vraag het je docent.'],
  ])('names the teacher in Dutch as the school does: %s', async (_name, policy, teacher, pinLabel, ask) => {
    setMessageSource(localeSource('nl'));
    const { user } = await setup({ policy });
    const main = await screen.findByRole('main');
    expect(await within(main).findByText(ask, { exact: false })).toBeTruthy();
    await user.click(within(main).getByRole('button', { name: `${teacher}: deze leerling doorlaten` }));
    expect(screen.getByLabelText(pinLabel)).toBeTruthy();
  });

  it('is offered in Dutch in a Dutch browser', async () => {
    setMessageSource(localeSource('nl'));
    await setup();
    const main = await screen.findByRole('main');
    expect(await within(main).findByRole('button', { name: 'Leraar: deze leerling doorlaten' })).toBeTruthy();
  });
});
