/**
 * The real background — src/background/index.ts with its listeners,
 * handlers, rules flow, teacher actions and class-feed publishing — started
 * in a test over an in-memory browser (./fake-webextension.ts says why that
 * and not a Platform object), with the class feed's host in memory
 * (./feed-host.ts) and IndexedDB in memory (./memory-indexeddb.ts).
 *
 * Every start is a fresh service worker: the background's modules and the
 * browser are loaded anew in their own jest module registry
 * (jest.isolateModulesAsync), so no module-level cache of one test reaches
 * the next. What the test seeds (IT's policy, storage) is in place before the
 * worker starts, as on a device that has run before.
 *
 * UI tests talk to it through the popup's own Connector (connectorOver) over
 * the real handleMessage, as an extension page does.
 *
 * Time: the background reads Date.now(). Tests freeze it with ./clock.ts and
 * move it with jest.setSystemTime.
 */
import './web-platform';
import { jest } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as realSetImmediate } from 'node:timers';
import type { OutboxStore } from '../../../../src/core/feed/outbox';
import { RequestSchema, type Request } from '../../../../src/core/protocol';
import type { Lesson, PinHash, Preset, TemporaryAllow } from '../../../../src/core/schemas';
import { SECOND_COPY, ownRecordKey } from '../../../../src/core/state';
import { hashPin, verifyPin } from '../../../../src/core/teacher/pin';
import { connectorOver, type Connector } from '../../../../src/ui/shared/channel';
import { cryptoInFlight } from './web-platform';
import { FeedHost } from './feed-host';
import { memoryIndexedDb, type MemoryIndexedDb } from './memory-indexeddb';

/**
 * What has no state of its own — zod, jose and Lesmodus's pure core — is
 * loaded once per test file and shared by every service worker the file
 * starts, which then costs milliseconds instead of a tenth of a second. The
 * background, src/platform and the browser are loaded anew each time.
 */
