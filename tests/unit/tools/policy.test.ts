import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { managedSchema } from '../../../src/core/policy/managed-schema';
import { verifyPin } from '../../../src/core/teacher/pin';
import { parsePolicy } from '../../../src/core/policy/policy';
import { FIREFOX_ID, extractPolicy, run, type Io } from '../../../src/tools/policy';

const ROOT = join(__dirname, '../../..');
const PRIMARY = join(ROOT, 'manifest/examples/primary-school.json');
const SECONDARY = join(ROOT, 'manifest/examples/secondary-school.json');
const primary = (): Record<string, unknown> => JSON.parse(readFileSync(PRIMARY, 'utf8'));
const CHROME_ID = 'abcdefghijklmnopabcdefghijklmnop';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lesmodus-policy-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a file in the test's directory and returns its path. */
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** Runs the command in-process with captured output. */
async function cli(argv: string[], pins: [string, string] | Error = new Error('no terminal')): Promise<{ status: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (line) => out.push(...line.split('\n')),
    err: (line) => err.push(...line.split('\n')),
    readFile: (path) => Promise.resolve(readFileSync(path, 'utf8')),
    readPinTwice: () => (pins instanceof Error ? Promise.reject(pins) : Promise.resolve(pins)),
  };
  const status = await run(argv, io);
  return { status, out, err };
}

const BAD_POLICY = {
  blocked: ['*.games.com'],
  presets: [{ id: 'rekenen', title: 'Rekenen', mode: 'allowlist' }],
  schedule: [{ days: ['mon'], start: '8:30', end: '09:15', preset: 'rekenen' }],
  maxLessonMinutes: '90',
};

