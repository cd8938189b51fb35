/**
 * Live delivery to many students, measured the same way on any class-feed
 * host that speaks the protocol of docs/class-feed-nginx.md: `subscribers`
 * WebSocket clients (the `ws` package, in this process) follow one class;
 * each publish is a PUT as a teacher's device sends it; a client's latency
 * runs from just before the PUT to its 'message' event, so it includes this
 * process's own event loop working through the other clients. Memory is the
 * resident set (VmRSS, Linux) of the host's serving processes before the
 * subscribers connect and once each holds its first document.
 *
 * The documents have the outline of class documents (header, payload with
 * class and issuedAt, a 64-byte signature) and the size asked for; neither
 * host checks signatures, so none is made. Each publishes later than the one
 * before, so the reference server's newest-wins takes every one.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export const FANOUT_CLASS = 'bench';

/** A host under measurement. */
export interface FanoutHost {
  readonly name: string;
  /** The feed URL of a class (http://…/feed/{class}.jws). */
  url(classId: string): string;
  /** The same with ws://. */
  subscribeUrl(classId: string): string;
  /** `Authorization` that may publish every class. */
  readonly authorization: string;
  /** Process ids whose memory is the host's (nginx workers; the reference server's process). */
  servingPids(): number[];
  stop(): Promise<void>;
}

export interface FanoutOptions {
  readonly subscribers: number;
  /** Measured publishes. */
  readonly publishes: number;
  /** Document size in bytes (at most 65,536). */
  readonly bytes: number;
  /** Publishes before the measured ones, to all subscribers, not counted (a just-started host warms up). */
  readonly warmup?: number;
}

export interface FanoutFigures {
  readonly host: string;
  readonly subscribers: number;
  readonly publishes: number;
  readonly bytes: number;
  /** Connecting every subscriber and handing each the current document, in seconds. */
  readonly connectSeconds: number;
  readonly deliveries: number;
  readonly missing: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly rssBeforeKiB: number;
  readonly rssAfterKiB: number;
  /** (RSS with subscribers − RSS before) / subscribers. */
  readonly perSubscriberKiB: number;
}

function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

const servingRss = (host: FanoutHost): number => host.servingPids().reduce((sum, pid) => sum + rssKiB(pid), 0);

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'bench', typ: 'lesmodus-class+jws' })).toString('base64url');
const SIGNATURE = Buffer.alloc(64, 7).toString('base64url');
/** Where the payload begins; its first characters tell documents apart (issuedAt comes first). */
const PAYLOAD_AT = HEADER.length + 1;
const KEY_LENGTH = 40;

/** A document of about `bytes` characters, issued at `issuedAt`. */
export function fanoutDocument(issuedAt: number, bytes: number): string {
  const base = { issuedAt, v: 1, class: FANOUT_CLASS, kid: 'bench', lesson: null, pad: '' };
  const room = Math.floor(((bytes - HEADER.length - SIGNATURE.length - 2) * 3) / 4) - JSON.stringify(base).length;
  base.pad = 'x'.repeat(Math.max(0, room));
  return `${HEADER}.${Buffer.from(JSON.stringify(base)).toString('base64url')}.${SIGNATURE}`;
}

/** The part of a document (as received) that tells it from the others. */
const keyOf = (data: Buffer): string => data.subarray(PAYLOAD_AT, PAYLOAD_AT + KEY_LENGTH).toString('latin1');

