/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The CommonJS builds of Testing Library: under jsdom Jest would pick their ESM ("browser") builds, which it cannot run untransformed.
// The blocked page during a test, over the real background: nobody is let through, and the page says so.
import { describe, expect, it } from '@jest/globals';
import { act, render, screen } from '@testing-library/preact';
import { startExtension, type TestBackground } from '../support/extension';
import type { Lesson } from '../../../../src/core/schemas';
import { BlockedView } from '../../../../src/ui/blocked/blocked-view';
import { axeViolations } from '../support/axe';
import { eachPageTest } from '../support/lifecycle';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const lesson = (extra: Partial<Lesson> = {}): Lesson => ({ id: 'l1', title: 'Toets', mode: 'allowlist', sites: ['toets.school.nl'], embeds: [], startsAt: T0 - 10 * M, endsAt: T0 + 35 * M, ...extra });

let background: TestBackground | null = null;

eachPageTest(T0, async () => {
  await background?.stop();
  background = null;
});

async function show(test: boolean) {
  background = await startExtension({ lesson: lesson(test ? { test: true } : {}) });
  const history = { canGoBack: true, goBack: () => undefined, closeTab: () => undefined };
  render(<BlockedView connector={background.connector} blockedUrl="https://games.test/" inFrame={false} history={history} now={() => Date.now()} onAllowed={() => undefined} />);
  await act(async () => {
    await background!.settled();
  });
}

describe('the blocked page in a test', () => {
  it('offers no way to let the student through, and says why', async () => {
    await show(true);
    expect(await screen.findByText("This is a test: only the test's sites can be opened, and nobody can be let through.")).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Teacher: let this student through' })).toBeNull();
    expect(await axeViolations()).toEqual([]);
  });

  it('offers it in a lesson that is not a test', async () => {
    await show(false);
    expect(await screen.findByRole('button', { name: 'Teacher: let this student through' })).toBeTruthy();
    expect(screen.queryByText("This is a test: only the test's sites can be opened, and nobody can be let through.")).toBeNull();
  });
});