describe('policy check', () => {
  it('passes a valid policy with a summary of what it will do', async () => {
    const { status, out } = await cli(['check', PRIMARY]);
    expect(status).toBe(0);
    expect(out[0]).toBe(`${PRIMARY}: valid (plain policy)`);
    expect(out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}device role: +student, classes groep-5, groep-6$/),
        expect.stringMatching(/^ {2}teacher keys: +1 \(juf-anne for groep-5\)$/),
        expect.stringMatching(/^ {2}teacher PIN: +set \(PBKDF2-SHA256, 600000 iterations, 6 digits\)$/),
        expect.stringMatching(/^ {2}timetable: +6 periods in Europe\/Amsterdam; 10 date entries without lessons$/),
      ]),
    );
  });

  it('lists every error of an invalid policy with its path, Chrome drops included, and fails', async () => {
    const { status, out } = await cli(['check', file('bad.json', BAD_POLICY)]);
    expect(status).toBe(1);
    expect(out[0]).toMatch(/bad\.json: invalid \(plain policy\), 2 errors:$/);
    expect(out.slice(1)).toEqual([
      '  error: schedule.0.start: write a time as HH:MM, for example 08:30',
      expect.stringMatching(/^ {2}error: maxLessonMinutes: expected number, received string/i),
      // An unreadable list entry is no error (Chrome drops it and applies the rest), but never quiet.
      expect.stringMatching(/^ {2}warning: blocked\.0: "\*\.games\.com": write "games\.com" instead.*all of games\.com is blocked$/),
    ]);
  });

  it('reports what Chrome and Edge would drop although Lesmodus accepts it', async () => {
    const { status, out } = await cli(['check', file('dates.json', { noLessonDates: [{ from: '2025-10-18', to: '2025-10-26' }] })]);
    expect(status).toBe(1);
    expect(out).toContain('  error: noLessonDates.0: expected string, got object: Chrome and Edge drop the whole "noLessonDates" field');
  });

  it.each([
    ['with role "student"', { role: 'student' }],
    ['without a role (a student device is the default)', {}],
  ])('fails a student policy %s that sets no teacherPin, and says how to make one', async (_what, role) => {
    const { teacherPin: _pin, role: _role, ...rest } = primary();
    const { status, out } = await cli(['check', file('no-pin.json', { ...rest, ...role })]);
    expect(status).toBe(1);
    expect(out[0]).toMatch(/no-pin\.json: invalid \(plain policy\), 1 error:$/);
    expect(out[1]).toMatch(/^ {2}error: teacherPin: a student device .* takes the teacher PIN from the policy only.*npm run policy -- pin/);
  });

  describe('the strength of a student device\'s teacherPin', () => {
    const pinOf = () => primary().teacherPin as Record<string, unknown>;
    it.each([
      ['declares none (made before strength was declared)', () => {
        const { strength: _none, ...rest } = pinOf();
        return rest;
      }, 'teacherPin.strength', /does not say how strong its PIN is: make a new one with npm run policy -- pin/],
      ['declares 4 digits', () => ({ ...pinOf(), strength: { length: 4, digitsOnly: true } }), 'teacherPin.strength', /a PIN of digits needs at least 6 \(this one has 4\).*npm run policy -- pin/],
      ['declares a 7-character password', () => ({ ...pinOf(), strength: { length: 7, digitsOnly: false } }), 'teacherPin.strength', /needs at least 8 characters \(this one has 7\)/],
      ['has 100000 iterations', () => ({ ...pinOf(), iterations: 100000 }), 'teacherPin.iterations', /6 times cheaper than the 600000 Lesmodus asks for: make a new entry with npm run policy -- pin/],
    ])('fails when it %s', async (_what, teacherPin, path, message) => {
      const { status, out } = await cli(['check', file('weak-pin.json', { ...primary(), teacherPin: teacherPin() })]);
      expect(status).toBe(1);
      expect(out[1]).toMatch(new RegExp(`^ {2}error: ${path.replace('.', '\\.')}: `));
      expect(out[1]).toMatch(message);
    });

    it('is not asked of a teacher device, where the PIN guards no student laptop', async () => {
      const { strength: _none, ...undeclared } = pinOf();
      const { status } = await cli(['check', file('teacher-pin.json', { role: 'teacher', teacherPin: undeclared })]);
      expect(status).toBe(0);
    });
  });

  it('passes a teacher policy without a teacherPin: the teacher sets one on the device', async () => {
    const { status, out } = await cli(['check', file('teacher.json', { role: 'teacher', classes: ['2B'], classFeed: { urlTemplate: 'https://feed.school.test/{class}.jws' } })]);
    expect(status).toBe(0);
    expect(out).toContain('  teacher PIN:     not set: the teacher sets one on each device');
  });

  it('warns about unknown fields without failing', async () => {
    const { status, out } = await cli(['check', file('typo.json', { ...primary(), alowed: ['x.nl'] })]);
    expect(status).toBe(0);
    expect(out).toContain('  warning: alowed: not a Lesmodus policy field: ignored (a typo?)');
  });

  it('accepts the Google Admin console form', async () => {
    const wrapped = Object.fromEntries(Object.entries(primary()).map(([key, value]) => [key, { Value: value }]));
    const { status, out } = await cli(['check', file('admin.json', wrapped)]);
    expect(status).toBe(0);
    expect(out[0]).toMatch(/admin\.json: valid \(Google Admin console form\)$/);
  });

  it("reads Lesmodus's entry from a Firefox policies.json", async () => {
    const policies = { policies: { DisableDeveloperTools: true, '3rdparty': { Extensions: { [FIREFOX_ID]: primary(), 'other@example.org': { a: 1 } } } } };
    const { status, out } = await cli(['check', file('policies.json', policies)]);
    expect(status).toBe(0);
    expect(out[0]).toMatch(/policies\.json: valid \(Firefox policies\.json, policies\.3rdparty\.Extensions\["lesmodus@lesmodus\.nl"\]\)$/);
  });

  it('does not hold Firefox to what Chrome would drop', async () => {
    const policies = { policies: { '3rdparty': { Extensions: { [FIREFOX_ID]: { role: 'teacher', noLessonDates: [{ from: '2025-10-18', to: '2025-10-26' }] } } } } };
    expect((await cli(['check', file('policies-dates.json', policies)])).status).toBe(0);
  });

  it('checks errors inside a policies.json with their paths', async () => {
    const policies = { policies: { '3rdparty': { Extensions: { [FIREFOX_ID]: { role: 'leerling' } } } } };
    const { status, out } = await cli(['check', file('policies-bad.json', policies)]);
    expect(status).toBe(1);
    expect(out).toContain('  error: role: role is "student" or "teacher"');
  });

  it('says where a policies.json without Lesmodus should have it', async () => {
    const policies = { policies: { '3rdparty': { Extensions: { 'other@example.org': {} } } } };
    const { status, out } = await cli(['check', file('policies-none.json', policies)]);
    expect(status).toBe(1);
    expect(out[0]).toMatch(/invalid: this is a Firefox policies\.json without a Lesmodus policy: put it at policies\.3rdparty\.Extensions\["lesmodus@lesmodus\.nl"\] \(found: other@example\.org\)$/);
  });

  it('reads a Chrome policy file for Linux (3rdparty.extensions.<id>)', async () => {
    const managed = { URLBlocklist: ['example.com'], '3rdparty': { extensions: { [CHROME_ID]: primary() } } };
    const { status, out } = await cli(['check', file('chrome.json', managed)]);
    expect(status).toBe(0);
    expect(out[0]).toMatch(new RegExp(`chrome\\.json: valid \\(Chrome policy file, 3rdparty\\.extensions\\["${CHROME_ID}"\\]\\)$`));
  });

  it('asks which extension when a Chrome policy file configures several, and takes --id', async () => {
    const managed = { '3rdparty': { extensions: { [CHROME_ID]: primary(), other: { a: 1 } } } };
    const path = file('chrome-two.json', managed);
    const ambiguous = await cli(['check', path]);
    expect(ambiguous.status).toBe(1);
    expect(ambiguous.out[0]).toMatch(/several extensions \(abcdefghijklmnopabcdefghijklmnop, other\): name Lesmodus's with --id$/);
    expect((await cli(['check', path, '--id', CHROME_ID])).status).toBe(0);
    expect((await cli(['check', '--id', 'nope', path])).out[0]).toMatch(/no extension "nope"/);
  });

  it('explains that the {"Value": …} form does not belong in a Chrome policy file', async () => {
    const managed = { '3rdparty': { extensions: { [CHROME_ID]: { blocked: { Value: ['x.nl'] } } } } };
    const { status, out } = await cli(['check', file('chrome-wrapped.json', managed)]);
    expect(status).toBe(1);
    expect(out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/error: \(root\): the \{"Value": …\} form is for the Google Admin console only/),
        '  error: blocked: expected array, got object: Chrome and Edge drop the whole "blocked" field',
      ]),
    );
  });

  it('reports broken JSON, and a file with a byte order mark is fine', async () => {
    const broken = await cli(['check', file('broken.json', '{"blocked": ["x.nl",]}')]);
    expect(broken.status).toBe(1);
    expect(broken.out[0]).toMatch(/broken\.json: invalid: not valid JSON: /);
    expect((await cli(['check', file('bom.json', `\uFEFF${JSON.stringify(primary())}`)])).status).toBe(0);
  });

  it('checks several files and fails if any fails; a missing file is a usage error', async () => {
    expect((await cli(['check', PRIMARY, SECONDARY])).status).toBe(0);
    expect((await cli(['check', PRIMARY, file('bad2.json', BAD_POLICY)])).status).toBe(1);
    const missing = await cli(['check', join(dir, 'missing.json')]);
    expect(missing.status).toBe(2);
    expect(missing.err[0]).toMatch(/missing\.json: cannot read/);
    expect((await cli(['check'])).status).toBe(2);
  });
});

