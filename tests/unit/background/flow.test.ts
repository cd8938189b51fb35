// The rules flow of the real background over an in-memory browser: one pass
// and one rule update per change, changes during a pass folded into one
// more, corrupt storage and an invalid policy never taking the rules down,
// a restarted worker installing nothing it already has, and the wake-up at
// a lesson's end.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { restartBackground, startBackground, type TestBackground } from './support/background';
import { useClock } from './support/clock';
import type { Current } from '../../../src/background/rules/flow';
import type { Lesson } from '../../../src/core/schemas';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const BLOCKED_PAGE = 'chrome-extension://test-extension-id/blocked.html';
/** A large school list: 50,000 hosts, the size the flow is built for. */
const BIG_LIST = Array.from({ length: 50_000 }, (_, index) => `site-${index}.example.test`);
const POLICY = { blocked: ['games.test', ...BIG_LIST], allowed: ['login.microsoftonline.com'] };

const lesson = (extra: Partial<Lesson> = {}): Lesson => ({ id: 'l1', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 5 * M, endsAt: T0 + 40 * M, ...extra });

let background: TestBackground;
let passes: Current[];

/** Counts the flow's passes and the browser's rule updates from now on. */
function watch(subject: TestBackground): { updates: () => number } {
  passes = [];
  subject.background.flow.onFlowPass((current) => passes.push(current));
  const before = subject.dnr.updates;
  return { updates: () => subject.dnr.updates - before };
}

const redirected = (subject: TestBackground, url: string) => subject.dnr.evaluate(url).redirectUrl?.startsWith(BLOCKED_PAGE) ?? false;

beforeEach(() => useClock(T0));

afterEach(async () => {
  await background.stop();
  jest.useRealTimers();
});

