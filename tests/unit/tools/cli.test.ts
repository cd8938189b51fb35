import { describe, expect, it } from '@jest/globals';
import { UsageError, escapeForTerminal, helpHint, jsonForTerminal, parseCommandLine } from '../../../src/tools/cli';

const OPTIONS = { port: { type: 'string' }, firefox: { type: 'boolean' } } as const;

function usageError(args: string[], positionals = false): string {
  try {
    parseCommandLine('npm run thing --', args, OPTIONS, { positionals });
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no error for ${args.join(' ')}`);
}

describe('parseCommandLine', () => {
  it.each([
    [['--prot', '1'], 'npm run thing: unknown option --prot; see npm run thing -- --help'],
    [['-x'], 'npm run thing: unknown option -x; see npm run thing -- --help'],
    [['--port'], 'npm run thing: --port needs a value; see npm run thing -- --help'],
    [['--port', '--firefox'], 'npm run thing: --port needs a value; see npm run thing -- --help'],
    [['--firefox=yes'], 'npm run thing: --firefox takes no value; see npm run thing -- --help'],
    [['extra'], 'npm run thing: unexpected argument extra; see npm run thing -- --help'],
    [['--\u001b[2Jx'], 'npm run thing: unknown option --\\x1b[2Jx; see npm run thing -- --help'],
  ])('refuses %j in one line that names it and points at --help', (args, message) => {
    const text = usageError(args);
    expect(text).toBe(message);
    expect(text).not.toContain('\n');
  });

  it.each([
    [['--port', '8080', '--firefox'], { port: '8080', firefox: true }, []],
    [['--port=-1'], { port: '-1' }, []],
    [['-h'], { help: true }, []],
    [['--help'], { help: true }, []],
    [[], {}, []],
  ])('reads %j', (args, values, positionals) => {
    const parsed = parseCommandLine('npm run thing --', args, OPTIONS);
    expect({ ...parsed.values }).toEqual(values);
    expect(parsed.positionals).toEqual(positionals);
  });

  it('takes positionals only where the command has them, "-" (standard input) included', () => {
    expect(parseCommandLine('npm run thing --', ['a.json', '-'], OPTIONS, { positionals: true }).positionals).toEqual(['a.json', '-']);
    expect(usageError(['-'])).toContain('unexpected argument -;');
  });

  it.each([
    ['npm start', 'npm start -- --help'],
    ['npm run policy --', 'npm run policy -- --help'],
    ['npm run policy -- check', 'npm run policy -- check --help'],
  ])('points %s at %s', (command, hint) => {
    expect(helpHint(command)).toBe(hint);
  });
});

describe('escapeForTerminal', () => {
  it.each([
    ['plain text', 'plain text'],
    ['Groep 7 – rekenen, één café 🎒', 'Groep 7 – rekenen, één café 🎒'],
    ['C:\\Policies\\school.json', 'C:\\Policies\\school.json'],
    ['\u001b[31mred\u001b[0m', '\\x1b[31mred\\x1b[0m'],
    ['\u001b]0;new window title\u0007', '\\x1b]0;new window title\\x07'],
    ['\u009b2J', '\\x9b2J'],
    ['a\u007fb', 'a\\x7fb'],
    ['line\nfake: valid\r', 'line\\x0afake: valid\\x0d'],
    ['tab\there', 'tab\\x09here'],
    ['\u0000\u0085\u009f', '\\x00\\x85\\x9f'],
  ])('%j prints as %j', (input, printed) => {
    expect(escapeForTerminal(input)).toBe(printed);
  });
});

describe('jsonForTerminal', () => {
  it('escapes every control character and still parses to the same value', () => {
    const value = { name: 'School\u009b31m\u007f\u001b', kid: 'x' };
    const json = jsonForTerminal(value);
    expect(json).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(json).toContain('\\u009b');
    expect(JSON.parse(json)).toEqual(value);
  });
});
