/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The CommonJS builds of Testing Library: under jsdom Jest would pick their ESM ("browser") builds, which it cannot run untransformed.
// The notice a tab opened beyond the lesson's tab limit shows, worded from its address.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { render, screen } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { noticeAddress, readNoticeAddress } from '../../../../src/core/rules/tabs';
import { setMessageSource } from '../../../../src/ui/shared/text';
import { TabLimitView } from '../../../../src/ui/tab-limit/tab-limit-view';
import { axeViolations, preparePage } from '../support/axe';
import { localeSource } from '../support/locale';

const PAGE = 'chrome-extension://id/tab-limit.html';

beforeEach(() => {
  setMessageSource(localeSource('en'));
  preparePage();
});

afterEach(() => {
  document.body.innerHTML = '';
});

function show(guard: { title: string; limit: number; test: boolean }) {
  const closeTab = jest.fn<() => void>();
  const notice = readNoticeAddress(new URL(noticeAddress(PAGE, { key: 'k', ...guard })).search);
  render(<TabLimitView {...notice} closeTab={closeTab} />);
  return closeTab;
}

describe('the tab limit notice', () => {
  it('names the lesson and the limit, and closes the tab from the button it focuses', async () => {
    const closeTab = show({ title: 'Rekenen 2B', limit: 3, test: false });
    expect(screen.getByRole('heading', { level: 1, name: 'No more tabs in this lesson' })).toBeTruthy();
    expect(screen.getByText('Rekenen 2B allows at most 3 open tabs.')).toBeTruthy();
    const close = screen.getByRole('button', { name: 'Close this tab' });
    expect(document.activeElement).toBe(close);
    expect(await axeViolations()).toEqual([]);
    await userEvent.setup().click(close);
    expect(closeTab).toHaveBeenCalledTimes(1);
  });

  it('says one tab for a limit of one', () => {
    show({ title: 'Rekenen 2B', limit: 1, test: false });
    expect(screen.getByText('Rekenen 2B allows one open tab.')).toBeTruthy();
  });

  it('says that a test opens no new tabs or windows', () => {
    show({ title: 'Toets', limit: 1, test: true });
    expect(screen.getByRole('heading', { level: 1, name: 'No new tabs during the test' })).toBeTruthy();
    expect(screen.getByText('Toets is a test: no new tabs or windows can be opened until it ends.')).toBeTruthy();
  });

  it('speaks Dutch in a Dutch browser', () => {
    setMessageSource(localeSource('nl'));
    show({ title: 'Rekenen 2B', limit: 3, test: false });
    expect(screen.getByRole('heading', { level: 1, name: 'Geen tabbladen meer in deze les' })).toBeTruthy();
    expect(screen.getByText('Rekenen 2B staat hoogstens 3 open tabbladen toe.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Tabblad sluiten' })).toBeTruthy();
  });
});
