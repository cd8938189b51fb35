/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The CommonJS builds of Testing Library: under jsdom Jest would pick their ESM ("browser") builds, which it cannot run untransformed.
// The tab limit and the Test switch in the popup, over the real background: choosing them, and what everyone sees of them.
import { describe, expect, it } from '@jest/globals';
import { act, render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { startExtension, type ExtensionOptions, type TestBackground } from '../support/extension';
import type { Lesson, Preset } from '../../../../src/core/schemas';
import { Popup } from '../../../../src/ui/popup/popup';
import { errorText } from '../../../../src/ui/shared/errors';
import { setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations } from '../support/axe';
import { eachPageTest } from '../support/lifecycle';
import { localeSource } from '../support/locale';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const lesson = (extra: Partial<Lesson> = {}): Lesson => ({ id: 'l1', title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 10 * M, endsAt: T0 + 35 * M, ...extra });
const examPreset: Preset = { id: 'toets', title: 'Toets wiskunde', mode: 'allowlist', sites: ['toets.school.nl'], embeds: [], minutes: 50, test: true };

let background: TestBackground | null = null;

eachPageTest(T0, async () => {
  await background?.stop();
  background = null;
});

async function setup(options: ExtensionOptions = {}) {
  background = await startExtension(options);
  const user = userEvent.setup();
  render(<Popup services={{ connector: background.connector, currentTabUrl: async () => null, now: () => Date.now() }} />);
  await waitFor(() => expect(document.querySelector('.skeleton')).toBeNull());
  return { background, user };
}

async function answered() {
  await act(async () => {
    await background!.settled();
  });
}

async function unlock(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('button', { name: 'Teacher' }));
  await user.type(screen.getByLabelText('Teacher PIN'), '1234');
  await user.click(screen.getByRole('button', { name: 'Open' }));
  await answered();
}

describe('the lesson editor', () => {
  it('starts a lesson with a tab limit', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'New lesson…' }));
    await user.type(screen.getByLabelText('Lesson name'), 'Breuken');
    await user.type(screen.getByLabelText('Add a site'), 'rekenen.nl');
    const limits = screen.getByRole('group', { name: 'Open tabs at most' });
    expect(within(limits).getAllByRole('radio').map((radio) => radio.closest('label')!.textContent)).toEqual(['No limit', '1', '3', '5']);
    expect((within(limits).getByRole('radio', { name: 'No limit' }) as HTMLInputElement).checked).toBe(true);
    await user.click(within(limits).getByRole('radio', { name: '3' }));
    expect(await axeViolations()).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    expect(await screen.findByText('Lesson started: Breuken')).toBeTruthy();
    expect(background.lesson).toMatchObject({ title: 'Breuken', tabLimit: 3 });
    expect(background.lesson).not.toHaveProperty('test');
    expect(screen.getByText('At most 3 tabs open')).toBeTruthy();
  });

  it('starts a test: the switch sets the limit at its strictest, and the popup says Test', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'New lesson…' }));
    await user.type(screen.getByLabelText('Lesson name'), 'Toets');
    await user.type(screen.getByLabelText('Add a site'), 'toets.school.nl');
    await user.click(screen.getByRole('switch', { name: 'Test' }));
    expect((screen.getByRole('group', { name: 'Open tabs at most' }) as HTMLFieldSetElement).disabled).toBe(true);
    expect(screen.getByText('A test allows one tab; tabs already open stay open.')).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    expect(await screen.findByText('Lesson started: Toets')).toBeTruthy();
    expect(background.lesson).toMatchObject({ title: 'Toets', test: true });
    expect(screen.getByRole('note').textContent).toBe('Test One tab, only the test\'s sites, AI off, nobody let through.');
  });

  it('saves the limit and the test flag with a preset', async () => {
    const { background, user } = await setup();
    await unlock(user);
    await user.click(await screen.findByRole('button', { name: 'New lesson…' }));
    await user.type(screen.getByLabelText('Lesson name'), 'Topo');
    await user.type(screen.getByLabelText('Add a site'), 'topo.nl');
    await user.click(screen.getByRole('radio', { name: '5' }));
    await user.click(screen.getByRole('button', { name: 'Save as preset' }));
    await answered();
    expect(background.presets).toEqual([expect.objectContaining({ title: 'Topo', tabLimit: 5 })]);
  });
});

