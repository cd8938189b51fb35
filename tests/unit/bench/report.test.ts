import { describe, expect, it } from '@jest/globals';
import { exitCode, failed, formatLine, measured, parseArgs, summaryLine, toJson, withinBudget, type Budget, type FigureSpec } from '../../bench/report';

const lower: Budget = { limit: 50, better: 'lower' };
const strictLower: Budget = { limit: 300, better: 'lower', strict: true };
const higher: Budget = { limit: 2000, better: 'higher' };

describe('withinBudget', () => {
  it.each([
    [49, lower, true],
    [50, lower, true],
    [50.01, lower, false],
    [299, strictLower, true],
    [300, strictLower, false],
    [2000, higher, true],
    [1999, higher, false],
    [2000, { ...higher, strict: true }, false],
  ])('%p against %j: %p', (value, budget, expected) => {
    expect(withinBudget(value, budget)).toBe(expected);
  });
});

const timed: FigureSpec = { name: 'compile', unit: 'ms', budget: lower };
const context: FigureSpec = { name: 'reference', unit: 'ms' };

describe('measured and failed', () => {
  it.each([
    [timed, 12, 'met'],
    [timed, 51, 'missed'],
    [context, 12, 'info'],
  ] as const)('%j with %p is %p', (spec, value, status) => {
    expect(measured('compile', spec, value).status).toBe(status);
  });

  it.each([Number.POSITIVE_INFINITY, Number.NaN])('a value of %p is a failure, not a miss, and says so', (value) => {
    const result = measured('compile', timed, value);
    expect(result).toMatchObject({ status: 'failed', value: null });
    expect(result.error).toContain(String(value));
  });

  it('keeps the first line of the error that stopped the figure', () => {
    const result = failed('lesson-swept', timed, new Error('Timed out after 10000 ms waiting for the tab\n    at waitFor (browsers.ts:78)'));
    expect(result).toMatchObject({ status: 'failed', value: null, error: 'Timed out after 10000 ms waiting for the tab' });
  });
});

describe('exitCode and summaryLine', () => {
  const met = measured('a', timed, 10);
  const missed = measured('a', timed, 80);
  const info = measured('a', context, 10);
  const broken = failed('b', timed, new Error('no browser'));

  it.each([
    ['every budget met (context figures do not count)', [met, info], 0, 'All 1 budgets met.'],
    ['a budget missed', [met, missed, info], 1, '1 of 2 budgets met, 1 missed.'],
    ['a figure not measured', [met, broken], 1, '1 of 2 budgets met, 1 figure could not be measured.'],
    ['nothing measured', [broken], 1, '0 of 1 budgets met, 1 figure could not be measured.'],
  ])('%s', (_what, results, code, summary) => {
    expect(exitCode(results)).toBe(code);
    expect(summaryLine(results)).toBe(summary);
  });
});

describe('formatLine', () => {
  it('shows a figure against its budget', () => {
    expect(formatLine(measured('a', timed, 12.345))).toMatch(/^ok {4}\s+compile\s+12\.3 ms\s+budget ≤ 50 ms$/);
    expect(formatLine(measured('a', { ...timed, budget: strictLower }, 741.5))).toMatch(/^MISSED\s+compile\s+742 ms\s+budget < 300 ms$/);
  });

  it('adds the spread of the samples when the details have it', () => {
    expect(formatLine(measured('a', timed, 40, { samples: { median: 40, min: 33.1, max: 90.4, n: 15 } }))).toMatch(/budget ≤ 50 ms\s+n=15, 33\.1-90\.4$/);
  });

  it('shows a failed figure with its error on the next line', () => {
    const [first, second] = formatLine(failed('a', timed, new Error('no browser'))).split('\n');
    expect(first).toMatch(/^FAILED\s+compile\s+— ms\s+budget ≤ 50 ms$/);
    expect(second?.trim()).toBe('no browser');
  });
});

describe('toJson', () => {
  it('has every figure by name, failed ones with their error, and no Infinity', () => {
    const out = toJson([measured('a', timed, 12, { samples: [1, Number.POSITIVE_INFINITY] }), failed('b', context, new Error('gone'))], { cpus: 2 });
    expect(JSON.parse(JSON.stringify(out))).toEqual({
      machine: { cpus: 2 },
      figures: {
        compile: { bench: 'a', value: 12, unit: 'ms', budget: 50, better: 'lower', strict: false, status: 'met', withinBudget: true, details: { samples: [1, null] } },
        reference: { bench: 'b', value: null, unit: 'ms', budget: null, better: null, strict: false, status: 'failed', withinBudget: null, error: 'gone' },
      },
      allBudgetsMet: false,
    });
  });
});

describe('parseArgs', () => {
  const known = ['decide', 'compile', 'lesson-swept'];

  it.each([
    [[], { json: false, only: null }],
    [['--json'], { json: true, only: null }],
    [['--only', 'compile,decide'], { json: false, only: ['compile', 'decide'] }],
    [['--only=compile', '--json'], { json: true, only: ['compile'] }],
    [['--only', 'compile', '--only', 'compile, lesson-swept'], { json: false, only: ['compile', 'lesson-swept'] }],
  ])('%j', (argv, expected) => {
    expect(parseArgs(argv, known)).toEqual(expected);
  });

  it.each([
    [['--only'], /--only needs a list of benches.*known: decide, compile, lesson-swept/],
    [['--only', 'compile,swept'], /unknown bench "swept" \(known: decide, compile, lesson-swept\)/],
    [['--fast'], /unknown option "--fast"/],
  ])('%j is refused, naming what is wrong', (argv, message) => {
    expect(() => parseArgs(argv, known)).toThrow(message);
  });
});
