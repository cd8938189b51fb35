// What an unlocked teacher can change on this device, through the real
// handlers and the message protocol: a lesson (start, extend, change, end),
// presets, letting a student through; and that without the unlock nothing
// changes.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { startBackground, type TestBackground } from './support/background';
import { useClock } from './support/clock';
import type { RequestInput } from '../../../src/ui/shared/channel';
import type { Lesson, Preset } from '../../../src/core/schemas';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const BLOCKED_PAGE = 'chrome-extension://test-extension-id/blocked.html';
const POLICY = { blocked: ['games.test'], maxLessonMinutes: 90, allowBlocklistLessons: false, presets: [{ id: 'taal', title: 'Taal', mode: 'allowlist', sites: ['taal.nl'] }] };
const draft = { title: 'Breuken', mode: 'allowlist' as const, sites: ['rekenen.nl'], embeds: [], minutes: 45 };
const running: Lesson = { id: 'l1', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 5 * M, endsAt: T0 + 40 * M };
const ownPreset: Preset = { id: 'local-1', title: 'Topo', mode: 'allowlist', sites: ['topo.nl'], embeds: [] };

let background: TestBackground;
let token: string;

const redirected = (url: string) => background.dnr.evaluate(url).redirectUrl?.startsWith(BLOCKED_PAGE) ?? false;

async function start(local: Record<string, unknown> = {}): Promise<void> {
  background = await startBackground({ policy: POLICY, pin: '1234', local });
  token = (await background.connector.request({ type: 'unlock', pin: '1234' })).token;
}

/** The answer to `request`: its value, or the refusal's code. */
async function answer(request: RequestInput): Promise<unknown> {
  return background.connector.request(request).catch((error: { code?: string }) => ({ refused: error.code }));
}

beforeEach(() => useClock(T0));

afterEach(async () => {
  await background.stop();
  jest.useRealTimers();
});

describe('a lesson on this device', () => {
  it('starts, and only its sites (and what IT allows) open', async () => {
    await start();
    const status = await background.connector.request({ type: 'startLesson', token, lesson: draft });
    expect(status.active).toMatchObject({ origin: 'teacher', title: 'Breuken', startsAt: T0, endsAt: T0 + 45 * M });
    expect(background.lesson).toMatchObject({ title: 'Breuken', sites: ['rekenen.nl'], endsAt: T0 + 45 * M });
    expect(redirected('https://rekenen.nl/sommen')).toBe(false);
    expect(redirected('https://wikipedia.org/')).toBe(true);
  });

  it("keeps to IT's limits", async () => {
    await start();
    expect(await answer({ type: 'startLesson', token, lesson: { ...draft, minutes: 120 } })).toEqual({ refused: 'too-long' });
    expect(await answer({ type: 'startLesson', token, lesson: { ...draft, mode: 'blocklist' } })).toEqual({ refused: 'mode-not-allowed' });
    expect(background.lesson).toBeNull();
  });

  it('extends, changes its sites and ends', async () => {
    await start({ lesson: running });
    expect((await background.connector.request({ type: 'extendLesson', token, minutes: 15 })).active?.endsAt).toBe(T0 + 55 * M);
    const changed = await background.connector.request({ type: 'updateLesson', token, sites: ['rekenen.nl', 'wikipedia.org'] });
    expect(changed.active).toMatchObject({ sites: ['rekenen.nl', 'wikipedia.org'], endsAt: T0 + 55 * M });
    expect(redirected('https://wikipedia.org/')).toBe(false);
    const ended = await background.connector.request({ type: 'endLesson', token });
    expect(ended.active).toBeNull();
    expect(background.lesson).toBeNull();
    expect(background.dnr.inForce.some((rule) => rule.priority === 1)).toBe(false);
    expect(redirected('https://wikipedia.org/')).toBe(false);
  });

  it('has nothing to extend, change or end without a lesson', async () => {
    await start();
    expect(await answer({ type: 'extendLesson', token, minutes: 5 })).toEqual({ refused: 'no-lesson' });
    expect(await answer({ type: 'updateLesson', token, sites: ['x.nl'] })).toEqual({ refused: 'no-lesson' });
    expect(await answer({ type: 'endLesson', token })).toEqual({ refused: 'no-lesson' });
  });
});

