/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The CommonJS builds of Testing Library: under jsdom Jest would pick their ESM ("browser") builds, which it cannot run untransformed.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { render, screen, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import type { Status } from '../../../../src/core/protocol';
import type { Lesson, Preset } from '../../../../src/core/schemas';
import { diagnosticsText } from '../../../../src/ui/status/diagnostics';
import { formatDateTime } from '../../../../src/ui/status/format';
import { StatusPage } from '../../../../src/ui/status/status-page';
import { setMessageSource } from '../../../../src/ui/shared/text';
import { axeViolations, preparePage } from '../support/axe';
import { FakeBackground, type FakeBackgroundOptions } from '../support/fake-background';
import { localeSource } from '../support/locale';

const M = 60_000;
/** Monday 2 March 2026, 10:00 in Amsterdam. */
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const ZONE = 'Europe/Amsterdam';

const rekenen: Preset = { id: 'rekenen', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [] };
const taal: Preset = { id: 'taal', title: 'Taal', mode: 'allowlist', sites: ['taal.nl'], embeds: [] };
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

const ERRORS = [
  { path: 'schedule.0.preset', message: 'no preset with id "nope"' },
  { path: 'blocked.3', message: '"http://" is not a site pattern: the host is missing' },
];

/** 50,000 entries, as a big school's IT list may have: the background sends the first 200 and the count. */
const HUGE = 50_000;

/** The fake background of the popup tests, with the status fields the status page shows and the fake does not fill. */
class StatusBackground extends FakeBackground {
  extra: Partial<Omit<Status, 'policy'>> & { policy?: Partial<Status['policy']> } = {};

  override status(): Status {
    const base = super.status();
    const { policy, ...rest } = this.extra;
    return {
      ...base,
      it: { ...base.it, blocked: base.it.blocked.slice(0, 200), blockedCount: base.it.blockedCount, embedsCount: base.it.embeds.length },
      policy: { ...base.policy, ...policy },
      settings: { ...base.settings, role: this.policy.role, classes: this.policy.classes },
      timetable: { ...base.timetable, today: [] },
      ...rest,
    };
  }
}

const policy: FakeBackgroundOptions['policy'] = {
  timeZone: ZONE,
  presets: [rekenen, taal],
  schedule: [
    { days: [...WEEKDAYS], start: '08:30', end: '09:20', preset: 'taal' },
    { days: [...WEEKDAYS], start: '09:30', end: '10:20', preset: 'rekenen', title: '2B rekenen' },
    { days: [...WEEKDAYS], start: '10:40', end: '11:30', preset: 'taal' },
  ],
  allowed: ['login.microsoftonline.com', 'magister.net'],
  blocked: Array.from({ length: HUGE }, (_, index) => `site-${index}.test`),
  embeds: ['youtube-nocookie.com'],
  classes: ['2B'],
};

/** Today's periods, as the background's periodsOnDay gives them. */
function today(): Status['timetable']['today'] {
  const at = (hh: number, mm: number) => Date.UTC(2026, 2, 2, hh - 1, mm);
  return [
    { period: policy!.schedule![0]!, index: 0, startsAt: at(8, 30), endsAt: at(9, 20) },
    { period: policy!.schedule![1]!, index: 1, startsAt: at(9, 30), endsAt: at(10, 20) },
    { period: policy!.schedule![2]!, index: 2, startsAt: at(10, 40), endsAt: at(11, 30) },
  ];
}

/** A student device following 2B: one lesson accepted, one forged document refused. */
const FEED: NonNullable<Status['feed']> = {
  role: 'student',
  configured: true,
  urlTemplate: 'https://lesmodus.school.example/feed/{class}.jws',
  pollSeconds: 30,
  signingKey: null,
  classes: [
    {
      classId: '2B',
      lastFetchAt: T0 - M,
      lastOutcome: 'rejected',
      lastError: null,
      lastProblem: null,
      accepted: { issuedAt: T0 - 20 * M, acceptedAt: T0 - 19 * M, signer: 'J. de Vries', lessonTitle: 'Rekenen 2B', lessonEndsAt: T0 + 30 * M, lessonClippedTo: null, pauseUntil: null },
      rejections: 1,
      lastRejection: { reason: 'bad-signature', detail: 'the signature does not match key "jdv"', at: T0 - M },
      delivery: null,
    },
  ],
};

/** A teacher device whose last publication to 2B is refused for its credentials (403), retried. */
const TEACHER_FEED: NonNullable<Status['feed']> = {
  ...FEED,
  role: 'teacher',
  classes: [
    {
      ...FEED.classes[0]!,
      lastFetchAt: null,
      lastOutcome: null,
      accepted: null,
      rejections: 0,
      lastRejection: null,
      delivery: {
        classId: '2B',
        issuedAt: T0 - M,
        state: 'pending',
        attempts: 2,
        lastError: 'the class feed refused the credentials (HTTP 403): check classFeed.authorization in the policy',
        lastProblem: { code: 'credentials', status: 403 },
        lastAttemptAt: T0 - M,
        nextAttemptAt: T0 + M,
        deliveredAt: null,
        lesson: null,
        pause: null,
      },
    },
  ],
};

let copied: string[];
let copyFails: boolean;

beforeEach(() => {
  setMessageSource(localeSource('en'));
  preparePage();
  copied = [];
  copyFails = false;
});

afterEach(() => {
  document.body.innerHTML = '';
});

function setup(extra: StatusBackground['extra'] = {}, options: FakeBackgroundOptions = {}) {
  const background = new StatusBackground({ now: T0, policy, ...options });
  background.extra = {
    rules: { count: 7, appliedAt: T0 - 30 * M, error: null },
    ...extra,
    policy: { source: 'managed', loadedAt: T0 - 60 * M, checkedAt: T0 - 2 * M, readError: null, ...extra.policy },
    timetable: { timeZone: ZONE, next: today()[2]!, today: today(), ...extra.timetable },
  };
  const user = userEvent.setup();
  render(
    <StatusPage
      services={{
        connector: background.connector,
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0',
        copyText: async (text) => {
          if (copyFails) throw new Error('Document is not focused.');
          copied.push(text);
        },
        pollMs: 60_000,
      }}
    />,
  );
  return { background, user };
}

const periodNow = (): Lesson => ({ id: 'rekenen', title: '2B rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], startsAt: T0 - 30 * M, endsAt: T0 + 20 * M });

describe('the status page', () => {
  it('shows each policy error with its path and reason, first and prominent, and that the last good policy stays', async () => {
    setup({ policy: { source: 'cache', errors: ERRORS } });
    const errors = await screen.findByRole('region', { name: 'The school policy on this browser has errors and is not used' });
    // It is the first section after the page heading.
    expect(document.querySelector('main section')).toBe(errors);
    const items = within(errors).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual([
      'Field schedule.0.preset no preset with id "nope"',
      'Field blocked.3 "http://" is not a site pattern: the host is missing',
    ]);
    expect(items[0]!.querySelector('code')!.textContent).toBe('schedule.0.preset');
    expect(within(errors).getByText(/^The last valid policy, received .+, stays in force until this is fixed\.$/)).toBeTruthy();
    expect(screen.getByText('Saved copy of the last valid school policy')).toBeTruthy();
  });

  it('says when no policy is in force because the only one is invalid', async () => {
    setup({ policy: { source: 'none', loadedAt: null, errors: ERRORS } });
    expect(await screen.findByText('No school policy is in force until this is fixed.')).toBeTruthy();
    expect(screen.getByText('No school policy')).toBeTruthy();
  });

  it('shows a failed read of the browser policy', async () => {
    setup({ policy: { source: 'cache', readError: 'the managed storage manifest is not valid JSON' } });
    const region = await screen.findByRole('region', { name: 'The school policy could not be read' });
    expect(within(region).getByText('The browser reported: the managed storage manifest is not valid JSON')).toBeTruthy();
  });

  it('shows no error section when the policy is fine, and where it came from and when', async () => {
    setup();
    await screen.findByRole('region', { name: 'School policy' });
    expect(screen.queryByRole('region', { name: /errors/ })).toBeNull();
    const facts = screen.getByRole('region', { name: 'School policy' });
    expect(within(facts).getByText('Set by your school (browser policy)')).toBeTruthy();
    expect(within(facts).getByText('a student')).toBeTruthy();
    expect(within(facts).getByText('2B')).toBeTruthy();
    expect(within(facts).getByText(ZONE)).toBeTruthy();
  });

  it('shows the rules in force: the timetable lesson, the school lists with their full counts, the next change', async () => {
    setup({}, { lesson: null });
    const rules = await screen.findByRole('region', { name: 'In force now' });
    expect(within(rules).getByText('2B rekenen')).toBeTruthy();
    expect(within(rules).getByText('From the timetable')).toBeTruthy();
    expect(within(rules).getByText('Only the sites below')).toBeTruthy();
    expect(within(rules).getByText('rekenen.nl')).toBeTruthy();
    expect(within(rules).getByText('Always blocked (50,000)')).toBeTruthy();
    expect(within(rules).getByText('The first 200 of 50,000:')).toBeTruthy();
    expect(within(rules).getByText('Always allowed (2)')).toBeTruthy();
    expect(within(rules).getByText('Allowed inside pages (1)')).toBeTruthy();
    expect(within(rules).getByText('Rules change next').nextElementSibling!.textContent).toBe(formatDateTime(T0 + 20 * M));
  });

  it("shows today's timetable with the period in force marked, and the next period", async () => {
    setup();
    const timetable = await screen.findByRole('region', { name: 'Timetable today' });
    const rows = within(timetable).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[1]!.getAttribute('aria-current')).toBe('time');
    expect(rows[1]!.textContent).toContain('2B rekenen (now)');
    expect(rows[0]!.getAttribute('aria-current')).toBeNull();
    expect(within(timetable).getByText(/^Taal · /)).toBeTruthy();
  });

  it('shows the version, the number of blocking rules, a rule error and the notes', async () => {
    setup({ rules: { count: 7, appliedAt: T0 - 30 * M, error: 'the browser refused 1 pattern rule(s); the navigation check still covers them' }, notes: ['stored "lesson" was invalid at endsAt: expected number'] });
    const technical = await screen.findByRole('region', { name: 'Technical details' });
    expect(within(technical).getByText('0.0.0-test')).toBeTruthy();
    expect(within(technical).getByText('7')).toBeTruthy();
    expect(within(technical).getByText(/the browser refused 1 pattern rule/)).toBeTruthy();
    expect(within(technical).getByText('stored "lesson" was invalid at endsAt: expected number')).toBeTruthy();
  });

  it('shows the class feed: address, and per class the last fetch, the lesson accepted and what was refused', async () => {
    setup({ feed: FEED });
    const feed = await screen.findByRole('region', { name: 'Class feed' });
    expect(within(feed).getByText('https://lesmodus.school.example/feed/{class}.jws')).toBeTruthy();
    expect(within(feed).getByText('30 seconds')).toBeTruthy();
    expect(within(feed).getByRole('heading', { name: 'Class 2B' })).toBeTruthy();
    expect(within(feed).getByText('Lesson accepted').nextElementSibling!.textContent).toBe(`Rekenen 2B (${formatDateTime(T0 + 30 * M)}) · J. de Vries`);
    // The reason in the reader's words; the English detail (with the key id) is in the diagnostics.
    expect(within(feed).getByText('Documents refused').nextElementSibling!.textContent).toBe('1 · bad-signature the signature does not match the key the policy lists');
  });

  it.each([
    ['en', 'Class feed', 'Lesson accepted', 'lesson clipped to 90 minutes by the school\'s limit'],
    ['nl', 'Klassenfeed', 'Geaccepteerde les', 'les ingekort tot 90 minuten door de limiet van de school'],
  ] as const)('says (%s) when the school\'s lesson limit cut a class lesson short, and which reason a key outside its classes gets', async (language, region, label, clipped) => {
    setMessageSource(localeSource(language));
    const entry = FEED.classes[0]!;
    const cut = { ...entry, accepted: { ...entry.accepted!, lessonClippedTo: 90 }, lastRejection: { reason: 'key-not-for-class' as const, detail: 'signed with key "jdv"', at: T0 - M } };
    setup({ feed: { ...FEED, classes: [cut] } });
    const feed = await screen.findByRole('region', { name: region });
    expect(within(feed).getByText(label).nextElementSibling!.textContent).toBe(`Rekenen 2B (${formatDateTime(T0 + 30 * M)}) · J. de Vries · ${clipped}`);
    expect(within(feed).getByText(/^key-not-for-class$/).parentElement!.textContent).toMatch(language === 'en' ? /not allow for this class$/ : /niet toestaat voor deze klas$/);
  });

  it('words in Dutch why a fetch failed and why a document was refused', async () => {
    setMessageSource(localeSource('nl'));
    const failing = { ...FEED.classes[0]!, lastOutcome: 'error' as const, lastError: 'the class feed answered HTTP 502', lastProblem: { code: 'http' as const, status: 502 } };
    setup({ feed: { ...FEED, classes: [failing] } });
    const feed = await screen.findByRole('region', { name: 'Klassenfeed' });
    expect(within(feed).getByText('Laatst opgehaald').nextElementSibling!.textContent).toBe(`${formatDateTime(T0 - M)} · error de klassenfeed antwoordde met HTTP 502`);
    expect(within(feed).getByText('Geweigerde documenten').nextElementSibling!.textContent).toBe('1 · bad-signature de handtekening past niet bij de sleutel in het beleid');
  });

  it('words in Dutch why the last publication was not delivered', async () => {
    setMessageSource(localeSource('nl'));
    setup({ feed: TEACHER_FEED });
    const feed = await screen.findByRole('region', { name: 'Klassenfeed' });
    expect(within(feed).getByText('Laatste publicatie').nextElementSibling!.textContent).toBe(
      'pending de klassenfeed accepteerde de inloggegevens van deze browser niet (HTTP 403): IT stelt die in het beleid in (classFeed.authorization)',
    );
  });

  it('says when the policy sets no class feed', async () => {
    setup({ feed: { ...FEED, configured: false, urlTemplate: null, classes: [] } });
    expect(await screen.findByText('The policy sets no class feed.')).toBeTruthy();
  });

  it('copies the diagnostics with the keyboard and confirms it', async () => {
    const { user } = setup({ policy: { source: 'cache', errors: ERRORS } });
    const button = await screen.findByRole('button', { name: 'Copy diagnostics' });
    expect(screen.getByRole('status').textContent).toBe('');
    button.focus();
    await user.keyboard('{Enter}');
    expect(copied).toHaveLength(1);
    expect(screen.getByRole('status').textContent).toBe('Diagnostics copied. Paste them into a message to IT.');
    expect(copied[0]).toContain('schedule.0.preset: no preset with id "nope"');
  });

  it('offers the text to copy by hand when the clipboard refuses', async () => {
    const { user } = setup();
    copyFails = true;
    await user.click(await screen.findByRole('button', { name: 'Copy diagnostics' }));
    expect(screen.getByRole('alert').textContent).toMatch(/Copying did not work/);
    const field = screen.getByLabelText('Diagnostics') as HTMLTextAreaElement;
    expect(field.value).toContain('Lesmodus diagnostics');
    expect(document.activeElement).toBe(field);
  });

  it('passes axe, with errors and the class feed shown, and with the fallback field', async () => {
    const { user } = setup({ policy: { source: 'cache', errors: ERRORS }, feed: FEED });
    await screen.findByRole('region', { name: 'Technical details' });
    expect(await axeViolations()).toEqual([]);
    copyFails = true;
    await user.click(screen.getByRole('button', { name: 'Copy diagnostics' }));
    expect(await axeViolations()).toEqual([]);
  });

  it('speaks Dutch in a Dutch browser', async () => {
    setMessageSource(localeSource('nl'));
    setup({ policy: { source: 'cache', errors: ERRORS } });
    expect(await screen.findByRole('region', { name: 'Het schoolbeleid in deze browser bevat fouten en wordt niet gebruikt' })).toBeTruthy();
    expect(screen.getByText('Altijd geblokkeerd (50.000)')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Diagnose kopiëren' })).toBeTruthy();
  });

  it('says so when the background does not answer', async () => {
    const background = new StatusBackground({ now: T0 });
    background.handle = async () => {
      throw new Error('Could not establish connection');
    };
    render(<StatusPage services={{ connector: background.connector, userAgent: 'x', copyText: async () => undefined, pollMs: 60_000 }} />);
    expect((await screen.findByRole('alert')).textContent).toBe('Lesmodus is starting. Try again in a moment.');
  });
});

describe('the diagnostics text', () => {
  function statusFor(extra: StatusBackground['extra'] = {}, options: FakeBackgroundOptions = {}): Status {
    const background = new StatusBackground({ now: T0, policy, ...options });
    background.extra = {
      policy: { source: 'cache', loadedAt: T0 - 60 * M, checkedAt: T0 - 2 * M, readError: null, errors: ERRORS },
      rules: { count: 7, appliedAt: T0 - 30 * M, error: null },
      notes: ['the cached policy was corrupt at receivedAt: expected number; no IT policy applies until IT\'s policy is read again'],
      ...extra,
      timetable: { timeZone: ZONE, next: today()[2]!, today: today() },
    };
    return background.status();
  }

  const context = { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0', language: 'en' };

  it('holds everything the page shows, as plain text, times in the policy time zone', () => {
    const text = diagnosticsText(statusFor(), context);
    expect(text.split('\n').slice(0, 25)).toEqual([
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
      '    schedule.0.preset: no preset with id "nope"',
      '    blocked.3: "http://" is not a site pattern: the host is missing',
      '  Role: student',
      '  Classes: 2B',
      '  Time zone: Europe/Amsterdam',
      '  Teacher PIN: set on this device',
      '  Blocklist lessons allowed: yes',
      '  Longest lesson: 240 min',
      '  Blocked page shows the address: yes',
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
        'Blocking rules',
        '  Count: 7',
        '  Last changed: 2026-03-02 09:30:00',
        '  Error: -',
        '',
        'Notes',
        "  - the cached policy was corrupt at receivedAt: expected number; no IT policy applies until IT's policy is read again",
        '',
      ].join('\n'),
    );
  });

  it('says what is in force without a lesson or a policy, and a failed read', () => {
    const text = diagnosticsText(
      statusFor({ policy: { source: 'none', loadedAt: null, checkedAt: null, errors: [], readError: 'broken manifest' }, notes: [] }, { policy: { ...policy, schedule: [] } }),
      context,
    );
    expect(text).toContain('  Source: none (no IT policy in force)\n  Received: -\n  Last checked: -\n  Read error: broken manifest\n  Errors: none\n');
    expect(text).toContain('  Lesson: none (browsing is open apart from what IT blocks)\n');
    expect(text).toContain('Notes\n  none\n');
  });

  it('holds the class feed, per class', () => {
    const text = diagnosticsText(statusFor({ feed: FEED }), context);
    expect(text).toContain(
      [
        'Class feed',
        '  Configured: yes, https://lesmodus.school.example/feed/{class}.jws, every 30 s',
        '  Class 2B: last fetch 2026-03-02 09:59:00 rejected; in force: Rekenen 2B until 2026-03-02 10:30:00, signed by J. de Vries; refused 1, last: bad-signature the signature does not match key "jdv"',
        '',
        'Blocking rules',
      ].join('\n'),
    );
  });

  it('says when the school\'s lesson limit cut a class lesson short', () => {
    const entry = FEED.classes[0]!;
    const text = diagnosticsText(statusFor({ feed: { ...FEED, classes: [{ ...entry, accepted: { ...entry.accepted!, lessonClippedTo: 90 } }] } }), context);
    expect(text).toContain('in force: Rekenen 2B until 2026-03-02 10:30:00 (clipped to 90 min by maxLessonMinutes), signed by J. de Vries');
  });

  it('keeps the English reasons for IT, whatever language the page speaks', () => {
    setMessageSource(localeSource('nl'));
    const text = diagnosticsText(statusFor({ feed: TEACHER_FEED }), { ...context, language: 'nl' });
    expect(text).toContain('last error: the class feed refused the credentials (HTTP 403): check classFeed.authorization in the policy');
  });

  it('copies no browsing data: of the sites let through, only their number', () => {
    const text = diagnosticsText(statusFor({}, { lesson: periodNow(), exceptions: [{ site: 'private-diary.test', until: T0 + 5 * M }] }), context);
    expect(text).toContain('  Sites let through for a while: 1\n');
    expect(text).not.toContain('private-diary.test');
    expect(text).toContain('  Lesson: 2B rekenen (origin teacher; allowlist; until 2026-03-02 10:20:00)');
  });
});
