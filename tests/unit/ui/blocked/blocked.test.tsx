/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The CommonJS builds of Testing Library: under jsdom Jest would pick their ESM ("browser") builds, which it cannot run untransformed.
// The blocked page over the real background, through the same Connector as in the browser.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { act, render, screen, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { startExtension, type ExtensionOptions, type TestBackground } from '../support/extension';
import { useClock } from '../../background/support/clock';
import type { Lesson } from '../../../../src/core/schemas';
import { BlockedView } from '../../../../src/ui/blocked/blocked-view';
import { formatTime, setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations, preparePage } from '../support/axe';
import { localeSource } from '../support/locale';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const BLOCKED = 'http://games.test:8080/play?level=2';
const lesson: Lesson = { id: 'l1', title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 10 * M, endsAt: T0 + 35 * M };

let background: TestBackground | null = null;

beforeEach(() => {
  useClock(T0);
  setMessageSource(localeSource('en'));
  preparePage();
});

afterEach(async () => {
  document.body.innerHTML = '';
  await background?.stop();
  background = null;
  jest.useRealTimers();
});

async function setup(options: ExtensionOptions = {}, url = BLOCKED) {
  background = await startExtension({ lesson, ...options });
  const onAllowed = jest.fn<(url: string) => void>();
  const user = userEvent.setup();
  render(<BlockedView connector={background.connector} blockedUrl={url} inFrame={false} now={() => Date.now()} onAllowed={onAllowed} />);
  // The page asks the background what is blocked and why; the tests start once it has answered.
  await answered();
  return { background, onAllowed, user };
}

/** Waits until the background has answered what the page asked, and the page shows it. */
async function answered() {
  await act(async () => {
    await background!.settled();
  });
}

describe('the blocked page', () => {
  it('says what lesson is on and offers its sites as links', async () => {
    await setup();
    expect(await screen.findByRole('heading', { level: 1, name: 'This site is not part of the lesson' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'rekenen.nl' }).getAttribute('href')).toBe('https://rekenen.nl');
    expect(await axeViolations()).toEqual([]);
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

  it('is offered in Dutch in a Dutch browser', async () => {
    setMessageSource(localeSource('nl'));
    await setup();
    const main = await screen.findByRole('main');
    expect(await within(main).findByRole('button', { name: 'Docent: deze leerling doorlaten' })).toBeTruthy();
  });
});
