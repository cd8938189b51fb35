/**
 * What the bench reports, kept pure so it can be tested: each figure with
 * its budget and whether it was met, missed or could not be measured; the
 * human table; the one JSON object; and the exit code.
 */

/** A budget and which way it points. */
export interface Budget {
  readonly limit: number;
  readonly better: 'higher' | 'lower';
  /** True for "< limit" (or "> limit"); false for "≤ limit" (or "≥ limit"). */
  readonly strict?: boolean;
}

/** A figure a bench promises to measure, declared before it runs so that a failure can name it. */
export interface FigureSpec {
  readonly name: string;
  readonly unit: string;
  /** Without a budget the figure is context for another one (a reference time, a ratio's parts). */
  readonly budget?: Budget;
}

export type FigureStatus = 'met' | 'missed' | 'failed' | 'info';

export interface FigureResult extends FigureSpec {
  /** The bench that measured it (what `--only` selects). */
  readonly bench: string;
  /** Null when the figure could not be measured. */
  readonly value: number | null;
  readonly status: FigureStatus;
  /** Why the figure could not be measured. */
  readonly error?: string;
  /** Samples, the parts of a ratio, what the machine was doing: whatever explains the value. */
  readonly details?: Record<string, unknown>;
}

/** Whether `value` is within `budget`. */
export function withinBudget(value: number, budget: Budget): boolean {
  if (budget.better === 'lower') return budget.strict ? value < budget.limit : value <= budget.limit;
  return budget.strict ? value > budget.limit : value >= budget.limit;
}

/** A measured figure, judged against its budget. A value that is not a finite number is a failure, not a miss. */
export function measured(bench: string, spec: FigureSpec, value: number, details?: Record<string, unknown>): FigureResult {
  const base = { ...spec, bench, ...(details ? { details } : {}) };
  if (!Number.isFinite(value)) return { ...base, value: null, status: 'failed', error: `not a finite number (${String(value)})` };
  return { ...base, value, status: spec.budget === undefined ? 'info' : withinBudget(value, spec.budget) ? 'met' : 'missed' };
}

/** A figure that could not be measured, with the reason. */
export function failed(bench: string, spec: FigureSpec, error: unknown, details?: Record<string, unknown>): FigureResult {
  return { ...spec, bench, value: null, status: 'failed', error: errorText(error), ...(details ? { details } : {}) };
}

/** An error as one readable line (its message, not its stack). */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim() || 'unknown error';
}

/** Exit code: 0 only when every budgeted figure was measured and met its budget. */
export function exitCode(results: readonly FigureResult[]): number {
  return results.every((result) => result.status === 'met' || result.status === 'info') ? 0 : 1;
}

export function budgetText(budget: Budget, unit: string): string {
  const sign = budget.better === 'lower' ? (budget.strict ? '<' : '≤') : budget.strict ? '>' : '≥';
  return `${sign} ${formatNumber(budget.limit)} ${unit}`;
}

export function formatNumber(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en', { maximumFractionDigits: digits });
}

const LABEL: Record<FigureStatus, string> = { met: 'ok    ', missed: 'MISSED', failed: 'FAILED', info: '      ' };

/** `n=15, 33.1-90.4` when the details carry the samples' spread. */
function spreadText(details: Record<string, unknown> | undefined): string {
  const samples = details?.samples as { min?: unknown; max?: unknown; n?: unknown } | undefined;
  if (typeof samples?.min !== 'number' || typeof samples.max !== 'number' || typeof samples.n !== 'number') return '';
  return `n=${samples.n}, ${formatNumber(samples.min)}-${formatNumber(samples.max)}`;
}

/** One line of the human table (two when the figure failed: the second says why). */
export function formatLine(result: FigureResult): string {
  const value = result.value === null ? '—' : formatNumber(result.value);
  const budget = result.budget ? `budget ${budgetText(result.budget, result.unit)}` : '';
  const spread = spreadText(result.details);
  const line = `${LABEL[result.status]}  ${result.name.padEnd(74)} ${value.padStart(10)} ${result.unit.padEnd(8)} ${budget.padEnd(22)} ${spread}`.trimEnd();
  return result.error ? `${line}\n${' '.repeat(8)}${result.error}` : line;
}

/** The closing line of the human table. */
export function summaryLine(results: readonly FigureResult[]): string {
  const budgeted = results.filter((result) => result.budget !== undefined);
  const met = budgeted.filter((result) => result.status === 'met').length;
  const missed = budgeted.filter((result) => result.status === 'missed').length;
  const broken = results.filter((result) => result.status === 'failed').length;
  if (met === budgeted.length && broken === 0) return `All ${met} budgets met.`;
  const parts = [`${met} of ${budgeted.length} budgets met`];
  if (missed > 0) parts.push(`${missed} missed`);
  if (broken > 0) parts.push(`${broken} figure${broken === 1 ? '' : 's'} could not be measured`);
  return `${parts.join(', ')}.`;
}

/** JSON has no Infinity or NaN: those become null (the figure is then failed, with its error). */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'number' && !Number.isFinite(inner) ? null : inner)));
}

/** The one JSON object `--json` prints: every figure by name, and whether all budgets were met. */
export function toJson(results: readonly FigureResult[], machine: Record<string, unknown>): Record<string, unknown> {
  const figures: Record<string, unknown> = {};
  for (const result of results) {
    figures[result.name] = {
      bench: result.bench,
      value: result.value,
      unit: result.unit,
      budget: result.budget?.limit ?? null,
      better: result.budget?.better ?? null,
      strict: result.budget?.strict ?? false,
      status: result.status,
      withinBudget: result.budget === undefined ? null : result.status === 'met',
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.details !== undefined ? { details: jsonSafe(result.details) } : {}),
    };
  }
  return { machine: jsonSafe(machine), figures, allBudgetsMet: exitCode(results) === 0 };
}

export interface BenchArgs {
  readonly json: boolean;
  /** Bench ids to run, in the order given; null for all. */
  readonly only: readonly string[] | null;
}

/**
 * `--json`, `--only a,b` (or `--only=a,b`). Unknown options and unknown bench
 * ids are errors that name what was given and what is known.
 */
export function parseArgs(argv: readonly string[], known: readonly string[]): BenchArgs {
  let json = false;
  let only: string[] | null = null;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--json') json = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const list = arg === '--only' ? argv[(index += 1)] : arg.slice('--only='.length);
      if (list === undefined || list.trim() === '') throw new Error(`--only needs a list of benches, e.g. --only compile,decide (known: ${known.join(', ')})`);
      const ids = list.split(',').map((id) => id.trim()).filter((id) => id !== '');
      const unknown = ids.filter((id) => !known.includes(id));
      if (unknown.length > 0) throw new Error(`--only: unknown bench ${unknown.map((id) => `"${id}"`).join(', ')} (known: ${known.join(', ')})`);
      only = [...new Set([...(only ?? []), ...ids])];
    } else throw new Error(`unknown option "${arg}" (use --json and --only ${known.join(',')})`);
  }
  return { json, only };
}
