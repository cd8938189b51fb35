/**
 * How fast a published class document reaches many subscribed students, and
 * what an idle subscriber costs in memory, on both class-feed hosts in one
 * run: nginx + nchan (the production host, with the shipped configuration)
 * and the reference server (`npm run feed-server`), measured the same way
 * (tests/bench/fanout.ts) one after the other on the same machine.
 *
 *   npx tsx tests/bench/nchan-fanout.ts [subscribers=1000] [publishes=20] [bytes=4096] [workers=1] [--only nginx|reference]
 *
 * nginx runs one node with channels in shared memory and `workers` worker
 * processes (one unless told); its memory is that of the workers (not nchan's shared memory,
 * which the master allocates up front). The reference server runs in a
 * process of its own; it writes each document to disk (synced) before it
 * passes it on, which is part of its latency. The subscribers are `ws`
 * clients in this process, on the same machine, so the client's own event
 * loop is part of every figure.
 *
 * Not a test (no pass or fail): a measurement to quote. It prints a table.
 */
import { startFeedHosts } from '../../src/dev/feed-hosts';
import { fanoutTable, measureFanout, type FanoutFigures, type FanoutHost, type FanoutOptions } from './fanout';
import { startReferenceHost } from './reference-host';

export type FanoutHostName = 'nginx' | 'reference';

/** One nginx + nchan node, channels in shared memory, as a host for the fan-out bench. */
async function startNchanHost(subscribers: number, workers: number): Promise<FanoutHost> {
  const hosts = await startFeedHosts({ nodes: 1, redis: false, workerProcesses: workers, workerConnections: Math.ceil(subscribers * 1.5) + 256 });
  const node = hosts.nodes[0]!;
  return {
    name: workers === 1 ? 'nginx + nchan' : `nginx + nchan, ${workers} workers`,
    url: (classId) => node.url(classId),
    subscribeUrl: (classId) => node.subscribeUrl(classId),
    authorization: hosts.authorization,
    servingPids: () => node.workerPids(),
    stop: () => hosts.stop(),
  };
}

export interface FanoutRun {
  readonly figures: readonly FanoutFigures[];
  /** Hosts that could not be measured, and why (nginx or nchan not installed, say). */
  readonly skipped: ReadonlyArray<{ readonly host: FanoutHostName; readonly reason: string }>;
}

/** Measures each host in turn; a host that does not start is skipped with its reason, a failure while measuring is thrown. */
export async function measureFanouts(options: FanoutOptions & { readonly workers?: number; readonly hosts?: readonly FanoutHostName[] }): Promise<FanoutRun> {
  const figures: FanoutFigures[] = [];
  const skipped: Array<{ host: FanoutHostName; reason: string }> = [];
  for (const name of options.hosts ?? (['nginx', 'reference'] as const)) {
    let host: FanoutHost;
    try {
      host = name === 'nginx' ? await startNchanHost(options.subscribers, options.workers ?? 1) : await startReferenceHost({ maxSubscribers: Math.max(10_000, options.subscribers + 100) });
    } catch (error) {
      skipped.push({ host: name, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    try {
      figures.push(await measureFanout(host, options));
    } finally {
      await host.stop();
    }
  }
  return { figures, skipped };
}

function argument(args: readonly string[], index: number, fallback: number): number {
  const value = Number(args[index] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`argument ${index + 1}: a whole number of at least 1, not ${args[index]}`);
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  let hosts: FanoutHostName[] | undefined;
  if (onlyAt >= 0) {
    const only = args.splice(onlyAt, 2)[1];
    if (only !== 'nginx' && only !== 'reference') throw new Error(`--only: nginx or reference, not ${only}`);
    hosts = [only];
  }
  const run = await measureFanouts({ subscribers: argument(args, 0, 1000), publishes: argument(args, 1, 20), bytes: argument(args, 2, 4096), workers: argument(args, 3, 1), ...(hosts ? { hosts } : {}) });
  if (run.figures.length > 0) console.log(fanoutTable(run.figures));
  for (const { host, reason } of run.skipped) console.log(`${host}: not measured: ${reason}`);
  if (run.figures.length === 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
