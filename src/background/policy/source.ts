/**
 * Brings IT's managed policy into storage.local. Managed storage can take
 * seconds to answer on a cold start, so the rules flow never waits for it:
 * it reads the last valid policy from the cache, and this module replaces
 * the cache when a new valid policy arrives. What to write is decided in
 * core/policy/cache.ts; this module only reads and writes.
 *
 * A read happens on every service-worker start, when Chrome reports a
 * change (storage.onChanged, area "managed"), and on a periodic alarm as a
 * safety net for a missed change event. Firefox reads policies only at
 * start-up, so there a pushed change takes effect at the next browser start.
 */
import { policyUpdate, isEmptyUpdate, sameJson, type ManagedRead } from '../../core/policy/cache';
import { KEYS } from '../../core/state';
import { onAlarm, repeatEvery } from '../../platform/alarms';
import { readLocalRaw, readManaged, removeLocal, writeLocal } from '../../platform/storage';
import { inputsChanged } from '../rules/flow';
import { storedInput } from '../rules/inputs';
import { parsePolicyOnce } from './parsed';
import { sharedWith } from './shared';

/** The safety-net re-read of managed storage. */
const CHECK_ALARM = 'lesmodus-policy-check';
const CHECK_EVERY_SECONDS = 15 * 60;

let running: Promise<void> | null = null;
let again = false;

/**
 * Managed storage as this worker last saw it: the last answer to a read,
 * with every change Chrome reported since applied to it; null when it has to
 * be read (a fresh worker, a failed read). A reported change then needs no
 * second trip to managed storage, which takes tens of milliseconds for a
 * 50,000-entry policy: the change event carries the new values. Chrome
 * sends a change event after the answer to every earlier read, so applying
 * the changes in the order they arrive gives what storage holds; a change
 * that arrives while a read is under way is read again instead, as the
 * answer may or may not hold it.
 */
let seen: Readonly<Record<string, unknown>> | null = null;
let mustRead = true;
let reading = false;
/** The policy cache this worker last wrote: its own write coming back as a change is no news. */
let written: unknown;

/** A change of managed storage, as storage.onChanged reports it: each changed key with its new value, none when removed. */
export type ManagedChanges = Readonly<Record<string, { readonly newValue?: unknown }>>;

/**
 * Reads the managed policy and updates the cache and the policy status.
 * Calls while a read is under way fold into one more read after it: a change
 * reported mid-read may not be in the answer being awaited.
 */
export function syncManagedPolicy(): Promise<void> {
  mustRead = true;
  return sync();
}

/** Chrome reported a change of managed storage: the policy is updated from what it reported, read only when it must be. */
export function managedPolicyChanged(changes: ManagedChanges): Promise<void> {
  if (reading || seen === null) {
    mustRead = true;
  } else {
    const next: Record<string, unknown> = { ...seen };
    for (const [key, change] of Object.entries(changes)) {
      if (change.newValue === undefined) delete next[key];
      // Sharing what the version before holds: a new 50,000-entry list holds only its changed strings anew.
      else next[key] = sharedWith(change.newValue, seen[key]);
    }
    seen = next;
  }
  return sync();
}

/**
 * The policy cache changed in storage.local. Unless it is the cache this
 * worker wrote, managed storage is read again at once and IT's policy put
 * back if the cache differs (changed from an extension page's console, say).
 */
export function policyCacheChanged(value: unknown): Promise<void> {
  if (value !== undefined && written !== undefined && sameJson(value, written)) return running ?? Promise.resolve();
  return syncManagedPolicy();
}

function sync(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await syncOnce();
    } while (again);
  })().finally(() => {
    running = null;
  });
  return running;
}

async function readManagedOnce(): Promise<ManagedRead> {
  if (!mustRead && seen !== null) return Object.keys(seen).length > 0 ? { kind: 'found', raw: seen as Record<string, unknown> } : { kind: 'none' };
  mustRead = false;
  reading = true;
  try {
    const read = await readManaged();
    seen = read.kind === 'found' ? read.raw : read.kind === 'none' ? {} : null;
    return read;
  } finally {
    reading = false;
  }
}

async function syncOnce(): Promise<void> {
  const read = await readManagedOnce();
  // Read after managed storage answered, which can take seconds: a write in between is not lost. The
  // rules flow holds what is stored (it follows every change); only a worker whose flow has not read
  // storage yet reads it here.
  const keys = [KEYS.policyCache, KEYS.policyStatus];
  const held = keys.map((key) => storedInput(key));
  const stored = held.every((entry) => entry !== null) ? { [KEYS.policyCache]: held[0]!.value, [KEYS.policyStatus]: held[1]!.value } : await readLocalRaw(keys);
  const update = policyUpdate(read, { cache: stored[KEYS.policyCache], status: stored[KEYS.policyStatus] }, Date.now(), parsePolicyOnce);
  if (isEmptyUpdate(update)) return;
  // One write for the cache and the status together, so the rules flow sees both at once.
  const values: Record<string, unknown> = {};
  if (update.cache !== undefined) values[KEYS.policyCache] = update.cache;
  if (update.status !== undefined) values[KEYS.policyStatus] = update.status;
  if (update.removeCache) values[KEYS.policyCache] = undefined;
  // The flow takes the new values from here at once: a new policy is in force without waiting for a
  // megabyte to be written and its change event to come back. Storage is written once the rules are in
  // force: writing a megabyte takes the worker's time (the value is serialised here) and the browser's
  // (the very time it needs to put the rules in force). Should the worker stop before the write, nothing
  // is lost: the next worker reads managed storage on its start. The change event of the write then
  // brings the same values, which change nothing.
  try {
    await inputsChanged(Object.keys(values), values);
  } finally {
    const writes: Array<Promise<void>> = [];
    if (update.removeCache) writes.push(removeLocal([KEYS.policyCache]));
    const toWrite = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
    if (update.cache !== undefined) written = update.cache;
    else if (update.removeCache) written = undefined;
    if (Object.keys(toWrite).length > 0) writes.push(writeLocal(toWrite));
    await Promise.all(writes);
  }
}

export function watchManagedPolicy(onCheck: () => void): void {
  onAlarm(CHECK_ALARM, onCheck);
  void repeatEvery(CHECK_ALARM, CHECK_EVERY_SECONDS);
}