describe('extractPolicy', () => {
  it.each([
    [{ blocked: [] }, 'plain'],
    [{ blocked: { Value: [] } }, 'admin-console'],
    [{ policies: { '3rdparty': { Extensions: { [FIREFOX_ID]: {} } } } }, 'firefox'],
    [{ '3rdparty': { extensions: { [CHROME_ID]: {} } } }, 'chrome-linux'],
  ])('%j is a %s policy', (document, source) => {
    const extracted = extractPolicy(document);
    expect(extracted.ok && extracted.source).toBe(source);
  });
});

describe('policy schema', () => {
  it("prints Chrome's managed schema", async () => {
    const { status, out } = await cli(['schema']);
    expect(status).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual(managedSchema());
  });
});

describe('policy pin', () => {
  it('prints a teacherPin entry that verifies the PIN, declares its strength, and that check accepts', async () => {
    const { status, out, err } = await cli(['pin'], ['482916', '482916']);
    expect(status).toBe(0);
    const { teacherPin } = JSON.parse(`{${out.join('\n')}}`);
    expect(teacherPin).toEqual({
      algorithm: 'PBKDF2-SHA256',
      iterations: 600000,
      salt: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/),
      hash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      strength: { length: 6, digitsOnly: true },
    });
    expect(await verifyPin('482916', teacherPin)).toBe(true);
    expect(await verifyPin('482917', teacherPin)).toBe(false);
    expect(parsePolicy({ teacherPin }).ok).toBe(true);
    expect((await cli(['check', file('with-pin.json', { ...primary(), teacherPin })])).status).toBe(0);
    // Six digits pass; the note says what a graphics card does with them.
    expect(err.join(' ')).toMatch(/every 6-digit PIN against the hash within minutes/);
  });

  it.each([
    ['a password of 8 characters', 'leraar2B', { length: 8, digitsOnly: false }],
    ['accents counted as one character each', 'ééééééé1', { length: 8, digitsOnly: false }],
    ['12 digits', '482916482916', { length: 12, digitsOnly: true }],
  ])('takes %s, with no note', async (_what, pin, strength) => {
    const { status, out, err } = await cli(['pin'], [pin, pin]);
    expect(status).toBe(0);
    expect(JSON.parse(`{${out.join('\n')}}`).teacherPin.strength).toEqual(strength);
    expect(err.join(' ')).not.toMatch(/note/);
  });

  it('uses a new random salt every time', async () => {
    const first = JSON.parse(`{${(await cli(['pin'], ['leraar-2B', 'leraar-2B'])).out.join('\n')}}`);
    const second = JSON.parse(`{${(await cli(['pin'], ['leraar-2B', 'leraar-2B'])).out.join('\n')}}`);
    expect(first.teacherPin.salt).not.toBe(second.teacherPin.salt);
  });

  it.each([
    [['482916', '482961'], 1, /differ/],
    [['1234', '1234'], 1, /too weak: a PIN of digits needs at least 6 \(this one has 4\)/],
    [['48291', '48291'], 1, /too weak: a PIN of digits needs at least 6 \(this one has 5\)/],
    [['leraar2', 'leraar2'], 1, /too weak: a PIN or password with letters or signs needs at least 8 characters \(this one has 7\)/],
    [['', ''], 1, /too weak/],
    [new Error('give the PIN twice, on two lines of standard input'), 2, /give the PIN twice/],
  ] as Array<[[string, string] | Error, number, RegExp]>)('refuses %j', async (pins, status, message) => {
    const result = await cli(['pin'], pins);
    expect(result.status).toBe(status);
    expect(result.out).toEqual([]);
    expect(result.err.join(' ')).toMatch(message);
  });
});