export async function measureFanout(host: FanoutHost, options: FanoutOptions): Promise<FanoutFigures> {
  const { subscribers, publishes, bytes } = options;
  const warmup = options.warmup ?? 2;
  if (bytes > 64 * 1024) throw new Error('bytes: at most 65536, the feed refuses more');
  const base = Date.now() - 60_000;
  const documents = Array.from({ length: 1 + warmup + publishes }, (_, index) => fanoutDocument(base + index, bytes));
  const indexOf = new Map(documents.map((document, index) => [document.slice(PAYLOAD_AT, PAYLOAD_AT + KEY_LENGTH), index]));
  if (indexOf.size !== documents.length) throw new Error('bench documents are not told apart by their first characters');

  const put = async (body: string): Promise<void> => {
    const response = await fetch(host.url(FANOUT_CLASS), { method: 'PUT', body, headers: { Authorization: host.authorization, 'Content-Type': 'application/jose' } });
    await response.arrayBuffer();
    if (response.status < 200 || response.status > 299) throw new Error(`${host.name}: publish refused: HTTP ${response.status}`);
  };

  await put(documents[0]!);
  // Warm the host up with one subscriber, so its baseline includes what any connection costs once.
  const warm = new WebSocket(host.subscribeUrl(FANOUT_CLASS), { perMessageDeflate: false });
  await new Promise<void>((done) => warm.once('message', () => done()));
  warm.close();
  await new Promise<void>((done) => warm.once('close', () => done()));
  const before = servingRss(host);

  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const received = new Map<number, number>();
  let waiter: { index: number; done: () => void } | null = null;
  const onDocument = (data: Buffer): void => {
    const index = indexOf.get(keyOf(data)) ?? -1;
    const started = sentAt.get(index);
    if (started !== undefined) latencies.push(performance.now() - started);
    const count = (received.get(index) ?? 0) + 1;
    received.set(index, count);
    if (waiter !== null && waiter.index === index && count === subscribers) waiter.done();
  };

  const connectStarted = performance.now();
  const sockets: WebSocket[] = [];
  try {
    for (let opened = 0; opened < subscribers; opened += 100) {
      // A hundred at a time: the listen backlog stays short, and every socket gets its first document.
      const batch = Array.from({ length: Math.min(100, subscribers - opened) }, () => {
        const socket = new WebSocket(host.subscribeUrl(FANOUT_CLASS), { perMessageDeflate: false });
        sockets.push(socket);
        return new Promise<void>((done, fail) => {
          socket.once('message', (data: Buffer) => {
            socket.on('message', onDocument);
            if (indexOf.get(keyOf(data)) !== 0) fail(new Error(`${host.name}: the first document was not the current one`));
            done();
          });
          socket.once('error', fail);
        });
      });
      await Promise.all(batch);
    }
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const after = servingRss(host);

    for (let index = 1; index < documents.length; index++) {
      const all = new Promise<void>((done) => (waiter = { index, done }));
      if (index > warmup) sentAt.set(index, performance.now());
      await put(documents[index]!);
      await all;
    }

    latencies.sort((x, y) => x - y);
    return {
      host: host.name,
      subscribers,
      publishes,
      bytes,
      connectSeconds,
      deliveries: latencies.length,
      missing: publishes * subscribers - latencies.length,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1]!,
      rssBeforeKiB: before,
      rssAfterKiB: after,
      perSubscriberKiB: (after - before) / subscribers,
    };
  } finally {
    for (const socket of sockets) socket.terminate();
  }
}

/** The figures of several hosts side by side, one row per figure. */
export function fanoutTable(all: readonly FanoutFigures[]): string {
  const rows: Array<[string, ...string[]]> = [
    ['', ...all.map((figures) => figures.host)],
    ['subscribers (one class)', ...all.map((figures) => String(figures.subscribers))],
    ['publishes', ...all.map((figures) => `${figures.publishes} x ${figures.bytes} bytes`)],
    ['connect + first document, all', ...all.map((figures) => `${figures.connectSeconds.toFixed(2)} s`)],
    ['deliveries', ...all.map((figures) => `${figures.deliveries} (missing: ${figures.missing})`)],
    ['latency p50', ...all.map((figures) => `${figures.p50.toFixed(1)} ms`)],
    ['latency p95', ...all.map((figures) => `${figures.p95.toFixed(1)} ms`)],
    ['latency p99', ...all.map((figures) => `${figures.p99.toFixed(1)} ms`)],
    ['latency max', ...all.map((figures) => `${figures.max.toFixed(1)} ms`)],
    ['server RSS before', ...all.map((figures) => `${(figures.rssBeforeKiB / 1024).toFixed(1)} MiB`)],
    ['server RSS with subscribers', ...all.map((figures) => `${(figures.rssAfterKiB / 1024).toFixed(1)} MiB`)],
    ['per idle subscriber', ...all.map((figures) => `${figures.perSubscriberKiB.toFixed(1)} KiB`)],
    ['budget p95 < 1,000 ms', ...all.map((figures) => (figures.p95 < 1000 && figures.missing === 0 ? 'ok' : 'OVER'))],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('   ')).join('\n');
}
