/**
 * What every Lesmodus command line shares: strict argument parsing with
 * node's `util.parseArgs` (an unknown flag or a flag without its value is an
 * error, never ignored), one-line usage errors that name the flag and point
 * at `--help`, and escaping of whatever came from outside before it reaches
 * a terminal.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit status of a usage error (a bad flag, a missing value); 1 stays for "the input is invalid". */
export const USAGE_EXIT = 2;

/** A mistake in the command line; its message is one line, ready to print. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `--help` and `-h`, added to every command's options. */
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** The flag a parseArgs error is about: its message quotes it first (`Unknown option '--x'`, `Option '--port <value>' …`). */
function quotedFlag(message: string): string | undefined {
  return /'([^' ]+)/.exec(message)?.[1];
}

function reword(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const flag = quotedFlag(message);
  if (flag === undefined) return message.split('\n')[0]!;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('does not take an argument') ? `${flag} takes no value` : `${flag} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${flag}`;
    default:
      return message.split('\n')[0]!;
  }
}

/**
 * Parses `args` strictly against `options` (plus `--help`/`-h`). `command`
 * is how the user runs it (`npm run feed-server --`), for the error message:
 * `npm run feed-server: unknown option --prot; see npm run feed-server -- --help`.
 */
export function parseCommandLine<O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
  { positionals = false }: { positionals?: boolean } = {},
) {
  try {
    return parseArgs({ args: [...args], options: { ...options, ...HELP }, strict: true, allowPositionals: positionals });
  } catch (error) {
    throw new UsageError(escapeForTerminal(`${commandName(command)}: ${reword(error)}; see ${helpHint(command)}`));
  }
}

/** `npm run policy -- check` → `npm run policy check` (for the start of an error line). */
function commandName(command: string): string {
  return command.replace(/ --(?= |$)/, '');
}

/** `npm run policy -- check` → `npm run policy -- check --help`; `npm start` → `npm start -- --help`. */
export function helpHint(command: string): string {
  return / --( |$)/.test(command) ? `${command} --help` : `${command} -- --help`;
}

// ---------------------------------------------------------------------------
// Terminal safety.

// C0 controls (tab and newline included: a value must stay on its line), DEL and the C1 controls.
// ESC (C0) and CSI (C1, U+009B) start every terminal escape sequence, so escaping them defuses the sequences.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

const hex2 = (char: string): string => char.charCodeAt(0).toString(16).padStart(2, '0');

/**
 * Text from a file, an argument or an error message, made safe to print:
 * every control character becomes `\xHH` (`\x1b[31m` prints as those
 * characters, not as red), so a file cannot move the cursor, retitle the
 * window or hide what is printed after it.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(CONTROL, (char) => `\\x${hex2(char)}`);
}

/**
 * `JSON.stringify(value, null, 2)` safe to print: JSON already escapes C0
 * controls, and this escapes DEL and C1 as well (`\u009b`), which JSON
 * permits, so the output still parses to the same value.
 */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, (char) => `\\u00${hex2(char)}`);
}

// ---------------------------------------------------------------------------
// Other npm scripts.

/**
 * Runs `npm run <args>` in `cwd` with the terminal attached, and resolves to
 * its exit status (null: it could not start). Under npm, npm_execpath names
 * the npm that runs us; from a plain shell, npm is on the PATH.
 */
export function runNpm(cwd: string, args: readonly string[]): { status: number | null; error?: Error } {
  const npm = process.env.npm_execpath;
  const result = npm ? spawnSync(process.execPath, [npm, 'run', ...args], { cwd, stdio: 'inherit' }) : spawnSync('npm', ['run', ...args], { cwd, stdio: 'inherit' });
  return result.error === undefined ? { status: result.status } : { status: null, error: result.error };
}
