/**
 * `npm run package`: builds Lesmodus and makes the two zip files a store or
 * IT takes, from the production builds (dist/chrome without the development
 * key, dist/firefox). `npm run package -- --help` prints the usage.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { USAGE_EXIT, UsageError, parseCommandLine, runNpm } from './cli';

const root = join(__dirname, '..', '..');

const USAGE = `Usage: npm run package [-- options]

Builds Lesmodus (npm run build) and writes the zip files for the stores and
for IT to dist/packages/: lesmodus-chrome-VERSION.zip (Chrome and Edge, without
the development key) and lesmodus-firefox-VERSION.zip.

Options:
  -h, --help   print this and exit
`;

function main(argv: readonly string[]): number {
  try {
    if (parseCommandLine('npm run package', argv, {}).values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return USAGE_EXIT;
  }
  const build = runNpm(root, ['build']);
  if (build.status !== 0) {
    console.error(build.error ? `npm run package: the build could not start: ${build.error.message}` : 'npm run package: the build failed (its output is above)');
    return 1;
  }
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const out = join(root, 'dist', 'packages');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const target of ['chrome', 'firefox'] as const) {
    const filename = `lesmodus-${target}-${version}.zip`;
    execFileSync(join(root, 'node_modules', '.bin', 'web-ext'), ['build', '--source-dir', join(root, 'dist', target), '--artifacts-dir', out, '--filename', filename, '--overwrite-dest', '--no-config-discovery'], { stdio: 'inherit' });
    console.log(`${target}: ${join(out, filename)}`);
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
