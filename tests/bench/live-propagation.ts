/**
 * From a teacher's publish to a student who sits still, in real Chromium
 * (the student's policy in a managed policy file, so this runs as root, like
 * the e2e suites), through each class-feed host the extension speaks to
 * live: nginx + nchan (where installed: src/dev/feed-hosts.ts) and the
 * reference server. No click, no navigation: the document arrives over the
 * student's socket and the open tab is covered or swept.
 *
 * - a class pause published -> the student's open tab is covered by the
 *   pause where it is;
 * - a class lesson published -> the student's open tab (a site the lesson
 *   does not allow) is swept to the blocked page.
 *
 * Each trial starts from a free tab and a connected student (the host's own
 * subscriber count says 1), and times from just before the teacher signs
 * and PUTs to the moment the tab shows the cover or the blocked page (looked
 * at every 50 ms or so through DevTools, so figures are that coarse).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { startFeedServer } from '../../src/server/feed-server';
import { DEV_EXTENSION_ID, ChromiumPolicyFile } from '../../src/dev/chromium-policy';
import { currentUrl, distDir, launchChromium, waitFor, type ChromiumSession } from '../../src/dev/browsers';
import { covered, uncovered } from '../../src/dev/cover';
import { startFeedHosts } from '../../src/dev/feed-hosts';
import { stored } from '../../src/dev/extension-state';
import { newTeacherKey, TeacherPublisher, type TeacherKey } from '../../src/dev/teacher';
import { startTestServer, type TestServer } from '../../src/dev/test-server';
import { median } from './median';
import type { Bench } from './runner';

const TOKEN = 'bench-propagation-token-0123456789';
const HOUR = 3_600_000;

export interface PropagationFigures {
  readonly host: string;
  /** Milliseconds, publish -> a still student's tab shows the pause: median and worst of the trials. */
  readonly pauseMedian: number;
  readonly pauseWorst: number;
  /** Milliseconds, publish -> a still student's open tab swept by a new lesson: median and worst. */
  readonly lessonMedian: number;
  readonly lessonWorst: number;
  readonly trials: number;
}

interface Host {
  readonly name: string;
  readonly urlTemplate: string;
  readonly token: string;
  close(): Promise<void>;
}