function shareStateless(): void {
  const core = join(__dirname, '../../../../src/core');
  const files = readdirSync(core, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  for (const name of ['zod', 'jose', ...files.map((file) => join(core, file))]) {
    const loaded = jest.requireActual(name);
    jest.doMock(name, () => loaded);
  }
}
shareStateless();

/**
 * The device's monotonic clock in tests: Date.now() less what the person at
 * the device set its wall clock forward by (setDeviceClock). Time moved
 * with jest.setSystemTime is time passing: both clocks move.
 */
const deviceClock = { monotonicLag: 0 };
jest.doMock(join(__dirname, '../../../../src/platform/clock'), () => ({
  readDeviceClock: () => ({ wall: Date.now(), monotonic: Date.now() - deviceClock.monotonicLag }),
}));

type FakeModule = typeof import('./fake-webextension');
type Modules = {
  readonly fake: FakeModule;
  readonly handlers: typeof import('../../../../src/background/handlers');
  readonly flow: typeof import('../../../../src/background/rules/flow');
  readonly alarms: typeof import('../../../../src/platform/alarms');
  readonly live: typeof import('../../../../src/background/feed/live');
};

/** PBKDF2 iterations of the PINs tests set up: the policy's floor, so each unlock costs milliseconds, not a tenth of a second. */
const TEST_PIN_ITERATIONS = 100_000;
const pinHashes = new Map<string, Promise<PinHash>>();

/** A PIN's hash as IT's policy or a device stores it; computed once per test file. */
export function pinHash(pin: string): Promise<PinHash> {
  let hash = pinHashes.get(pin);
  if (hash === undefined) {
    hash = hashPin(pin, new Uint8Array(16).fill(7), TEST_PIN_ITERATIONS);
    pinHashes.set(pin, hash);
  }
  return hash;
}

export interface BackgroundSetup {
  /**
   * IT's policy as written. It is in managed storage and, as on a device
   * that has run before, already in the cache (received an hour ago, last
   * checked two minutes ago).
   */
  readonly policy?: Record<string, unknown>;
  /** What managed storage holds when it differs from `policy`: another policy, nothing (null), or a read that fails. */
  readonly managed?: Record<string, unknown> | null | { readonly readError: string };
  /** The outcome of the last read of managed storage, when it is not "found, no errors". */
  readonly policyStatus?: Record<string, unknown>;
  /**
   * The teacher PIN: in IT's policy with `pinFromPolicy`, else set on this
   * device. `pinFromPolicy` defaults to true when `policy` makes the device a
   * student's (no role, or "student"): a student device takes its PIN from
   * the policy only.
   */
  readonly pin?: string | null;
  readonly pinFromPolicy?: boolean;
  /** Values in storage.local before the service worker starts. */
  readonly local?: Record<string, unknown>;
  /** Open tabs, in the order they were opened (ids 1, 2, …). */
  readonly tabs?: ReadonlyArray<OpenTabSetup>;
  /** The class feed's host; a fresh one by default. */
  readonly feedHost?: FeedHost;
  /** Regular expressions the browser refuses in rules (Chrome refuses those too large to compile). */
  readonly refuseRegex?: (regex: string) => boolean;
  /** Managed storage answers only once this settles (Chromium takes seconds on a cold start). */
  readonly managedGate?: Promise<void>;
}

/** An open tab: the page it shows, and what the browser says of it besides. */
export interface OpenTabSetup {
  readonly url: string;
  /** Still loading: its response still arriving, or its images. */
  readonly loading?: boolean;
  /** Chromium: a navigation under way, not yet committed (implies loading). */
  readonly pendingUrl?: string;
  /** The addresses of the frames inside its page (frame ids 1, 2, …). */
  readonly frames?: readonly string[];
  /** Its page's content-script world (the pause cover), as a restarted worker finds it. */
  readonly page?: { readonly url: string; readonly script: boolean; readonly cover: unknown };
}

const MINUTE = 60_000;

export class TestBackground {
  /** Every request the connector carried, in order. */
  readonly requests: Request[] = [];
  /** When set, every answer waits for this promise (to see what a page shows before the background answers). */
  gate: Promise<void> | null = null;
  /** Requests sent and not yet answered. */
  private pending = 0;
  /** storage.local as the browser holds it, kept in step by its change events. */
  private readonly local = new Map<string, unknown>();
  private readonly session = new Map<string, unknown>();
  /** Every address the extension sent a tab to (tabs.update), in order. */
  readonly tabsSent: Array<{ readonly tabId: number; readonly url: string }> = [];
  /** True while the test itself changes a tab, so that it is not taken for the extension's doing. */
  private browserActing = false;

  constructor(
    private readonly modules: Modules,
    readonly feedHost: FeedHost,
  ) {
    const tabs = modules.fake.fakeBrowser.tabs;
    const update = tabs.update.bind(tabs) as (tabId: number, change: { url?: string }) => Promise<unknown>;
    tabs.update = ((tabId: number, change: { url?: string }) => {
      if (!this.browserActing && change.url !== undefined) this.tabsSent.push({ tabId, url: change.url });
      return update(tabId, change);
    }) as typeof tabs.update;
    modules.fake.fakeBrowser.storage.onChanged.addListener((changes, area) => {
      const mirror = area === 'local' ? this.local : area === 'session' ? this.session : null;
      if (mirror === null) return;
      for (const [key, change] of Object.entries(changes)) {
        if (change.newValue === undefined || change.newValue === null) mirror.delete(key);
        else mirror.set(key, change.newValue);
      }
    });
  }

  /** The in-memory browser, as the extension sees it. */
  get browser(): FakeModule['fakeBrowser'] {
    return this.modules.fake.fakeBrowser;
  }

  /** What the test controls of the browser beside its API (managed storage failing, say). */
  get controls(): FakeModule['controls'] {
    return this.modules.fake.controls;
  }

  /** declarativeNetRequest: the rules in force and how often they were read and replaced. */
  get dnr(): FakeModule['controls']['dnr'] {
    return this.modules.fake.controls.dnr;
  }

  /** The address a tab shows now (undefined once it is closed). */
  async tabUrl(tabId: number): Promise<string | undefined> {
    return (await this.browser.tabs.get(tabId))?.url;
  }

  /** The pause cover a tab's page shows now (what it says), or null. */
  async coverOf(tabId: number): Promise<unknown> {
    const url = await this.tabUrl(tabId);
    const page = this.controls.pages.get(tabId);
    return page !== undefined && page.url === url ? page.cover : null;
  }

  /** The address a frame inside a tab's page shows now. */
  frameUrl(tabId: number, frameId: number): string | undefined {
    return this.controls.frames.get(tabId)?.find((frame) => frame.frameId === frameId)?.url;
  }

  /**
   * The browser commits a navigation: of the tab's page (frame 0), which it
   * then shows, or of a frame; and reports it (webNavigation.onCommitted).
   * With `reportOnly`, the tab is left as it was: the report of a commit the
   * background reads the tabs before.
   */
  async commit(tabId: number, url: string, { frameId = 0, reportOnly = false } = {}): Promise<void> {
    if (!reportOnly) {
      if (frameId === 0) {
        this.browserActing = true;
        try {
          await this.browser.tabs.update(tabId, { url, pendingUrl: undefined } as never);
        } finally {
          this.browserActing = false;
        }
      } else {
        this.frameFor(tabId, frameId).url = url;
      }
    }
    await this.browser.webNavigation.onCommitted.trigger({ tabId, frameId, url, parentFrameId: frameId === 0 ? -1 : 0, processId: 1, timeStamp: Date.now(), transitionType: 'link', transitionQualifiers: [] } as never);
  }

  private frameFor(tabId: number, frameId: number): { frameId: number; url: string } {
    const frames = this.controls.frames.get(tabId) ?? [];
    this.controls.frames.set(tabId, frames);
    let frame = frames.find((candidate) => candidate.frameId === frameId);
    if (!frame) {
      frame = { frameId, url: 'about:blank' };
      frames.push(frame);
    }
    return frame;
  }

  /** The background's own modules, for what a test drives directly (the flow, an alarm). */
  get background(): Omit<Modules, 'fake'> {
    return this.modules;
  }

  /** The Connector every extension page uses, over the real handleMessage, sent from the popup. */
  readonly connector: Connector = connectorOver(async (message) => {
    // Recorded as the background reads it (defaults filled in), when it is a valid request at all.
    const parsed = RequestSchema.safeParse(message);
    if (parsed.success) this.requests.push(parsed.data);
    this.pending += 1;
    try {
      if (this.gate) await this.gate;
      return await this.modules.handlers.handleMessage(message, { id: this.browser.runtime.id, url: this.browser.runtime.getURL('popup.html') });
    } finally {
      this.pending -= 1;
    }
  });

  /** The requests of one type. */
  sent<T extends Request['type']>(type: T): Extract<Request, { type: T }>[] {
    return this.requests.filter((request): request is Extract<Request, { type: T }> => request.type === type);
  }

  /** The requests that would change something (anything but reading the status or a URL's verdict). */
  changes(): Request[] {
    return this.requests.filter((request) => request.type !== 'getStatus' && request.type !== 'checkUrl');
  }

  /** A value's second copy (IndexedDB, src/platform/second-copy.ts) as stored now. */
  secondCopy<T = unknown>(key: string): T | undefined {
    const text = (globalThis.indexedDB as MemoryIndexedDb).memory.databases.get(SECOND_COPY.database)?.stores.get(SECOND_COPY.store)?.get(key);
    return typeof text === 'string' ? (JSON.parse(text) as T) : undefined;
  }

  /** Deletes the IndexedDB that holds the second copies, as deleting its profile folder would. */
  wipeSecondCopies(): void {
    (globalThis.indexedDB as MemoryIndexedDb).memory.databases.delete(SECOND_COPY.database);
  }

  /** A value of storage.local as stored now. */
  stored<T = unknown>(key: string): T | undefined {
    return this.local.get(key) as T | undefined;
  }

  get lesson(): Lesson | null {
    return this.stored<Lesson>('lesson') ?? null;
  }

  get presets(): Preset[] {
    return this.stored<Preset[]>('presets') ?? [];
  }

  get exceptions(): TemporaryAllow[] {
    return this.stored<TemporaryAllow[]>('exceptions') ?? [];
  }

  /** Teacher devices: per class, the newest document published and how its delivery goes. */
  get outbox(): OutboxStore {
    return this.stored<OutboxStore>('feedOutbox') ?? {};
  }

  /** The document last published to a class, or null. */
  published(classId: string): OutboxStore[string]['document'] | null {
    return this.outbox[classId]?.document ?? null;
  }

  /** True while a teacher's unlock is held (its token hash is in storage.session). */
  get unlocked(): boolean {
    return this.session.has('teacherSession');
  }

  /** True when `pin` is the PIN in force on this device. */
  async pinIs(pin: string): Promise<boolean> {
    const stored = this.stored<PinHash>('teacherPin');
    return stored !== undefined && verifyPin(pin, stored);
  }

  /**
   * Writes to storage.local as the background's own actions do — the lesson
   * and the sites let through with its record of them in the second copy
   * (background/teacher/guard.ts) — without waiting for the background.
   */
  writeLocal(values: Record<string, unknown>): Promise<void> {
    this.recordOwn(values);
    return this.browser.storage.local.set(values);
  }

  /** writeLocal, and waits for the background to follow. */
  async setLocal(values: Record<string, unknown>): Promise<void> {
    await this.writeLocal(values);
    await this.idle();
  }

  async removeLocal(keys: string[]): Promise<void> {
    this.recordOwn(Object.fromEntries(keys.map((key) => [key, null])));
    await this.browser.storage.local.remove(keys);
    await this.idle();
  }

  /** Writes storage.local alone, as a student at an extension page's console would, and waits for the background to follow. */
  async tamper(values: Record<string, unknown>, remove: string[] = []): Promise<void> {
    if (Object.keys(values).length > 0) await this.browser.storage.local.set(values);
    if (remove.length > 0) await this.browser.storage.local.remove(remove);
    await this.idle();
  }

  private recordOwn(values: Record<string, unknown>): void {
    for (const key of ['lesson', 'exceptions']) {
      if (key in values) (globalThis.indexedDB as MemoryIndexedDb).memory.putNow(SECOND_COPY.database, SECOND_COPY.store, ownRecordKey(key), JSON.stringify({ value: values[key] ?? null }));
    }
  }

  /**
   * The person at the device sets its wall clock to `time` (the monotonic
   * clock goes on as it was), and the background is asked for the time, as
   * its next alarm or request would.
   */
  async setDeviceClock(time: number): Promise<void> {
    deviceClock.monotonicLag += time - Date.now();
    jest.setSystemTime(time);
    await this.idle();
  }

  /** Ends the teacher's unlock behind the popup's back (its idle expiry). */
  async expireUnlock(): Promise<void> {
    await this.browser.storage.session.remove('teacherSession');
  }

  /** IT pushes a new policy (Chrome reports the change of managed storage), and the background follows it. */
  async pushPolicy(raw: Record<string, unknown>): Promise<void> {
    const managed = this.browser.storage.managed;
    const gone = Object.keys(await managed.get()).filter((key) => !(key in raw));
    await managed.set(raw);
    if (gone.length > 0) await managed.remove(gone);
    await this.idle();
  }

  /** Fires an alarm, as the browser does when its time has come, and waits for what it sets off. */
  async fireAlarm(name: string): Promise<void> {
    await this.browser.alarms.onAlarm.trigger({ name, scheduledTime: Date.now(), persistAcrossSessions: true });
    await this.idle();
  }

  /**
   * What the delivery retry does when its alarm fires: the clock moves on to
   * the first retry that is due (if it is not due yet), and every due
   * document is PUT again.
   */
  async retryDeliveries(): Promise<void> {
    const due = Object.values(this.outbox).flatMap((entry) => (entry.state === 'pending' && entry.nextAttemptAt !== null ? [entry.nextAttemptAt] : []));
    if (due.length > 0 && Math.min(...due) > Date.now()) jest.setSystemTime(Math.min(...due));
    await this.fireAlarm('lesmodus-feed-retry');
  }

  /**
   * Waits until the background has nothing under way: no browser call, no
   * crypto and no feed request for several turns of the event loop.
   */
  async idle(): Promise<void> {
    const activity = () => this.modules.fake.controls.calls + this.feedHost.requests.length + this.feedHost.liveEvents + this.requests.length;
    let last = activity();
    for (let quiet = 0; quiet < 5; ) {
      await new Promise((done) => realSetImmediate(done));
      const now = activity();
      if (now === last && cryptoInFlight() === 0) quiet += 1;
      else quiet = 0;
      last = now;
    }
  }

  /** Waits until every request a page sent has its answer and the background has nothing under way. */
  async settled(): Promise<void> {
    do await this.idle();
    while (this.pending > 0);
  }

  /** Lets the background finish and stops its timers, as the browser stops a service worker. */
  async stop(): Promise<void> {
    await this.idle();
    this.modules.live.closeLive();
    for (const alarm of await this.browser.alarms.getAll()) await this.modules.alarms.clearAlarm(alarm.name);
  }
}

/** What survives a stopped service worker: the browser's storage, dynamic rules, alarms and tabs. */
interface BrowserState {
  readonly local: Record<string, unknown>;
  readonly session: Record<string, unknown>;
  readonly managed: Record<string, unknown>;
  readonly managedReadError: string | null;
  readonly rules: TestBackground['dnr']['inForce'];
  readonly alarms: Array<{ name: string; scheduledTime: number; periodInMinutes?: number }>;
  readonly tabs: OpenTabSetup[];
}

async function browserState(background: TestBackground): Promise<BrowserState> {
  const { storage, alarms, tabs } = background.browser;
  return {
    local: await storage.local.get(),
    session: await storage.session.get(),
    managed: await storage.managed.get(),
    managedReadError: background.controls.managedReadError,
    rules: background.dnr.inForce,
    alarms: (await alarms.getAll()).map(({ name, scheduledTime, periodInMinutes }) => ({ name, scheduledTime, ...(periodInMinutes !== undefined ? { periodInMinutes } : {}) })),
    tabs: (await tabs.query({})).flatMap((tab) =>
      tab.url ? [{ url: tab.url, loading: tab.status === 'loading', ...(tab.pendingUrl ? { pendingUrl: tab.pendingUrl } : {}), frames: (background.controls.frames.get(tab.id!) ?? []).map((frame) => frame.url), ...(background.controls.pages.has(tab.id!) ? { page: { ...background.controls.pages.get(tab.id!)! } } : {}) }] : [],
    ),
  };
}

/**
 * Starts a service worker with `setup` in place, and waits until it has read
 * its policy, applied the rules and, on a class feed, begun following or
 * delivering.
 */
export function startBackground(setup: BackgroundSetup = {}): Promise<TestBackground> {
  return start(setup, null);
}

export interface Restart {
  /**
   * The folder of storage.local was deleted while the browser was closed
   * (a student's own files): storage.local starts empty, IndexedDB (another
   * folder) is still there, and so is IT's policy in managed storage.
   */
  readonly wipeLocal?: boolean;
  /** Managed storage answers only once this settles. */
  readonly managedGate?: Promise<void>;
}

/**
 * The browser stops the service worker of `background` and starts it again:
 * everything in memory is gone, everything the browser keeps (storage,
 * dynamic rules, alarms, tabs) is still there.
 */
export async function restartBackground(background: TestBackground, restart: Restart = {}): Promise<TestBackground> {
  await background.stop();
  const state = await browserState(background);
  return start({ feedHost: background.feedHost, ...(restart.managedGate ? { managedGate: restart.managedGate } : {}) }, restart.wipeLocal ? { ...state, local: {}, session: {} } : state);
}

async function openTab(fake: FakeModule, tab: OpenTabSetup): Promise<void> {
  const { tabs } = fake.fakeBrowser;
  const created = await tabs.create({ url: tab.url });
  if (tab.loading || tab.pendingUrl !== undefined) await tabs.update(created.id!, { status: 'loading', ...(tab.pendingUrl !== undefined ? { pendingUrl: tab.pendingUrl } : {}) } as never);
  if (tab.frames?.length) fake.controls.frames.set(created.id!, tab.frames.map((url, index) => ({ frameId: index + 1, url })));
  if (tab.page) fake.controls.pages.set(created.id!, { ...tab.page });
}

async function start(setup: BackgroundSetup, state: BrowserState | null): Promise<TestBackground> {
  const feedHost = setup.feedHost ?? new FeedHost();
  // A new device (a restart keeps its clocks as they were).
  if (state === null) deviceClock.monotonicLag = 0;
  globalThis.fetch = feedHost.fetch;
  // The feed host's WebSocket when it is live, none otherwise (the test realms' own would
  // reach for the network): then the poll alone follows the feed. Real browsers: tests/e2e/live.*.
  Object.defineProperty(globalThis, 'WebSocket', { configurable: true, writable: true, value: feedHost.webSocket() });
  // IndexedDB, like storage, outlives the service worker.
  if (state === null) globalThis.indexedDB = memoryIndexedDb();
  const now = Date.now();

  let background: TestBackground | null = null;
  await jest.isolateModulesAsync(async () => {
    const fake = await import('./fake-webextension');
    const handlers = await import('../../../../src/background/handlers');
    const flow = await import('../../../../src/background/rules/flow');
    const alarms = await import('../../../../src/platform/alarms');
    const live = await import('../../../../src/background/feed/live');
    background = new TestBackground({ fake, handlers, flow, alarms, live }, feedHost);
    const { storage } = fake.fakeBrowser;
    if (state !== null) {
      await storage.local.set(state.local);
      await storage.session.set(state.session);
      await storage.managed.set(state.managed);
      fake.controls.managedReadError = state.managedReadError;
      fake.controls.dnr.install(state.rules);
      for (const alarm of state.alarms) {
        await fake.fakeBrowser.alarms.create(alarm.name, alarm.periodInMinutes !== undefined ? { periodInMinutes: alarm.periodInMinutes, when: alarm.scheduledTime } : { when: alarm.scheduledTime });
      }
      for (const tab of state.tabs) await openTab(fake, tab);
    }

    const hash = setup.pin === undefined || setup.pin === null ? null : await pinHash(setup.pin);
    const pinFromPolicy = setup.pinFromPolicy ?? (setup.policy !== undefined && setup.policy.role !== 'teacher');
    const policy = setup.policy === undefined ? undefined : { ...setup.policy, ...(pinFromPolicy && hash !== null ? { teacherPin: hash } : {}) };
    if (policy !== undefined) {
      await storage.local.set({
        policyCache: { raw: policy, receivedAt: now - 60 * MINUTE },
        policyStatus: setup.policyStatus ?? { checkedAt: now - 2 * MINUTE, found: true, errors: [] },
      });
    }
    const managed = setup.managed === undefined ? policy : setup.managed;
    if (managed !== undefined && managed !== null) {
      if ('readError' in managed && typeof managed.readError === 'string') fake.controls.managedReadError = managed.readError;
      else await storage.managed.set(managed);
    }
    if (hash !== null && !pinFromPolicy) await storage.local.set({ teacherPin: hash });
    if (setup.local) await storage.local.set(setup.local);
    for (const tab of setup.tabs ?? []) await openTab(fake, tab);
    if (setup.refuseRegex) fake.controls.dnr.refuseRegex = setup.refuseRegex;
    if (setup.managedGate) fake.controls.managedGate = setup.managedGate;
    fake.controls.calls = 0;
    // The service worker starts: its top-level code registers the listeners and runs the flow.
    await import('../../../../src/background/index');
  });
  if (background === null) throw new Error('the background did not load');
  await (background as TestBackground).idle();
  return background;
}
