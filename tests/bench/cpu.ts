/**
 * The figures measured in Node, without a browser: decide() throughput,
 * compile() time and rule count for a 50,000-entry IT list, and the popup's
 * size.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { parsePolicy } from '../../src/core/policy/policy';
import { compile } from '../../src/core/rules/compile';
import { decide, prepare } from '../../src/core/rules/decide';
import type { EffectiveRules } from '../../src/core/rules/resolve';
import { distDir } from '../../src/dev/browsers';
import { host, hostList, IT_LIST_SEED, IT_LIST_SIZE, random } from './hosts';
import { median, round, spread } from './median';
import type { Bench } from './runner';

const DECIDE = { name: 'decide() with 10,000 patterns (URL strings)', unit: 'URLs/s', budget: { limit: 1_000_000, better: 'higher' } } as const;

export const decideBench: Bench = {
  id: 'decide',
  figures: [DECIDE],
  timeoutMs: 60_000,
  run: async (context) => {
    const next = random(42);
    const blocked = Array.from({ length: 5000 }, (_, i) => host(next, i));
    const allowed = Array.from({ length: 2000 }, (_, i) => (i % 10 === 0 ? `${host(next, i)}/edu` : host(next, 100_000 + i)));
    const sites = Array.from({ length: 3000 }, (_, i) => (i % 20 === 0 ? `.${host(next, 200_000 + i)}` : host(next, 200_000 + i)));
    const rules: EffectiveRules = {
      itAllowed: allowed,
      itBlocked: blocked,
      itEmbeds: ['youtube-nocookie.com'],
      exceptions: [],
      lesson: { mode: 'allowlist', sites, embeds: [] },
      paused: false,
      test: false,
      tabLimit: null,
    };
    const prepared = prepare(rules);
    const pool = [...blocked, ...allowed, ...sites].map((pattern) => pattern.replace(/^\./, ''));
    const urls = Array.from({ length: 20_000 }, (_, i) => {
      const base = next() < 0.7 ? pool[Math.floor(next() * pool.length)]! : host(next, 900_000 + i);
      const sub = next() < 0.3 ? 'www.' : '';
      return `https://${sub}${base.includes('/') ? base : `${base}/page/${i}`}?q=${i}`;
    });
    let sink = 0;
    for (let i = 0; i < 100_000; i += 1) sink += decide(urls[i % urls.length]!, prepared).allowed ? 1 : 0; // warm up
    // Three rounds of half a second; the median round is the figure, so one round slowed by the rest of the machine does not decide it.
    const rounds: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      let count = 0;
      const start = process.hrtime.bigint();
      let elapsed = 0;
      while (elapsed < 0.5e9) {
        for (let i = 0; i < urls.length; i += 1) sink += decide(urls[i]!, prepared).allowed ? 1 : 0;
        count += urls.length;
        elapsed = Number(process.hrtime.bigint() - start);
      }
      rounds.push(count / (elapsed / 1e9));
    }
    if (sink < 0) context.log(String(sink));
    context.record(DECIDE.name, Math.round(median(rounds)), { rounds: rounds.map((value) => Math.round(value)) });
  },
};

const COMPILE = { name: 'compile() of a 50,000-entry IT blocked list, CPU time, median', unit: 'ms', budget: { limit: 50, better: 'lower' } } as const;
const COMPILE_CHANGED = { name: 'compile() of the next version of that list, one entry changed, CPU time, median', unit: 'ms' } as const;
const COMPILE_WALL = { name: 'compile() of the same list, wall-clock, median', unit: 'ms' } as const;
const COMPILE_RATIO = { name: 'compile() ÷ plain-JS reference on the same list, wall-clock, same run', unit: '×' } as const;
const COMPILE_REFERENCE = { name: 'plain-JS reference (validate, collect, dedupe, chunk), median', unit: 'ms' } as const;
const RULES = { name: 'DNR rules for a 50,000-entry IT blocked list', unit: 'rules', budget: { limit: 50, better: 'lower' } } as const;

const PLAIN_HOST = /^(?!-)[a-z0-9-]{1,63}(?:\.(?!-)[a-z0-9-]{1,63})*\.?$/;

/**
 * The least any compiler of this list has to do, in plain JavaScript: check
 * each entry is a host name, keep a small record of it, drop duplicates and
 * cut the hosts into rules of 10,000. It allocates and collects like
 * compile() does, so it slows down with the machine the way compile() does.
 */
