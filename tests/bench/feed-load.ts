/**
 * How many student polls per second the reference feed server answers:
 * the server runs in its own process (one core), the polling students in
 * this one (the other core), all on 127.0.0.1. Every poll carries the ETag
 * it already has, so the answer is `304 Not Modified`, as it is for a class
 * between two lessons.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signClassDocument } from '../../src/core/feed/document';
import type { Bench } from './runner';

const ROOT = join(__dirname, '..', '..');
const TOKEN = 'bench-token-0123456789abcdef';

function waitForListening(child: ChildProcess): Promise<number> {
  return new Promise((done, fail) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /https?:\/\/[^\s:]+:(\d+)/.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        done(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`feed server exited (${code}): ${output}`)));
    setTimeout(() => fail(new Error(`feed server did not start: ${output}`)), 20_000).unref();
  });
}

function send(port: number, agent: Agent, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; etag: string | undefined }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode ?? 0, etag: res.headers.etag }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** Polls with `If-None-Match` from `concurrency` keep-alive connections for `seconds`; returns 304 answers per second. */
export async function feedServerPollsPerSecond(seconds = 3, concurrency = 64): Promise<number> {
  const data = mkdtempSync(join(tmpdir(), 'lesmodus-feed-bench-'));
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'src', 'server', 'feed-server.ts'), '--port', '0', '--data', data, '--log', 'none'], {
    env: { ...process.env, LESMODUS_FEED_TOKENS: TOKEN },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const port = await waitForListening(child);
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const now = Date.now();
    const { jws } = await signClassDocument(
      { class: '2B', issuedAt: now, lesson: { id: 'bench', title: 'Rekenen', mode: 'allowlist', sites: ['wikipedia.org'], embeds: [], startsAt: now, endsAt: now + 3_600_000 } },
      keys.privateKey,
      'bench',
    );
    const put = await send(port, agent, 'PUT', '/feed/2B.jws', { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/jose' }, jws);
    if (put.status >= 300) throw new Error(`PUT refused: ${put.status}`);
    const first = await send(port, agent, 'GET', '/feed/2B.jws', {});
    const etag = first.etag;
    if (etag === undefined) throw new Error('no ETag');

    let notModified = 0;
    let other = 0;
    const end = Date.now() + seconds * 1000;
    const student = async (): Promise<void> => {
      while (Date.now() < end) {
        const { status } = await send(port, agent, 'GET', '/feed/2B.jws', { 'if-none-match': etag });
        if (status === 304) notModified += 1;
        else other += 1;
      }
    };
    const start = Date.now();
    await Promise.all(Array.from({ length: concurrency }, student));
    const elapsed = (Date.now() - start) / 1000;
    if (other > 0) throw new Error(`${other} polls were not answered 304`);
    return Math.round(notModified / elapsed);
  } finally {
    agent.destroy();
    child.kill();
    rmSync(data, { recursive: true, force: true });
  }
}

const POLLS = { name: 'feed server: 304 answers to student polls, one core', unit: 'polls/s', budget: { limit: 2000, better: 'higher' } } as const;

export const feedPollsBench: Bench = {
  id: 'feed-polls',
  figures: [POLLS],
  timeoutMs: 2 * 60_000,
  run: async (context) => {
    context.record(POLLS.name, await feedServerPollsPerSecond());
  },
};