describe('one pass per change', () => {
  it('a teacher starting a lesson runs the flow once and updates the rules once', async () => {
    background = await startBackground({ policy: POLICY, pin: '1234' });
    const { token } = await background.connector.request({ type: 'unlock', pin: '1234' });
    const counted = watch(background);
    const status = await background.connector.request({ type: 'startLesson', token, lesson: { title: 'Breuken', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], minutes: 45 } });
    await background.idle();
    expect(status.active).toMatchObject({ title: 'Breuken', origin: 'teacher' });
    expect(passes).toHaveLength(1);
    expect(counted.updates()).toBe(1);
    expect(redirected(background, 'https://wikipedia.org/')).toBe(true);
    expect(redirected(background, 'https://rekenen.nl/sommen')).toBe(false);
  });

  it('a lesson written to storage by the background runs the flow once', async () => {
    background = await startBackground({ policy: POLICY });
    const counted = watch(background);
    await background.setLocal({ lesson: lesson() });
    expect(passes).toHaveLength(1);
    expect(counted.updates()).toBe(1);
    expect(redirected(background, 'https://wikipedia.org/')).toBe(true);
  });

  it('a new policy from IT is validated and applied in one pass, without reading it back', async () => {
    background = await startBackground({ policy: POLICY });
    const counted = watch(background);
    const reads = jest.spyOn(background.browser.storage.local, 'get');
    await background.pushPolicy({ ...POLICY, blocked: [...POLICY.blocked, 'chat.test'] });
    expect(passes).toHaveLength(1);
    expect(counted.updates()).toBe(1);
    // Never read back: the policy source compares with what the flow holds, and hands the flow the new policy itself.
    expect(reads.mock.calls.filter(([keys]) => JSON.stringify(keys ?? null).includes('policyCache'))).toHaveLength(0);
    expect(redirected(background, 'https://chat.test/')).toBe(true);
    const status = await background.connector.request({ type: 'getStatus' });
    expect(status.it.blockedCount).toBe(50_002);
    expect(status.policy.source).toBe('managed');
  });

  it('a policy change Chrome reports is applied from the values it carries: managed storage is not read again, before or after', async () => {
    background = await startBackground({ policy: { ...POLICY, maxLessonMinutes: 90 } });
    const managed = background.browser.storage.managed;
    const reads = jest.spyOn(managed, 'get');
    // As Chrome reports it: one change with a new value, one key removed.
    await managed.set({ blocked: [...POLICY.blocked, 'chat.test'] });
    await managed.remove(['maxLessonMinutes']);
    await background.idle();
    expect(reads).not.toHaveBeenCalled();
    expect(redirected(background, 'https://chat.test/')).toBe(true);
    expect(background.stored<{ raw: unknown }>('policyCache')?.raw).toEqual({ ...POLICY, blocked: [...POLICY.blocked, 'chat.test'] });
  });

  it('successive changes of a long list, each applied from the change Chrome reports, are each in force and cached as IT wrote them', async () => {
    const long = Array.from({ length: 2000 }, (_, index) => `site-${index}.test`);
    background = await startBackground({ policy: { ...POLICY, blocked: long } });
    const managed = background.browser.storage.managed;
    const versions = [
      ['chat.test', ...long],
      ['chat.test', ...long.slice(0, 999), 'games.test', ...long.slice(1000)],
      ['chat.test', ...long.slice(0, 999), 'games.test', ...long.slice(1000, -1)],
      long.slice(1),
    ];
    for (const blocked of versions) {
      await managed.set({ blocked: [...blocked] });
      await background.idle();
      expect(background.stored<{ raw: { blocked: unknown } }>('policyCache')?.raw.blocked).toEqual(blocked);
      for (const host of ['chat.test', 'games.test', 'site-0.test', 'site-1000.test', 'site-1999.test']) {
        expect([host, redirected(background, `https://${host}/`)]).toEqual([host, blocked.includes(host)]);
      }
    }
  });

  it('a new policy is in force before it is written to the cache', async () => {
    background = await startBackground({ policy: POLICY });
    const inForceAtWrite: boolean[] = [];
    const local = background.browser.storage.local;
    const set = local.set.bind(local);
    jest.spyOn(local, 'set').mockImplementation(async (values) => {
      if ('policyCache' in values) inForceAtWrite.push(redirected(background, 'https://chat.test/'));
      return set(values);
    });
    await background.pushPolicy({ ...POLICY, blocked: [...POLICY.blocked, 'chat.test'] });
    expect(inForceAtWrite).toEqual([true]);
    expect(background.stored<{ raw: { blocked: string[] } }>('policyCache')?.raw.blocked.at(-1)).toBe('chat.test');
  });

  it('a change that leaves the rules as they are (a saved preset) applies nothing', async () => {
    background = await startBackground({ policy: POLICY, pin: '1234' });
    const { token } = await background.connector.request({ type: 'unlock', pin: '1234' });
    const counted = watch(background);
    const status = await background.connector.request({ type: 'savePreset', token, preset: { title: 'Topo', mode: 'allowlist', sites: ['topo.nl'], embeds: [] } });
    await background.idle();
    expect(status.presets.local.map((preset) => preset.title)).toEqual(['Topo']);
    expect(passes).toHaveLength(1);
    expect(counted.updates()).toBe(0);
  });

  it('changes that arrive during a pass fold into one more pass, which has them all', async () => {
    background = await startBackground({ policy: POLICY });
    const counted = watch(background);
    const first = background.writeLocal({ lesson: lesson() });
    const second = background.writeLocal({ lesson: lesson({ sites: ['taal.nl'] }) });
    const third = background.writeLocal({ exceptions: [{ site: 'games.test', until: T0 + 10 * M }, { site: 'wikipedia.org', until: T0 + 10 * M }] });
    await Promise.all([first, second, third]);
    await background.idle();
    expect(passes).toHaveLength(2);
    expect(counted.updates()).toBe(2);
    expect(passes[1]!.inputs.resolve.teacherLesson?.sites).toEqual(['taal.nl']);
    expect(redirected(background, 'https://taal.nl/')).toBe(false);
    expect(redirected(background, 'https://wikipedia.org/')).toBe(false);
    // IT's blocked list stays above a teacher's exception.
    expect(redirected(background, 'https://games.test/')).toBe(true);
  });
});

