/**
 * Every command of the repository, run as a process the way npm runs it:
 * --help prints the usage and does nothing else (no server, no
 * ./feed-data, no build, no zip), and a flag it does not know, or one without its
 * value, is one line naming it and pointing at --help, with exit status 2.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const SCRIPTS = {
  'feed-server': join(ROOT, 'src/server/feed-server.ts'),
  policy: join(ROOT, 'src/tools/policy.ts'),
  start: join(ROOT, 'src/tools/start.ts'),
  package: join(ROOT, 'src/tools/package.ts'),
} as const;

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'lesmodus-cli-'));
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

/** Runs a command in an empty directory; a server that wrongly starts is stopped by the timeout and fails the test. */
function runCommand(command: keyof typeof SCRIPTS, args: string[]) {
  const env = { ...process.env };
  for (const variable of Object.keys(env)) if (variable.startsWith('LESMODUS_FEED_')) delete env[variable];
  return spawnSync(TSX, [SCRIPTS[command], ...args], { cwd, env, input: '', encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
}

describe('--help', () => {
  it.each([
    ['feed-server', ['--help'], 'Usage: npm run feed-server -- [options]'],
    ['feed-server', ['-h', '--port', '1'], 'Usage: npm run feed-server -- [options]'],
    ['policy', ['--help'], 'Usage: npm run policy -- <command> [options]'],
    ['policy', ['pin', '--help'], 'Usage: npm run policy -- pin'],
    ['start', ['--help'], 'Usage: npm start [-- options]'],
    ['start', ['--firefox', '-h'], 'Usage: npm start [-- options]'],
    ['package', ['--help'], 'Usage: npm run package [-- options]'],
  ] as const)('%s %j prints the usage, exits 0 and creates nothing', (command, args, usage) => {
    const result = runCommand(command, [...args]);
    expect({ status: result.status, signal: result.signal, stderr: result.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
    expect(result.stdout.startsWith(usage)).toBe(true);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('a bad flag', () => {
  it.each([
    ['feed-server', ['--prot', '8080'], 'npm run feed-server: unknown option --prot; see npm run feed-server -- --help'],
    ['feed-server', ['--port'], 'npm run feed-server: --port needs a value; see npm run feed-server -- --help'],
    ['feed-server', ['--port', 'eighty'], 'npm run feed-server: --port is a port number from 0 to 65535, not "eighty"; see npm run feed-server -- --help'],
    ['feed-server', ['--data', '--log', 'none'], 'npm run feed-server: --data needs a value; see npm run feed-server -- --help'],
    ['policy', ['check', '--idd', 'x', 'a.json'], 'npm run policy check: unknown option --idd; see npm run policy -- check --help'],
    ['start', ['--firefx'], 'npm start: unknown option --firefx; see npm start -- --help'],
    ['package', ['--out', 'x'], 'npm run package: unknown option --out; see npm run package -- --help'],
  ] as const)('%s %j: one line, exit status 2, nothing created', (command, args, line) => {
    const result = runCommand(command, [...args]);
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 2, stdout: '', stderr: `${line}\n` });
    expect(readdirSync(cwd)).toEqual([]);
  });
});
