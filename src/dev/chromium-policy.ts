/**
 * Managed policy for Chromium the way IT pushes it on Linux: a JSON file in
 * /etc/chromium/policies/managed/ that names each extension by its ID; and
 * the IDs themselves: dist/chrome-dev's, fixed by the development key, and
 * those of copies with keys of their own, so that several browsers on one
 * machine each get their own policy. Used by the e2e suites, the bench and
 * `npm start`.
 *
 * The directory is global to the machine: callers hold the shared browser
 * lock, and every file is removed again — also when the process exits early.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { accessSync, constants, cpSync, existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { distDir } from './browsers';

const POLICY_ROOT = '/etc/chromium/policies';
const POLICY_DIR = join(POLICY_ROOT, 'managed');

/** Chrome's extension ID for a manifest key: SHA-256 of the DER key, first 32 hex digits mapped 0-f to a-p. */
function extensionIdOf(base64Key: string): string {
  const hex = createHash('sha256').update(Buffer.from(base64Key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

/** The ID of dist/chrome-dev, fixed by manifest/dev-key.json. */
export const DEV_EXTENSION_ID = extensionIdOf((JSON.parse(readFileSync(join(__dirname, '../../manifest/dev-key.json'), 'utf8')) as { key: string }).key);

/** A copy of dist/chrome-dev with a key of its own, so a second browser gets its own extension ID (and its own policy). */
export function extensionCopy(dir: string): { dir: string; id: string } {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  cpSync(distDir('chrome'), dir, { recursive: true });
  const manifestFile = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestFile, JSON.stringify({ ...manifest, key }));
  return { dir, id: extensionIdOf(key) };
}

export interface ExtensionCopies {
  /** A new copy in the temporary directory, under `name`. */
  copy(name: string): { dir: string; id: string };
  /** Removes the directory with every copy in it. */
  remove(): Promise<void>;
}

/** A temporary directory for extension copies, removed by `remove()`. */
export async function extensionCopies(): Promise<ExtensionCopies> {
  const root = await mkdtemp(join(tmpdir(), 'lesmodus-feed-ext-'));
  return { copy: (name) => extensionCopy(join(root, name)), remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * One policy file (`/etc/chromium/policies/managed/NAME.json`); `write`
 * replaces it, `remove` deletes it and the directories it created. It can
 * be written again after a `remove`; while it exists it is also removed at
 * process exit (when Jest is stopped between tests, say: a policy file left
 * behind would change every other browser run on the machine).
 */
export class ChromiumPolicyFile {
  readonly path: string;
  private readonly createdDirs = [POLICY_ROOT, POLICY_DIR].filter((dir) => !existsSync(dir));
  private readonly onExit = (): void => this.remove();
  private removeAtExit = false;

  constructor(name: string) {
    this.path = join(POLICY_DIR, `${name}.json`);
  }

  /**
   * Whether this process may write Chromium's policy directory (root, as a
   * rule), found out without creating anything: the directory itself, or
   * else the nearest folder above it that exists, must be writable.
   */
  static canWrite(): boolean {
    let dir = POLICY_DIR;
    while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
    try {
      accessSync(dir, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  /** Writes the policy of each extension (by ID). Chromium reads it at start and notices changes while it runs. */
  write(policies: Record<string, Record<string, unknown>>): void {
    if (!this.removeAtExit) process.once('exit', this.onExit);
    this.removeAtExit = true;
    mkdirSync(POLICY_DIR, { recursive: true });
    // A small file in one write; Chromium also waits for a changed file to settle before it reads it.
    writeFileSync(this.path, JSON.stringify({ '3rdparty': { extensions: policies } }));
  }

  remove(): void {
    rmSync(this.path, { force: true });
    for (const dir of [...this.createdDirs].reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // Not empty (another file is there) or already gone: leave it.
      }
    }
    process.off('exit', this.onExit);
    this.removeAtExit = false;
  }
}