describe('what goes wrong', () => {
  it('a corrupt stored value gives a note on the status page, not a crash, and the rest stays in force', async () => {
    background = await startBackground({ policy: POLICY, local: { lesson: lesson() } });
    await background.setLocal({ exceptions: 'not a list' });
    const status = await background.connector.request({ type: 'getStatus' });
    expect(status.notes).toEqual([expect.stringMatching(/^stored "exceptions" was invalid: /)]);
    expect(status.active?.title).toBe('Rekenen');
    expect(redirected(background, 'https://wikipedia.org/')).toBe(true);
  });

  it('a corrupt policy cache is set aside, and the policy read from managed storage takes its place', async () => {
    background = await startBackground({ managed: POLICY, local: { policyCache: { raw: POLICY, receivedAt: 'yesterday' } } });
    const status = await background.connector.request({ type: 'getStatus' });
    expect(status.policy.source).toBe('managed');
    expect(status.notes).toEqual([]);
    expect(redirected(background, 'https://games.test/')).toBe(true);
  });

  it('an invalid policy from IT keeps the last good one in force, and says what is wrong', async () => {
    background = await startBackground({ policy: POLICY });
    const counted = watch(background);
    await background.pushPolicy({ ...POLICY, blocked: ['games.test'], timeZone: 'Mars/Olympus', maxLessonMinutes: 'long' });
    const status = await background.connector.request({ type: 'getStatus' });
    expect(status.policy.source).toBe('cache');
    expect(status.policy.errors.map((error) => error.path)).toEqual(['timeZone', 'maxLessonMinutes']);
    expect(status.it.blockedCount).toBe(50_001);
    expect(redirected(background, 'https://games.test/')).toBe(true);
    expect(counted.updates()).toBe(0);
  });

  it('a failed read of managed storage changes nothing in force', async () => {
    background = await startBackground({ policy: POLICY, managed: { readError: 'the managed storage manifest is not valid JSON' } });
    const status = await background.connector.request({ type: 'getStatus' });
    expect(status.policy).toMatchObject({ source: 'cache', readError: 'the managed storage manifest is not valid JSON' });
    expect(redirected(background, 'https://games.test/')).toBe(true);
  });
});

describe('a restarted service worker', () => {
  it('finds the policy cached and its rules installed, and installs nothing', async () => {
    const first = await startBackground({ policy: POLICY, local: { lesson: lesson() } });
    expect(first.dnr.updates).toBe(1);
    background = await restartBackground(first);
    expect(background.dnr.updates).toBe(0);
    expect(background.dnr.reads).toBe(1);
    const status = await background.connector.request({ type: 'getStatus' });
    expect(status.active?.title).toBe('Rekenen');
    expect(redirected(background, 'https://wikipedia.org/')).toBe(true);
  });

  it('installs the rules again when the browser lost them', async () => {
    const first = await startBackground({ policy: POLICY });
    first.dnr.install([]);
    background = await restartBackground(first);
    expect(background.dnr.updates).toBe(1);
    expect(redirected(background, 'https://games.test/')).toBe(true);
  });
});

describe('time', () => {
  it('wakes when the lesson ends and lifts its rules, and sends blocked tabs back to their pages', async () => {
    background = await startBackground({ policy: POLICY, local: { lesson: lesson({ endsAt: T0 + 10 * M }) }, tabs: [{ url: 'https://wikipedia.org/wiki/Breuk' }] });
    const [tab] = await background.browser.tabs.query({ url: `${BLOCKED_PAGE}#https://wikipedia.org/wiki/Breuk` });
    expect(tab).toBeDefined();
    expect((await background.browser.alarms.get('lesmodus-next-change'))?.scheduledTime).toBe(T0 + 10 * M);

    jest.setSystemTime(T0 + 10 * M);
    await background.fireAlarm('lesmodus-next-change');
    expect(redirected(background, 'https://wikipedia.org/')).toBe(false);
    expect((await background.browser.tabs.get(tab!.id!))?.url).toBe('https://wikipedia.org/wiki/Breuk');
    expect((await background.connector.request({ type: 'getStatus' })).active).toBeNull();
  });
});
