// Developer tools on an extension page give a student the extension's own
// storage. Over the real background: a lesson removed or written there, a
// site let through there, the policy cache replaced there and the wrong-PIN
// count cleared there change nothing in force, and the status page says
// what was put back. (Developer tools reach the second copy too: only IT's
// DeveloperToolsAvailability policy closes that door; see
// docs/it-deployment.md.)
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { restartBackground, startBackground, type TestBackground } from './support/background';
import { useClock } from './support/clock';
import type { Lesson } from '../../../src/core/schemas';

const M = 60_000;
/** Monday 2 March 2026, 10:14 in Amsterdam. */
const T0 = Date.UTC(2026, 2, 2, 9, 14);
const BLOCKED_PAGE = 'chrome-extension://test-extension-id/blocked.html';
const PIN = '482916';
const POLICY = { role: 'student', blocked: ['games.test'], timeZone: 'Europe/Amsterdam' };
const lesson: Lesson = { id: 'l1', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 5 * M, endsAt: T0 + 30 * M };

let background: TestBackground;
let warnings: string[];
const blocked = (url: string) => background.dnr.evaluate(url).redirectUrl?.startsWith(BLOCKED_PAGE) ?? false;
const status = () => background.connector.request({ type: 'getStatus' });

beforeEach(() => {
  useClock(T0);
  warnings = [];
  jest.spyOn(console, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
});

afterEach(async () => {
  await background.stop();
  jest.restoreAllMocks();
  jest.useRealTimers();
});

describe('a lesson set on the device', () => {
  it('removed from the console is put back at once, its rules stay, and the status page says so', async () => {
    background = await startBackground({ policy: POLICY, pin: PIN, local: { lesson } });
    const updates = background.dnr.updates;
    await background.tamper({}, ['lesson']);
    expect(background.lesson).toEqual(lesson);
    expect((await status()).active).toMatchObject({ id: 'l1' });
    expect(blocked('https://wikipedia.org/')).toBe(true);
    // The rules never left: nothing was applied in between.
    expect(background.dnr.updates).toBe(updates);
    expect((await status()).notes).toContain(
      'tampering: the lesson set on this device was changed outside Lesmodus at 10:14 (developer tools on an extension page?); Lesmodus put back what it had written',
    );
    expect(warnings).toEqual([expect.stringMatching(/"lesson" was changed outside Lesmodus/)]);
  });

  it('written from the console (one that blocks next to nothing) does not replace the rules in force', async () => {
    background = await startBackground({ policy: POLICY, pin: PIN });
    await background.tamper({ lesson: { ...lesson, mode: 'blocklist', sites: ['nothing.test'], endsAt: T0 + 240 * M } });
    expect(background.lesson).toBeNull();
    expect((await status()).active).toBeNull();
  });

  it('changed by a teacher through the popup changes, with no note', async () => {
    background = await startBackground({ policy: POLICY, pin: PIN, local: { lesson } });
    const { token } = await background.connector.request({ type: 'unlock', pin: PIN });
    await background.connector.request({ type: 'extendLesson', token, minutes: 15 });
    await background.connector.request({ type: 'endLesson', token });
    expect(background.lesson).toBeNull();
    expect((await status()).notes).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('outlives a deleted storage folder: it comes back from the background\'s record', async () => {
    const first = await startBackground({ policy: POLICY, pin: PIN, local: { lesson } });
    background = await restartBackground(first, { wipeLocal: true });
    expect(background.lesson).toEqual(lesson);
    expect((await status()).active).toMatchObject({ id: 'l1' });
  });
});

describe('a site let through', () => {
  it('written from the console lets nothing through', async () => {
    background = await startBackground({ policy: POLICY, pin: PIN, local: { lesson } });
    await background.tamper({ exceptions: [{ site: 'wikipedia.org', until: T0 + 60 * M }] });
    expect(background.exceptions).toEqual([]);
    expect(blocked('https://wikipedia.org/')).toBe(true);
    expect((await status()).notes).toContain(
      'tampering: the list of sites let through on this device was changed outside Lesmodus at 10:14 (developer tools on an extension page?); Lesmodus put back what it had written',
    );
  });

  it('by a teacher with the PIN goes through', async () => {
    background = await startBackground({ policy: POLICY, pin: PIN, local: { lesson } });
    await background.connector.request({ type: 'allowTemporarily', pin: PIN, url: 'https://wikipedia.org/', minutes: 5 });
    expect(blocked('https://wikipedia.org/')).toBe(false);
    expect(warnings).toEqual([]);
  });
});

describe("IT's policy", () => {
  it.each([
    ['replaced by an empty one', { policyCache: { raw: { role: 'student' }, receivedAt: T0 } }, []],
    ['removed', {}, ['policyCache']],
  ])('%s from the console is read again from managed storage at once and put back', async (_what, values, remove) => {
    background = await startBackground({ policy: POLICY, pin: PIN });
    await background.tamper(values, remove);
    expect(blocked('https://games.test/')).toBe(true);
    expect((await status()).it.blocked).toEqual(['games.test']);
    expect(background.stored<{ raw: unknown }>('policyCache')?.raw).toEqual(expect.objectContaining({ blocked: ['games.test'] }));
  });
});

describe('the wrong-PIN count', () => {
  it('cleared from the console in storage.local: the wait goes on from the second copy', async () => {
    background = await startBackground({ policy: POLICY, pin: PIN });
    for (const guess of ['000000', '111111', '222222', '333333', '444444']) {
      await background.connector.request({ type: 'unlock', pin: guess }).catch(() => undefined);
      jest.setSystemTime(Date.now() + M);
    }
    await background.tamper({}, ['pinAttempts']);
    await expect(background.connector.request({ type: 'unlock', pin: PIN })).rejects.toMatchObject({ code: 'rate-limited' });
  });
});