describe('policy key', () => {
  it('makes a key pair whose halves fit the policy and sign and verify together', async () => {
    const { status, out } = await cli(['key', '--id', 'school', '--name', 'OBS De Regenboog']);
    expect(status).toBe(0);
    const text = out.join('\n');
    const split = text.indexOf('\n{');
    const { schoolSigningKey } = JSON.parse(`{${text.slice(0, split)}}`);
    const teacherKey = JSON.parse(text.slice(split + 1));
    expect(teacherKey).toEqual({ id: 'school', name: 'OBS De Regenboog', publicKey: { kty: 'EC', crv: 'P-256', x: schoolSigningKey.x, y: schoolSigningKey.y } });
    expect(parsePolicy({ role: 'teacher', schoolSigningKey, teacherKeys: [teacherKey] }).ok).toBe(true);
    expect(parsePolicy({ classes: ['2B'], classFeed: { urlTemplate: 'https://x.nl/{class}' }, teacherKeys: [teacherKey] }).ok).toBe(true);

    const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
    const privateKey = await crypto.subtle.importKey('jwk', schoolSigningKey, algorithm, false, ['sign']);
    const publicKey = await crypto.subtle.importKey('jwk', teacherKey.publicKey, algorithm, false, ['verify']);
    const data = new TextEncoder().encode('lesson');
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, data)).toBe(true);
  });

  it('refuses an id the policy would refuse', async () => {
    expect((await cli(['key', '--id', 'juf anne'])).status).toBe(2);
  });
});

