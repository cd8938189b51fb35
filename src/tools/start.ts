/**
 * `npm start`: builds Lesmodus, starts the reference class-feed server on
 * 127.0.0.1, and opens two browsers side by side with the extension loaded:
 * a teacher's and a student's of class 2B, each with its own IT policy. A
 * demo lesson for 2B is published at once, and once the student's browser
 * has it in force, its window shows the blocked page; a lesson the teacher
 * starts in the popup (PIN 123456) takes hold in the student's window within
 * seconds. `npm start -- --help` lists the options.
 *
 * Chromium takes an extension's policy only from the machine's policy
 * directory (/etc/chromium/policies/managed), which needs root; without it,
 * `npm start` opens one Chromium with a demo lesson set on the device
 * instead. Firefox reads policy from the user's own managed-storage folder,
 * so the two-browser demo needs no root there.
 *
 * No address the demo opens has to resolve: the browsers reach only this
 * computer (unless --online), and the demo's blocked site is a stand-in page
 * served here. Without a display the browsers run headless: screenshots are
 * saved, their paths printed, and the command exits 0. Whatever fails, it
 * prints one line that says what and what to do, closes every browser and
 * server it started (also on Ctrl-C, SIGTERM and unexpected errors), and
 * exits non-zero.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { exportJWK } from 'jose';
import type { Page } from 'puppeteer-core';
import { hashPin } from '../core/teacher/pin';
import type { Lesson } from '../core/schemas';
import { startFeedServer, type FeedServer } from '../server/feed-server';
import {
  CHROMIUM_EXECUTABLE,
  FIREFOX_EXECUTABLE,
  distDir,
  launchChromium,
  launchFirefox,
  waitFor,
  type ExtensionSession,
  type LocalHosts,
} from '../dev/browsers';
import { ChromiumPolicyFile, DEV_EXTENSION_ID, extensionCopy } from '../dev/chromium-policy';
import { setLesson } from '../dev/extension-state';
import { open } from '../dev/pages';
import { startStandInSites } from '../dev/stand-in-sites';
import { TeacherPublisher, type TeacherKey } from '../dev/teacher';
import { USAGE_EXIT, UsageError, escapeForTerminal, parseCommandLine, runNpm } from './cli';

const root = join(__dirname, '..', '..');
const work = join(root, '.tmp', 'start');
const screenshotDir = join(root, '.tmp', 'screenshots');
const DEMO_PIN = '123456';
const CLASS = '2B';

/** A site outside the demo lesson. Plain http, so that its stand-in page can answer it. */
export const BLOCKED_DEMO_URL = 'http://www.example-games.com/play';
/** The demo's own made-up hosts, answered by the stand-in server on this computer. */
const DEMO_HOSTS = ['www.example-games.com'];

/** How long a browser may take to read its policy, fetch the class feed and apply the lesson. */
const LESSON_TIMEOUT_MS = 60_000;

export const USAGE = `Usage: npm start [-- options]

Builds Lesmodus and shows it at work: a class-feed server on this computer, a
student's browser of class ${CLASS} showing the blocked page of a demo lesson, and a
teacher's browser whose popup (PIN ${DEMO_PIN}) starts lessons for the class.
Without a display the browsers run headless: screenshots are saved, their
paths printed, and the command exits.

Options:
  --firefox    Firefox ESR instead of Chromium
  --headless   no windows, even with a display: screenshots, then exit
  --online     let the browsers reach the real web (the allowed sites open);
               by default no address leaves this computer
  --no-build   use dist/ as it is (after npm run build)
  -h, --help   print this and exit

Chromium takes extension policy only from /etc/chromium/policies (root): as
another user, npm start shows one Chromium with a lesson set on the device.
--firefox shows teacher and student side by side without root.
`;

export interface StartOptions {
  readonly browser: 'chromium' | 'firefox';
  readonly headless: boolean;
  /** Why headless: asked for, or no display to show windows on. */
  readonly headlessBecause: 'asked' | 'no-display' | null;
  readonly online: boolean;
  readonly build: boolean;
}

