/**
 * How fast one nginx + nchan node (the production class-feed host, with the
 * shipped configuration) hands a published class document to many subscribed
 * WebSocket clients, and what an idle subscriber costs it in memory.
 *
 *   npx tsx tests/bench/nchan-fanout.ts [subscribers=1000] [publishes=20] [bytes=4096] [workers=1]
 *
 * The subscribers are `ws` clients in this process, all following one class
 * on one node with channels in shared memory. Each publish is a PUT, as a
 * teacher's device sends it; its latency for a client runs from just before
 * the PUT to that client's 'message' event, so it includes this process's own
 * event loop working through the other clients (one core of two). Memory is
 * the resident set (VmRSS) of nginx's worker processes before the subscribers
 * connect and once they all hold their first document; it does not include
 * nchan's shared memory, which the master allocates up front.
 *
 * Not a test (no pass or fail): a measurement to quote. It prints a table.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { startFeedHosts, type FeedNode } from '../../src/dev/feed-hosts';

const CLASS = 'bench';

function argument(index: number, fallback: number): number {
  const value = Number(process.argv[2 + index] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`argument ${index + 1}: a whole number of at least 1, not ${process.argv[2 + index]}`);
  return value;
}

function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

const workersRss = (node: FeedNode): number => node.workerPids().reduce((sum, pid) => sum + rssKiB(pid), 0);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A document of `bytes` characters that no other one equals (the receiver tells them apart). */
function documentOf(index: number, bytes: number): string {
  const head = `bench-${index}-`;
  return head + 'x'.repeat(Math.max(0, bytes - head.length));
}

async function main(): Promise<void> {
  const subscribers = argument(0, 1000);
  const publishes = argument(1, 20);
  const bytes = argument(2, 4096);
  const workers = argument(3, 1);
  if (bytes > 64 * 1024) throw new Error('bytes: at most 65536, the feed refuses more');

  const hosts = await startFeedHosts({ nodes: 1, redis: false, workerProcesses: workers, workerConnections: Math.ceil(subscribers * 1.5) + 256 });
  const node = hosts.nodes[0]!;
  try {
    const put = async (body: string): Promise<void> => {
      const response = await fetch(node.url(CLASS), { method: 'PUT', body, headers: { Authorization: hosts.authorization, 'Content-Type': 'application/jose' } });
      if (response.status < 200 || response.status > 299) throw new Error(`publish refused: HTTP ${response.status}`);
    };
    await put(documentOf(0, bytes));
    // Warm the worker up with one subscriber, so its baseline includes what any connection costs once.
    const warm = new WebSocket(node.subscribeUrl(CLASS));
    await new Promise<void>((done) => warm.once('message', () => done()));
    warm.close();
    await new Promise<void>((done) => warm.once('close', () => done()));
    const before = workersRss(node);

    /** For each publish index: when its PUT started, and the latency of every client that got it. */
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    const received = new Map<number, number>();
    let waiter: { index: number; done: () => void } | null = null;
    const onDocument = (text: string): void => {
      const index = Number(/^bench-(\d+)-/.exec(text)?.[1]);
      const started = sentAt.get(index);
      if (started !== undefined) latencies.push(performance.now() - started);
      const count = (received.get(index) ?? 0) + 1;
      received.set(index, count);
      if (waiter !== null && waiter.index === index && count === subscribers) waiter.done();
    };

    const connectStarted = performance.now();
    const sockets: WebSocket[] = [];
    for (let opened = 0; opened < subscribers; opened += 100) {
      // A hundred at a time: the listen backlog stays short, and every socket gets its first document.
      const batch = Array.from({ length: Math.min(100, subscribers - opened) }, () => {
        const socket = new WebSocket(node.subscribeUrl(CLASS), { perMessageDeflate: false });
        sockets.push(socket);
        return new Promise<void>((done, fail) => {
          socket.once('message', (data) => {
            socket.on('message', (next) => onDocument(next.toString()));
            if (!data.toString().startsWith('bench-0-')) fail(new Error('the first document was not the current one'));
            done();
          });
          socket.once('error', fail);
        });
      });
      await Promise.all(batch);
    }
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const after = workersRss(node);

    for (let index = 1; index <= publishes; index++) {
      const all = new Promise<void>((done) => (waiter = { index, done }));
      sentAt.set(index, performance.now());
      await put(documentOf(index, bytes));
      await all;
    }

    latencies.sort((x, y) => x - y);
    const lost = publishes * subscribers - latencies.length;
    const rows: Array<[string, string]> = [
      ['nginx workers', String(workers)],
      ['subscribers (one class, one node)', String(subscribers)],
      ['connect + first document, all', `${connectSeconds.toFixed(2)} s`],
      ['publishes', `${publishes} x ${bytes} bytes`],
      ['deliveries', `${latencies.length} (missing: ${lost})`],
      ['latency p50', `${percentile(latencies, 50).toFixed(1)} ms`],
      ['latency p95', `${percentile(latencies, 95).toFixed(1)} ms`],
      ['latency p99', `${percentile(latencies, 99).toFixed(1)} ms`],
      ['latency max', `${latencies[latencies.length - 1]!.toFixed(1)} ms`],
      ['worker RSS before', `${(before / 1024).toFixed(1)} MiB`],
      ['worker RSS with subscribers', `${(after / 1024).toFixed(1)} MiB`],
      ['per idle subscriber', `${((after - before) / subscribers).toFixed(1)} KiB`],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);

    for (const socket of sockets) socket.terminate();
  } finally {
    await hosts.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
