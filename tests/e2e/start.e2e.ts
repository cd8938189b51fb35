/**
 * `npm start` as a newcomer runs it on a machine without a display: the
 * package script itself, as a child process, headless, with the browsers'
 * name resolution closed (start launches them that way; nothing the demo
 * opens may need an outside name). It must exit 0 after printing where its
 * screenshots are, the student's tab must be the extension's blocked page
 * showing the demo lesson, and each screenshot a real PNG of the page.
 *
 * `npm test` has built dist/ before the e2e suites run, so the script gets
 * --no-build; everything else is what `npm start` runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ChromiumPolicyFile } from '../../src/dev/chromium-policy';

const ROOT = join(__dirname, '..', '..');
const SCREENSHOTS = join(ROOT, '.tmp', 'screenshots');
const LESSON_TITLE = 'Demo: Rekenen groep 7';
const ALLOWED = ['wikipedia.org', 'schooltv.nl', 'rekenweb.nl'];
/** No build, a feed server and two browsers: about 10 s, and well under this on two busy cores. */
const RUN_TIMEOUT_MS = 240_000;

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

let running: ReturnType<typeof spawn> | undefined;

/** Runs `npm start -- ARGS` without a display and waits for it to exit. */
function npmStart(args: readonly string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  return new Promise((resolve, reject) => {
    // Its own process group, so a test that gives up can stop npm, tsx and node together.
    const child = spawn('npm', ['start', '--', ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (status, signal) => {
      running = undefined;
      resolve({ status, signal, stdout, stderr });
    });
  });
}

afterEach(() => {
  if (running?.pid !== undefined) process.kill(-running.pid, 'SIGTERM');
});

/** The screenshots the run printed, by label: `Screenshot (student, blocked page): /path.png`. */
function printedScreenshots(stdout: string): Map<string, string> {
  return new Map([...stdout.matchAll(/^Screenshot \(([^)]+)\): (.+)$/gm)].map((match) => [match[1]!, match[2]!.trim()]));
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Width and height of a PNG, after checking its signature and that its first
 * chunk is the header. Throws for anything else.
 */
function pngSize(file: string): { width: number; height: number; bytes: number } {
  const data = readFileSync(file);
  if (!data.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error(`${file} is not a PNG`);
  if (data.toString('latin1', 12, 16) !== 'IHDR') throw new Error(`${file} has no PNG header chunk`);
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), bytes: data.length };
}

/**
 * A screenshot of a page with something on it. Measured in Chromium: a page
 * with nothing but its background is 3.9 kB at 1000x760 and 2.0 kB at
 * 380x640; the demo's pages are 9 to 70 kB.
 */
const MIN_PNG_BYTES = 5000;

/** A screenshot start should print: its label, file name and size (the viewport start sets). */
type Shot = [label: string, file: string, size: { width: number; height: number }];

describe.each([
  ['Chromium', [] as string[], 'chromium'],
  ['Firefox', ['--firefox'], 'firefox'],
])('npm start %s, headless, without outside names', (_name, flags, file) => {
  test(
    'exits 0 after showing the blocked page of the demo lesson and saving real screenshots of it',
    async () => {
      // Screenshots of an earlier run must not pass for this one's.
      rmSync(SCREENSHOTS, { recursive: true, force: true });
      const twoBrowsers = file === 'firefox' || ChromiumPolicyFile.canWrite();

      const run = await npmStart(['--no-build', ...flags]);
      const output = `${run.stdout}\n${run.stderr}`;
      expect({ status: run.status, signal: run.signal, errors: run.stderr.split('\n').filter((line) => line.startsWith('npm start:')) }).toEqual({ status: 0, signal: null, errors: [] });

      // The student's tab, as start read it from the page before the screenshot.
      const page = /^Student's page: (\S+)$/m.exec(run.stdout)?.[1];
      expect(page).toMatch(/^(chrome|moz)-extension:\/\/[^/]+\/blocked\.html#https?:\/\/www\.example-games\.com\/play$/);
      const shows = /^ {2}shows: (.*)$/m.exec(run.stdout)?.[1] ?? '';
      expect(shows).toContain(`Lesson: ${LESSON_TITLE}`);
      expect(shows).toMatch(/Until \d{1,2}:\d{2}/);
      expect(shows).toContain(`allowed sites: ${ALLOWED.join(', ')}`);

      const screenshots = printedScreenshots(run.stdout);
      const expected: Shot[] = [
        ['student, blocked page', `blocked-${file}.png`, { width: 1000, height: 760 }],
        ['student, popup', `popup-${file}.png`, { width: 380, height: 640 }],
      ];
      // Without root, Chromium gets no policy: one browser, with the lesson set on it.
      if (twoBrowsers) expected.push(['teacher, popup', `teacher-popup-${file}.png`, { width: 380, height: 640 }]);
      expect([...screenshots.keys()].sort()).toEqual(expected.map(([label]) => label).sort());
      for (const [label, name, size] of expected) {
        const path = screenshots.get(label)!;
        expect(path).toBe(join(SCREENSHOTS, name));
        const png = pngSize(path);
        expect({ label, width: png.width, height: png.height }).toEqual({ label, ...size });
        expect(png.bytes).toBeGreaterThan(MIN_PNG_BYTES);
      }

      // Everything it started is gone: the demo's Chromium policy is not left to change other runs.
      expect(existsSync('/etc/chromium/policies/managed/lesmodus-demo.json')).toBe(false);
      expect(output).not.toMatch(/ERR_NAME_NOT_RESOLVED|NS_ERROR_UNKNOWN_HOST/);
    },
    RUN_TIMEOUT_MS,
  );
});
