/**
 * `npm run bench`: how fast Lesmodus decides, compiles and enforces, next to
 * the budgets the issues set. A benchmark, not a test: it prints figures and
 * says which budgets are met; it never fails the build.
 *
 *   npm run bench             human-readable table
 *   npm run bench -- --json   the same figures as one JSON object
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { compile } from '../../src/core/rules/compile';
import { decide, prepare } from '../../src/core/rules/decide';
import type { EffectiveRules } from '../../src/core/rules/resolve';
import type { Lesson } from '../../src/core/schemas';
import { currentUrl, distDir, launchChromium, waitFor } from '../../src/dev/browsers';
import { ruleCount, setLesson } from '../../src/dev/extension-state';
import { startTestServer } from '../../src/dev/test-server';
import { feedServerPollsPerSecond } from './feed-load';
import { median } from './median';
import { measureFanouts } from './nchan-fanout';
import { measurePropagation } from './propagation';

interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The budget and which way it points. */
  readonly budget: number;
  readonly better: 'higher' | 'lower';
}

const figures: Figure[] = [];
const json = process.argv.includes('--json');

function record(figure: Figure): void {
  figures.push(figure);
  if (!json) {
    const ok = figure.better === 'higher' ? figure.value >= figure.budget : figure.value <= figure.budget;
    const budget = `${figure.better === 'higher' ? '≥' : '≤'} ${figure.budget.toLocaleString('en')} ${figure.unit}`;
    console.log(`${ok ? 'ok  ' : 'OVER'}  ${figure.name.padEnd(52)} ${figure.value.toLocaleString('en', { maximumFractionDigits: 2 }).padStart(14)} ${figure.unit.padEnd(10)} budget ${budget}`);
  }
}

