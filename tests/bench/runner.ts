/**
 * Runs one bench on its own: its figures are recorded as it measures them,
 * whatever it leaves unmeasured is reported as failed with the error that
 * stopped it, and what it started (browsers, servers, policy files) is
 * cleaned up whether it finished, threw or ran out of time.
 */
import { errorText, failed, measured, type FigureResult, type FigureSpec } from './report';

export interface BenchContext {
  /** Registers a clean-up; they run in reverse order once the bench ends, fails or times out. */
  defer(cleanup: () => unknown): void;
  /** Records one of the bench's declared figures. */
  record(name: string, value: number, details?: Record<string, unknown>): void;
  /** Records one figure as not measured while the bench goes on with the others. */
  fail(name: string, error: unknown, details?: Record<string, unknown>): void;
  /** Progress for whoever watches (standard error, so --json keeps standard output to itself). */
  log(message: string): void;
}

export interface Bench {
  /** What `--only` selects. */
  readonly id: string;
  readonly figures: readonly FigureSpec[];
  /** Generous: a figure that takes longer than this is reported as failed, and the bench goes on. */
  readonly timeoutMs: number;
  /** True when it measures the built extension (dist/), which the run then builds first. */
  readonly needsBuild?: boolean;
  run(context: BenchContext): Promise<void>;
}

/** How long clean-ups and a bench that was stopped get to wind down. */
const WIND_DOWN_MS = 20_000;

function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    void promise.then(
      () => {
        clearTimeout(timer);
        done();
      },
      () => {
        clearTimeout(timer);
        done();
      },
    );
  });
}

/** Runs `bench` and returns a result for every figure it declares, in declaration order. */
export async function runBench(bench: Bench, log: (message: string) => void): Promise<FigureResult[]> {
  const results = new Map<string, FigureResult>();
  const cleanups: Array<() => unknown> = [];
  const spec = (name: string): FigureSpec => {
    const found = bench.figures.find((figure) => figure.name === name);
    if (!found) throw new Error(`bench "${bench.id}" recorded "${name}", which it does not declare`);
    return found;
  };
  const context: BenchContext = {
    defer: (cleanup) => void cleanups.push(cleanup),
    record: (name, value, details) => void results.set(name, measured(bench.id, spec(name), value, details)),
    fail: (name, error, details) => void results.set(name, failed(bench.id, spec(name), error, details)),
    log: (message) => log(`[${bench.id}] ${message}`),
  };

  let stopped: unknown = null;
  const run = (async () => bench.run(context))();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((done) => {
    timer = setTimeout(() => done('timeout'), bench.timeoutMs);
  });
  try {
    const outcome = await Promise.race([run.then(() => 'done' as const), timeout]);
    if (outcome === 'timeout') stopped = new Error(`timed out after ${bench.timeoutMs < 10_000 ? `${bench.timeoutMs} ms` : `${Math.round(bench.timeoutMs / 1000)} s`}`);
  } catch (error) {
    stopped = error;
  } finally {
    clearTimeout(timer);
  }

  // Clean up in reverse order; a clean-up that fails is said, and the next one still runs.
  for (const cleanup of cleanups.reverse()) {
    const done = Promise.resolve()
      .then(cleanup)
      .catch((error: unknown) => context.log(`clean-up failed: ${errorText(error)}`));
    await settleWithin(done, WIND_DOWN_MS);
  }
  // A bench stopped by its timeout finds its browser closed and ends; give it a moment, so it does not run into the next one.
  if (stopped !== null) await settleWithin(run, WIND_DOWN_MS);

  return bench.figures.map(
    (figure) => results.get(figure.name) ?? failed(bench.id, figure, stopped ?? new Error('the bench ended without measuring it')),
  );
}
