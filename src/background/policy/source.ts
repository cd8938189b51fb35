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
import { policyUpdate, isEmptyUpdate } from '../../core/policy/cache';
import { KEYS } from '../../core/state';
import { onAlarm, repeatEvery } from '../../platform/alarms';
import { readLocalRaw, readManaged, removeLocal, writeLocal } from '../../platform/storage';
import { inputsChanged } from '../rules/flow';
import { storedInput } from '../rules/inputs';
import { parsePolicyOnce } from './parsed';

/** The safety-net re-read of managed storage. */
const CHECK_ALARM = 'lesmodus-policy-check';
const CHECK_EVERY_SECONDS = 15 * 60;

let running: Promise<void> | null = null;
let again = false;

/**
 * Reads the managed policy and updates the cache and the policy status.
 * Calls while a read is under way fold into one more read after it: a change
 * reported mid-read may not be in the answer being awaited.
 */
export function syncManagedPolicy(): Promise<void> {
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

async function syncOnce(): Promise<void> {
  const read = await readManaged();
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
  // The flow takes the new values from here at once, while storage writes them: a new policy is in force
  // without waiting for a megabyte to be written and its change event to come back. That event then
  // brings the same values, which change nothing.
  const applying = inputsChanged(Object.keys(values), values);
  const writes: Array<Promise<void>> = [];
  if (update.removeCache) writes.push(removeLocal([KEYS.policyCache]));
  const toWrite = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
  if (Object.keys(toWrite).length > 0) writes.push(writeLocal(toWrite));
  await Promise.all([...writes, applying.then(() => undefined)]);
}

export function watchManagedPolicy(onCheck: () => void): void {
  onAlarm(CHECK_ALARM, onCheck);
  void repeatEvery(CHECK_ALARM, CHECK_EVERY_SECONDS);
}