async function referenceHost(): Promise<Host> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lesmodus-propagation-'));
  const feed = await startFeedServer({ port: 0, host: '127.0.0.1', dataDir, tokens: [TOKEN], maxBytes: 64 * 1024, log: 'none' });
  return {
    name: 'reference server',
    urlTemplate: feed.urlTemplate,
    token: TOKEN,
    close: async () => {
      await feed.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function nchanHost(): Promise<Host> {
  const hosts = await startFeedHosts({ nodes: 1 });
  return { name: 'nginx + nchan', urlTemplate: hosts.nodes[0]!.urlTemplate, token: hosts.token, close: () => hosts.stop() };
}

/** The host's own count of the class's subscribers (404: none). */
async function subscribers(url: string, token: string): Promise<number> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  if (response.status !== 200) return 0;
  return ((await response.json()) as { subscribers: number }).subscribers;
}

async function measureHost(host: Host, key: TeacherKey, site: TestServer, trials: number): Promise<PropagationFigures> {
  const teacher = new TeacherPublisher(host.urlTemplate, host.token, key);
  const policyFile = new ChromiumPolicyFile('lesmodus-bench');
  let session: ChromiumSession | undefined;
  try {
    policyFile.write({
      [DEV_EXTENSION_ID]: {
        role: 'student',
        classes: ['2B'],
        classFeed: { urlTemplate: host.urlTemplate, pollSeconds: 30 },
        teacherKeys: [{ id: key.kid, name: 'Bench', publicKey: key.publicKey }],
      },
    });
    session = await launchChromium({ extensionDir: distDir('chrome'), allowLoopbackAddress: true });
    await waitFor(async () => (await stored<{ found?: boolean }>(session!, 'policyStatus'))?.found === true, 'the student policy to be read', 30_000);
    const classUrl = teacher.url('2B');
    await waitFor(async () => (await subscribers(classUrl, host.token)) === 1, `the student to subscribe to ${host.name}`, 30_000);
    const page: Page = await session.browser.newPage();
    const target = `${site.origin('other.test')}/reading`;
    const blocked = `${session.extensionUrl('blocked.html')}#${target}`;
    await page.goto(target, { waitUntil: 'load' });

    /** The still tab is the student's own page, with no cover. */
    const free = async (): Promise<boolean> => (await currentUrl(page)) === target && (await uncovered(page));
    /** Publishes `draft` and times it until the still tab shows it (`shown`); then frees the class and waits for the tab to be free. */
    const trial = async (draft: Parameters<TeacherPublisher['publish']>[1], shown: () => Promise<boolean>): Promise<number> => {
      await waitFor(free, 'the tab to be free before the trial', 30_000);
      const start = Date.now();
      await teacher.publish('2B', draft);
      await waitFor(shown, `the still tab to show it (${host.name})`, 30_000);
      const elapsed = Date.now() - start;
      await teacher.publish('2B', { lesson: null });
      return elapsed;
    };

    const pauses: number[] = [];
    const lessons: number[] = [];
    for (let index = 0; index < trials; index += 1) {
      const now = Date.now();
      pauses.push(await trial({ lesson: null, pause: { message: 'Iedereen kijkt naar het bord', startsAt: now, until: now + 5 * 60_000 } }, () => covered(page)));
      lessons.push(
        await trial(
          { lesson: { id: `bench-${index}-${now}`, title: 'Rekenen 2B', mode: 'allowlist', sites: ['allowed.test'], embeds: [], startsAt: now - 1000, endsAt: now + HOUR } },
          async () => (await currentUrl(page)) === blocked,
        ),
      );
    }
    return { host: host.name, pauseMedian: median(pauses), pauseWorst: Math.max(...pauses), lessonMedian: median(lessons), lessonWorst: Math.max(...lessons), trials };
  } finally {
    await session?.close();
    policyFile.remove();
  }
}

/** Measures every host that can be started here; a host that cannot (nginx or nchan not installed) is reported as skipped. */
export async function measurePropagation(trials = 5): Promise<{ figures: PropagationFigures[]; skipped: Array<{ host: string; reason: string }> }> {
  const site = await startTestServer();
  const key = await newTeacherKey('bench');
  const figures: PropagationFigures[] = [];
  const skipped: Array<{ host: string; reason: string }> = [];
  try {
    for (const [name, start] of [
      ['nginx + nchan', nchanHost],
      ['reference server', referenceHost],
    ] as const) {
      let host: Host;
      try {
        host = await start();
      } catch (error) {
        skipped.push({ host: name, reason: error instanceof Error ? error.message : String(error) });
        continue;
      }
      try {
        figures.push(await measureHost(host, key, site, trials));
      } catch (error) {
        skipped.push({ host: name, reason: `failed: ${error instanceof Error ? error.message : String(error)}` });
      } finally {
        await host.close();
      }
    }
    return { figures, skipped };
  } finally {
    await site.close();
  }
}

/** `npx tsx tests/bench/live-propagation.ts`: this part of the bench alone (under the browser lock). */
if (require.main === module) {
  measurePropagation()
    .then((result) => console.log(JSON.stringify(result, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}

const HOSTS = ['nginx + nchan', 'reference server'] as const;

function figuresOf(host: (typeof HOSTS)[number]) {
  return {
    pauseMedian: { name: `live: pause published -> still student shows it, median, ${host}`, unit: 'ms', budget: { limit: 1000, better: 'lower' } },
    pauseWorst: { name: `live: pause published -> still student shows it, worst of 5, ${host}`, unit: 'ms', budget: { limit: 2000, better: 'lower' } },
    lessonMedian: { name: `live: lesson published -> still student's tab swept, median, ${host}`, unit: 'ms', budget: { limit: 1000, better: 'lower' } },
    lessonWorst: { name: `live: lesson published -> still student's tab swept, worst of 5, ${host}`, unit: 'ms', budget: { limit: 2000, better: 'lower' } },
  } as const;
}

/** A student sitting still (no click), in real Chromium: the document arrives over the socket and the open tab follows. */
export const livePropagationBench: Bench = {
  id: 'live-propagation',
  figures: HOSTS.flatMap((host) => Object.values(figuresOf(host))),
  timeoutMs: 10 * 60_000,
  needsBuild: true,
  run: async (context) => {
    const { figures, skipped } = await measurePropagation(5);
    for (const figure of figures) {
      const spec = figuresOf(figure.host as (typeof HOSTS)[number]);
      context.record(spec.pauseMedian.name, figure.pauseMedian);
      context.record(spec.pauseWorst.name, figure.pauseWorst);
      context.record(spec.lessonMedian.name, figure.lessonMedian);
      context.record(spec.lessonWorst.name, figure.lessonWorst);
    }
    for (const { host, reason } of skipped) {
      const spec = figuresOf(host as (typeof HOSTS)[number]);
      for (const figure of Object.values(spec)) context.fail(figure.name, new Error(reason));
    }
  },
};
