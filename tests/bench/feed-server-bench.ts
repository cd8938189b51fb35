/**
 * How many student polls (conditional GETs answered 304) the reference feed
 * server answers per second on one core. The server runs in its own process
 * (`npm run feed-server`, logging as it does by default); this process is the
 * load: keep-alive connections, each asking again as soon as it is answered,
 * for a fixed time, on 127.0.0.1 only.
 *
 *   npx tsx tests/bench/feed-server-bench.ts [--seconds 5] [--connections 64] [--log all|writes|none] [--json]
 *
 * Budget (issue 5): at least 2,000 answers 304 per second — a school of
 * 2,000 laptops polling every 30 s needs about 67.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { signClassDocument } from '../../src/core/feed';

const REPO = resolve(__dirname, '..', '..');
const TOKEN = 'bench-token-0123456789abcdef';

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

function once(agent: Agent, url: URL, etag: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(url, { agent, headers: { 'If-None-Match': etag } }, (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode ?? 0));
    });
    req.on('error', fail);
    req.end();
  });
}

export async function benchFeedServer(seconds: number, connections: number, log: string): Promise<{ notModifiedPerSecond: number; other: number; seconds: number; connections: number; log: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lesmodus-feed-bench-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/server/feed-server.ts'), '--port', '0', '--data', dataDir, '--log', log], {
    env: { ...process.env, LESMODUS_FEED_TOKENS: TOKEN },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const template = await new Promise<string>((done, fail) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /at (http:\/\/\S+)/.exec(seen);
        if (match) done(match[1]!);
      });
      child.on('exit', (code) => fail(new Error(`feed-server exited with ${code}`)));
    });
    // Logging goes on after start-up; keep the pipe drained so the server never blocks on it.
    child.stdout.resume();
    const url = new URL(template.replace('{class}', '2B'));

    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const now = Date.now();
    const lesson = { id: 'bench', title: 'Rekenen', mode: 'allowlist' as const, sites: ['rekenen.nl', 'wikipedia.org'], embeds: [], startsAt: now, endsAt: now + 3_600_000 };
    const { jws } = await signClassDocument({ class: '2B', issuedAt: now, lesson }, pair.privateKey, 'bench');
    const stored = await fetch(url, { method: 'PUT', body: jws, headers: { Authorization: `Bearer ${TOKEN}` } });
    if (stored.status !== 201) throw new Error(`PUT answered ${stored.status}`);
    const etag = stored.headers.get('etag')!;

    const agent = new Agent({ keepAlive: true, maxSockets: connections });
    let notModified = 0;
    let other = 0;
    const deadline = Date.now() + seconds * 1000;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (Date.now() < deadline) {
          if ((await once(agent, url, etag)) === 304) notModified++;
          else other++;
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    agent.destroy();
    return { notModifiedPerSecond: Math.round(notModified / elapsed), other, seconds: elapsed, connections, log };
  } finally {
    child.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const seconds = Math.min(Number(arg('--seconds', '5')), 30);
  const connections = Math.min(Number(arg('--connections', '64')), 256);
  benchFeedServer(seconds, connections, arg('--log', 'all')).then(
    (result) => {
      if (process.argv.includes('--json')) console.log(JSON.stringify(result));
      else console.log(`feed server: ${result.notModifiedPerSecond} answers 304 per second (${result.connections} connections, ${result.seconds.toFixed(1)} s, log ${result.log}; budget 2000)`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
