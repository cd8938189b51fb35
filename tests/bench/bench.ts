/**
 * `npm run bench`: how fast Lesmodus decides, compiles and enforces, next to
 * the budgets the issues set.
 *
 *   npm run bench                           every figure, as a table
 *   npm run bench -- --only compile,decide  some of them (the ids are below)
 *   npm run --silent bench -- --json        one JSON object on standard output
 *
 * Each bench runs on its own, with its own browser where it needs one, and
 * cleans up after itself; a figure that cannot be measured is reported as
 * failed, with its error, and the others are still measured and printed.
 * The exit code is 0 only when every figure was measured within its budget,
 * and is set after everything is printed. The extension is built first
 * (webpack, production) when a selected figure measures it; progress and the
 * build's output go to standard error.
 *
 * Run it under the machine-wide browser lock, like the e2e suites:
 * `flock /tmp/lesmodus-browser.lock npm run bench`.
 */
import { cpus, loadavg } from 'node:os';
import { coldStartBench } from './cold-start';
import { compileBench, decideBench, popupBench } from './cpu';
import { feedPollsBench } from './feed-load';
import { lessonSweptBench } from './lesson-swept';
import { livePropagationBench } from './live-propagation';
import { fanoutBench } from './nchan-fanout';
import { policyInForceBench } from './policy-in-force';
import { propagationBench } from './propagation';
import { buildExtension } from './build';
import { errorText, exitCode, failed, formatLine, parseArgs, summaryLine, toJson, type FigureResult } from './report';
import { runBench, type Bench } from './runner';

/** In the order they run when all are asked for: the figures measured in Node first, on a machine no browser of ours is loading. */
const BENCHES: readonly Bench[] = [
  decideBench,
  compileBench,
  popupBench,
  lessonSweptBench,
  policyInForceBench,
  coldStartBench,
  feedPollsBench,
  fanoutBench,
  propagationBench,
  livePropagationBench,
];

function machine(): Record<string, unknown> {
  const cores = cpus();
  return { cpus: cores.length, model: cores[0]?.model ?? 'unknown', node: process.version, loadAverage: loadavg().map((value) => Math.round(value * 100) / 100) };
}

async function main(): Promise<number> {
  const known = BENCHES.map((bench) => bench.id);
  let args;
  try {
    args = parseArgs(process.argv.slice(2), known);
  } catch (error) {
    console.error(`bench: ${errorText(error)}`);
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: errorText(error) }, null, 2)}\n`);
    return 2;
  }
  const { json, only } = args;
  const selected = only === null ? BENCHES : only.map((id) => BENCHES.find((bench) => bench.id === id)!);

  // Whatever a library prints must not land between the JSON's braces.
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  if (json) console.log = (...parts: unknown[]) => console.error(...parts);

  const before = machine();
  if (!json) print(`Lesmodus benchmark: ${before.cpus} cores (${String(before.model)}), load ${(before.loadAverage as number[]).join(' ')}; figures vary with the machine\n`);
  // Built once, before the first bench that measures the built extension; a failed build fails those figures only.
  let build: Promise<unknown> | null = null;
  const results: FigureResult[] = [];
  for (const bench of selected) {
    console.error(`bench: ${bench.id} …`);
    const started = Date.now();
    if (bench.needsBuild) build ??= buildExtension().then(() => null, (error: unknown) => error);
    const buildError = bench.needsBuild ? await build : null;
    const figures = buildError
      ? bench.figures.map((figure) => failed(bench.id, figure, buildError))
      : await runBench(bench, (message) => console.error(message));
    console.error(`bench: ${bench.id} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    results.push(...figures);
    if (!json) for (const figure of figures) print(formatLine(figure));
  }
  const after = machine();
  if (json) print(JSON.stringify(toJson(results, { ...before, loadAverageAtEnd: after.loadAverage }), null, 2));
  else print(`\n${summaryLine(results)} Load at the end: ${(after.loadAverage as number[]).join(' ')}.`);
  return exitCode(results);
}

function finish(code: number): void {
  process.exitCode = code;
  // Everything is printed; a browser process or socket a failed bench could not close must not keep the bench from ending.
  setTimeout(() => process.exit(code), 10_000).unref();
}

main().then(finish, (error: unknown) => {
  // Only a defect of the runner itself gets here: each bench's failures are caught and reported.
  console.error(error);
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: errorText(error) }, null, 2)}\n`);
  finish(1);
});