describe('usage', () => {
  it('prints help, and fails on an unknown command', async () => {
    expect((await cli(['help'])).out.join('\n')).toMatch(/check FILE/);
    const unknown = await cli(['chek']);
    expect(unknown.status).toBe(2);
    expect(unknown.err).toEqual(['npm run policy: unknown command "chek"; see npm run policy -- --help']);
  });

  it.each([
    [['--help'], /^Usage: npm run policy -- <command>/],
    [['-h'], /^Usage: npm run policy -- <command>/],
    [['check', '--help'], /^Usage: npm run policy -- check FILE\.\.\. \[--id EXTENSION_ID\]/],
    [['check', 'missing.json', '-h'], /^Usage: npm run policy -- check FILE/],
    [['pin', '--help'], /^Usage: npm run policy -- pin\n/],
    [['schema', '--help'], /^Usage: npm run policy -- schema\n/],
    [['key', '--help'], /^Usage: npm run policy -- key \[--id ID\] \[--name NAME\]/],
    [['help', 'key'], /^Usage: npm run policy -- key /],
  ])('%j prints its usage and does nothing else', async (argv, usage) => {
    // pin would read a PIN, check a file: the PIN source fails and the file does not exist.
    const result = await cli(argv, new Error('read a PIN'));
    expect(result.status).toBe(0);
    expect(result.out.join('\n')).toMatch(usage);
    expect(result.err).toEqual([]);
  });

  it.each([
    [['--bogus'], 'npm run policy: unknown option --bogus; see npm run policy -- --help'],
    [['check', '--strict', 'a.json'], 'npm run policy check: unknown option --strict; see npm run policy -- check --help'],
    [['check', 'a.json', '--id'], 'npm run policy check: --id needs a value; see npm run policy -- check --help'],
    [['pin', 'extra'], 'npm run policy pin: unexpected argument extra; see npm run policy -- pin --help'],
    [['schema', '--out', 'x.json'], 'npm run policy schema: unknown option --out; see npm run policy -- schema --help'],
    [['key', '--name'], 'npm run policy key: --name needs a value; see npm run policy -- key --help'],
    [['key', '--kid', 'x'], 'npm run policy key: unknown option --kid; see npm run policy -- key --help'],
    [['check'], 'npm run policy check: name a policy file, e.g. npm run policy -- check manifest/examples/primary-school.json; see npm run policy -- check --help'],
  ])('%j is a usage error: one line, status 2, nothing done', async (argv, message) => {
    const result = await cli(argv, new Error('read a PIN'));
    expect(result).toEqual({ status: 2, out: [], err: [message] });
  });
});

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('policy check never sends the input\'s control characters to the terminal', () => {
  const ESC_TITLE = '\u001b]0;pwned\u0007';
  const CLEAR = '\u001b[2J';
  const CSI = '\u009b31m';

  it.each([
    ['an unknown key (warning)', { ...primary(), [`x${ESC_TITLE}`]: 1 }, 0, 'x\\x1b]0;pwned\\x07'],
    ['a value in a warning (an unreadable blocked entry)', { ...primary(), blocked: [`games${CLEAR}.com`] }, 0, 'games\\x1b[2J.com'],
    ['a key in a warning path', { role: 'teacher', presets: [{ id: 'p', title: 'P', mode: 'allowlist', sites: [], [`z${CSI}`]: 1 }] }, 0, '\\x9b31m'],
    ['a class id the policy refuses', { ...primary(), classes: [`2B${CSI}`] }, 1, ''],
    ['an extension id of a Chrome policy file', { '3rdparty': { extensions: { [`id${CLEAR}`]: primary(), other: {} } } }, 1, 'id\\x1b[2J'],
  ])('%s', async (_what, policy, status, shown) => {
    const result = await cli(['check', file('control.json', policy)]);
    expect(result.status).toBe(status);
    for (const line of [...result.out, ...result.err]) expect(line).not.toMatch(CONTROL);
    if (shown) expect(result.out.join('\n')).toContain(shown);
  });

  it('escapes broken JSON quoted in the parser\'s message, and the file name', async () => {
    const name = file(`bad${CLEAR}.json`, `{"a": ${ESC_TITLE}}`);
    const result = await cli(['check', name, join(dir, `missing${CSI}.json`)]);
    expect(result.status).toBe(2);
    for (const line of [...result.out, ...result.err]) expect(line).not.toMatch(CONTROL);
    expect(result.out[0]).toContain('bad\\x1b[2J.json: invalid: not valid JSON');
    expect(result.err[0]).toContain('missing\\x9b31m.json: cannot read');
  });

  it('prints a key name with control characters as JSON escapes', async () => {
    const result = await cli(['key', '--name', `School${CSI}\u007f`]);
    expect(result.status).toBe(0);
    for (const line of result.out) expect(line).not.toMatch(CONTROL);
    const entry = JSON.parse(result.out.slice(result.out.findIndex((line) => line === '{')).join('\n'));
    expect(entry.name).toBe(`School${CSI}\u007f`);
  });
});

