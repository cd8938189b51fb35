/**
 * The reference class-feed server (src/server/feed-server.ts) as a host for
 * the fan-out bench: in a process of its own (so its memory is its own and
 * it has a core to itself), on a free port of 127.0.0.1, with a temporary
 * data directory and one token, logging nothing.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FanoutHost } from './fanout';

const ROOT = join(__dirname, '..', '..');

export async function startReferenceHost(options: { readonly maxSubscribers?: number } = {}): Promise<FanoutHost> {
  const data = await mkdtemp(join(tmpdir(), 'lesmodus-fanout-'));
  const token = randomBytes(24).toString('hex');
  // `node --import tsx` (not the tsx command, which runs the script in a child of its own): the pid is the server's.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src', 'server', 'feed-server.ts'), '--port', '0', '--data', data, '--log', 'none', ...(options.maxSubscribers === undefined ? [] : ['--max-subscribers', String(options.maxSubscribers)])],
    { cwd: ROOT, env: { ...process.env, LESMODUS_FEED_TOKENS: token }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    const origin = await new Promise<string>((done, fail) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /(http:\/\/127\.0\.0\.1:\d+)\/feed\/\{class\}\.jws/.exec(output);
        if (match) done(match[1]!);
      });
      child.once('exit', (code) => fail(new Error(`the reference feed server exited (${code}): ${output}`)));
      setTimeout(() => fail(new Error(`the reference feed server did not start: ${output}`)), 20_000).unref();
    });
    const url = (classId: string): string => `${origin}/feed/${encodeURIComponent(classId)}.jws`;
    return {
      name: 'reference server',
      url,
      subscribeUrl: (classId) => url(classId).replace(/^http:/, 'ws:'),
      authorization: `Bearer ${token}`,
      servingPids: () => [child.pid!],
      stop: async () => {
        child.kill('SIGTERM');
        await exited;
        await rm(data, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    await rm(data, { recursive: true, force: true });
    throw error;
  }
}
