/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The CommonJS builds of Testing Library: under jsdom Jest would pick their ESM ("browser") builds, which it cannot run untransformed.
// The status page over the real background (tests/unit/background/support/background.ts): every
// state it shows — a policy with errors, a failed read, a feed's refused document, a delivery
// that keeps failing — is brought about the way it comes about on a device.
import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { act, render, screen, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { startExtension, type ExtensionOptions, type TestBackground } from '../support/extension';
import { useClock } from '../../background/support/clock';
import { FeedHost } from '../../background/support/feed-host';
import { signClassDocument } from '../../../../src/core/feed/document';
import { parsePolicy, type PolicyProblem } from '../../../../src/core/policy/policy';
import type { Status } from '../../../../src/core/protocol';
import type { Lesson, Preset } from '../../../../src/core/schemas';
import { newTeacherKey, type TeacherKey } from '../../../../src/dev/teacher';
import { connectorOver } from '../../../../src/ui/shared/channel';
import { diagnosticsText } from '../../../../src/ui/status/diagnostics';
import { formatDateTime } from '../../../../src/ui/status/format';
import { StatusPage } from '../../../../src/ui/status/status-page';
import { setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations, preparePage } from '../support/axe';
import { localeSource } from '../support/locale';

const M = 60_000;
/** Monday 2 March 2026, 10:00 in Amsterdam. */
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const ZONE = 'Europe/Amsterdam';

const rekenen: Preset = { id: 'rekenen', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [] };
const taal: Preset = { id: 'taal', title: 'Taal', mode: 'allowlist', sites: ['taal.nl'], embeds: [] };
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const FEED_TEMPLATE = 'https://lesmodus.school.example/feed/{class}.jws';
const FEED_2B = 'https://lesmodus.school.example/feed/2B.jws';

/** 50,000 entries, as a big school's IT list may have: the background sends the first 200 and the count. */
const HUGE = 50_000;
const BLOCKED = Array.from({ length: HUGE }, (_, index) => `site-${index}.test`);

/** J. de Vries, the teacher of 2B, whose key IT lists; and someone signing under her key id with another key. */
let teacherKey: TeacherKey;
let impostor: TeacherKey;

beforeAll(async () => {
  [teacherKey, impostor] = await Promise.all([newTeacherKey('jdv'), newTeacherKey('jdv')]);
});

/** IT's policy for a student device of 2B: the timetable, the school's lists, the class feed. */
function policy(): Record<string, unknown> {
  return {
    timeZone: ZONE,
    presets: [rekenen, taal],
    schedule: [
      { days: [...WEEKDAYS], start: '08:30', end: '09:20', preset: 'taal' },
      { days: [...WEEKDAYS], start: '09:30', end: '10:20', preset: 'rekenen', title: '2B rekenen' },
      { days: [...WEEKDAYS], start: '10:40', end: '11:30', preset: 'taal' },
    ],
    allowed: ['login.microsoftonline.com', 'magister.net'],
    blocked: BLOCKED,
    embeds: ['youtube-nocookie.com'],
    classes: ['2B'],
    classFeed: { urlTemplate: FEED_TEMPLATE, pollSeconds: 30 },
    teacherKeys: [{ id: 'jdv', name: 'J. de Vries', publicKey: teacherKey.publicKey }],
  };
}

/** The same policy as IT then changed it, with two mistakes. */
function invalidPolicy(): Record<string, unknown> {
  const valid = policy();
  const [first, ...rest] = valid.schedule as Array<Record<string, unknown>>;
  return { ...valid, schedule: [{ ...first, preset: 'nope' }, ...rest], maxLessonMinutes: 'long' };
}

/** Its errors, with their paths and codes, as the background finds them. */
function policyErrors(): PolicyProblem[] {
  const parsed = parsePolicy(invalidPolicy());
  if (parsed.ok) throw new Error('the invalid policy validated');
  return [...parsed.errors];
}

/**
 * The last read of managed storage, two minutes ago, found the invalid policy: the last valid one stays in force.
 * `errors` as they were stored (by default as this version stores them).
 */
function withErrors(errors: readonly PolicyProblem[] = policyErrors()): ExtensionOptions {
  return { policy: policy(), managed: invalidPolicy(), policyStatus: { checkedAt: T0 - 2 * M, found: true, errors } };
}

interface Device extends ExtensionOptions {
  /** When the service worker started (T0 unless said). */
  readonly startAt?: number;
  /** What happened on the device after it started, before the page opens at T0. */
  readonly history?: (background: TestBackground) => Promise<void>;
}

/** The lesson J. de Vries published for 2B twenty minutes ago, signed with `key`. */
async function classDocument(key: TeacherKey, issuedAt: number): Promise<string> {
  const lesson: Lesson = { id: 'rekenen-2b', title: 'Rekenen 2B', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 20 * M, endsAt: T0 + 30 * M };
  return (await signClassDocument({ class: '2B', issuedAt, lesson }, key.privateKey, key.kid)).jws;
}

/**
 * A student device of 2B that took the lesson of J. de Vries nineteen
 * minutes ago, then fetched a document signed under her key id with another
 * key and refused it; with `lastFetch` 502 its last fetch after that failed.
 */
async function studentFollowing2B(lastFetch: 'refused' | 502 = 'refused'): Promise<Device> {
  const host = new FeedHost();
  host.store(FEED_2B, await classDocument(teacherKey, T0 - 20 * M));
  return {
    policy: policy(),
    feedHost: host,
    history: async (background) => {
      host.store(FEED_2B, await classDocument(impostor, T0 - 3 * M));
      // The device says in its console why it refused the document.
      const warned = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      jest.setSystemTime(lastFetch === 502 ? T0 - 3 * M : T0 - M);
      await background.fireAlarm('lesmodus-feed-poll');
      if (lastFetch === 502) {
        host.getAnswer = 502;
        jest.setSystemTime(T0 - M);
        await background.fireAlarm('lesmodus-feed-poll');
      }
      expect(warned).toHaveBeenCalledWith('Lesmodus: class 2B: document refused (bad-signature): the signature does not match key "jdv"');
      warned.mockRestore();
    },
    startAt: T0 - 19 * M,
  };
}

/**
 * A student device of 2B whose school allows lessons of 30 minutes: the
 * 50-minute lesson of J. de Vries is cut short; then K. Jansen, whose key IT
 * listed for 3A only, signs a document for 2B, and it is refused.
 */
async function studentUnderLimits(): Promise<Device> {
  const jansen = await newTeacherKey('kj');
  const host = new FeedHost();
  host.store(FEED_2B, await classDocument(teacherKey, T0 - 20 * M));
  const keys = [
    { id: 'jdv', name: 'J. de Vries', publicKey: teacherKey.publicKey },
    { id: 'kj', name: 'K. Jansen', publicKey: jansen.publicKey, classes: ['3A'] },
  ];
  return {
    policy: { ...policy(), maxLessonMinutes: 30, teacherKeys: keys },
    feedHost: host,
    history: async (background) => {
      host.store(FEED_2B, await classDocument(jansen, T0 - 3 * M));
      const warned = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      jest.setSystemTime(T0 - M);
      await background.fireAlarm('lesmodus-feed-poll');
      warned.mockRestore();
    },
    startAt: T0 - 19 * M,
  };
}

/** A teacher device of 2B whose pause for the class the feed refused for its credentials (403): retried. With `putAnswer` 201 the feed took it. */
function teacherOf2B(putAnswer: 403 | 201 = 403): Device {
  const host = new FeedHost();
  host.putAnswer = putAnswer;
  const { teacherKeys: _students, ...rest } = policy();
  return {
    policy: { ...rest, role: 'teacher', classFeed: { urlTemplate: FEED_TEMPLATE, authorization: 'Bearer for-teachers' } },
    feedHost: host,
    startAt: T0 - M,
    history: async (background) => {
      const { token } = await background.connector.request({ type: 'unlock', pin: '1234' });
      await background.connector.request({ type: 'pauseClass', token, classId: '2B', message: 'Kijk even naar het bord', minutes: 5 });
    },
  };
}


let copied: string[];
let copyFails: boolean;
let background: TestBackground | null = null;

beforeEach(() => {
  setMessageSource(localeSource('en'));
  preparePage();
  copied = [];
  copyFails = false;
});

afterEach(async () => {
  document.body.innerHTML = '';
  await background?.stop();
  background = null;
  jest.useRealTimers();
});

/** The device as `device` describes it (by default a student device of 2B under a valid policy), at T0. */
async function startDevice(device: Device = { policy: policy() }): Promise<TestBackground> {
  const { startAt = T0, history, ...options } = device;
  useClock(startAt);
  background = await startExtension(options);
  await history?.(background);
  jest.setSystemTime(T0);
  return background;
}

async function setup(device?: Device) {
  const started = await startDevice(device);
  const user = userEvent.setup();
  render(
    <StatusPage
      services={{
        connector: started.connector,
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0',
        copyText: async (text) => {
          if (copyFails) throw new Error('Document is not focused.');
          copied.push(text);
        },
        pollMs: 60_000,
      }}
    />,
  );
  // The page asks the background; the tests start once it has answered.
  await act(async () => {
    await started.settled();
  });
  return { background: started, user };
}

const periodNow = (): Lesson => ({ id: 'rekenen', title: '2B rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 30 * M, endsAt: T0 + 20 * M });

describe('the status page', () => {
  it('shows each policy error with its path and reason, first and prominent, and that the last good policy stays', async () => {
    await setup(withErrors());
    const errors = await screen.findByRole('region', { name: 'The school policy on this browser has errors and is not used' });
    // It is the first section after the page heading.
    expect(document.querySelector('main section')).toBe(errors);
    const items = within(errors).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual(['Field maxLessonMinutes wrong type: expected number', 'Field schedule.0.preset no preset with id "nope"']);
    expect(items[0]!.querySelector('code')!.textContent).toBe('maxLessonMinutes');
    expect(within(errors).getByText(/^The last valid policy, received .+, stays in force until this is fixed\.$/)).toBeTruthy();
    expect(screen.getByText('Saved copy of the last valid school policy')).toBeTruthy();
  });

  it('words each policy error in Dutch in a Dutch browser, with its path; the English original is in the diagnostics', async () => {
    setMessageSource(localeSource('nl'));
    const { user } = await setup(withErrors());
    const errors = await screen.findByRole('region', { name: 'Het schoolbeleid in deze browser bevat fouten en wordt niet gebruikt' });
    expect(within(errors).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Veld maxLessonMinutes verkeerd type: verwacht number',
      'Veld schedule.0.preset geen voorinstelling met id "nope"',
    ]);
    expect(within(errors).getByText(/^Voor ICT: /)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Diagnose kopiëren' }));
    expect(copied[0]).toContain('    maxLessonMinutes: expected number, received string\n    schedule.0.preset: no preset with id "nope"\n');
  });

  it('says when no policy is in force because the only one is invalid', async () => {
    await setup({ managed: invalidPolicy() });
    expect(await screen.findByText('No school policy is in force until this is fixed.')).toBeTruthy();
    expect(screen.getByText('No school policy')).toBeTruthy();
  });

  it('shows a failed read of the browser policy', async () => {
    await setup({ policy: policy(), managed: { readError: 'the managed storage manifest is not valid JSON' } });
    const region = await screen.findByRole('region', { name: 'The school policy could not be read' });
    expect(within(region).getByText('The browser reported: the managed storage manifest is not valid JSON')).toBeTruthy();
  });

  it('shows no error section when the policy is fine, and where it came from and when', async () => {
    await setup();
    await screen.findByRole('region', { name: 'School policy' });
    expect(screen.queryByRole('region', { name: /errors/ })).toBeNull();
    const facts = screen.getByRole('region', { name: 'School policy' });
    expect(within(facts).getByText('Set by your school (browser policy)')).toBeTruthy();
    expect(within(facts).getByText('a student')).toBeTruthy();
    expect(within(facts).getByText('2B')).toBeTruthy();
    expect(within(facts).getByText(ZONE)).toBeTruthy();
  });

  it('shows the rules in force: the timetable lesson, the school lists with their full counts, the next change', async () => {
    await setup();
    const rules = await screen.findByRole('region', { name: 'In force now' });
    expect(within(rules).getByText('2B rekenen')).toBeTruthy();
    // "Set by" the timetable: the label is not said twice.
    expect(within(rules).getByText('Set by').nextElementSibling!.textContent).toBe('the timetable');
    expect(within(rules).getByText('Only the sites below')).toBeTruthy();
    expect(within(rules).getByText('rekenen.nl')).toBeTruthy();
    expect(within(rules).getByText('Always blocked (50,000)')).toBeTruthy();
    expect(within(rules).getByText('The first 200 of 50,000:')).toBeTruthy();
    expect(within(rules).getByText('Always allowed (2)')).toBeTruthy();
    expect(within(rules).getByText('Allowed inside pages (1)')).toBeTruthy();
    expect(within(rules).getByText('Rules change next').nextElementSibling!.textContent).toBe(formatDateTime(T0 + 20 * M));
  });

  it("shows today's timetable with the period in force marked, and the next period", async () => {
    await setup();
    const timetable = await screen.findByRole('region', { name: 'Timetable today' });
    const rows = within(timetable).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[1]!.getAttribute('aria-current')).toBe('time');
    expect(rows[1]!.textContent).toContain('2B rekenen (now)');
    expect(rows[0]!.getAttribute('aria-current')).toBeNull();
    expect(within(timetable).getByText(/^Taal · /)).toBeTruthy();
  });

  it('shows the version, the number of blocking rules, a rule error and the notes', async () => {
    // A pattern with a path needs a regular expression, which this browser refuses; the stored lesson is corrupt.
    const { background } = await setup({
      policy: { ...policy(), blocked: [...BLOCKED, 'school.test/maths'] },
      refuseRegex: (regex) => regex.includes('maths'),
      local: { lesson: { ...periodNow(), endsAt: 'soon' } },
    });
    const technical = await screen.findByRole('region', { name: 'Technical details' });
    expect(within(technical).getByText('0.0.0-test')).toBeTruthy();
    expect(within(technical).getByText(String(background.dnr.inForce.length))).toBeTruthy();
    expect(within(technical).getByText(/the browser refused 1 pattern rule/)).toBeTruthy();
    expect(within(technical).getByText('stored "lesson" was invalid at endsAt: Invalid input: expected number, received string')).toBeTruthy();
  });

  it('shows the class feed: address, and per class the last fetch, the lesson accepted and what was refused', async () => {
    await setup(await studentFollowing2B());
    const feed = await screen.findByRole('region', { name: 'Class feed' });
    expect(within(feed).getByText('https://lesmodus.school.example/feed/{class}.jws')).toBeTruthy();
    expect(within(feed).getByText('30 seconds')).toBeTruthy();
    expect(within(feed).getByRole('heading', { name: 'Class 2B' })).toBeTruthy();
    expect(within(feed).getByText('Lesson accepted').nextElementSibling!.textContent).toBe(`Rekenen 2B (${formatDateTime(T0 + 30 * M)}) · J. de Vries`);
    // The reason in the reader's words; the English detail (with the key id) is in the diagnostics.
    expect(within(feed).getByText('Documents refused').nextElementSibling!.textContent).toBe('1 · bad-signature the signature does not match the key the policy lists');
  });

  it.each([
    ['en', 'Class feed', 'Lesson accepted', "lesson clipped to 30 minutes by the school's limit", /not allow for this class$/],
    ['nl', 'Klassenfeed', 'Geaccepteerde les', 'les ingekort tot 30 minuten door de limiet van de school', /niet toestaat voor deze klas$/],
  ] as const)("says (%s) when the school's lesson limit cut a class lesson short, and why a key outside its classes was refused", async (language, region, label, clipped, refusal) => {
    setMessageSource(localeSource(language));
    await setup(await studentUnderLimits());
    const feed = await screen.findByRole('region', { name: region });
    expect(within(feed).getByText(label).nextElementSibling!.textContent).toContain(clipped);
    expect(within(feed).getByText(/^key-not-for-class$/).parentElement!.textContent).toMatch(refusal);
  });

  it('words in Dutch why a fetch failed and why a document was refused', async () => {
    setMessageSource(localeSource('nl'));
    await setup(await studentFollowing2B(502));
    const feed = await screen.findByRole('region', { name: 'Klassenfeed' });
    expect(within(feed).getByText('Laatst opgehaald').nextElementSibling!.textContent).toBe(`${formatDateTime(T0 - M)} · mislukt: de server van school antwoordde met HTTP 502`);
    expect(within(feed).getByText('Geweigerde documenten').nextElementSibling!.textContent).toBe('1 · bad-signature de handtekening past niet bij de sleutel in het beleid');
  });

  it('words in Dutch how the last publication went, and why it was not delivered', async () => {
    setMessageSource(localeSource('nl'));
    await setup(teacherOf2B());
    const feed = await screen.findByRole('region', { name: 'Klassenfeed' });
    expect(within(feed).getByText('Laatste publicatie').nextElementSibling!.textContent).toBe(
      'Nog niet afgeleverd; wordt opnieuw geprobeerd (poging 2) · de server van school accepteerde de inloggegevens van deze browser niet (HTTP 403): ICT stelt die in het beleid in (classFeed.authorization)',
    );
  });

  it.each([
    ['en', 'Class feed', 'Last publication', 'Delivered'],
    ['nl', 'Klassenfeed', 'Laatste publicatie', 'Afgeleverd'],
  ] as const)('words (%s) a delivered publication, with when', async (language, region, label, delivered) => {
    setMessageSource(localeSource(language));
    await setup(teacherOf2B(201));
    const feed = await screen.findByRole('region', { name: region });
    expect(within(feed).getByText(label).nextElementSibling!.textContent).toBe(`${delivered} · ${formatDateTime(T0 - M)}`);
  });

  it('words how the last fetch went', async () => {
    await setup({ policy: policy() });
    const feed = await screen.findByRole('region', { name: 'Class feed' });
    expect(within(feed).getByText('Last fetched').nextElementSibling!.textContent).toBe(`${formatDateTime(T0)} · nothing published for this class yet`);
  });

  it('says when the policy sets no class feed', async () => {
    const { classes: _classes, classFeed: _feed, teacherKeys: _keys, ...withoutFeed } = policy();
    await setup({ policy: withoutFeed });
    expect(await screen.findByText('The policy sets no class feed.')).toBeTruthy();
  });

  it('copies the diagnostics with the keyboard and confirms it', async () => {
    const { user } = await setup(withErrors());
    const button = await screen.findByRole('button', { name: 'Copy diagnostics' });
    expect(screen.getByRole('status').textContent).toBe('');
    button.focus();
    await user.keyboard('{Enter}');
    expect(copied).toHaveLength(1);
    expect(screen.getByRole('status').textContent).toBe('Diagnostics copied. Paste them into a message to IT.');
    expect(copied[0]).toContain('schedule.0.preset: no preset with id "nope"');
  });

  it('offers the text to copy by hand when the clipboard refuses', async () => {
    const { user } = await setup();
    copyFails = true;
    await user.click(await screen.findByRole('button', { name: 'Copy diagnostics' }));
    expect(screen.getByRole('alert').textContent).toMatch(/Copying did not work/);
    const field = screen.getByLabelText('Diagnostics') as HTMLTextAreaElement;
    expect(field.value).toContain('Lesmodus diagnostics');
    expect(document.activeElement).toBe(field);
  });

  it('passes axe, with errors and the class feed shown, and with the fallback field', async () => {
    const { user } = await setup({ ...(await studentFollowing2B()), ...withErrors() });
    await screen.findByRole('region', { name: 'Technical details' });
    expect(await axeViolations()).toEqual([]);
    copyFails = true;
    await user.click(screen.getByRole('button', { name: 'Copy diagnostics' }));
    expect(await axeViolations()).toEqual([]);
  });

  it('speaks Dutch in a Dutch browser', async () => {
    setMessageSource(localeSource('nl'));
    await setup(withErrors());
    expect(await screen.findByRole('region', { name: 'Het schoolbeleid in deze browser bevat fouten en wordt niet gebruikt' })).toBeTruthy();
    expect(screen.getByText('Altijd geblokkeerd (50.000)')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Diagnose kopiëren' })).toBeTruthy();
  });

  it('says so when the background does not answer', async () => {
    const connector = connectorOver(async () => {
      throw new Error('Could not establish connection');
    });
    render(<StatusPage services={{ connector, userAgent: 'x', copyText: async () => undefined, pollMs: 60_000 }} />);
    expect((await screen.findByRole('alert')).textContent).toBe('Lesmodus is starting. Try again in a moment.');
  });
});

describe('the diagnostics text', () => {
  /** The status the background gives for `device`, at T0. */
  async function statusFor(device?: Device): Promise<Status> {
    const started = await startDevice(device);
    return started.connector.request({ type: 'getStatus' });
  }

  const context = { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0', language: 'en' };

  it('holds everything the page shows, as plain text, times in the policy time zone', async () => {
    // A preset saved on this device is corrupt: a note.
    const status = await statusFor({ ...withErrors(), local: { presets: [{ title: 'Topo' }] } });
    const text = diagnosticsText(status, context);
    expect(text.split('\n').slice(0, 26)).toEqual([
      'Lesmodus diagnostics',
      'Generated: 2026-03-02 10:00:00 Europe/Amsterdam',
      'Version: 0.0.0-test',
      'Browser: Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0',
      'UI language: en',
      '',
      'Policy',
      '  Source: cache (the last valid policy, kept; not confirmed by the last read)',
      '  Received: 2026-03-02 09:00:00',
      '  Last checked: 2026-03-02 09:58:00',
      '  Errors (2): the policy the browser holds is not applied; the last valid policy stays in force',
      '    maxLessonMinutes: expected number, received string',
      '    schedule.0.preset: no preset with id "nope"',
      '  Role: student',
      '  Classes: 2B',
      '  Time zone: Europe/Amsterdam',
      '  Teacher PIN: from the policy',
      '  Blocklist lessons allowed: yes',
      '  Longest lesson: 240 min',
      '  Blocked page shows the address: yes',
      '  School type: -',
      '  Presets from IT (2): rekenen, taal',
      '  Presets saved on this device: 0',
      '',
      'In force now',
      '  Lesson: 2B rekenen (origin timetable; allowlist; until 2026-03-02 10:20:00)',
    ]);
    expect(text).toContain('  IT blocked (50000, first 200 listed): site-0.test, site-1.test,');
    expect(text).toContain('  IT allowed (2): login.microsoftonline.com, magister.net\n');
    expect(text).toContain('  IT embeds (1): youtube-nocookie.com\n');
    expect(text).toContain('  Next change: 2026-03-02 10:20:00\n');
    expect(text).toContain(
      [
        'Timetable today (Europe/Amsterdam)',
        '  08:30-09:20 Taal [preset taal]',
        '  09:30-10:20 2B rekenen [preset rekenen] (now)',
        '  10:40-11:30 Taal [preset taal]',
        '  Next period: 2026-03-02 10:40:00 to 11:30 Taal [preset taal]',
        '',
        'Class feed',
        '  Configured: yes, https://lesmodus.school.example/feed/{class}.jws, every 30 s',
        '  Class 2B: last fetch 2026-03-02 10:00:00 not-found; nothing accepted; refused 0',
        '    live: unavailable since 2026-03-02 10:00:00, 0 failure(s), last: this browser cannot open a live connection here: the poll only',
        '',
        'Blocking rules',
        `  Count: ${status.rules.count}`,
        '  Last changed: 2026-03-02 10:00:00',
        '  Error: -',
        '',
        'Notes',
        '  - saved preset #1 was corrupt and is ignored: Invalid input: expected string, received undefined',
        '',
      ].join('\n'),
    );
  });

  it('says what is in force without a lesson or a policy, and a failed read', async () => {
    const text = diagnosticsText(await statusFor({ managed: { readError: 'broken manifest' } }), context);
    expect(text).toContain('  Source: none (no IT policy in force)\n  Received: -\n  Last checked: 2026-03-02 10:00:00\n  Read error: broken manifest\n  Errors: none\n');
    expect(text).toContain('  Lesson: none (browsing is open apart from what IT blocks)\n');
    expect(text).toContain('Notes\n  none\n');
  });

  it('holds the class feed, per class', async () => {
    const text = diagnosticsText(await statusFor(await studentFollowing2B()), context);
    expect(text).toContain(
      [
        'Class feed',
        '  Configured: yes, https://lesmodus.school.example/feed/{class}.jws, every 30 s',
        '  Class 2B: last fetch 2026-03-02 09:59:00 rejected; in force: Rekenen 2B until 2026-03-02 10:30:00, signed by J. de Vries; refused 1, last: bad-signature the signature does not match key "jdv"',
        '    live: unavailable since 2026-03-02 09:41:00, 0 failure(s), last: this browser cannot open a live connection here: the poll only',
        '',
        'Blocking rules',
      ].join('\n'),
    );
  });

  it("says when the school's lesson limit cut a class lesson short", async () => {
    const text = diagnosticsText(await statusFor(await studentUnderLimits()), context);
    expect(text).toMatch(/in force: Rekenen 2B until .* \(clipped to 30 min by maxLessonMinutes\), signed by J\. de Vries/);
  });

  it('keeps the English reasons for IT, whatever language the page speaks', async () => {
    setMessageSource(localeSource('nl'));
    const text = diagnosticsText(await statusFor(teacherOf2B()), { ...context, language: 'nl' });
    expect(text).toContain('last error: the class feed refused the credentials (HTTP 403): check classFeed.authorization in the policy');
  });

  it('copies no browsing data: of the sites let through, only their number', async () => {
    const text = diagnosticsText(await statusFor({ policy: policy(), lesson: periodNow(), exceptions: [{ site: 'private-diary.test', until: T0 + 5 * M }] }), context);
    expect(text).toContain('  Sites let through for a while: 1\n');
    expect(text).not.toContain('private-diary.test');
    expect(text).toContain('  Lesson: 2B rekenen (origin teacher; allowlist; until 2026-03-02 10:20:00)');
  });
});

describe('the site categories on the status page', () => {
  it("lists the categories in force, with what IT changed, and the lesson's blocked ones", async () => {
    const categories = [
      { id: 'ai', add: ['schoolgpt.example'], aboveAllowed: true },
      { id: 'video', replace: ['youtube.com'] },
      { id: 'exam-cheats', name: { en: 'Exam help', nl: 'Spiekhulp' }, sites: ['answers.example', 'cheats.example'] },
    ];
    const lesson: Lesson = { ...periodNow(), id: 'l1', title: 'Toets', categories: ['ai', 'exam-cheats'] };
    const { user } = await setup({ policy: { ...policy(), categories }, lesson });
    expect(screen.getByText('Blocked categories: AI, Exam help')).toBeTruthy();
    await user.click(screen.getByText('Site categories (5)'));
    const items = within(screen.getByText('Site categories (5)').closest('details')!).getAllByRole('listitem').map((item) => item.textContent);
    expect(items[0]).toMatch(/^AI \(ai\): Lesmodus's list with sites added by your school's IT · \d+ sites · also blocks the school's allowed sites$/);
    expect(items[1]).toMatch(/^Social media \(social\): Lesmodus's list · \d+ sites$/);
    expect(items[3]).toBe("Video (video): your school's IT's list instead of Lesmodus's · 1 site");
    expect(items[4]).toBe("Exam help (exam-cheats): your school's own category · 2 sites");
    expect(await axeViolations()).toEqual([]);
  });
});
