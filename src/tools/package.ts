/**
 * `npm run package`: the two zip files a store or IT takes, made from the
 * production builds (dist/chrome without the development key, dist/firefox).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const out = join(root, 'dist', 'packages');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

for (const target of ['chrome', 'firefox'] as const) {
  const filename = `lesmodus-${target}-${version}.zip`;
  execFileSync(join(root, 'node_modules', '.bin', 'web-ext'), ['build', '--source-dir', join(root, 'dist', target), '--artifacts-dir', out, '--filename', filename, '--overwrite-dest', '--no-config-discovery'], { stdio: 'inherit' });
  console.log(`${target}: ${join(out, filename)}`);
}