describe('presets', () => {
  it('saves, renames and deletes a preset of this device, and starts one of IT in one request', async () => {
    await start();
    const saved = await background.connector.request({ type: 'savePreset', token, preset: { title: 'Topo', mode: 'allowlist', sites: ['topo.nl'], embeds: [] } });
    const [preset] = saved.presets.local;
    expect(preset).toMatchObject({ title: 'Topo', sites: ['topo.nl'] });
    expect((await background.connector.request({ type: 'renamePreset', token, id: preset!.id, title: 'Topografie' })).presets.local.map((entry) => entry.title)).toEqual(['Topografie']);
    expect((await background.connector.request({ type: 'deletePreset', token, id: preset!.id })).presets.local).toEqual([]);
    expect(background.presets).toEqual([]);
    expect(await answer({ type: 'renamePreset', token, id: 'taal', title: 'Mine now' })).toEqual({ refused: 'not-found' });
    const started = await background.connector.request({ type: 'startLesson', token, lesson: { title: 'Taal', mode: 'allowlist', sites: ['taal.nl'], embeds: [], minutes: 50, presetId: 'taal' } });
    expect(started.active).toMatchObject({ title: 'Taal', endsAt: T0 + 50 * M });
  });
});

describe('letting a student through', () => {
  it('lets the site through for the chosen minutes with the PIN, and leaves no unlock behind', async () => {
    background = await startBackground({ policy: POLICY, pin: '1234', local: { lesson: running } });
    const status = await background.connector.request({ type: 'allowTemporarily', pin: '1234', url: 'http://wikipedia.org/wiki/Breuk', minutes: 10 });
    expect(status.exceptions).toEqual([{ site: 'wikipedia.org', until: T0 + 10 * M }]);
    expect(redirected('https://wikipedia.org/wiki/Breuk')).toBe(false);
    expect(background.unlocked).toBe(false);
  });

  it('changes nothing with a wrong PIN, and counts it', async () => {
    background = await startBackground({ policy: POLICY, pin: '1234', local: { lesson: running } });
    expect(await answer({ type: 'allowTemporarily', pin: '9999', url: 'https://wikipedia.org/', minutes: 10 })).toEqual({ refused: 'wrong-pin' });
    expect(background.exceptions).toEqual([]);
    expect(background.stored('pinAttempts')).toMatchObject({ failures: 1 });
  });

  it('refuses a site IT blocked before looking at the PIN', async () => {
    background = await startBackground({ policy: POLICY, pin: '1234', local: { lesson: running } });
    expect(await answer({ type: 'allowTemporarily', pin: '9999', url: 'https://games.test/', minutes: 10 })).toEqual({ refused: 'it-blocked' });
    expect(background.stored('pinAttempts')).toBeUndefined();
  });
});

describe('without the unlock', () => {
  const CHANGES: Array<[string, (token: string) => RequestInput]> = [
    ['startLesson', (t) => ({ type: 'startLesson', token: t, lesson: draft })],
    ['extendLesson', (t) => ({ type: 'extendLesson', token: t, minutes: 5 })],
    ['updateLesson', (t) => ({ type: 'updateLesson', token: t, sites: ['games.nl'] })],
    ['endLesson', (t) => ({ type: 'endLesson', token: t })],
    ['savePreset', (t) => ({ type: 'savePreset', token: t, preset: { title: 'X', mode: 'allowlist', sites: ['x.nl'], embeds: [] } })],
    ['renamePreset', (t) => ({ type: 'renamePreset', token: t, id: 'local-1', title: 'X' })],
    ['deletePreset', (t) => ({ type: 'deletePreset', token: t, id: 'local-1' })],
    ['lock', (t) => ({ type: 'lock', token: t })],
  ];

  it.each(CHANGES)('%s with a wrong token is refused and changes nothing', async (_type, request) => {
    await start({ lesson: running, presets: [ownPreset] });
    const before = { local: await background.browser.storage.local.get(), rules: background.dnr.updates };
    expect(await answer(request('x'.repeat(32)))).toEqual({ refused: 'locked' });
    await background.idle();
    expect(await background.browser.storage.local.get()).toEqual(before.local);
    expect(background.dnr.updates).toBe(before.rules);
    expect(background.unlocked).toBe(true);
  });

  it.each(CHANGES)('%s without a token is refused and changes nothing', async (_type, request) => {
    await start({ lesson: running, presets: [ownPreset] });
    const before = await background.browser.storage.local.get();
    const { token: _none, ...withoutToken } = request(token) as RequestInput & { token?: string };
    expect(await answer(withoutToken as RequestInput)).toEqual({ refused: 'invalid' });
    expect(await background.browser.storage.local.get()).toEqual(before);
  });

  it('a token stops working once the panel is locked', async () => {
    await start({ lesson: running });
    await background.connector.request({ type: 'lock', token });
    expect(await answer({ type: 'endLesson', token })).toEqual({ refused: 'locked' });
    expect(background.lesson).toEqual(running);
  });

  it('answers only the extension\'s own pages', async () => {
    await start();
    const { handleMessage } = background.background.handlers;
    const reply = await handleMessage({ type: 'startLesson', token, lesson: draft }, { id: background.browser.runtime.id, url: 'https://evil.test/', tab: { id: 1 } } as never);
    expect(reply).toMatchObject({ ok: false, code: 'forbidden' });
    expect(background.lesson).toBeNull();
  });
});