function reference(list: readonly string[]): number {
  const parsed: Array<{ source: string; host: string; path: string; query: string[] }> = [];
  for (const entry of list) {
    const source = entry.trim();
    if (PLAIN_HOST.test(source)) parsed.push({ source, host: source.endsWith('.') ? source.slice(0, -1) : source, path: '', query: [] });
  }
  const domains: string[] = [];
  for (const pattern of parsed) domains.push(pattern.host);
  const unique = [...new Set(domains)];
  const chunks: string[][] = [];
  for (let start = 0; start < unique.length; start += 10_000) chunks.push(unique.slice(start, start + 10_000));
  return chunks.length;
}

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly pageFaults: number;
  readonly start: number;
  readonly end: number;
}

function sample(work: () => unknown): Sample {
  const cpu = process.cpuUsage();
  const faults = process.resourceUsage().minorPageFault;
  const start = performance.now();
  work();
  const end = performance.now();
  const used = process.cpuUsage(cpu);
  return { wallMs: end - start, cpuMs: (used.user + used.system) / 1000, pageFaults: process.resourceUsage().minorPageFault - faults, start, end };
}

/** The machine's CPU time so far from /proc/stat (Linux), in clock ticks: all of it, busy, and stolen by the hypervisor. */
function machineTicks(): { total: number; busy: number; steal: number } | null {
  if (!existsSync('/proc/stat')) return null;
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq;
  return { total: busy + idle + iowait + steal, busy, steal };
}

/** How busy the whole machine was between two readings, and how much the hypervisor took, in percent of its CPU time. */
function machineShare(before: ReturnType<typeof machineTicks>, after: ReturnType<typeof machineTicks>): { busyPercent: number; stealPercent: number } | null {
  if (before === null || after === null || after.total <= before.total) return null;
  const total = after.total - before.total;
  return { busyPercent: Math.round(((after.busy - before.busy) / total) * 100), stealPercent: Math.round(((after.steal - before.steal) / total) * 100) };
}

/** Milliseconds of garbage collection that fell inside the samples. */
function gcInside(entries: readonly PerformanceEntry[], samples: readonly Sample[]): number {
  let total = 0;
  for (const entry of entries) {
    const gcEnd = entry.startTime + entry.duration;
    for (const s of samples) total += Math.max(0, Math.min(gcEnd, s.end) - Math.max(entry.startTime, s.start));
  }
  return total;
}

/*
 * Why this figure once read 50.8 ms "on an idle machine" and once 18.0 ms.
 *
 * compile() did not regress: the compile.ts of the commit that first read
 * 18.0 ms, run side by side with today's in one process on the same list,
 * is as fast or a little slower (13.6-18.0 ms against 12.5-16.7 ms), and
 * the changes since (the 1,000-regex-rule limit, error codes in the pattern
 * parser) do not touch the fast path that all 50,000 plain host names take.
 *
 * The figure was wall-clock time on a shared machine with two cores, which
 * other work keeps busy more often than it looks (other browsers, type
 * checks). With the load at about 3 the median was 12.8-13.5 ms; with three
 * more busy processes beside it, 50.7-59.0 ms, while this process had the
 * CPU for only about 15 ms of each run: that is the 50.8 ms. The work itself
 * is mostly allocation (about 17 MB a run, about 2,800 fresh 4 KB pages
 * faulted in, each costing 3-11 µs on this virtual machine), so garbage
 * collection threads and page faults make it sensitive to the machine too.
 *
 * So the budget is now judged on the CPU time this process spends per run
 * (user and system, garbage-collection threads and page faults included),
 * which another process taking the cores does not inflate (15.4 ms with
 * those three busy processes). The wall-clock median is printed beside it,
 * as is the ratio to a plain-JS reference interleaved with the samples, the
 * least any compiler of this list must do: it stayed at 1.5-1.7 from the
 * quiet machine to the crowded one, and was 1.6-2.1 on other days. The
 * details carry page faults and GC time per run, the load average, and how
 * busy the machine was and how much CPU time the hypervisor took during the
 * samples.
 */
