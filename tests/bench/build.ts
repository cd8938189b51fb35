/**
 * The production build the browser figures and the popup size need, made
 * once per run and only when a selected bench needs it. Its output goes to
 * standard error, so --json keeps standard output to itself, and a failed
 * build fails those figures (with the build's exit code) instead of the run.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs `webpack --mode production`; resolves when it succeeded, rejects with a clear error when not. */
export function buildExtension(): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'webpack', 'bin', 'webpack.js'), '--mode', 'production', '--stats', 'errors-warnings'], {
      cwd: ROOT,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.once('error', (error) => fail(new Error(`the build could not start: ${error.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) done();
      else fail(new Error(`the build (webpack --mode production) failed with ${signal ?? `exit code ${String(code)}`}; see its output on standard error`));
    });
  });
}