/** A deterministic pseudo-random generator (mulberry32), so every run measures the same work. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['school', 'reken', 'taal', 'game', 'video', 'news', 'mail', 'quiz', 'wiki', 'les', 'kaart', 'sport', 'muziek', 'play', 'chat'];
const TLDS = ['nl', 'com', 'org', 'net', 'be', 'de', 'eu', 'io'];

function host(next: () => number, index: number): string {
  const word = WORDS[Math.floor(next() * WORDS.length)]!;
  const tld = TLDS[Math.floor(next() * TLDS.length)]!;
  const sub = next() < 0.3 ? `${WORDS[Math.floor(next() * WORDS.length)]}.` : '';
  return `${sub}${word}${index}.${tld}`;
}

function benchDecide(): void {
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
  let count = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 1.5e9) {
    for (let i = 0; i < urls.length; i += 1) sink += decide(urls[i]!, prepared).allowed ? 1 : 0;
    count += urls.length;
    elapsed = Number(process.hrtime.bigint() - start);
  }
  if (sink < 0) console.log(sink);
  record({ name: 'decide() with 10,000 patterns (URL strings)', value: Math.round(count / (elapsed / 1e9)), unit: 'URLs/s', budget: 1_000_000, better: 'higher' });
}

function benchCompile(): void {
  const next = random(7);
  const blocked = Array.from({ length: 50_000 }, (_, i) => host(next, i));
  const rules: EffectiveRules = { itAllowed: ['login.microsoftonline.com', 'accounts.google.com'], itBlocked: blocked, itEmbeds: [], exceptions: [], lesson: null, paused: false };
  const options = { blockedPageUrl: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/blocked.html' };
  let count = 0;
  for (let i = 0; i < 5; i += 1) count = compile(rules, options).length; // warm up
  const times: number[] = [];
  for (let i = 0; i < 25; i += 1) {
    const start = process.hrtime.bigint();
    count = compile(rules, options).length;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  record({ name: 'compile() of a 50,000-entry IT blocked list, median', value: median(times), unit: 'ms', budget: 50, better: 'lower' });
  record({ name: 'DNR rules for a 50,000-entry IT blocked list', value: count, unit: 'rules', budget: 50, better: 'lower' });
}

function benchPopupSize(): void {
  const popup = readFileSync(join(distDir('firefox'), 'popup.js'));
  record({ name: 'popup JavaScript, gzipped', value: Math.round((gzipSync(popup, { level: 9 }).length / 1024) * 10) / 10, unit: 'KB', budget: 25, better: 'lower' });
}

/** Real Chromium: a lesson stored -> rules active and an open tab on a now-blocked site swept. */
async function benchEnforcement(): Promise<void> {
  const server = await startTestServer();
  const session = await launchChromium({ extensionDir: distDir('chrome') });
  try {
    const page = await session.browser.newPage();
    const blockedPage = session.extensionUrl('blocked.html');
    const target = `${server.origin('other.test')}/reading`;
    const times: number[] = [];
    for (let trial = 0; trial < 15; trial += 1) {
      await setLesson(session, null);
      await waitFor(async () => (await ruleCount(session)) === 0, 'rules to clear');
      // Ending the lesson sends the swept tab back to its page by itself; only the first trial opens it.
      if (trial === 0) await session.goto(page, target);
      await waitFor(async () => (await currentUrl(page)) === target, 'the tab to show the site');
      const now = Date.now();
      const lesson: Lesson = { id: `bench-${trial}`, title: 'Bench', mode: 'allowlist', sites: ['allowed.test'], embeds: [], startsAt: now - 1000, endsAt: now + 3_600_000 };
      // Measured inside the extension, so the figure is the extension's own latency, not the test's round trips.
      const elapsed = await session.evalInWorker(
        async (value, blocked) => {
          const start = performance.now();
          await chrome.storage.local.set({ lesson: value });
          for (;;) {
            const [rules, tabs] = await Promise.all([chrome.declarativeNetRequest.getDynamicRules(), chrome.tabs.query({})]);
            const swept = tabs.some((tab) => (tab.pendingUrl ?? tab.url ?? '').startsWith(blocked));
            if (rules.length > 0 && swept) return performance.now() - start;
            if (performance.now() - start > 10_000) return Number.POSITIVE_INFINITY;
            await new Promise((done) => setTimeout(done, 1));
          }
        },
        lesson,
        blockedPage,
      );
      times.push(elapsed);
    }
    record({ name: 'lesson stored -> rules active and tabs swept (Chromium), median', value: Math.round(median(times) * 10) / 10, unit: 'ms', budget: 250, better: 'lower' });
  } finally {
    await session.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  if (!json) console.log('Lesmodus benchmark (one core; figures vary with the machine)\n');
  benchDecide();
  benchCompile();
  benchPopupSize();
  await benchEnforcement();
  record({ name: 'feed server: 304 answers to student polls, one core', value: await feedServerPollsPerSecond(), unit: 'polls/s', budget: 2000, better: 'higher' });
  const fanout = await measureFanouts({ subscribers: 1000, publishes: 20, bytes: 4096 });
  for (const f of fanout.figures) record({ name: `publish -> 1,000 sockets p95, ${f.host}`, value: Math.round(f.p95 * 10) / 10, unit: 'ms', budget: 1000, better: 'lower' });
  for (const { host, reason } of fanout.skipped) console.error(`fan-out on ${host} not measured: ${reason}`);
  // A student sitting still (no click): the document arrives over the socket and the open tab is swept.
  const propagation = await measurePropagation(5);
  for (const f of propagation.figures) {
    record({ name: `pause published -> still student shows it, median, ${f.host}`, value: f.pauseMedian, unit: 'ms', budget: 1000, better: 'lower' });
    record({ name: `pause published -> still student shows it, worst of ${f.trials}, ${f.host}`, value: f.pauseWorst, unit: 'ms', budget: 2000, better: 'lower' });
    record({ name: `lesson published -> still student's tab swept, median, ${f.host}`, value: f.lessonMedian, unit: 'ms', budget: 1000, better: 'lower' });
    record({ name: `lesson published -> still student's tab swept, worst of ${f.trials}, ${f.host}`, value: f.lessonWorst, unit: 'ms', budget: 2000, better: 'lower' });
  }
  for (const { host, reason } of propagation.skipped) console.error(`propagation through ${host} not measured: ${reason}`);
  if (json) {
    const out: Record<string, { value: number; unit: string; budget: number; better: string; withinBudget: boolean }> = {};
    for (const figure of figures) {
      out[figure.name] = {
        value: figure.value,
        unit: figure.unit,
        budget: figure.budget,
        better: figure.better,
        withinBudget: figure.better === 'higher' ? figure.value >= figure.budget : figure.value <= figure.budget,
      };
    }
    console.log(JSON.stringify(out, null, 2));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