describe('npm run policy, as a process', () => {
  const TSX = join(ROOT, 'node_modules/.bin/tsx');
  const SCRIPT = join(ROOT, 'src/tools/policy.ts');
  const spawn = (args: string[], input?: string) => spawnSync(TSX, [SCRIPT, ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });

  it('exits 1 on an invalid file and 0 on a valid one', () => {
    const bad = spawn(['check', file('process-bad.json', BAD_POLICY)]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('  error: schedule.0.start: write a time as HH:MM, for example 08:30');
    const good = spawn(['check', PRIMARY]);
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('valid (plain policy)');
  });

  it('reads the PIN from two lines of standard input when it is not a terminal', async () => {
    const result = spawn(['pin'], 'geheim-2B\ngeheim-2B\n');
    expect(result.status).toBe(0);
    const { teacherPin } = JSON.parse(`{${result.stdout}}`);
    expect(await verifyPin('geheim-2B', teacherPin)).toBe(true);
    // The PIN itself never appears in the output.
    expect(result.stdout + result.stderr).not.toContain('geheim');

    const once = spawn(['pin'], 'geheim-2B\n');
    expect(once.status).toBe(2);
    expect(once.stderr).toMatch(/give the PIN twice/);
  });
});

describe('policy check: site categories', () => {
  it("says which categories the policy leaves and what IT changed, and Chrome keeps them", async () => {
    const policy = {
      ...primary(),
      categories: [
        { id: 'ai', add: ['schoolgpt.example'] },
        { id: 'exam-cheats', name: { en: 'Exam help', nl: 'Spiekhulp' }, sites: ['answers.example', 'cheats.example'] },
      ],
      presets: [{ id: 'toets', title: 'Toets', mode: 'allowlist', sites: ['school.nl'], categories: ['ai', 'exam-cheats'] }],
      schedule: [],
    };
    const { status, out } = await cli(['check', file('categories.json', policy)]);
    expect(out.join('\n')).not.toMatch(/drop/);
    expect(status).toBe(0);
    expect(out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}presets: +toets \(allowlist, 1 site, blocks ai exam-cheats\)$/),
        expect.stringMatching(/^ {2}categories: +ai \(\d+ sites, sites added\), social \(\d+ sites\), games \(\d+ sites\), video \(\d+ sites\), exam-cheats \(2 sites, the school's own\)$/),
      ]),
    );
  });

  it('fails a preset that names a category the policy does not have, naming it', async () => {
    const { status, out } = await cli(['check', file('unknown-category.json', { ...primary(), presets: [{ id: 'toets', title: 'Toets', mode: 'allowlist', categories: ['chat'] }], schedule: [] })]);
    expect(status).toBe(1);
    expect(out).toContain('  error: presets.0.categories.0: no category with id "chat": the shipped ones are ai, social, games and video; add your own under categories');
  });
});