/** Whether windows can be shown: an X or Wayland display on Linux; macOS and Windows always have one. */
export function hasDisplay(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** The command line (after `npm start --`); a bad flag is a UsageError. */
export function parseStartArgs(argv: readonly string[], env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): { help: true } | { help: false; options: StartOptions } {
  const { values } = parseCommandLine('npm start', argv, {
    firefox: { type: 'boolean' },
    headless: { type: 'boolean' },
    online: { type: 'boolean' },
    'no-build': { type: 'boolean' },
  });
  if (values.help) return { help: true };
  const display = hasDisplay(env, platform);
  const headlessBecause = values.headless ? 'asked' : display ? null : 'no-display';
  return {
    help: false,
    options: {
      browser: values.firefox ? 'firefox' : 'chromium',
      headless: headlessBecause !== null,
      headlessBecause,
      online: values.online ?? false,
      build: !values['no-build'],
    },
  };
}

// ---------------------------------------------------------------------------
// Failures and clean-up.

/** A failure npm start explains: its message is the one line to print (what failed, and what to do). */
class StartFailure extends Error {
  override readonly name = 'StartFailure';
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
}

/** Thrown by a step that finds npm start stopping (a signal, an unexpected error): nothing more to do or say. */
class Stopping extends Error {
  override readonly name = 'Stopping';
}

/**
 * Runs one step; an error in it becomes a StartFailure naming the step and
 * what to do. Once npm start is stopping, no further step runs.
 */
async function step<T>(what: string, todo: string, fn: () => Promise<T> | T): Promise<T> {
  if (resources.stopping) throw new Stopping(what);
  try {
    const result = await fn();
    if (resources.stopping) throw new Stopping(what);
    return result;
  } catch (error) {
    if (error instanceof StartFailure || error instanceof Stopping) throw error;
    if (resources.stopping) throw new Stopping(what);
    throw new StartFailure(`${what} failed: ${firstLine(error)}; ${todo}`);
  }
}

async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((done) => {
    timer = setTimeout(() => done(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Everything npm start started, closed in reverse order: after the demo, on a failure, a signal or an unexpected error. */
class Resources {
  private readonly closers: Array<() => Promise<void>> = [];
  private readonly sessions = new Set<ExtensionSession>();
  private closing: Promise<void> | null = null;

  get stopping(): boolean {
    return this.closing !== null;
  }

  /** Registers a clean-up; one added while closing runs at once. */
  add(close: () => Promise<void> | void): void {
    const closer = async (): Promise<void> => {
      await settleWithin(Promise.resolve().then(close), 20_000);
    };
    if (this.closing !== null) void closer();
    else this.closers.push(closer);
  }

  /** A browser session, registered while it is still starting, so that a Ctrl-C during the launch closes it too. */
  async launch<T extends ExtensionSession>(what: string, todo: string, starting: Promise<T>): Promise<T> {
    void starting.then((session) => this.sessions.add(session), () => undefined);
    this.add(async () => {
      const session = await starting.catch(() => null);
      if (session !== null) await closeSession(session);
    });
    return step(`starting ${what}`, todo, () => starting);
  }

  /** The last resort (a second Ctrl-C): kills the browsers at once, leaving their temporary profiles behind. */
  kill(): void {
    for (const session of this.sessions) session.browser.process()?.kill('SIGKILL');
  }

  shutdown(): Promise<void> {
    this.closing ??= (async () => {
      for (const close of this.closers.reverse()) await close();
    })();
    return this.closing;
  }
}

/** This run's: every function below registers what it starts here. */
const resources = new Resources();

/** Closes a browser and removes its profile; a browser that does not close in time is killed. */
async function closeSession(session: ExtensionSession): Promise<void> {
  if (!(await settleWithin(session.close(), 10_000))) session.browser.process()?.kill('SIGKILL');
}

// ---------------------------------------------------------------------------
// The demo.

function demoLesson(now: number): Lesson {
  return {
    id: `demo-${now}`,
    title: 'Demo: Rekenen groep 7',
    mode: 'allowlist',
    sites: ['wikipedia.org', 'schooltv.nl', 'rekenweb.nl'],
    embeds: ['youtube-nocookie.com'],
    startsAt: now,
    endsAt: now + 45 * 60_000,
  };
}

/** What a school's IT would give every device: sign-in always reachable, a few sites always blocked. */
const SCHOOL = { allowed: ['login.microsoftonline.com', 'accounts.google.com'], blocked: ['tiktok.com'], timeZone: 'Europe/Amsterdam' };

/** Prints a line of progress; nothing once npm start is stopping. */
const say = (line: string): void => {
  if (!resources.stopping) console.log(escapeForTerminal(line));
};

async function screenshot(page: Page, file: string, label: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, file);
  await step(`saving the screenshot of the ${label}`, `check that ${screenshotDir} is writable`, () => page.screenshot({ path }));
  say(`Screenshot (${label}): ${path}`);
}

/** What the extension's status says about the lesson in force, read from one of its pages. */
interface LessonProbe {
  readonly activeId: string | null;
  readonly rulesError: string | null;
  readonly policy: string;
  readonly feed: string;
  readonly error?: string;
}

/** Runs in an extension page (no named inner functions, see readShown): asks the background for its status, as the popup does. */
async function probeLesson(): Promise<LessonProbe> {
  type Reply = { ok: true; value: { active: { id: string } | null; rules: { error: string | null }; policy: { source: string; errors: readonly unknown[] }; feed?: { classes: ReadonlyArray<{ classId: string; lastOutcome: string | null; lastError: string | null }> } } } | { ok: false; error: string };
  const reply = (await chrome.runtime.sendMessage({ type: 'getStatus' })) as Reply | undefined;
  if (!reply || !reply.ok) return { activeId: null, rulesError: null, policy: 'unknown', feed: 'unknown', error: reply ? reply.error : 'no answer from the background' };
  const status = reply.value;
  const feed = (status.feed?.classes ?? []).map((entry) => `class ${entry.classId}: ${entry.lastOutcome ?? 'not fetched yet'}${entry.lastError ? ` (${entry.lastError})` : ''}`).join(', ');
  return {
    activeId: status.active?.id ?? null,
    rulesError: status.rules.error,
    policy: `${status.policy.source}${status.policy.errors.length > 0 ? `, ${status.policy.errors.length} error(s)` : ''}`,
    feed: feed || 'no class feed',
  };
}

/**
 * Waits until the browser's rules are those of `lesson`: the background
 * reports it active, with its rules applied. Only then does a navigation to
 * a site outside the lesson land on the blocked page (before, IT's own rules
 * may already be in force, but not the lesson's).
 */
async function waitForLesson(session: ExtensionSession, lesson: Lesson, who: string, source: string): Promise<void> {
  const page = await step(`opening an extension page in the ${who}'s browser`, 'check that the build is complete (npm run build)', async () => {
    const opened = await session.browser.newPage();
    await session.goto(opened, session.extensionUrl('popup.html'));
    return opened;
  });
  let last: LessonProbe | undefined;
  try {
    await waitFor(async () => {
      last = await page.evaluate(probeLesson);
      return last.activeId === lesson.id && last.rulesError === null;
    }, 'the demo lesson', LESSON_TIMEOUT_MS);
  } catch {
    const seen = last === undefined ? 'its status never answered' : last.error ?? `policy ${last.policy}; ${last.feed}; lesson in force: ${last.activeId ?? 'none'}${last.rulesError ? `; rules: ${last.rulesError}` : ''}`;
    throw new StartFailure(`the ${who}'s browser did not put the demo lesson (${source}) in force within ${LESSON_TIMEOUT_MS / 1000} s (${seen}); run npm run build and try again, and if it persists open its status page (status.html) to see why`);
  } finally {
    await page.close().catch(() => undefined);
  }
}

/** What the student's tab shows, read from the page itself. */
interface Shown {
  readonly url: string;
  readonly title: string;
  readonly heading: string;
  readonly lesson: string;
  readonly sites: readonly string[];
}

/**
 * Runs in the page. No named inner functions: tsx (esbuild) would wrap them
 * in a `__name` helper that does not exist in the browser.
 */
function readShown(): Shown {
  const [heading = '', lesson = ''] = ['h1', '.lesson'].map((selector) => document.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '');
  return {
    url: location.href,
    title: document.title,
    heading,
    lesson,
    sites: [...document.querySelectorAll('.sites li')].map((item) => item.textContent?.trim() ?? ''),
  };
}

/** Opens the demo's blocked site in the student's browser and waits for the blocked page to show the lesson, its end and its sites. */
async function showBlockedPage(session: ExtensionSession, lesson: Lesson): Promise<Page> {
  const page = await session.browser.newPage();
  await page.setViewport({ width: 1000, height: 760 });
  await step(`opening ${BLOCKED_DEMO_URL} in the student's browser`, 'the demo lesson should have sent it to the blocked page; run npm run build and try again', () => open(session, page, BLOCKED_DEMO_URL));
  const blockedPage = session.extensionUrl('blocked.html');
  let shown: Shown | undefined;
  let unreadable: unknown;
  try {
    await waitFor(async () => {
      shown = await page.evaluate(readShown).catch((error: unknown) => {
        unreadable = error;
        throw error;
      });
      return shown.url.startsWith(blockedPage) && shown.lesson.includes(lesson.title) && lesson.sites.every((site) => shown!.sites.includes(site));
    }, 'the blocked page with the demo lesson', 15_000);
  } catch {
    const what = shown === undefined ? `a page that cannot be read (${firstLine(unreadable)})` : `${shown.url} ("${shown.heading || shown.title}")`;
    throw new StartFailure(`the student's browser shows ${what} instead of the blocked page of the demo lesson; run npm run build and try again`);
  }
  say(`Student's page: ${shown!.url}`);
  say(`  shows: ${shown!.heading} | ${shown!.lesson} | allowed sites: ${shown!.sites.join(', ')}`);
  return page;
}

async function openPopup(session: ExtensionSession, who: string): Promise<Page> {
  return step(`opening the ${who}'s popup`, 'check that the build is complete (npm run build)', async () => {
    const page = await session.browser.newPage();
    await page.setViewport({ width: 380, height: 640 });
    await session.goto(page, session.extensionUrl('popup.html'));
    await waitFor(async () => (await page.evaluate(() => document.querySelector('h1')?.textContent ?? '')) !== '', `the ${who}'s popup to render`);
    return page;
  });
}

async function schoolKey(): Promise<{ key: TeacherKey; privateJwk: Record<string, unknown> }> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const priv = await exportJWK(pair.privateKey);
  const kid = 'demo-school';
  return {
    key: { kid, privateKey: pair.privateKey, publicKey: { kty: 'EC', crv: 'P-256', x: priv.x!, y: priv.y! } },
    privateJwk: { kty: 'EC', crv: 'P-256', x: priv.x, y: priv.y, d: priv.d, kid },
  };
}

/** How the demo's browsers reach the network: only this computer unless --online; the demo's hosts always here. */
interface Network {
  readonly realNetwork: boolean;
  readonly localHosts: LocalHosts;
}

const CHROMIUM_TODO = `check that Chromium runs (${CHROMIUM_EXECUTABLE} --headless --version), or set LESMODUS_CHROMIUM to another Chromium`;
const FIREFOX_TODO = `check that Firefox runs (${FIREFOX_EXECUTABLE} --headless --version), or set LESMODUS_FIREFOX to another Firefox`;

/** One browser, a demo lesson set on the device: what `npm start` does where it cannot give Chromium a policy. */
async function singleBrowserDemo(options: StartOptions, network: Network): Promise<ExtensionSession[]> {
  const session = await resources.launch('Chromium', CHROMIUM_TODO, launchChromium({ extensionDir: distDir('chrome'), headless: options.headless, allowLoopbackAddress: true, handleSignals: false, ...network }));
  const lesson = demoLesson(Date.now());
  await step('setting the demo lesson', 'run npm run build and try again', () => setLesson(session, lesson));
  await waitForLesson(session, lesson, 'student', 'set on this browser');
  say(`Demo lesson in force on this browser: "${lesson.title}", 45 minutes, only ${lesson.sites.join(', ')}.`);
  const blocked = await showBlockedPage(session, lesson);
  if (options.headless) {
    await screenshot(blocked, 'blocked-chromium.png', 'student, blocked page');
    await screenshot(await openPopup(session, 'student'), 'popup-chromium.png', 'student, popup');
  }
  return [session];
}

async function classDemo(options: StartOptions, network: Network, feed: FeedServer, token: string): Promise<ExtensionSession[]> {
  const { key, privateJwk } = await schoolKey();
  const teacherPin = await hashPin(DEMO_PIN, randomBytes(16), 100_000);
  const feedForStudents = { urlTemplate: feed.urlTemplate, pollSeconds: 30 };
  const teacherPolicy = { ...SCHOOL, role: 'teacher', classes: [CLASS, '3A'], classFeed: { ...feedForStudents, authorization: `Bearer ${token}` }, schoolSigningKey: privateJwk, teacherPin };
  const studentPolicy = { ...SCHOOL, role: 'student', classes: [CLASS], classFeed: feedForStudents, teacherKeys: [{ id: key.kid, name: 'Demo school', publicKey: key.publicKey }], teacherPin };

  // The demo lesson for 2B, signed and published the way a teacher's browser does it.
  const lesson = demoLesson(Date.now());
  await step('publishing the demo lesson to the class-feed server', 'try again; another program may hold its port', () => new TeacherPublisher(feed.origin, token, key).publish(CLASS, { lesson }));

  let teacher: ExtensionSession;
  let student: ExtensionSession;
  const common = { headless: options.headless, handleSignals: false, ...network };
  if (options.browser === 'firefox') {
    student = await resources.launch("the student's Firefox", FIREFOX_TODO, launchFirefox({ extensionDir: distDir('firefox'), managedStorage: studentPolicy, ...common }));
    teacher = await resources.launch("the teacher's Firefox", FIREFOX_TODO, launchFirefox({ extensionDir: distDir('firefox'), managedStorage: teacherPolicy, ...common }));
  } else {
    const teacherExtension = extensionCopy(join(work, 'teacher-extension'));
    const policyFile = new ChromiumPolicyFile('lesmodus-demo');
    resources.add(() => policyFile.remove());
    policyFile.write({ [DEV_EXTENSION_ID]: studentPolicy, [teacherExtension.id]: teacherPolicy });
    const size = ['--window-size=900,900'];
    const chromium = { ...common, allowLoopbackAddress: true };
    student = await resources.launch("the student's Chromium", CHROMIUM_TODO, launchChromium({ extensionDir: distDir('chrome'), ...chromium, extraArgs: [...size, '--window-position=0,0', '--window-name=Lesmodus: leerling 2B'] }));
    teacher = await resources.launch("the teacher's Chromium", CHROMIUM_TODO, launchChromium({ extensionDir: teacherExtension.dir, ...chromium, extraArgs: [...size, '--window-position=920,0', '--window-name=Lesmodus: docent'] }));
  }
  say(`Student browser (class ${CLASS}) and teacher browser started.`);
  await waitForLesson(student, lesson, 'student', `published for class ${CLASS}`);
  say(`The student's browser enforces the demo lesson published for ${CLASS}: "${lesson.title}", only ${lesson.sites.join(', ')}.`);
  const blocked = await showBlockedPage(student, lesson);
  const popup = await openPopup(teacher, 'teacher');
  if (options.headless) {
    const name = options.browser;
    await screenshot(blocked, `blocked-${name}.png`, 'student, blocked page');
    await screenshot(await openPopup(student, 'student'), `popup-${name}.png`, 'student, popup');
    await screenshot(popup, `teacher-popup-${name}.png`, 'teacher, popup');
  } else {
    say(`In the teacher's window: Teacher, PIN ${DEMO_PIN}, pick class ${CLASS}, start a lesson; the student's window follows within seconds.`);
  }
  return [student, teacher];
}

function build(): void {
  say('Building Lesmodus (npm run build) ...');
  const { status, error } = runNpm(root, ['build', '--', '--stats', 'errors-warnings']);
  if (error !== undefined) throw new StartFailure(`the build could not start: ${firstLine(error)}; run npm run build to see why`);
  if (status !== 0) throw new StartFailure('the build failed (its output is above); fix what it names, then npm start again');
}

/** What must be there before anything starts. */
function checkPrerequisites(options: StartOptions): void {
  const dist = distDir(options.browser === 'firefox' ? 'firefox' : 'chrome');
  if (!existsSync(join(dist, 'manifest.json'))) {
    throw new StartFailure(`${relative(root, dist)} is not built; run npm run build (npm start without --no-build does it)`);
  }
  if (options.browser === 'firefox' && !existsSync(FIREFOX_EXECUTABLE)) {
    throw new StartFailure(`Firefox is not installed at ${FIREFOX_EXECUTABLE}; install it (Debian: apt install firefox-esr) or set LESMODUS_FIREFOX to its program`);
  }
  if (options.browser === 'chromium' && !existsSync(CHROMIUM_EXECUTABLE)) {
    throw new StartFailure(`Chromium is not installed at ${CHROMIUM_EXECUTABLE}; install it (Debian: apt install chromium) or set LESMODUS_CHROMIUM to its program (branded Google Chrome ignores --load-extension)`);
  }
}

/** Starts the demo; resolves to the browsers once the student's window shows the blocked page (and the screenshots are saved when headless). */
async function demo(options: StartOptions): Promise<ExtensionSession[]> {
  if (options.build) build();
  checkPrerequisites(options);
  if (options.headlessBecause === 'no-display') say('No display found (DISPLAY/WAYLAND_DISPLAY unset): running headless and saving screenshots.');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  const standIns = await step('starting the stand-in sites on 127.0.0.1', 'check that this computer lets programs listen on 127.0.0.1', () => startStandInSites());
  resources.add(() => standIns.close());
  const network: Network = { realNetwork: options.online, localHosts: { hosts: DEMO_HOSTS, port: standIns.port } };

  const token = randomBytes(24).toString('base64url');
  const feed = await step('starting the class-feed server on 127.0.0.1', 'check that this computer lets programs listen on 127.0.0.1', () =>
    startFeedServer({ port: 0, host: '127.0.0.1', dataDir: join(work, 'feed-data'), tokens: [token], maxBytes: 64 * 1024, log: 'writes' }),
  );
  resources.add(() => feed.close());
  say(`Class-feed server: ${feed.urlTemplate}`);
  say(options.online ? `The browsers may reach the real web (--online); ${DEMO_HOSTS.join(', ')} stays a stand-in page here.` : `The browsers reach only this computer: ${DEMO_HOSTS.join(', ')} is a stand-in page here (npm start -- --online lets the allowed sites open).`);

  if (options.browser === 'firefox' || ChromiumPolicyFile.canWrite()) return classDemo(options, network, feed, token);
  say('Chromium takes extension policy only from /etc/chromium/policies (root needed): showing one browser with a demo lesson. `npm start -- --firefox` shows teacher and student side by side without root.');
  return singleBrowserDemo(options, network);
}

/** Resolves when the first of the browsers is closed (by the user). */
function firstClosed(sessions: readonly ExtensionSession[]): Promise<void> {
  return Promise.race(sessions.map((session) => new Promise<void>((done) => (session.browser.connected ? session.browser.once('disconnected', () => done()) : done()))));
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** The command: parses the arguments, runs the demo, and always cleans up; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let options: StartOptions;
  try {
    const parsed = parseStartArgs(argv, process.env);
    if (parsed.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    options = parsed.options;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return USAGE_EXIT;
  }

  const failLine = (line: string): void => console.error(`npm start: ${escapeForTerminal(line)}`);
  let signalled = false;
  for (const signal of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) {
    process.on(signal, () => {
      if (signalled) {
        // A second Ctrl-C: stop waiting for the clean-up.
        resources.kill();
        process.exit(SIGNAL_EXIT[signal]);
      }
      signalled = true;
      if (!resources.stopping) failLine(`stopped by ${signal}; closing the browsers and servers it started`);
      stopWith(SIGNAL_EXIT[signal]!);
    });
  }
  const unexpected = (error: unknown): void => {
    if (resources.stopping) return; // browsers going away while closing: nothing to report
    const log = join(work, 'error.log');
    try {
      mkdirSync(work, { recursive: true });
      writeFileSync(log, `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    } catch {
      // The line below still says what happened.
    }
    failLine(`unexpected error: ${firstLine(error)} (details in ${log}); please report it with that file`);
    stopWith(1);
  };
  process.on('uncaughtException', unexpected);
  process.on('unhandledRejection', unexpected);

  try {
    const sessions = await demo(options);
    if (options.headless) return 0;
    say(`${options.browser === 'firefox' ? 'Firefox' : 'Chromium'} is running. Close a browser window (or press Ctrl-C) to stop.`);
    await firstClosed(sessions);
    return 0;
  } catch (error) {
    if (!resources.stopping) {
      if (error instanceof StartFailure) failLine(error.message);
      else unexpected(error);
    }
    return 1;
  } finally {
    await resources.shutdown();
  }
}

/** The exit status of the first reason to stop early (a signal's 128+n, or 1 for an unexpected error); null while none. */
let stopStatus: number | null = null;

/** Stops early: closes everything, then exits with the first reason's status. */
function stopWith(status: number): void {
  stopStatus ??= status;
  void resources.shutdown().then(() => process.exit(stopStatus!));
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => process.exit(stopStatus ?? status),
    (error: unknown) => {
      console.error(`npm start: unexpected error: ${escapeForTerminal(firstLine(error))}`);
      process.exit(1);
    },
  );
}
