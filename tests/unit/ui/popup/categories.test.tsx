/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The CommonJS builds of Testing Library: under jsdom Jest would pick their ESM ("browser") builds, which it cannot run untransformed.
// "Block AI" and the other site categories in the popup, over the real background.
import { describe, expect, it } from '@jest/globals';
import { act, render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { startExtension, type ExtensionOptions, type TestBackground } from '../support/extension';
import type { Lesson, Preset } from '../../../../src/core/schemas';
import { Popup } from '../../../../src/ui/popup/popup';
import type { PopupServices } from '../../../../src/ui/popup/services';
import { setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations } from '../support/axe';
import { eachPageTest } from '../support/lifecycle';
import { localeSource } from '../support/locale';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const running: Lesson = { id: 'l1', title: 'Essay', mode: 'allowlist', sites: ['school.nl'], embeds: [], startsAt: T0 - 10 * M, endsAt: T0 + 35 * M };
const EXAM = { id: 'exam-cheats', name: { en: 'Exam help', nl: 'Spiekhulp' }, sites: ['answers.example'] };

let background: TestBackground | null = null;

eachPageTest(T0, async () => {
  await background?.stop();
  background = null;
});

const UNLOCK = { en: ['Teacher', 'Teacher PIN', 'Open'], nl: ['Leraar', 'Code voor leraren', 'Openen'] } as const;

async function setup(options: ExtensionOptions = {}, lang: 'en' | 'nl' = 'en') {
  const [teacher, pin, open] = UNLOCK[lang];
  background = await startExtension(options);
  const services: PopupServices = { connector: background.connector, currentTabUrl: async () => null, now: () => Date.now() };
  const user = userEvent.setup();
  render(<Popup services={services} />);
  await waitFor(() => expect(document.querySelector('.skeleton')).toBeNull());
  await user.click(await screen.findByRole('button', { name: teacher }));
  await user.type(screen.getByLabelText(pin), '1234');
  await user.click(screen.getByRole('button', { name: open }));
  await act(async () => {
    await background!.settled();
  });
  return { background, user };
}

describe('Block AI and the other categories', () => {
  it('blocks AI in a new lesson with one toggle, the other categories beside it', async () => {
    const { background, user } = await setup();
    await user.click(await screen.findByRole('button', { name: 'New lesson…' }));
    await user.type(screen.getByLabelText('Lesson name'), 'Essay');
    const group = screen.getByRole('group', { name: 'Block in this lesson' });
    expect(within(group).getAllByRole('checkbox').map((box) => box.closest('label')!.textContent)).toEqual(['Block AI', 'Social media', 'Games', 'Video']);
    await user.click(within(group).getByRole('checkbox', { name: 'Block AI' }));
    expect(await axeViolations()).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Start lesson' }));
    expect(await screen.findByText('Lesson started: Essay')).toBeTruthy();
    expect(background.lesson).toMatchObject({ title: 'Essay', categories: ['ai'] });
    // The lesson's card says so, to the teacher and to a student who opens the popup.
    expect(screen.getByText('Off in this lesson: AI')).toBeTruthy();
  });

  it('switches AI off in the running lesson in three clicks after unlocking, and on again', async () => {
    const { background, user } = await setup({ lesson: running });
    await user.click(await screen.findByRole('button', { name: 'Change sites' }));
    await user.click(screen.getByRole('checkbox', { name: 'Block AI' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('The sites have been changed.')).toBeTruthy();
    expect(background.lesson).toMatchObject({ sites: ['school.nl'], categories: ['ai'], endsAt: T0 + 35 * M });

    await user.click(await screen.findByRole('button', { name: 'Change sites' }));
    expect((screen.getByRole('checkbox', { name: 'Block AI' }) as HTMLInputElement).checked).toBe(true);
    await user.click(screen.getByRole('checkbox', { name: 'Block AI' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await act(async () => {
      await background.settled();
    });
    expect(background.lesson?.categories).toBeUndefined();
  });

  it("offers IT's own categories by their name, and a preset carries and shows its categories", async () => {
    const preset: Preset = { id: 'toets', title: 'Toets', mode: 'allowlist', sites: ['school.nl'], embeds: [], minutes: 50, categories: ['ai', 'exam-cheats'] };
    const { background, user } = await setup({ policy: { categories: [EXAM], presets: [preset] } });
    const row = (await screen.findByText('Toets')).closest('li')!;
    expect(within(row).getByText('Only 1 site · 50 min · blocks AI, Exam help')).toBeTruthy();
    await user.click(within(row).getByRole('button', { name: 'Start' }));
    expect(await screen.findByText('Lesson started: Toets')).toBeTruthy();
    expect(background.lesson).toMatchObject({ title: 'Toets', categories: ['ai', 'exam-cheats'] });

    await user.click(await screen.findByRole('button', { name: 'Change sites' }));
    expect((screen.getByRole('checkbox', { name: 'Exam help' }) as HTMLInputElement).checked).toBe(true);
  });

  it('saves the categories with a preset of the teacher\'s own', async () => {
    const { background, user } = await setup();
    await user.click(await screen.findByRole('button', { name: 'New lesson…' }));
    await user.type(screen.getByLabelText('Lesson name'), 'Toets');
    await user.click(screen.getByRole('checkbox', { name: 'Games' }));
    await user.click(screen.getByRole('checkbox', { name: 'Block AI' }));
    await user.click(screen.getByRole('button', { name: 'Save as preset' }));
    await act(async () => {
      await background.settled();
    });
    expect(background.presets).toEqual([expect.objectContaining({ title: 'Toets', categories: ['ai', 'games'] })]);
  });

  it('refuses a category this device does not know, by name, in the teacher\'s language', async () => {
    setMessageSource(localeSource('nl'));
    const stale: Preset = { id: 'local-1', title: 'Oud', mode: 'blocklist', sites: [], embeds: [], categories: ['exam-cheats'] };
    const { background, user } = await setup({ presets: [stale] }, 'nl');
    const row = (await screen.findByText('Oud')).closest('li')!;
    await user.click(within(row).getByRole('button', { name: 'Starten' }));
    expect(await screen.findByText(/er is hier geen soort sites "exam-cheats"/)).toBeTruthy();
    expect(background.lesson).toBeNull();
  });
});
