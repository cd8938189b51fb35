/**
 * The IT command for Lesmodus policies:
 *
 *   npm run policy -- check FILE...   validate policy files; every error with its field path
 *   npm run policy -- pin             hash a teacher PIN into a `teacherPin` entry
 *   npm run policy -- schema          print Chrome's and Edge's managed_schema.json
 *   npm run policy -- key             make a school signing key pair
 *
 * `check` takes a policy in any form IT handles: the plain JSON object, the
 * Google Admin console's wrapped form ({"field": {"Value": …}}), Firefox's
 * policies.json (policies.3rdparty.Extensions["lesmodus@lesmodus.nl"]) and a
 * Chrome/Chromium policy file for Linux (3rdparty.extensions.<extension id>,
 * read from /etc/opt/chrome/policies/managed/ or /etc/chromium/policies/managed/).
 * Besides what Lesmodus itself rejects, it reports what Chrome and Edge would
 * drop before Lesmodus sees it, and warns about unknown fields (typos).
 *
 * Exit status: 0 valid, 1 invalid, 2 usage or file error.
 */
import { readFile } from 'node:fs/promises';
import { USAGE_EXIT, UsageError, escapeForTerminal, helpHint, jsonForTerminal, parseCommandLine } from './cli';
import { checkManagedPolicy, managedSchema } from '../core/policy/managed-schema';
import { MIN_PIN_CHARACTERS, PIN_ITERATIONS, PIN_SALT_BYTES, hashPin, pinStrength, verifyPin, weakPinProblem } from '../core/teacher/pin';
import { deviceRequirements, isAdminConsoleWrapped, parsePolicy, unwrapAdminConsole, type Policy, type PolicyProblem } from '../core/policy/policy';
import { categoryCatalog } from '../core/rules/categories/catalog';

/** Lesmodus's Firefox add-on id (manifest/firefox.json). */
export const FIREFOX_ID = 'lesmodus@lesmodus.nl';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  readFile(path: string): Promise<string>;
  /** Reads the PIN and its confirmation: hidden from a terminal, or two lines of piped input. */
  readPinTwice(): Promise<[string, string]>;
}

/** Each command's usage: printed by `policy <command> --help`, and all of them by `policy --help`. */
const COMMAND_USAGE = {
  check: `  check FILE... [--id EXTENSION_ID]
      Validate policy files ("-" reads standard input). Accepts a plain policy,
      the Google Admin console's {"field": {"Value": ...}} form, Firefox's
      policies.json and a Chrome/Chromium policy file for Linux
      ({"3rdparty": {"extensions": {"<id>": {...}}}}; --id picks the extension
      when the file configures several).
      Exit status: 0 valid, 1 invalid, 2 usage or file error.`,
  pin: `  pin
      Read a teacher PIN or password twice (hidden; or two lines on standard
      input) and print the "teacherPin" entry for the policy. The PIN needs
      at least 6 digits, or 8 characters of any kind; the entry says which
      ("strength"), so that check can tell.`,
  schema: `  schema
      Print the managed_schema.json that Chrome and Edge use.`,
  key: `  key [--id ID] [--name NAME]
      Make a P-256 signing key pair for schools that use one school key:
      "schoolSigningKey" for teacher devices, a "teacherKeys" entry for students.`,
} as const;
type Command = keyof typeof COMMAND_USAGE;

const USAGE = `Usage: npm run policy -- <command> [options]

${Object.values(COMMAND_USAGE).join('\n')}

Every command takes --help (-h).
`;

const usageOf = (command: Command): string => `Usage: npm run policy -- ${COMMAND_USAGE[command].trimStart()}\n`;

// ---------------------------------------------------------------------------
// Finding the policy in a file.

type PolicySource = 'plain' | 'admin-console' | 'firefox' | 'chrome-linux';

const SOURCE_NAMES: Record<PolicySource, string> = {
  plain: 'plain policy',
  'admin-console': 'Google Admin console form',
  firefox: `Firefox policies.json, policies.3rdparty.Extensions["${FIREFOX_ID}"]`,
  'chrome-linux': 'Chrome policy file',
};

