/**
 * The figures measured in Node, without a browser: decide() throughput,
 * compile() time and rule count for a 50,000-entry IT list, and the popup's
 * size.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
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

const COMPILE = { name: 'compile() of a 50,000-entry IT blocked list, median', unit: 'ms', budget: { limit: 50, better: 'lower' } } as const;
const RULES = { name: 'DNR rules for a 50,000-entry IT blocked list', unit: 'rules', budget: { limit: 50, better: 'lower' } } as const;

export const compileBench: Bench = {
  id: 'compile',
  figures: [COMPILE, RULES],
  timeoutMs: 120_000,
  run: async (context) => {
    const rules: EffectiveRules = {
      itAllowed: ['login.microsoftonline.com', 'accounts.google.com'],
      itBlocked: hostList(IT_LIST_SEED, IT_LIST_SIZE),
      itEmbeds: [],
      exceptions: [],
      lesson: null,
      paused: false,
    };
    const options = { blockedPageUrl: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/blocked.html' };
    let count = 0;
    for (let i = 0; i < 5; i += 1) count = compile(rules, options).length; // warm up
    const times: number[] = [];
    for (let i = 0; i < 25; i += 1) {
      const start = process.hrtime.bigint();
      count = compile(rules, options).length;
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    context.record(COMPILE.name, round(median(times), 2), { samples: spread(times) });
    context.record(RULES.name, count);
  },
};

const POPUP = { name: 'popup JavaScript, gzipped', unit: 'KB', budget: { limit: 25, better: 'lower' } } as const;

export const popupBench: Bench = {
  id: 'popup',
  figures: [POPUP],
  timeoutMs: 30_000,
  run: async (context) => {
    const popup = readFileSync(join(distDir('firefox'), 'popup.js'));
    context.record(POPUP.name, Math.round((gzipSync(popup, { level: 9 }).length / 1024) * 10) / 10, { bytes: popup.length });
  },
};