export const compileBench: Bench = {
  id: 'compile',
  figures: [COMPILE, COMPILE_WALL, COMPILE_RATIO, COMPILE_REFERENCE, RULES, COMPILE_CHANGED],
  timeoutMs: 120_000,
  run: async (context) => {
    const withBlocked = (itBlocked: readonly string[]): EffectiveRules => ({
      itAllowed: ['login.microsoftonline.com', 'accounts.google.com'],
      itBlocked,
      itEmbeds: [],
      exceptions: [],
      lesson: null,
      paused: false,
      test: false,
      tabLimit: null,
    });
    // The same list twice, each copy with patterns of its own (parsed once, as the policy reader parses a new list):
    // compile() sorts the next version of a list from the last one it sorted, and taking turns between two lists
    // that share no pattern makes it sort every entry each time, as for a list it has never seen.
    const list = hostList(IT_LIST_SEED, IT_LIST_SIZE);
    const copies = [withBlocked(list), withBlocked([...list])];
    let turn = 0;
    const rules = (): EffectiveRules => copies[(turn += 1) % 2]!;
    const options = { blockedPageUrl: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/blocked.html' };
    let count = 0;
    // Warm up both until the JIT has settled (the first runs take three times as long).
    for (let i = 0; i < 10; i += 1) {
      count = compile(rules(), options).length;
      reference(list);
    }
    const gcEntries: PerformanceEntry[] = [];
    const observer = new PerformanceObserver((list) => void gcEntries.push(...list.getEntries()));
    observer.observe({ entryTypes: ['gc'] });
    const load = loadavg()[0]!;
    const ticks = machineTicks();
    const compiled: Sample[] = [];
    const referenced: Sample[] = [];
    const rounds: Array<{ compileMs: number; referenceMs: number; ratio: number }> = [];
    try {
      for (let round = 0; round < 5; round += 1) {
        const c: Sample[] = [];
        const r: Sample[] = [];
        for (let i = 0; i < 9; i += 1) {
          r.push(sample(() => reference(list)));
          c.push(sample(() => (count = compile(rules(), options).length)));
        }
        compiled.push(...c);
        referenced.push(...r);
        const compileMs = median(c.map((s) => s.wallMs));
        const referenceMs = median(r.map((s) => s.wallMs));
        rounds.push({ compileMs: Math.round(compileMs * 10) / 10, referenceMs: Math.round(referenceMs * 10) / 10, ratio: Math.round((compileMs / referenceMs) * 100) / 100 });
        // Let the GC observer and anything else waiting have the thread between rounds.
        await new Promise((done) => setImmediate(done));
      }
      await new Promise((done) => setTimeout(done, 0));
      gcEntries.push(...observer.takeRecords());
    } finally {
      observer.disconnect();
    }
    const compileMs = median(compiled.map((s) => s.wallMs));
    const referenceMs = median(referenced.map((s) => s.wallMs));
    const cpuMs = median(compiled.map((s) => s.cpuMs));
    const details = {
      samples: spread(compiled.map((s) => s.cpuMs)),
      wallMs: spread(compiled.map((s) => s.wallMs)),
      pageFaultsPerRun: Math.round(median(compiled.map((s) => s.pageFaults))),
      gcMsPerRun: round(gcInside(gcEntries, compiled) / compiled.length),
      rounds,
      loadAverage: [round(load, 2), round(loadavg()[0]!, 2)],
      // The whole machine during the samples (this process included): a slow reading with the machine busy or the
      // hypervisor taking time is the machine's, not compile()'s.
      machineDuringSamples: machineShare(ticks, machineTicks()),
    };
    context.record(COMPILE.name, round(cpuMs, 2), details);
    context.record(COMPILE_WALL.name, round(compileMs, 2), { samples: spread(compiled.map((s) => s.wallMs)), cpuShareOfWall: round(cpuMs / compileMs, 2) });
    context.record(COMPILE_RATIO.name, round(compileMs / referenceMs, 2), { rounds: rounds.map((r) => r.ratio) });
    context.record(COMPILE_REFERENCE.name, round(referenceMs, 2), {
      samples: spread(referenced.map((s) => s.wallMs)),
      pageFaultsPerRun: Math.round(median(referenced.map((s) => s.pageFaults))),
    });
    context.record(RULES.name, count);

    // What a policy change costs: two versions of the list that differ in their first entry, validated one against
    // the other as the background validates them, compiled in turn.
    const first = parsePolicy({ blocked: ['first.lesmodus-bench.nl', ...list.slice(1)] });
    const second = parsePolicy({ blocked: ['second.lesmodus-bench.nl', ...list.slice(1)] }, first.ok ? first.policy : undefined);
    if (!first.ok || !second.ok) throw new Error('the two versions of the bench list are not valid policies');
    const versions = [withBlocked(first.policy.blocked), withBlocked(second.policy.blocked)];
    const changed: Sample[] = [];
    for (let i = 0; i < 45; i += 1) changed.push(sample(() => compile(versions[i % 2]!, options)));
    context.record(COMPILE_CHANGED.name, round(median(changed.slice(5).map((s) => s.cpuMs)), 2), { samples: spread(changed.slice(5).map((s) => s.cpuMs)) });
  },
};

const POPUP = { name: 'popup JavaScript, gzipped', unit: 'KB', budget: { limit: 25, better: 'lower' } } as const;

export const popupBench: Bench = {
  id: 'popup',
  figures: [POPUP],
  timeoutMs: 30_000,
  needsBuild: true,
  run: async (context) => {
    const popup = readFileSync(join(distDir('firefox'), 'popup.js'));
    context.record(POPUP.name, Math.round((gzipSync(popup, { level: 9 }).length / 1024) * 10) / 10, { bytes: popup.length });
  },
};