type Extracted =
  | { readonly ok: true; readonly source: PolicySource; readonly policy: unknown; readonly detail: string }
  | { readonly ok: false; readonly error: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds the Lesmodus policy in a parsed policy file and says which form it was in. */
export function extractPolicy(document: unknown, options: { readonly id?: string } = {}): Extracted {
  if (isObject(document) && isObject(document.policies)) {
    const thirdParty = document.policies['3rdparty'];
    const extensions = isObject(thirdParty) ? thirdParty.Extensions : undefined;
    const policy = isObject(extensions) ? extensions[FIREFOX_ID] : undefined;
    if (policy === undefined) {
      const found = isObject(extensions) ? Object.keys(extensions) : [];
      return {
        ok: false,
        error: `this is a Firefox policies.json without a Lesmodus policy: put it at policies.3rdparty.Extensions["${FIREFOX_ID}"]${found.length > 0 ? ` (found: ${found.join(', ')})` : ''}`,
      };
    }
    return { ok: true, source: 'firefox', policy, detail: SOURCE_NAMES.firefox };
  }
  if (isObject(document) && isObject(document['3rdparty'])) {
    const extensions = document['3rdparty'].extensions;
    const ids = isObject(extensions) ? Object.keys(extensions) : [];
    if (!isObject(extensions) || ids.length === 0) {
      return { ok: false, error: 'this Chrome policy file has no 3rdparty.extensions.<extension id> entry' };
    }
    let id = options.id;
    if (id === undefined) {
      if (ids.length > 1) return { ok: false, error: `this Chrome policy file configures several extensions (${ids.join(', ')}): name Lesmodus's with --id` };
      id = ids[0]!;
    }
    if (!(id in extensions)) return { ok: false, error: `no extension "${id}" in 3rdparty.extensions (found: ${ids.join(', ')})` };
    return { ok: true, source: 'chrome-linux', policy: extensions[id], detail: `${SOURCE_NAMES['chrome-linux']}, 3rdparty.extensions["${id}"]` };
  }
  if (isAdminConsoleWrapped(document)) return { ok: true, source: 'admin-console', policy: document, detail: SOURCE_NAMES['admin-console'] };
  return { ok: true, source: 'plain', policy: document, detail: SOURCE_NAMES.plain };
}

// ---------------------------------------------------------------------------
// check

interface CheckReport {
  readonly source: PolicySource;
  readonly detail: string;
  readonly errors: readonly PolicyProblem[];
  readonly warnings: readonly PolicyProblem[];
  readonly policy: Policy | null;
}

/**
 * Checks one policy file's content. Errors are what Lesmodus would reject and
 * what Chrome and Edge would drop (not for Firefox, which passes the policy
 * on as it is); warnings are unknown fields.
 */
function checkPolicyText(text: string, options: { readonly id?: string } = {}): CheckReport | { readonly error: string } {
  let document: unknown;
  try {
    // Windows editors like to start UTF-8 files with a byte order mark.
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { error: `not valid JSON: ${(error as Error).message}` };
  }
  const extracted = extractPolicy(document, options);
  if (!extracted.ok) return { error: extracted.error };
  const result = parsePolicy(extracted.policy);
  // A valid policy can still lack what its devices need (a student device's teacherPin).
  const errors: PolicyProblem[] = result.ok ? deviceRequirements(result.policy) : [...result.errors];
  // Google's servers unwrap the Admin console form before Chrome checks it;
  // a Linux policy file reaches Chrome exactly as written.
  const asChromeSeesIt = extracted.source === 'admin-console' ? unwrapAdminConsole(extracted.policy) : extracted.policy;
  const chrome = checkManagedPolicy(extracted.source === 'firefox' ? unwrapAdminConsole(extracted.policy) : asChromeSeesIt);
  if (extracted.source === 'chrome-linux' && isAdminConsoleWrapped(extracted.policy)) {
    errors.push({ path: '(root)', message: 'the {"Value": …} form is for the Google Admin console only: in a policy file, write the values themselves' });
  }
  if (extracted.source !== 'firefox') {
    for (const dropped of chrome.dropped) {
      if (!errors.some((error) => error.path === dropped.path)) errors.push(dropped);
    }
  }
  return { source: extracted.source, detail: extracted.detail, errors, warnings: [...result.warnings, ...chrome.unknown], policy: result.ok && errors.length === 0 ? result.policy : null };
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

const ORIGIN_WORDS = { builtin: "Lesmodus's list", added: 'sites added', replaced: 'list replaced', school: "the school's own" } as const;

/** The categories teachers can switch off, and what IT changed: "ai (52 sites, sites added), social (32), …". */
function categorySummary(policy: Policy): string {
  return [...categoryCatalog(policy.categories).values()]
    .map((category) => `${category.id} (${plural(category.sites.length, 'site')}${category.origin === 'builtin' ? '' : `, ${ORIGIN_WORDS[category.origin]}`}${category.aboveAllowed ? ', above allowed' : ''})`)
    .join(', ');
}

/** A few lines that tell IT what the policy will do, to compare with what they meant. */
function summarise(policy: Policy): string[] {
  const lines: Array<[string, string]> = [];
  lines.push(['device role', policy.classes.length > 0 ? `${policy.role}, classes ${policy.classes.join(', ')}` : policy.role]);
  if (policy.classFeed) lines.push(['class feed', `${policy.classFeed.urlTemplate}, every ${policy.classFeed.pollSeconds} s${policy.classFeed.authorization ? ', with write authorization' : ''}`]);
  const keyScope = (key: Policy['teacherKeys'][number]): string => (key.classes === undefined ? key.id : `${key.id} for ${key.classes.join(' ')}`);
  if (policy.teacherKeys.length > 0) lines.push(['teacher keys', `${policy.teacherKeys.length} (${policy.teacherKeys.map(keyScope).join(', ')})`]);
  if (policy.schoolSigningKey) lines.push(['school signing key', `set (kid "${policy.schoolSigningKey.kid}")`]);
  lines.push(['sites', `${policy.allowed.length} allowed, ${policy.blocked.length} blocked, ${plural(policy.embeds.length, 'embed')}`]);
  const blocks = (preset: Policy['presets'][number]): string => (preset.categories && preset.categories.length > 0 ? `, blocks ${preset.categories.join(' ')}` : '');
  lines.push(['presets', policy.presets.length > 0 ? policy.presets.map((preset) => `${preset.id} (${preset.mode}, ${plural(preset.sites.length, 'site')}${blocks(preset)})`).join(', ') : 'none']);
  lines.push(['categories', categorySummary(policy)]);
  lines.push(['timetable', `${plural(policy.schedule.length, 'period')} in ${policy.timeZone}; ${plural(policy.noLessonDates.length, 'date entry', 'date entries')} without lessons`]);
  lines.push(['outside lessons', policy.outsideLessons === undefined ? 'open browsing (blocked sites stay blocked)' : `preset "${policy.outsideLessons}"`]);
  const strength = policy.teacherPin?.strength;
  const declared = strength === undefined ? '' : `, ${strength.length} ${strength.digitsOnly ? 'digits' : 'characters'}`;
  lines.push(['teacher PIN', policy.teacherPin ? `set (PBKDF2-SHA256, ${policy.teacherPin.iterations} iterations${declared})` : 'not set: the teacher sets one on each device']);
  lines.push([
    'switches',
    `blocklist lessons ${policy.allowBlocklistLessons ? 'allowed' : 'not allowed'}, longest lesson ${policy.maxLessonMinutes} min, blocked address ${policy.showBlockedAddress ? 'shown' : 'hidden'}`,
  ]);
  const width = Math.max(...lines.map(([label]) => label.length)) + 2;
  return lines.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${value}`);
}

async function check(files: readonly string[], id: string | undefined, io: Io): Promise<number> {
  if (files.length === 0) {
    io.err(`npm run policy check: name a policy file, e.g. npm run policy -- check manifest/examples/primary-school.json; see ${helpHint('npm run policy -- check')}`);
    return USAGE_EXIT;
  }
  // Everything below echoes the input (paths, keys, values, parser messages
  // quoting the file): escaped as a whole line, since no line of ours has a
  // control character of its own.
  const out = (line: string): void => io.out(escapeForTerminal(line));
  const err = (line: string): void => io.err(escapeForTerminal(line));
  let status = 0;
  for (const file of files) {
    let text: string;
    try {
      text = await io.readFile(file);
    } catch (error) {
      err(`${file}: cannot read: ${(error as Error).message}`);
      status = Math.max(status, 2);
      continue;
    }
    const report = checkPolicyText(text, id === undefined ? {} : { id });
    if ('error' in report) {
      out(`${file}: invalid: ${report.error}`);
      status = Math.max(status, 1);
      continue;
    }
    if (report.errors.length > 0) {
      out(`${file}: invalid (${report.detail}), ${plural(report.errors.length, 'error')}:`);
      for (const error of report.errors) out(`  error: ${error.path}: ${error.message}`);
      status = Math.max(status, 1);
    } else {
      out(`${file}: valid (${report.detail})`);
      for (const line of summarise(report.policy!)) out(line);
    }
    for (const warning of report.warnings) out(`  warning: ${warning.path}: ${warning.message}`);
  }
  return status;
}

// ---------------------------------------------------------------------------
// pin

async function pin(io: Io): Promise<number> {
  let first: string;
  let second: string;
  try {
    [first, second] = await io.readPinTwice();
  } catch (error) {
    io.err(`pin: ${(error as Error).message}`);
    return 2;
  }
  if (first !== second) {
    io.err('pin: the two entries differ; nothing printed');
    return 1;
  }
  const strength = pinStrength(first);
  const weak = weakPinProblem(strength);
  if (weak !== null) {
    // The hash is masked on chrome://policy, but policy files and the Windows
    // registry are often readable by every user of the device, and a short
    // PIN is found by trying them all against it.
    io.err(`pin: too weak: ${weak}. Nothing printed`);
    return 1;
  }
  if (first.length > 1024) {
    io.err('pin: use at most 1024 characters');
    return 1;
  }
  if (strength.digitsOnly && strength.length < MIN_PIN_CHARACTERS) {
    io.err(`pin: note: a graphics card tries every ${strength.length}-digit PIN against the hash within minutes; keep the policy out of students' reach (docs/it-deployment.md), or use a password of ${MIN_PIN_CHARACTERS} or more characters`);
  }
  const salt = crypto.getRandomValues(new Uint8Array(PIN_SALT_BYTES));
  const hash = await hashPin(first, salt, PIN_ITERATIONS);
  if (!(await verifyPin(first, hash))) throw new Error('the new hash does not verify');
  io.err('Paste this into the policy (Admin console: as "teacherPin": {"Value": {...}}):');
  io.out(`"teacherPin": ${JSON.stringify(hash, null, 2)}`);
  return 0;
}

// ---------------------------------------------------------------------------
// key

async function key(id: string, name: string, io: Io): Promise<number> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id)) {
    io.err('key: an id is 1 to 64 letters, digits, "-", "_" or "."');
    return 2;
  }
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const schoolSigningKey = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, y: privateJwk.y, d: privateJwk.d, kid: id };
  const teacherKey = { id, name, publicKey: { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y } };
  io.err('For teacher devices only (secret: it can sign lessons for every class):');
  io.out(`"schoolSigningKey": ${JSON.stringify(schoolSigningKey, null, 2)}`);
  io.err('For student devices, in "teacherKeys":');
  // The name comes from the command line: printed so that no control character reaches the terminal.
  io.out(jsonForTerminal(teacherKey));
  return 0;
}