describe('presets from IT', () => {
  it("starts IT's test preset in one click, as a test", async () => {
    const { background, user } = await setup({ policy: { presets: [examPreset] } });
    await unlock(user);
    const row = (await screen.findByText('Toets wiskunde')).closest('li')!;
    await user.click(within(row).getByRole('button', { name: 'Start' }));
    expect(await screen.findByText('Lesson started: Toets wiskunde')).toBeTruthy();
    expect(background.lesson).toMatchObject({ title: 'Toets wiskunde', test: true, endsAt: T0 + 50 * M });
  });
});

describe('three clicks from a preset', () => {
  it('Adapt, Test, Start lesson: the preset\'s own limit is chosen already', async () => {
    const { background, user } = await setup({ policy: { presets: [{ id: 'taal', title: 'Taal', mode: 'allowlist', sites: ['taal.nl'], embeds: [], minutes: 50, tabLimit: 3 }] } });
    await unlock(user);
    const row = (await screen.findByText('Taal')).closest('li')!;
    await user.click(within(row).getByRole('button', { name: 'Adapt' }));
    expect((screen.getByRole('radio', { name: '3' }) as HTMLInputElement).checked).toBe(true);
    await user.click(screen.getByRole('switch', { name: 'Test' }));
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    expect(await screen.findByText('Lesson started: Taal')).toBeTruthy();
    expect(background.lesson).toMatchObject({ title: 'Taal', tabLimit: 3, test: true });
  });
});

describe('what everyone sees', () => {
  it('shows the Test banner and the one tab to a student', async () => {
    await setup({ lesson: lesson({ title: 'Toets', test: true }) });
    expect(await screen.findByRole('heading', { level: 1, name: 'Toets' })).toBeTruthy();
    expect(screen.getByRole('note').textContent).toBe('Test One tab, only the test\'s sites, AI off, nobody let through.');
    expect(screen.getByText('One tab open at most')).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
  });

  it('shows the limit of a lesson, and no banner', async () => {
    await setup({ lesson: lesson({ tabLimit: 3 }) });
    await screen.findByRole('heading', { level: 1, name: 'Rekenen 2B' });
    expect(screen.getByText('At most 3 tabs open')).toBeTruthy();
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('shows nothing of either for a lesson without them', async () => {
    await setup({ lesson: lesson() });
    await screen.findByRole('heading', { level: 1, name: 'Rekenen 2B' });
    expect(screen.queryByRole('note')).toBeNull();
    expect(document.querySelector('.tab-limit-note')).toBeNull();
  });

  it('says Toets in Dutch', async () => {
    setMessageSource(localeSource('nl'));
    await setup({ lesson: lesson({ title: 'Wiskunde', test: true }) });
    await screen.findByRole('heading', { level: 1, name: 'Wiskunde' });
    expect(screen.getByRole('note').textContent).toBe('Toets Eén tabblad, alleen de sites van de toets, AI uit, niemand doorlaten.');
    expect(screen.getByText('Hoogstens één tabblad open')).toBeTruthy();
  });
});

describe('a tab limit outside 1 to 20', () => {
  it.each([[0], [500]])("(%d) is refused where it enters the background, in words of the reader's language", async (tabLimit) => {
    background = await startExtension();
    const { token } = await background.connector.request({ type: 'unlock', pin: '1234' });
    const refusal = await background.connector
      .request({ type: 'startLesson', token, lesson: { title: 'Breuken', mode: 'allowlist', sites: ['rekenen.nl'], minutes: 45, tabLimit } })
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'invalid', problem: { path: 'lesson.tabLimit', code: 'tab-limit', params: ['1', '20'] } });
    expect(errorText(refusal, null, T0)).toBe('Something in the form is not right: a tab limit is a whole number from 1 to 20; leave it out for no limit');
    setMessageSource(localeSource('nl'));
    expect(errorText(refusal, null, T0)).toBe('Er klopt iets niet in het formulier: een tablimiet is een geheel getal van 1 tot en met 20; laat het weg voor geen limiet');
    expect(background.lesson).toBeNull();
  });
});