// ---------------------------------------------------------------------------

/** The options of each command (`--help` comes with every one). */
const COMMAND_OPTIONS = {
  check: { id: { type: 'string' } },
  pin: {},
  schema: {},
  key: { id: { type: 'string' }, name: { type: 'string' } },
} as const;

const isCommand = (name: string): name is Command => Object.hasOwn(COMMAND_USAGE, name);

async function runCommand(command: Command, args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine(`npm run policy -- ${command}`, args, COMMAND_OPTIONS[command], { positionals: command === 'check' });
  if (values.help) {
    io.out(usageOf(command));
    return 0;
  }
  const option = (name: 'id' | 'name'): string | undefined => (values as Partial<Record<'id' | 'name', string>>)[name];
  switch (command) {
    case 'check':
      return check(positionals, option('id'), io);
    case 'pin':
      return pin(io);
    case 'schema':
      io.out(JSON.stringify(managedSchema(), null, 2));
      return 0;
    case 'key':
      return key(option('id') ?? 'school', option('name') ?? 'School', io);
  }
}

/** Runs the command; resolves to the exit status (0 fine, 1 invalid input, 2 usage or file error). */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      io.err(USAGE);
      return USAGE_EXIT;
    }
    if (command === 'help' || command === '--help' || command === '-h') {
      const about = rest[0];
      io.out(about !== undefined && isCommand(about) ? usageOf(about) : USAGE);
      return 0;
    }
    if (!isCommand(command)) {
      const what = command.startsWith('-') ? `unknown option ${command}` : `unknown command "${command}"`;
      io.err(escapeForTerminal(`npm run policy: ${what}; see ${helpHint('npm run policy --')}`));
      return USAGE_EXIT;
    }
    return await runCommand(command, rest, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    return USAGE_EXIT;
  }
}

// ---------------------------------------------------------------------------
// Node: files, the terminal and standard input.

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003' || (char === '\u0004' && value === '')) {
          finish();
          reject(new Error('cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char === '\u001b') return; // an arrow or function key: ignore the rest of its sequence
        else if (char >= ' ') value += char;
      }
    };
    stdin.on('data', onData);
  });
}

const nodeIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readFile: (path) => (path === '-' ? readStdin() : readFile(path, 'utf8')),
  async readPinTwice() {
    if (process.stdin.isTTY) {
      const first = await readHidden('Teacher PIN or password: ');
      const second = await readHidden('Again, to confirm: ');
      return [first, second];
    }
    // Piped: the PIN and its confirmation on the first two lines (for scripts).
    const lines = (await readStdin()).split(/\r?\n/);
    if (lines.length < 2 || (lines.length === 2 && lines[1] === '')) throw new Error('give the PIN twice, on two lines of standard input');
    return [lines[0]!, lines[1]!];
  },
};

if (require.main === module) {
  run(process.argv.slice(2), nodeIo).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
